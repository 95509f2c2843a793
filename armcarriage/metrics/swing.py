"""Arm swing per stride: upper arm vs trunk (deg), wrist vs hip, wrist lift (torso lengths)."""

from __future__ import annotations

import numpy as np


def _extent(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return float("nan"), float("nan")
    return float(np.max(x)), float(np.min(x))


def swing_stride(arm_angle: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the upper-arm angle (deg, + = forward of the trunk line).

    Returns
    -------
    dict
        ``swing_forward_deg`` = max, ``swing_backward_deg`` = -min (+ = behind
        the trunk), ``swing_arc_deg`` = max - min.

    """
    hi, lo = _extent(arm_angle)
    return {"swing_forward_deg": hi, "swing_backward_deg": -lo, "swing_arc_deg": hi - lo}


def wrist_stride(wrist_forward: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the wrist forward offset from the hip centre (torso lengths).

    Returns
    -------
    dict
        ``wrist_forward_tl`` = max, ``wrist_backward_tl`` = -min (+ = behind the
        hip), ``wrist_arc_tl`` = max - min.

    """
    hi, lo = _extent(wrist_forward)
    return {"wrist_forward_tl": hi, "wrist_backward_tl": -lo, "wrist_arc_tl": hi - lo}


def wrist_height(
    wrist: np.ndarray, shoulder: np.ndarray, up: np.ndarray, torso_len: np.ndarray | float
) -> np.ndarray:
    """Height of the wrist above its own shoulder along the trunk axis, in torso lengths.

    Definition: ``((wrist - shoulder) . up) / torso_len`` (negative while the hand
    is below the shoulder, which is always in running). The per-frame series of
    ``wrist_lift_tl``: from the front it is the wrist's up-down path in the image;
    the 3D truth takes the points projected on the plane across the running
    direction first (what a camera on the line of progression sees).

    Parameters
    ----------
    wrist, shoulder
        The arm's own wrist and shoulder, shape ``(..., D)``.
    up
        Unit trunk axis (:func:`armcarriage.metrics.geometry.trunk_up`), same shape.
    torso_len
        Torso length (scalar clip median, or per frame), same unit as the points.

    Returns
    -------
    numpy.ndarray
        Torso lengths, shape ``(...)``; NaN where a point is missing.

    """
    w = np.asarray(wrist, dtype=float)
    s = np.asarray(shoulder, dtype=float)
    u = np.asarray(up, dtype=float)
    tl = np.asarray(torso_len, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tl > 0, np.sum((w - s) * u, axis=-1) / tl, np.nan)


def lift_stride(height: np.ndarray, time: np.ndarray, period: float) -> dict[str, float]:
    """Reduce one stride of the wrist height to its up-down travel (torso lengths).

    The wrist rises in front and drops behind once per stride, so the travel is
    taken as the peak-to-peak of the stride-frequency sinusoid fitted by least
    squares to the stride's finite frames (``a + b cos wt + c sin wt``, value
    ``2 sqrt(b^2 + c^2)``): it uses every frame, so one noisy frame does not set
    it, as it would a plain maximum minus minimum.

    Parameters
    ----------
    height
        :func:`wrist_height` over the stride's frames.
    time
        Times of the frames (s); uneven spacing is fine.
    period
        Stride duration (s).

    Returns
    -------
    dict
        ``wrist_lift_tl``; NaN with fewer than 4 finite frames or a bad period.

    """
    h = np.asarray(height, dtype=float)
    t = np.asarray(time, dtype=float)
    ok = np.isfinite(h) & np.isfinite(t)
    if ok.sum() < 4 or not np.isfinite(period) or period <= 0:
        return {"wrist_lift_tl": float("nan")}
    w = 2.0 * np.pi * t[ok] / period
    design = np.column_stack([np.ones_like(w), np.cos(w), np.sin(w)])
    coef, *_ = np.linalg.lstsq(design, h[ok], rcond=None)
    return {"wrist_lift_tl": float(2.0 * np.hypot(coef[1], coef[2]))}
