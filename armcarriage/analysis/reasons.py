"""Why a metric is not measured, and the validity summary of each metric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import Config
from armcarriage.metrics import METRICS
from armcarriage.metrics.geometry import midpoint, trunk_up
from armcarriage.metrics.shrug import (
    neck_gap,
    shoulder_tops,
)
from armcarriage.metrics.validity import (
    validity_matrix,
)
from armcarriage.track import PoseTrack


def validity_summary(table: pd.DataFrame, reasons: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Return the per-metric validity of this clip (see the contract)."""
    matrix = validity_matrix()
    out: dict[str, dict[str, Any]] = {}
    for m, spec in METRICS.items():
        rows = table[table[f"{m}_reason"] == ""] if len(table) else table
        measured = bool(len(rows))
        reason = ""
        if not measured:
            reason = reasons.get(m) or (
                str(table[f"{m}_reason"].mode().iloc[0]) if len(table) else "not measured"
            )
        conf = float(np.median(rows[f"{m}_conf"])) if measured else 0.0
        out[m] = {
            "measured": measured,
            "reason": reason,
            "confidence": round(conf, 3),
            "better_view": spec.better_view,
            "views": [v for v, ok in matrix[m].items() if ok],
        }
    return out


def add_neck_series(
    series: pd.DataFrame, ct: PoseTrack, view: Mapping[str, Any], torso_px: float
) -> None:
    """Add ``{side}_neck_gap`` (:func:`armcarriage.metrics.shrug.neck_gap`) to ``series``.

    One figure for the runner, repeated in both sides' columns: from the front the
    mean of the two shoulders' gaps (each alone where the other is missing): the two
    outlines read apart on renders whose true shoulders were level, so the mean halves
    an error the runner does not have. From the side the near shoulder's. NaN
    throughout on a front-view track without silhouette numbers.
    """
    label = str(view.get("label", ""))
    ls, rs = ct.xy("left_shoulder"), ct.xy("right_shoulder")
    up = trunk_up(ls, rs, ct.xy("left_hip"), ct.xy("right_hip"))
    ear = midpoint(ct.xy("left_ear"), ct.xy("right_ear"))
    gaps = {}
    for side in ("left", "right"):
        top = shoulder_tops(ct, side, label)
        gaps[side] = (
            np.full(ct.n_frames, np.nan) if top is None else neck_gap(top, ear, up, torso_px)
        )
    near = view.get("near_side")
    if near in gaps and label not in ("front", "rear"):
        both = gaps[near]
    else:
        with np.errstate(invalid="ignore"):
            both = np.where(
                np.isfinite(gaps["left"]) & np.isfinite(gaps["right"]),
                0.5 * (gaps["left"] + gaps["right"]),
                np.where(np.isfinite(gaps["left"]), gaps["left"], gaps["right"]),
            )
    for side in ("left", "right"):
        series[f"{side}_neck_gap"] = both


NO_SILHOUETTE_REASON = (
    "the pose track holds no silhouette numbers (made without the segmentation mask, "
    "pose.silhouette); analyse the video again to measure it"
)


EXACT_DEPTH = "exact"
"""Track attribute ``depth`` of a track whose landmark depth is exact (a projection of known 3D
points), not a pose model's guess."""


POSE_DEPTH_ROTATION_REASON = (
    "the pose model's landmark depth does not measure trunk rotation (median error 20 deg "
    "from the front and 64 deg from the rear on the synthetic runner, "
    "benchmarks/accuracy.py); set metrics.rotation_from_pose_depth to report it anyway"
)


def measurement_reasons(track: PoseTrack, cfg: Config, view: str = "") -> dict[str, str]:
    """Return ``{metric: reason}`` for metrics this track's source cannot measure.

    Trunk rotation is read from the landmarks' depth, which a pose model only
    guesses from one image: unless ``metrics.rotation_from_pose_depth`` is set,
    it is measured only on tracks whose ``depth`` attribute says it is exact
    (:data:`EXACT_DEPTH`: projections of known 3D points, as the evaluation package makes).
    """
    out: dict[str, str] = {}
    if "silhouette" not in track.ds and view in ("", "front", "rear"):
        out["shrug_neck_tl"] = NO_SILHOUETTE_REASON
    if cfg.metrics.rotation_from_pose_depth or track.ds.attrs.get("depth") == EXACT_DEPTH:
        return out
    out["trunk_rotation_deg"] = POSE_DEPTH_ROTATION_REASON
    return out
