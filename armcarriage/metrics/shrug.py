"""Shoulder shrug per stride: the shoulder's outline below the ears, and its rise in the clip.

``shrug_neck_tl`` is absolute: the neck left visible between the ears and the top
of the shoulder's silhouette, compared with a normal band, so shoulders held up for
the whole clip show. ``shrug_level_tl`` and ``shrug_rise_tl`` are relative to the
runner's own most relaxed shoulder position in the clip: they show shoulders that
ride up during the clip or the stride, not a shrug held throughout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from armcarriage.metrics.geometry import shoulder_elevation

if TYPE_CHECKING:
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
    which rises with the shoulder's outline; None when the track holds no
    silhouette numbers (made without the mask). From the side the shoulder lies
    under the head and its outline merges with the neck and upper back (on the
    synthetic runner the silhouette's shoulder line did not follow a held shrug
    there), so the shoulder landmark itself is used.
    """
    if view not in FRONTAL_VIEWS:
        return track.xy(f"{side}_shoulder")
    y = track.silhouette(f"{side}_shoulder_top")
    if y is None:
        return None
    return np.stack([track.xy(f"{side}_shoulder")[:, 0], y], axis=1)


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
