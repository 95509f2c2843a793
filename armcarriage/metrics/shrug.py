"""Shoulder shrug per stride: the shoulder's outline below the ears, and its rise in the clip.

``shrug_neck_tl`` is absolute: the neck left visible between the ears and the top
of the shoulder's silhouette, compared with a normal band, so shoulders held up for
the whole clip show. ``shrug_level_tl`` and ``shrug_rise_tl`` are relative to the
runner's own most relaxed shoulder position in the clip: they show shoulders that
ride up during the clip or the stride, not a shrug held throughout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from armcarriage.metrics.geometry import midpoint, shoulder_elevation, torso_length, trunk_up

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from armcarriage.track import PoseTrack

FRONTAL_VIEWS = ("front", "rear")


def shrug_baseline(elevation: np.ndarray, percentile: float = 10.0) -> float:
    """Return the runner's relaxed shoulder elevation: a low percentile over the whole clip.

    Parameters
    ----------
    elevation
        :func:`armcarriage.metrics.geometry.shoulder_elevation` per frame, whole clip.
    percentile
        Which percentile is the baseline (``MetricsConfig.shrug_baseline_percentile``).

    """
    e = np.asarray(elevation, dtype=float)
    e = e[np.isfinite(e)]
    return float(np.percentile(e, percentile)) if e.size else float("nan")


def shrug_stride(elevation: np.ndarray, baseline: float) -> dict[str, float]:
    """Reduce one stride of the shoulder elevation (torso lengths).

    Returns
    -------
    dict
        ``shrug_level_tl`` = median elevation minus ``baseline``;
        ``shrug_rise_tl`` = max minus min elevation within the stride.

    """
    e = np.asarray(elevation, dtype=float)
    e = e[np.isfinite(e)]
    if not e.size or not np.isfinite(baseline):
        return {"shrug_level_tl": float("nan"), "shrug_rise_tl": float("nan")}
    return {
        "shrug_level_tl": float(np.median(e) - baseline),
        "shrug_rise_tl": float(np.max(e) - np.min(e)),
    }


def shoulder_tops(track: PoseTrack, side: str, view: str) -> np.ndarray | None:
    """Return the top of one shoulder per frame as image points ``(T, 2)``.

    From the front or behind: the top of the silhouette in the column of the
    shoulder landmark (``{side}_shoulder_top``, read off the segmentation mask),
    which rises with the shoulder's outline. From the side the shoulder lies under
    the head and its top merges with the neck; there the point is the neck's waist,
    the narrowest run of the silhouette below the ears (``neck_y``, one row for both
    sides), placed on the line from the ear centre to the shoulder centre: the
    trapezius and shoulders held up fill the lower neck and move its waist up
    towards the head. The row where the back outline steps back into the trapezius
    (``trapezius_y``) rises with a shrug too, but its height also follows the
    runner's trunk lean and the upper arm swinging behind the back, which moved it
    between relaxed runners by more than a 3 cm shrug. The shoulder landmark itself
    sits on the joint, which people carry at different heights under the ear, so it
    is not used. None when the track holds no silhouette numbers (made without the
    mask).
    """
    if view in FRONTAL_VIEWS:
        y = track.silhouette(f"{side}_shoulder_top")
        return None if y is None else np.stack([track.xy(f"{side}_shoulder")[:, 0], y], axis=1)
    y = track.silhouette("neck_y")
    if y is None:
        return None
    ear = midpoint(track.xy("left_ear"), track.xy("right_ear"))
    sh = midpoint(track.xy("left_shoulder"), track.xy("right_shoulder"))
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.clip((y - ear[:, 1]) / (sh[:, 1] - ear[:, 1]), 0.0, 1.0)
    return np.stack([ear[:, 0] + f * (sh[:, 0] - ear[:, 0]), y], axis=1)


def neck_hidden(track: PoseTrack, min_tl: float) -> bool:
    """Return True when the silhouette shows no neck below the ears in most frames.

    The narrowest run of the silhouette below the ears (``neck_y``) lies on the neck
    when the neck is seen; a hood, a high collar or long hair fills it, and the
    narrowest run is then the ear's own row. Over the clip the median depth of that
    run below the ear centre, along the trunk axis, must reach ``min_tl`` torso
    lengths (``MetricsConfig.neck_visible_tl``) for the neck and shoulder outline to
    mean anything. False on a track without silhouette numbers.
    """
    y = track.silhouette("neck_y")
    if y is None:
        return False
    ls, rs = track.xy("left_shoulder"), track.xy("right_shoulder")
    lh, rh = track.xy("left_hip"), track.xy("right_hip")
    ear = midpoint(track.xy("left_ear"), track.xy("right_ear"))
    neck = np.stack([ear[:, 0], y], axis=1)
    tl = torso_length(ls, rs, lh, rh)
    depth = neck_gap(
        neck, ear, trunk_up(ls, rs, lh, rh), np.nanmedian(tl) if np.isfinite(tl).any() else np.nan
    )
    depth = depth[np.isfinite(depth)]
    return bool(depth.size) and float(np.median(depth)) < min_tl


def neck_gap(
    top: np.ndarray, ear: np.ndarray, up: np.ndarray, torso_len: np.ndarray | float
) -> np.ndarray:
    """Return how far the top of the shoulder lies below the ears, in torso lengths.

    ``((ear - top) . up) / torso_len`` with ``up`` the trunk axis
    (:func:`armcarriage.metrics.geometry.trunk_up`): the visible neck between the
    ear centre and the shoulder's outline, along the trunk. Held-up shoulders
    shorten it whatever they do within the clip, so it is compared with a normal
    band rather than with the clip's own low values. It is minus
    :func:`armcarriage.metrics.geometry.shoulder_elevation` of the outline point.
    """
    return -shoulder_elevation(top, ear, up, torso_len)


def neck_stride(gap: np.ndarray) -> dict[str, float]:
    """Reduce one stride of :func:`neck_gap`: ``shrug_neck_tl`` = its median."""
    g = np.asarray(gap, dtype=float)
    g = g[np.isfinite(g)]
    return {"shrug_neck_tl": float(np.median(g)) if g.size else float("nan")}


def add_neck_series(
    series: pd.DataFrame, ct: PoseTrack, view: Mapping[str, Any], torso_px: float
) -> None:
    """Add ``{side}_neck_gap`` (:func:`armcarriage.metrics.shrug.neck_gap`) to ``series``.

    One figure for the runner, repeated in both sides' columns: from the front the
    mean of the two shoulders' gaps (each alone where the other is missing): the two
    outlines read apart on renders whose true shoulders were level, so the mean halves
    an error the runner does not have. From the side the neck waist's
    (:func:`shoulder_tops`). NaN
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


NECK_HIDDEN_REASON = (
    "the silhouette shows no neck below the ears (a hood, a high collar or long hair fills "
    "it), so the top of the shoulders cannot be told from the neck; film with the neck free"
)
"""Why the neck gap is missing when :func:`neck_hidden` holds."""
