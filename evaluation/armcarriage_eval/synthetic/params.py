"""Parameters of the synthetic runner: body, gait, per-side arm carriage, fatigue drift.

Every number that shapes a synthetic clip lives in :class:`RunnerParams`. A
parameter can drift linearly over the clip (fatigue): ``drift`` maps a dotted
name such as ``"left.elbow_deg"`` or ``"trunk_rotation_deg"`` to the change
reached at the end of the clip.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

SIDES = ("left", "right")


@dataclass(frozen=True)
class ArmParams:
    """Carriage of one arm.

    Parameters
    ----------
    elbow_deg
        Mean inner elbow angle (180 = straight arm), degrees.
    elbow_osc_deg
        Half-range of the elbow angle over a stride: the elbow closes by this
        much at the forward end of the swing and opens by it at the back end.
    swing_forward_deg, swing_backward_deg
        Upper-arm angle from the trunk's down axis at the forward and backward
        ends of the swing, degrees (sagittal plane of the trunk).
    abduction_deg
        Upper arm held out from the side of the trunk, degrees (negative: in).
    cross_deg
        Internal rotation of the upper arm at the forward end of the swing: it
        turns the forearm towards (and across) the midline, degrees.
    shrug_m
        Static elevation of the shoulder above its relaxed height, metres.
    shrug_rise_m
        Extra elevation reached once per stride at the forward swing, metres.
    phase_lag_deg
        Lag of the arm's forward extreme behind the opposite foot's strike,
        degrees of stride; the default -30 makes the arm's forward swing
        coincide with the opposite ankle's (arm_leg_phase_deg about 0).

    """

    elbow_deg: float = 90.0
    elbow_osc_deg: float = 10.0
    swing_forward_deg: float = 30.0
    swing_backward_deg: float = 40.0
    abduction_deg: float = 8.0
    cross_deg: float = 12.0
    shrug_m: float = 0.0
    shrug_rise_m: float = 0.0
    phase_lag_deg: float = -30.0


@dataclass(frozen=True)
class BodyParams:
    """Segment lengths and widths in metres (a 1.75 m adult)."""

    ankle_height: float = 0.08
    shank: float = 0.43
    thigh: float = 0.43
    hip_half_width: float = 0.09
    trunk: float = 0.50
    """Hip-joint midpoint to shoulder-joint midpoint."""
    shoulder_half_width: float = 0.18
    upper_arm: float = 0.29
    forearm: float = 0.26
    neck: float = 0.07
    head_radius: float = 0.105
    foot_back: float = 0.055
    foot_front: float = 0.16
    foot_y: float = 0.085
    """Lateral distance of each ankle from the line of progression."""


@dataclass(frozen=True)
class RunnerParams:
    """Everything that shapes the synthetic runner.

    Parameters
    ----------
    cadence_spm
        Steps per minute.
    speed_mps
        Belt or ground speed, metres per second.
    duty
        Fraction of a stride each foot spends on the ground.
    bounce_m
        Half peak-to-peak vertical oscillation of the pelvis.
    pelvis_motion
        ``"auto"``: the pelvis is lowest at mid-stance (spring-mass running) with a
        duty factor up to one half and highest there (walking's inverted pendulum)
        above it; ``"spring"`` or ``"vault"`` force one (``"spring"`` with a duty
        factor above one half is running with no flight phase).
    hip_height
        Mean height of the hip joints above the floor.
    lean_deg
        Forward lean of the trunk.
    trunk_rotation_deg
        Amplitude of the thorax yaw (counter to the pelvis), degrees.
    pelvis_rotation_deg
        Amplitude of the pelvis yaw, degrees.
    mode
        ``"treadmill"`` (runs in place) or ``"track"`` (moves along +x).
    start_x
        Pelvis position along x at time 0 (track mode), metres.
    left, right
        Per-arm carriage.
    drift
        Linear change of any numeric parameter over the clip, by dotted name.
    body
        Segment dimensions.

    """

    cadence_spm: float = 176.0
    speed_mps: float = 3.0
    duty: float = 0.32
    bounce_m: float = 0.03
    pelvis_motion: str = "auto"
    hip_height: float = 0.88
    lean_deg: float = 6.0
    trunk_rotation_deg: float = 9.0
    pelvis_rotation_deg: float = 6.0
    mode: str = "treadmill"
    start_x: float = 0.0
    left: ArmParams = field(default_factory=ArmParams)
    right: ArmParams = field(default_factory=ArmParams)
    drift: dict[str, float] = field(default_factory=dict)
    body: BodyParams = field(default_factory=BodyParams)

    @property
    def stride_time_s(self) -> float:
        """Duration of one stride (two steps), seconds."""
        return 120.0 / self.cadence_spm

    def arm(self, side: str) -> ArmParams:
        """Return the arm parameters of ``side`` (``"left"`` or ``"right"``)."""
        if side not in SIDES:
            raise ValueError(f"side: expected 'left' or 'right', got {side!r}")
        return self.left if side == "left" else self.right

    def with_values(self, values: dict[str, Any]) -> RunnerParams:
        """Return a copy with dotted names replaced, e.g. ``{"left.elbow_deg": 70}``.

        ``"both.NAME"`` sets the arm parameter ``NAME`` on both sides.
        """
        out = self
        for key, value in values.items():
            head, _, name = key.partition(".")
            if name:
                sides = SIDES if head == "both" else (head,)
                for side in sides:
                    arm = out.arm(side)
                    _check_field(arm, name, key)
                    new_arm = replace(arm, **{name: float(value)})
                    out = (
                        replace(out, left=new_arm)
                        if side == "left"
                        else replace(out, right=new_arm)
                    )
            elif key == "drift":
                out = replace(out, drift={**out.drift, **dict(value)})
            else:
                _check_field(out, key, key)
                out = replace(out, **{key: value})
        return out

    def value(self, name: str, t: np.ndarray, duration: float) -> np.ndarray:
        """Evaluate a numeric parameter over time, fatigue drift included.

        Parameters
        ----------
        name
            Dotted name: ``"cadence_spm"`` or ``"left.elbow_deg"``.
        t
            Times in seconds.
        duration
            Length of the clip over which ``drift[name]`` is reached.

        Returns
        -------
        numpy.ndarray
            The value at each time.

        """
        head, _, sub = name.partition(".")
        base = getattr(self.arm(head), sub) if sub else getattr(self, name)
        t = np.asarray(t, dtype=float)
        change = float(self.drift.get(name, 0.0))
        frac = np.clip(t / duration, 0.0, 1.0) if duration > 0 else np.zeros_like(t)
        return float(base) + change * frac


def _check_field(obj: Any, name: str, key: str) -> None:
    known = {f.name for f in fields(obj)}
    if name not in known:
        raise ValueError(
            f"runner parameter {key!r}: unknown; expected one of {', '.join(sorted(known))}"
        )


FAULTS: dict[str, dict[str, Any]] = {
    "none": {},
    "tight_elbows": {"both.elbow_deg": 62.0, "both.elbow_osc_deg": 6.0},
    "straight_arms": {"both.elbow_deg": 135.0, "both.elbow_osc_deg": 12.0},
    "shrug": {"both.shrug_m": 0.045, "both.shrug_rise_m": 0.04},
    "crossing": {"both.cross_deg": 55.0, "both.abduction_deg": -4.0},
    "overswing": {"both.swing_forward_deg": 50.0, "both.swing_backward_deg": 55.0},
    "small_swing": {"both.swing_forward_deg": 12.0, "both.swing_backward_deg": 15.0},
    "rotation": {"trunk_rotation_deg": 22.0},
    "asymmetry": {
        "right.swing_forward_deg": 18.0,
        "right.swing_backward_deg": 25.0,
        "right.elbow_deg": 75.0,
    },
    "fatigue": {"drift": {"both.shrug_m": 0.05, "left.elbow_deg": -20.0, "right.elbow_deg": -20.0}},
}
"""Named arm-carriage faults: overrides of :class:`RunnerParams` by dotted name."""


def runner_for_fault(fault: str, **overrides: Any) -> RunnerParams:
    """Return the default runner with a named fault applied.

    Parameters
    ----------
    fault
        A key of :data:`FAULTS`.
    overrides
        Further top-level parameters (``cadence_spm=170``...).

    Returns
    -------
    RunnerParams

    """
    if fault not in FAULTS:
        raise ValueError(f"fault: expected one of {', '.join(FAULTS)}, got {fault!r}")
    values = dict(FAULTS[fault])
    drift = values.pop("drift", None)
    runner = RunnerParams(**overrides).with_values(values)
    if drift:
        expanded: dict[str, float] = {}
        for key, change in drift.items():
            head, _, name = key.partition(".")
            for side in SIDES if head == "both" else (head,):
                expanded[f"{side}.{name}" if name else key] = change
        runner = replace(runner, drift={**runner.drift, **expanded})
    return runner


__all__ = ["FAULTS", "ArmParams", "BodyParams", "RunnerParams", "runner_for_fault"]
