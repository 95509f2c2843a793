"""Cadence, duty factor and hip bounce from the events."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from armcarriage.metrics.geometry import midpoint
from armcarriage.strides.contacts import clip_torso_length
from armcarriage.strides.gait import (
    MIN_STEP_SAMPLES,
    SPM_PER_STRIDE_HZ,
    STEP_RANGE,
    STEPS_PER_MINUTE_PER_HZ,
    STRIDE_RANGE,
)
from armcarriage.track import PoseTrack


def _trim_edges(strikes: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Drop the first and the last strike if its step is more than ``tolerance`` off the median.

    At most one strike at each end: an edge event is the one a clip edge can
    misplace, and peeling more would let irregular events (walking seen at an
    angle) shrink to a run of short steps that looks like running.
    """
    if len(strikes) < MIN_STEP_SAMPLES:
        return strikes
    steps = np.diff(strikes["time"].to_numpy(float))
    med = float(np.median(steps))
    first = 1 if abs(steps[0] / med - 1.0) > tolerance else 0
    last = len(strikes) - 1 if abs(steps[-1] / med - 1.0) > tolerance else len(strikes)
    return strikes.iloc[first:last]


def _step_numbers(times: np.ndarray, feet: np.ndarray, step: float) -> tuple[list[int], list[int]]:
    """Return the strikes' step numbers and the indices kept (see :func:`mean_cadence`)."""
    nums, kept = [0], [0]
    for i in range(1, times.size):
        x = (times[i] - times[kept[-1]]) / step
        n = int(round(x))
        if n < 1:
            continue  # within half a step of the last kept strike: spurious
        same = feet[i] == feet[kept[0]]
        if (nums[-1] + n) % 2 != (0 if same else 1):
            # the feet alternate: the count is one step off; take the nearer neighbour
            n = n + 1 if x > n or n == 1 else n - 1
        nums.append(nums[-1] + n)
        kept.append(i)
    return nums, kept


def mean_cadence(
    events: pd.DataFrame, period: float, edge_tolerance: float, max_spread: float = 0.1
) -> float:
    """Return steps per minute from the strikes of both feet, fitted as one step rhythm.

    Each strike gets a step number: the previous kept strike's plus the
    steps between them (their time difference over half the stride
    ``period``, rounded), so a missed strike (a far foot in a side view, a
    contact too short for the frame rate) leaves a gap in the numbers instead
    of a long step; a strike less than half a step after the previous kept one
    is spurious and left out; the numbers of the two feet alternate in parity
    (one foot's strikes even, the other's odd), and a count that breaks it is
    moved by one step towards the time difference. A least-squares line
    through (step number, time), with an offset of its own for each foot,
    finds the strikes more than ``edge_tolerance`` of a step off it among the
    first and the last (a strike misplaced by a clip edge or a glitch frame),
    which are left out. The step time is the span of the strikes kept over the
    steps between them: the ground truth's ``60 (n - 1) / (last - first
    strike)`` when every strike is found, and unlike intervals between
    neighbours a missed event costs nothing. Strikes that scatter about the
    line by more than ``max_spread`` of a step (RMS; irregular walking seen at
    an angle) have no step rhythm to number them by: :func:`interval_cadence`
    then.
    """
    if not np.isfinite(period) or period <= 0:
        return float("nan")
    st = events.loc[events.kind == "strike"].sort_values("time")
    times, feet = st["time"].to_numpy(float), st["foot"].to_numpy()
    if times.size < 3:
        return float("nan")
    step = 0.5 * period
    nums, kept = _step_numbers(times, feet, step)
    k = np.asarray(nums, float)
    t = times[kept]
    foot = feet[kept] == feet[kept[0]]
    if k.size < 3 or np.ptp(k) < 2:
        return float("nan")

    design = np.stack([k, foot, ~foot], axis=1).astype(float)

    def fit(use: np.ndarray) -> tuple[float, np.ndarray]:
        # one step time, one offset per foot: a foot whose strikes read a little late
        # throughout (the far foot), or are seen only in part of the clip, tilts nothing
        cols = design[:, design[use].any(axis=0)]
        coef, *_ = np.linalg.lstsq(cols[use], t[use], rcond=None)
        return float(coef[0]), t - cols @ coef

    use = np.ones(k.size, bool)
    slope, res = fit(use)
    # at most the first and the last strike are left out (peeling more would let
    # irregular events, walking seen at an angle, shrink to a regular run)
    off = np.abs(res) > edge_tolerance * step
    use[0], use[-1] = not off[0], not off[-1]
    if not use.all() and use.sum() >= 3 and np.ptp(k[use]) >= 2:
        slope, res = fit(use)
    spread = float(np.sqrt(np.mean(res[use] ** 2)))
    if slope <= 0 or spread > max_spread * step:
        # no regular step rhythm to fit: the step numbers are guesses
        return interval_cadence(events, period, edge_tolerance)
    kk, tt = k[use], t[use]
    return STEPS_PER_MINUTE_PER_HZ * float(kk[-1] - kk[0]) / float(tt[-1] - tt[0])


def interval_cadence(events: pd.DataFrame, period: float, edge_tolerance: float) -> float:
    """Return steps per minute: 120 / mean stride time over both feet.

    When the strikes alternate cleanly between the feet (every step 0.3-0.7 of
    the stride period), this is ``60 / mean step time`` over all strikes.
    Otherwise (a missed or spurious event, typically of the far foot in a side
    view) the stride intervals are used: a stride interval is the time between
    consecutive strikes of one foot, after dropping any strike that comes
    within 0.75 of the stride period after the previous kept one (spurious);
    intervals longer than 1.33 periods (a missed event) are left out. The mean
    of consecutive intervals is the span of the strikes over their count, so
    it is not affected by jitter of the inner events (a median would be);
    without gaps it equals the ground truth's ``60 (n - 1) / (last - first
    strike)``. In both, a first or last step (or stride interval) more than
    ``edge_tolerance`` (``StrideConfig.cadence_edge_tolerance``) off the median is
    left out (one at each end): events at the clip's ends are the ones a stance
    cut by the clip edge or a poorly seen first frame misplaces.
    """
    if not np.isfinite(period):
        return float("nan")
    st = _trim_edges(events.loc[events.kind == "strike"].sort_values("time"), edge_tolerance)
    steps = np.diff(st["time"].to_numpy(float))
    feet = st["foot"].to_numpy()
    if (
        steps.size >= 2
        and (feet[1:] != feet[:-1]).all()
        and ((steps > STEP_RANGE[0] * period) & (steps < STEP_RANGE[1] * period)).all()
    ):
        # clean alternation: all strikes of both feet count, as in the ground truth
        return STEPS_PER_MINUTE_PER_HZ / float(np.mean(steps))
    intervals = []
    for foot in ("left", "right"):
        t = np.sort(
            events.loc[(events.foot == foot) & (events.kind == "strike"), "time"].to_numpy(float)
        )
        kept: list[float] = []
        for x in t:  # a strike too soon after the last kept one is spurious
            if not kept or x - kept[-1] > STRIDE_RANGE[0] * period:
                kept.append(float(x))
        own = _trim_edges(pd.DataFrame({"time": kept}), edge_tolerance)
        d = np.diff(own["time"].to_numpy(float))
        intervals.append(d[(d > STRIDE_RANGE[0] * period) & (d < STRIDE_RANGE[1] * period)])
    d = np.concatenate(intervals)
    return SPM_PER_STRIDE_HZ / float(np.mean(d)) if d.size else float("nan")


def duty_factor(events: pd.DataFrame, period: float, min_contacts: int = 2) -> float:
    """Return the median contact time over the stride period, both feet (NaN if unknown).

    A contact runs from a strike to the same foot's next toe-off, when that
    comes within 0.75 of the stride period. Fewer than ``min_contacts`` such
    contacts give NaN.
    """
    if not np.isfinite(period) or period <= 0 or events.empty:
        return float("nan")
    contacts = []
    for foot in ("left", "right"):
        ev = events[events.foot == foot]
        st = np.sort(ev.loc[ev.kind == "strike", "time"].to_numpy(float))
        off = np.sort(ev.loc[ev.kind == "toe_off", "time"].to_numpy(float))
        for x in st:
            nxt = off[(off > x) & (off < x + STRIDE_RANGE[0] * period)]
            if nxt.size:
                contacts.append(float(nxt[0] - x))
    if len(contacts) < min_contacts:
        return float("nan")
    return float(np.median(contacts)) / period


def hip_bounce(track: PoseTrack, events: pd.DataFrame, period: float) -> float:
    """Return the hip centre's vertical oscillation over a step, peak to peak (torso lengths).

    Each step runs from a strike to the next strike of either foot; steps of
    0.3-0.7 of the stride ``period`` are kept and their time normalised to
    0-1. The hip centre's image height, less each step's mean, is fitted over
    all steps with one cycle per step, ``A cos(2 pi (p - p0))``, and ``2 A``
    over the clip's median torso length is returned. Running lifts and drops the whole body
    between flight and mid-stance; walking vaults over the stance leg and moves
    it a few centimetres. NaN with fewer than three steps.
    """
    if not np.isfinite(period) or events.empty:
        return float("nan")
    t = track.time
    y = midpoint(track.xy("left_hip"), track.xy("right_hip"))[:, 1]
    tl = clip_torso_length(track)
    if not np.isfinite(tl):
        return float("nan")
    st = np.sort(events.loc[events.kind == "strike", "time"].to_numpy(float))
    phases, values = [], []
    for a, b in itertools.pairwise(st):
        sel = (t >= a) & (t < b) & np.isfinite(y)
        if (
            not STEP_RANGE[0] * period <= b - a <= STEP_RANGE[1] * period
            or sel.sum() < MIN_STEP_SAMPLES
        ):
            continue
        phases.append((t[sel] - a) / (b - a))
        values.append((y[sel] - y[sel].mean()) / tl)
    if len(phases) < 3:
        return float("nan")
    p, v = np.concatenate(phases), np.concatenate(values)
    amplitude = 2.0 * abs(np.sum(v * np.exp(-2j * np.pi * p))) / p.size
    return float(2.0 * amplitude)
