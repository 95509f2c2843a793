"""The elbow placed on a constant-length upper arm, for the swing angle of a side view.

Through the pose model the elbow keypoint falls short of the swing's extremes: on
motion-capture-driven side renders its error along the running direction grows with the
sine of the upper arm's swing angle, while the wrist's does not, and the upper arm reads
shorter there. The upper arm is rigid and, seen from the side, swings nearly in the
image plane, so its image length stays close to its true length. The elbow used for the
swing angle is therefore the point at that length from the shoulder on the side of the
forearm drawn from the wrist: the intersection of the circle of the upper arm's length
about the shoulder with the circle of the forearm's image length about the wrist, the
one nearer the keypoint, in frames whose forearm lies near the image plane (its image
length close to its length; elsewhere the arm leaves the plane and the keypoint is kept).
The move from the keypoint is smoothed over a few frames (the
shortfall changes over the stride, the keypoint's noise from frame to frame). The upper
arm's length is a high percentile of its image length over the clip in body-scale units
(:func:`armcarriage.metrics.arm3d.body_scale`), as the 3D arm starts from. Measured
figures: benchmarks/results/swing_geometry.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPS = 1e-9


def elbow_on_upper_arm(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    scale: np.ndarray,
    percentile: float,
    smooth_frames: int = 1,
    min_fore_ratio: float = 0.0,
) -> np.ndarray:
    """Return the elbow at the upper arm's constant length from the shoulder, per frame.

    Parameters
    ----------
    shoulder, elbow, wrist
        Image points of one arm, shape (T, 2).
    scale
        Body scale per frame (same unit as the points), shape (T,).
    percentile
        Percentile of the upper arm's scaled image length taken as its length.
    smooth_frames
        Centred running-median window of the move from the keypoint (frames; 1 = none).
    min_fore_ratio
        Frames whose forearm image length is below this fraction of its length (the same
        percentile) keep the keypoint: the arm leaves the image plane there, where a
        constant upper arm in the plane does not hold.

    Returns
    -------
    numpy.ndarray
        Shape (T, 2); the keypoint itself where a point or the scale is missing, or the
        wrist lies beyond the reach of both segments (then on the line to it).

    """
    s, e, w = (np.asarray(p, dtype=float) for p in (shoulder, elbow, wrist))
    sc = np.asarray(scale, dtype=float)
    la_img = np.linalg.norm(e - s, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = la_img / np.where(sc > _EPS, sc, np.nan)
    if not np.isfinite(rel).any():
        return e.copy()
    la = float(np.nanpercentile(rel, percentile)) * sc
    lb = np.linalg.norm(w - e, axis=1)
    d = w - s
    dist = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        reach = np.clip(dist, np.abs(la - lb) + _EPS, la + lb - _EPS)
        along = (la**2 - lb**2 + reach**2) / (2.0 * reach)
        across = np.sqrt(np.clip(la**2 - along**2, 0.0, None))
        u = d / dist[:, None]
    normal = np.column_stack([-u[:, 1], u[:, 0]])
    base = s + along[:, None] * u
    c1 = base + across[:, None] * normal
    c2 = base - across[:, None] * normal
    near1 = np.linalg.norm(c1 - e, axis=1) <= np.linalg.norm(c2 - e, axis=1)
    out = np.where(near1[:, None], c1, c2)
    ok = np.isfinite(out).all(axis=1) & (dist > _EPS)
    with np.errstate(invalid="ignore", divide="ignore"):
        fore = lb / np.where(sc > _EPS, sc, np.nan)
        fore_ratio = fore / float(np.nanpercentile(fore, percentile))
    ok &= ~(fore_ratio < min_fore_ratio)
    move = np.where(ok[:, None], out - e, 0.0)
    if smooth_frames > 1:
        move = (
            pd.DataFrame(move).rolling(int(smooth_frames), center=True, min_periods=1).median()
        ).to_numpy(float)
    return np.where(np.isfinite(e), e + move, e)


__all__ = ["elbow_on_upper_arm"]
