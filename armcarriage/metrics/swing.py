"""Arm-swing arc per stride: upper arm vs trunk (deg) and wrist vs hip (torso lengths)."""

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
