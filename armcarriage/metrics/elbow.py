"""Elbow angle per stride: mean, min, max, range and at the swing extremes.

The per-frame angle comes from the 2D image points by default
(``metrics.elbow_source``); the 2D angle is the 3D one only while the arm moves
in the image plane. On exact synthetic side tracks the reductions here are
within 0.01 deg of the 3D truth when fed the track's exact 3D landmarks, and
the 2D angle is within 1 deg for a relaxed bent arm but up to 4 deg off at the
forward extreme of a straight arm whose forearm turns towards the midline
(tests/test_accuracy_exact.py); frame sampling alone moves the extremes by about
0.1 deg at 30 frames/s (benchmarks/accuracy.py).
"""

from __future__ import annotations

import numpy as np


def elbow_stride(elbow: np.ndarray, arm_angle: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the elbow angle series.

    Parameters
    ----------
    elbow
        Elbow angle per frame (deg), :func:`armcarriage.metrics.geometry.elbow_angle`.
    arm_angle
        Upper-arm angle per frame (deg, + = forward), used to find the forward
        and backward swing extremes.

    Returns
    -------
    dict
        ``elbow_angle_mean``, ``_min``, ``_max``, ``_range``, ``_forward`` (at the
        frame of the largest upper-arm angle), ``_backward`` (at the smallest);
        NaN where the series has no finite value.

    """
    e = np.asarray(elbow, dtype=float)
    a = np.asarray(arm_angle, dtype=float)
    ok = np.isfinite(e)
    out = dict.fromkeys(
        ("elbow_angle_mean", "elbow_angle_min", "elbow_angle_max", "elbow_angle_range",
         "elbow_angle_forward", "elbow_angle_backward"), float("nan"))
    if not ok.any():
        return out
    out["elbow_angle_mean"] = float(np.mean(e[ok]))
    out["elbow_angle_min"] = float(np.min(e[ok]))
    out["elbow_angle_max"] = float(np.max(e[ok]))
    out["elbow_angle_range"] = out["elbow_angle_max"] - out["elbow_angle_min"]
    both = ok & np.isfinite(a)
    if both.any():
        idx = np.flatnonzero(both)
        out["elbow_angle_forward"] = float(e[idx[np.argmax(a[idx])]])
        out["elbow_angle_backward"] = float(e[idx[np.argmin(a[idx])]])
    return out


def elbow_geometry_factor(error: np.ndarray, error_deg: float) -> float:
    """Confidence factor of one stride's elbow values from their geometric expected error.

    Parameters
    ----------
    error
        Expected error per frame of the stride (deg), from
        :func:`armcarriage.metrics.arm3d.reconstruct_arm`; NaN where the angle
        was not rebuilt in 3D.
    error_deg
        Mean expected error at which the factor is 0.5
        (``MetricsConfig.elbow_error_deg``).

    Returns
    -------
    float
        ``1 / (1 + (mean error / error_deg)^2)``; 1 when no frame has an expected error.

    """
    e = np.asarray(error, dtype=float)
    e = e[np.isfinite(e)]
    if not e.size or error_deg <= 0:
        return 1.0
    return float(1.0 / (1.0 + (np.mean(e) / error_deg) ** 2))
