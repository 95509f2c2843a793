"""Why a metric is not measured, and the validity summary of each metric."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import Config
from armcarriage.metrics import METRICS
from armcarriage.metrics.shrug import (
    NECK_HIDDEN_REASON,
    NO_SILHOUETTE_REASON,
    add_neck_series,
    neck_hidden,
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


EXACT_DEPTH = "exact"
"""Track attribute ``depth`` of a track whose landmark depth is exact (a projection of known 3D
points), not a pose model's guess."""


POSE_DEPTH_ROTATION_REASON = (
    "the pose model's landmark depth does not measure trunk rotation (median error 20 deg "
    "from the front and 64 deg from the rear on the synthetic runner, "
    "benchmarks/accuracy.py); set metrics.rotation_from_pose_depth to report it anyway"
)


__all__ = [
    "EXACT_DEPTH",
    "NECK_HIDDEN_REASON",
    "NO_SILHOUETTE_REASON",
    "POSE_DEPTH_ROTATION_REASON",
    "add_neck_series",
    "measurement_reasons",
    "validity_summary",
]


def measurement_reasons(track: PoseTrack, cfg: Config, view: str = "") -> dict[str, str]:
    """Return ``{metric: reason}`` for metrics this track's source cannot measure.

    Trunk rotation is read from the landmarks' depth, which a pose model only
    guesses from one image: unless ``metrics.rotation_from_pose_depth`` is set,
    it is measured only on tracks whose ``depth`` attribute says it is exact
    (:data:`EXACT_DEPTH`: projections of known 3D points, as the evaluation package makes).
    """
    out: dict[str, str] = {}
    if "silhouette" not in track.ds:
        out["shrug_neck_tl"] = NO_SILHOUETTE_REASON
    elif neck_hidden(track, cfg.metrics.neck_visible_tl):
        out["shrug_neck_tl"] = NECK_HIDDEN_REASON
    if cfg.metrics.rotation_from_pose_depth or track.ds.attrs.get("depth") == EXACT_DEPTH:
        return out
    out["trunk_rotation_deg"] = POSE_DEPTH_ROTATION_REASON
    return out
