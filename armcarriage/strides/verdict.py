"""The verdict: running, walking, too few strides or no rhythm, with the reason."""

from __future__ import annotations

from typing import Any

import numpy as np

from armcarriage.config import StrideConfig
from armcarriage.status import Status
from armcarriage.strides.gait import SPM_PER_STRIDE_HZ
from armcarriage.strides.hip_phase import NOT_MEASURED, HipPhase, describe


def _figures(
    cadence: float, duty: float, bounce: float, n: int, phase: HipPhase = NOT_MEASURED
) -> str:
    """Return the measured gait figures a running verdict rests on, for its reason."""
    parts = [f"{n} {'stride' if n == 1 else 'strides'}"]
    if np.isfinite(cadence):
        parts.append(f"cadence {cadence:.0f} steps/min")
    if np.isfinite(duty):
        flight = "a flight phase" if duty < 0.5 else "no flight phase"
        parts.append(f"duty factor {duty:.2f} ({flight})")
    if np.isfinite(bounce):
        parts.append(f"hip bounce {bounce:.2f} torso lengths per step")
    if phase.measured:
        parts.append(
            f"hips {'highest' if phase.cos > 0 else 'lowest'} at mid-stance "
            f"(phase cosine {phase.cos:+.2f} over {phase.steps} steps)"
        )
    return "measured: " + ", ".join(parts)


def _walking_by_motion(phase: HipPhase) -> str:
    """Return the refusal of a gait whose hips vault over the stance leg."""
    return (
        f"no running detected: {describe(phase)}, as in walking, where the body vaults "
        f"over a straight stance leg; running compresses the leg and lowers the hips there"
    )


def _slow_running(
    cfg: StrideConfig, cadence: float, low: float, duty: float, bounce_phase: HipPhase
) -> str:
    """Return why a running gait at a cadence nobody runs looks like slow motion, or ''.

    The gait is running by a clear flight phase (duty factor at most
    ``slow_motion_max_duty``, side and rear views) or by the hips lowest at
    mid-stance (``bounce_phase``, measured in every view: the front view reads no
    duty factor).
    """
    if not (np.isfinite(cadence) and cadence < low):
        return ""
    if np.isfinite(duty) and duty <= cfg.slow_motion_max_duty:
        seen = (
            f"the feet leave the ground between steps (each is down {100 * duty:.0f}% of "
            f"the stride, a flight phase)"
        )
    elif bounce_phase.measured:
        seen = (
            f"the hips are lowest at mid-stance as in running (phase cosine "
            f"{bounce_phase.cos:+.2f} over {bounce_phase.steps} steps)"
        )
    else:
        return ""
    # a running gait at a cadence nobody runs: the clip plays slower than it was filmed
    return (
        f"the clip looks like slow motion: {seen} at {cadence:.0f} steps/min of video "
        f"time, slower than anyone runs ({low:.0f})"
    )


def _verdict(
    cfg: StrideConfig,
    checks: dict[str, Any],
    rhythm: bool,
    quality: float,
    cadence: float,
    duty: float,
    bounce: float,
    n: int,
    phase: HipPhase = NOT_MEASURED,
) -> tuple[Status, str]:
    """Decide ``ok``/``no_running``/``no_rhythm``/``too_few_strides`` with a message.

    Without a stride rhythm, legs that barely move (``min_leg_travel_tl``) are
    not running, however short the clip; legs that move are not running only
    when they stay in view long enough for a rhythm to show
    (``min_rhythm_strides`` strides at ``min_cadence_spm``): a runner who
    crosses the view in under two seconds has too few strides, not no running.
    Moving legs without a rhythm whose hips bounce as in running
    (``min_bounce_tl``) give ``no_rhythm``: no cadence, and no claim of walking.
    A running gait (a clear flight phase, or the hips lowest at mid-stance) at a
    cadence below the running range is ``slow_motion`` (:func:`_slow_running`); a rhythm
    faster than ``max_cadence_spm`` is no gait at all (:func:`_too_fast`).
    With a rhythm, the hips' phase against mid-stance
    (:func:`armcarriage.strides.hip_phase.gait_by_motion`) decides first: highest
    at mid-stance is walking; lowest there is running's bounce, which lowers the
    cadence floor as a flight phase does and overrides a duty factor above
    ``max_duty_factor``; so does a hip bounce of at least ``min_bounce_tl``.
    """
    if not rhythm:
        return _without_rhythm(cfg, checks, quality, bounce)
    # a measured duty factor (side, rear views) separates walking from running better
    # than cadence, so slow running with a flight phase is accepted down to a lower
    # cadence; where no duty factor is read, a clear bounce of the hips shows the flight
    gait = str(checks.get("gait_by_motion") or "")
    if gait == "walk":
        return Status.NO_RUNNING, _walking_by_motion(phase)
    flight = (
        np.isfinite(duty) or (np.isfinite(bounce) and bounce >= cfg.min_bounce_tl) or gait == "run"
    )
    low = cfg.min_cadence_with_flight_spm if flight else cfg.min_cadence_spm
    slow = _slow_running(cfg, cadence, low, duty, phase if gait == "run" else NOT_MEASURED)
    if slow:
        return Status.SLOW_MOTION, slow
    if np.isfinite(cadence) and cadence > cfg.max_cadence_spm:
        return _too_fast(cfg, checks, cadence)
    if np.isfinite(cadence) and not low <= cadence <= cfg.max_cadence_spm:
        bounce_note = (
            f"; the hips bounce {bounce:.2f} torso lengths per step, below the "
            f"{cfg.min_bounce_tl:.2f} that shows a flight phase"
            if not flight
            and np.isfinite(bounce)
            and cfg.min_cadence_with_flight_spm <= cadence < cfg.min_cadence_spm
            else ""
        )
        return Status.NO_RUNNING, (
            f"no running detected: cadence {cadence:.0f} steps/min is outside the running "
            f"range {low:.0f}-{cfg.max_cadence_spm:.0f}{bounce_note}"
        )
    # a clear bounce of the hips (several times walking's few centimetres) is running
    # on compliant legs, whose contacts can fill half the stride
    bouncing = np.isfinite(bounce) and bounce >= cfg.min_bounce_tl
    if np.isfinite(duty) and duty > cfg.max_duty_factor and gait != "run" and not bouncing:
        return Status.NO_RUNNING, (
            f"no running detected: each foot is on the ground {100 * duty:.0f}% of the stride "
            f"(walking; running is below {100 * cfg.max_duty_factor:.0f}%)"
        )
    if n < cfg.min_strides:
        return Status.TOO_FEW_STRIDES, _too_few(cfg, checks, cadence, n)
    return Status.OK, ""


def _too_few(cfg: StrideConfig, checks: dict[str, Any], cadence: float, n: int) -> str:
    """Say how many strides were found and, when it explains it, the legs' time in view.

    The strides needed take a time at the cadence read: a runner crossing the view, or
    running away from the camera until the pose model loses them, may be in view for
    less.
    """
    noun = "stride" if n == 1 else "strides"
    msg = f"found {n} complete {noun} of either foot, need {cfg.min_strides}"
    seen = float(checks.get("legs_in_view_s", 0.0))
    period = float(checks.get("period_s") or np.nan)
    if not (np.isfinite(cadence) and cadence > 0) and np.isfinite(period) and period > 0:
        cadence = SPM_PER_STRIDE_HZ / period  # the legs' rhythm, where no stride completed
    need = cfg.min_strides * SPM_PER_STRIDE_HZ / cadence if cadence > 0 else np.nan
    if 0 < seen < need:  # the time in view explains it; otherwise the strikes were not seen
        msg += (
            f" (the legs are in view for {seen:.1f} s; {cfg.min_strides} strides at "
            f"{cadence:.0f} steps/min take {need:.1f} s)"
        )
    return msg


def _too_fast(cfg: StrideConfig, checks: dict[str, Any], cadence: float) -> tuple[Status, str]:
    """Decide the verdict of a rhythm faster than anyone runs (see :func:`_verdict`).

    No gait is that fast, walking least of all: the rhythm read is a harmonic of the
    stride or a glitch of the legs, so it is no evidence against running. Legs in view
    too briefly for a rhythm say so; otherwise no cadence is read.
    """
    seen = float(checks.get("legs_in_view_s", 0.0))
    need = cfg.min_rhythm_strides * SPM_PER_STRIDE_HZ / cfg.min_cadence_spm
    if seen < need:
        return Status.TOO_FEW_STRIDES, (
            f"the legs are in view for {seen:.1f} s, too short to find a stride rhythm "
            f"(need {need:.1f} s; the legs' motion read {cadence:.0f} steps/min, faster "
            f"than anyone runs)"
        )
    return Status.NO_RHYTHM, (
        f"no stride rhythm to read a cadence from: the legs' motion repeats at "
        f"{cadence:.0f} steps/min, faster than anyone runs ({cfg.max_cadence_spm:.0f})"
    )


def _without_rhythm(
    cfg: StrideConfig, checks: dict[str, Any], quality: float, bounce: float
) -> tuple[Status, str]:
    """Decide the verdict of legs without a stride rhythm (see :func:`_verdict`)."""
    seen = float(checks.get("legs_in_view_s", 0.0))
    travel = float(checks.get("leg_travel_tl", 0.0))
    need = cfg.min_rhythm_strides * SPM_PER_STRIDE_HZ / cfg.min_cadence_spm
    if seen >= cfg.min_still_s and travel < cfg.min_leg_travel_tl:
        return Status.NO_RUNNING, (
            f"no running detected: the legs barely move (they move apart by "
            f"{travel:.2f} torso lengths; running moves them by more than "
            f"{cfg.min_leg_travel_tl:.2f})"
        )
    if seen >= need and np.isfinite(bounce) and bounce >= cfg.min_bounce_tl:
        # the body rises and falls as in running: no rhythm to read is no proof of
        # walking (through the pose model from behind the feet's heights are weak)
        return Status.NO_RHYTHM, (
            f"no regular stride rhythm to read a cadence from (periodicity "
            f"{quality:.2f}, need {cfg.min_periodicity:.2f}), though the hips bounce "
            f"{bounce:.2f} torso lengths per step as in running; a side view shows "
            f"the stride best"
        )
    if seen >= need:
        return Status.NO_RUNNING, (
            f"no running detected: the legs show no regular stride rhythm "
            f"(periodicity {quality:.2f}, need {cfg.min_periodicity:.2f})"
        )
    return Status.TOO_FEW_STRIDES, (
        f"the legs are in view for {seen:.1f} s, too short to find a stride rhythm "
        f"(need {need:.1f} s)"
    )
