"""Walking or running from what the body does: the hips' height through each stance.

In walking the stance leg stays nearly straight and the body vaults over it
like an inverted pendulum: the hips are **highest at mid-stance** and lowest
in double support. In running the leg is a spring that the body compresses:
the hips are **lowest at mid-stance** and highest in flight. The phase of the
hips' vertical motion against each foot's stance tells the two apart whatever
the cadence, and without the contact lengths that a pose model misreads.

:func:`hip_stance_phase` measures it: mid-stance is the middle of each
contact (a strike to the same foot's toe-off), one per step; the hip centre's
image height, less each step's mean, is fitted with one cycle per step from
mid-stance to the next, ``A cos(2 pi (p - p0))``. ``p0`` is where in the step
the hips are highest (0: at mid-stance; 0.5: half a step from it) and
``cos(2 pi p0)`` is +1 for a pure vault and -1 for a pure bounce.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from armcarriage.config import StrideConfig
from armcarriage.metrics.geometry import midpoint
from armcarriage.track import PoseTrack


@dataclass(frozen=True)
class HipPhase:
    """The hips' vertical motion against the feet's stances.

    Attributes
    ----------
    cos
        ``cos(2 pi p0)``: +1 when the hips are highest at mid-stance (walking), -1
        when they are lowest there (running); NaN when not measured.
    peak_after_midstance
        ``p0``: where in the step (0-1, from mid-stance) the hips are highest.
    rise_tl
        Peak-to-peak height of the fitted cycle, torso lengths.
    steps
        Steps (mid-stance to mid-stance) the fit used.
    consistency
        Length of the mean of the steps' unit phasors (1: every step agrees).

    """

    cos: float
    peak_after_midstance: float
    rise_tl: float
    steps: int
    consistency: float

    @property
    def measured(self) -> bool:
        """Whether a phase was measured."""
        return bool(np.isfinite(self.cos))

    def as_checks(self) -> dict[str, float | int | None]:
        """Return the figures for a result's checks (rounded, None when not measured)."""

        def r(x: float, n: int = 3) -> float | None:
            return round(float(x), n) if np.isfinite(x) else None

        return {
            "hip_midstance_cos": r(self.cos),
            "hip_peak_after_midstance": r(self.peak_after_midstance),
            "hip_rise_tl": r(self.rise_tl),
            "hip_phase_steps": int(self.steps),
            "hip_phase_consistency": r(self.consistency),
        }


NOT_MEASURED = HipPhase(float("nan"), float("nan"), float("nan"), 0, float("nan"))


def midstances(events: pd.DataFrame, period: float) -> np.ndarray:
    """Return the sorted mid-stance times: the middle of each strike-to-toe-off contact.

    A contact runs from a strike to the same foot's next toe-off when that comes
    within 0.75 of the stride ``period``.
    """
    out: list[float] = []
    for foot in ("left", "right"):
        ev = events[events["foot"] == foot]
        st = np.sort(ev.loc[ev["kind"] == "strike", "time"].to_numpy(float))
        off = np.sort(ev.loc[ev["kind"] == "toe_off", "time"].to_numpy(float))
        for s in st:
            nxt = off[(off > s) & (off < s + 0.75 * period)]
            if nxt.size:
                out.append(0.5 * (s + float(nxt[0])))
    return np.sort(np.asarray(out, dtype=float))


def hip_stance_phase(
    track: PoseTrack, events: pd.DataFrame, period: float, torso_px: float, min_steps: int = 3
) -> HipPhase:
    """Return the phase of the hips' height against mid-stance (see the module notes).

    Steps are the spans between consecutive mid-stances of 0.3-0.7 of the stride
    ``period`` with at least three frames; fewer than ``min_steps`` give
    :data:`NOT_MEASURED`. Heights are the hip centre's image height (up), in
    ``torso_px`` units.
    """
    if not (np.isfinite(period) and period > 0 and np.isfinite(torso_px) and torso_px > 0):
        return NOT_MEASURED
    if events.empty:
        return NOT_MEASURED
    t = track.time
    h = -midpoint(track.xy("left_hip"), track.xy("right_hip"))[:, 1] / torso_px
    phases, values, phasors = [], [], []
    for a, b in itertools.pairwise(midstances(events, period)):
        sel = (t >= a) & (t < b) & np.isfinite(h)
        if not 0.3 * period <= b - a <= 0.7 * period or sel.sum() < 3:
            continue
        p = (t[sel] - a) / (b - a)
        v = h[sel] - h[sel].mean()
        phases.append(p)
        values.append(v)
        z = np.sum(v * np.exp(-2j * np.pi * p))
        if abs(z) > 0:
            phasors.append(z / abs(z))
    if len(phases) < min_steps:
        return NOT_MEASURED
    p, v = np.concatenate(phases), np.concatenate(values)
    z = np.sum(v * np.exp(-2j * np.pi * p)) / p.size
    p0 = float(np.angle(z) / (2.0 * np.pi)) % 1.0
    return HipPhase(
        cos=float(np.cos(2.0 * np.pi * p0)),
        peak_after_midstance=p0,
        rise_tl=float(4.0 * abs(z)),
        steps=len(phases),
        consistency=float(abs(np.mean(phasors))) if phasors else float("nan"),
    )


def describe(phase: HipPhase) -> str:
    """Return the measured hip motion in words, for a verdict's reason."""
    if not phase.measured:
        return ""
    vault = phase.cos > 0
    off = phase.peak_after_midstance - (0.0 if vault else 0.5)
    off = (off + 0.5) % 1.0 - 0.5
    return (
        f"the hips are {'highest' if vault else 'lowest'} at mid-stance (their "
        f"{'top' if vault else 'bottom'} comes {abs(off):.2f} of a step "
        f"{'after' if off >= 0 else 'before'} it over {phase.steps} steps, phase cosine "
        f"{phase.cos:+.2f}; they rise and fall {phase.rise_tl:.2f} torso lengths)"
    )


def gait_by_motion(cfg: StrideConfig, phase: HipPhase, contacts_read: bool = True) -> str:
    """Return ``walk``, ``run`` or '' (undecided) from the hips' phase against mid-stance.

    The phase counts over ``hip_phase_min_steps`` steps and a rise of at least
    ``hip_phase_min_rise_tl``; the cosine at least ``walk_min_hip_cos`` is walking, at
    most ``run_max_hip_cos`` running. Walking is read only where the view reads the
    contacts well (``contacts_read``: side views and the world-height views): from the
    front and at an angle the pose model's contacts are short and misplaced, and the
    phase of running renders reads -0.28 to +0.16 there.
    """
    if not phase.measured or phase.steps < cfg.hip_phase_min_steps:
        return ""
    if not phase.rise_tl >= cfg.hip_phase_min_rise_tl:
        return ""
    if phase.cos >= cfg.walk_min_hip_cos:
        return "walk" if contacts_read else ""
    if phase.cos <= cfg.run_max_hip_cos:
        return "run"
    return ""


__all__ = [
    "NOT_MEASURED",
    "HipPhase",
    "describe",
    "gait_by_motion",
    "hip_stance_phase",
    "midstances",
]
