"""Arm-leg coordination: phase of each arm's swing relative to the opposite leg."""

from __future__ import annotations

import numpy as np

from armcarriage.metrics.geometry import fundamental_phase_lag


def phase_stride(
    wrist_forward: np.ndarray, opposite_ankle_forward: np.ndarray, time: np.ndarray, period: float
) -> dict[str, float]:
    """Phase of the wrist swing against the opposite ankle's, at the stride frequency.

    Parameters
    ----------
    wrist_forward
        Wrist forward offset from the hip centre over one stride (torso lengths).
    opposite_ankle_forward
        The opposite leg's ankle forward offset over the same frames.
    time
        Times of the frames (s).
    period
        Stride duration (s).

    Returns
    -------
    dict
        ``arm_leg_phase_deg`` in (-180, 180]; 0 = arm and opposite leg reach
        forward together; + = the arm leads.

    """
    return {
        "arm_leg_phase_deg": fundamental_phase_lag(
            wrist_forward, opposite_ankle_forward, time, period
        )
    }
