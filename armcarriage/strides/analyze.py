"""The stride stage: events, strides, cadence and the verdict from one pose track."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import StrideConfig
from armcarriage.status import Status
from armcarriage.strides.cadence import duty_factor, hip_bounce, mean_cadence
from armcarriage.strides.contacts import _views, clip_torso_length
from armcarriage.strides.events import build_strides, detect_events
from armcarriage.strides.gait import MIN_PERIOD_SAMPLES, SPM_PER_STRIDE_HZ
from armcarriage.strides.hip_phase import HipPhase, gait_by_motion, hip_stance_phase
from armcarriage.strides.result import EVENT_COLUMNS, StrideResult
from armcarriage.strides.rhythm import wrist_period
from armcarriage.strides.timebase import (
    frame_rate_advice,
    legs_signal,
    real_time_stretch,
    resolved_duty,
    slow_motion_notice,
)
from armcarriage.strides.verdict import _figures, _verdict
from armcarriage.track import PoseTrack
from armcarriage.view import near_side


def _on_real_time_stretch(
    track: PoseTrack,
    view: Mapping[str, Any],
    cfg: StrideConfig,
    stretch: tuple[float, float, list[tuple[float, float]]],
) -> StrideResult:
    """Analyse a clip whose speed changes on its longest real-time stretch only."""
    a, b, slow = stretch
    spans = ", ".join(f"{x:.1f}-{y:.1f} s" for x, y in slow)
    change = (
        f"the clip's speed changes part way: it plays in slow motion over {spans} "
        f"(the legs swing slower than any human stride there)"
    )
    info: dict[str, Any] = {"speed_change": change, "real_time_stretch_s": None}
    if np.isfinite(a) and b - a > 0:
        info["real_time_stretch_s"] = [round(a, 3), round(b, 3)]
        res = analyze_strides(track.slice_time(a, b), view, cfg, whole=True)
        res.checks.update(info)
        if res.status == Status.OK:
            return res
        reason = (
            f"{change}; on its real-time stretch {a:.1f}-{b:.1f} s: {res.message}; "
            f"cut the slow part out, or give its capture rate with --capture-fps "
            f"for a clip that is slow throughout"
        )
        return StrideResult(
            res.events, res.strides.iloc[0:0], float("nan"), Status.SPEED_CHANGE, reason, res.checks
        )
    empty = pd.DataFrame(columns=EVENT_COLUMNS)
    return StrideResult(
        empty,
        build_strides(empty, "left", np.nan, int),
        float("nan"),
        Status.SPEED_CHANGE,
        f"{change}, and nowhere in real time",
        info,
    )


def analyze_strides(
    track: PoseTrack,
    view: Mapping[str, Any],
    config: StrideConfig | None = None,
    whole: bool = False,
) -> StrideResult:
    """Detect events and strides and decide whether the clip shows running.

    Parameters
    ----------
    track
        The cleaned track.
    view
        The result of :func:`armcarriage.view.classify_view`.
    config
        Settings; defaults to :class:`StrideConfig`.
    whole
        Analyse the track as one piece; by default a clip whose speed changes
        part way (:func:`real_time_stretch`) is analysed on its longest
        real-time stretch only, and refused with status ``speed_change`` when
        that shows no running.

    Returns
    -------
    StrideResult

    """
    cfg = config or StrideConfig()
    label = str(view.get("label", "unknown"))
    t = track.time
    early = _too_short_or_part_slowed(track, view, cfg, whole)
    if early is not None:
        return early
    fs = 1.0 / float(np.median(np.diff(t)))
    events, period, quality, info = detect_events(track, label, cfg)
    windows = info.pop("_windows")
    frames = np.asarray(track.ds["frame"].values)

    def frame_of(x: float) -> int:
        return int(frames[int(np.argmin(np.abs(t - x)))])

    ref, strides, others = _reference_strides(events, windows, label, period, frame_of, cfg)
    cadence = mean_cadence(events, period, cfg.cadence_edge_tolerance, cfg.cadence_fit_max_spread)
    lo, hi = SPM_PER_STRIDE_HZ / cfg.max_cadence_spm * cfg.period_search_margin, cfg.max_stride_s
    arm = wrist_period(track, label, fs, lo, hi)
    # contacts tell walking from running only where the foot height is free of
    # perspective: side views and the world-height views (image heights in a front
    # view shorten the stance: motion capture of walking read as running there)
    duty_views = ("side_left", "side_right", *_views(cfg.world_height_views))
    duty = duty_factor(events, period) if label in duty_views else float("nan")
    duty, unresolved = resolved_duty(cfg, duty, period, fs)
    bounce = hip_bounce(track, events, period)
    checks = {**info, "reference_foot": ref, **_rhythm_checks(period, quality, arm, cfg)}
    if unresolved:
        checks["contact_note"] = unresolved
    checks["duty_factor"] = round(duty, 3) if np.isfinite(duty) else None
    checks["hip_bounce_tl"] = round(bounce, 3) if np.isfinite(bounce) else None
    phase = _hip_phase(track, events, period, label in duty_views, cfg, checks)
    if "arm_rhythm_note" in checks:  # the note after the figures, in the checks as written
        checks["arm_rhythm_note"] = checks.pop("arm_rhythm_note")
    rhythm = bool(np.isfinite(period) and quality >= cfg.min_periodicity)
    slow = slow_motion_notice(cfg, checks, rhythm, track)
    if slow:
        return StrideResult(
            events, strides.iloc[0:0], float("nan"), Status.SLOW_MOTION, slow, checks
        )
    # a rhythm faster than anyone runs is a harmonic or a glitch: no contacts, no cadence
    too_fast = bool(np.isfinite(cadence) and cadence > cfg.max_cadence_spm)
    contact_note = "" if too_fast else frame_rate_advice(cfg, duty, period, fs)
    if contact_note:
        checks["frame_rate_note"] = contact_note
    n_strides = max(len(strides), len(others))
    status, message = _verdict(
        cfg, checks, rhythm, quality, cadence, duty, bounce, n_strides, phase
    )
    if rhythm and status == Status.NO_RUNNING:
        message = f"{message} ({_figures(cadence, duty, bounce, n_strides, phase)})"
    elif rhythm and status == Status.TOO_FEW_STRIDES and contact_note:
        message = f"{message}; {contact_note}"
    if status == Status.SLOW_MOTION:
        message = _capture_rate_advice(message, track, cfg, cadence)
        return StrideResult(events, strides.iloc[0:0], float("nan"), status, message, checks)
    if not rhythm or too_fast:
        cadence = float("nan")  # events placed without a stride rhythm give no cadence
    return StrideResult(events, strides, cadence, status, message, checks)


def _too_short_or_part_slowed(
    track: PoseTrack, view: Mapping[str, Any], cfg: StrideConfig, whole: bool
) -> StrideResult | None:
    """Return the result of a clip too short for strides or slowed part way, else None."""
    t = track.time
    if t.size < MIN_PERIOD_SAMPLES:
        empty = pd.DataFrame(columns=EVENT_COLUMNS)
        return StrideResult(
            empty,
            build_strides(empty, "left", np.nan, int),
            float("nan"),
            Status.TOO_FEW_STRIDES,
            f"only {t.size} frames: too short to find strides",
        )
    label = str(view.get("label", "unknown"))
    stretch = None if whole else real_time_stretch(legs_signal(track, label, cfg), t, cfg)
    if stretch is not None:
        return _on_real_time_stretch(track, view, cfg, stretch)
    return None


def _reference_strides(
    events: pd.DataFrame,
    windows: pd.DataFrame,
    label: str,
    period: float,
    frame_of: Callable[[float], int],
    cfg: StrideConfig,
) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Return the reference foot, its strides and the other foot's.

    The near foot in a side view, else the foot that strikes first; the other foot
    when the reference foot's strikes are broken and the other's are not.
    """
    firsts = {
        f: events.loc[(events.foot == f) & (events.kind == "strike"), "time"].min()
        for f in ("left", "right")
    }
    ref = near_side(label) or min(
        ("left", "right"), key=lambda f: firsts[f] if np.isfinite(firsts[f]) else np.inf
    )
    strides = build_strides(windows, ref, period, frame_of)
    other = "right" if ref == "left" else "left"
    others = build_strides(windows, other, period, frame_of)
    if len(strides) < cfg.min_strides <= len(others):
        # the reference foot's strikes are broken (a far foot lost in a side view...):
        # the other foot's strides time the clip as well
        ref, strides = other, others
    return ref, strides, others


def _rhythm_checks(period: float, quality: float, arm: float, cfg: StrideConfig) -> dict[str, Any]:
    """Return the stride period, its periodicity and the wrist-swing cross-check."""
    ratio = arm / period if np.isfinite(period) and np.isfinite(arm) else float("nan")
    checks: dict[str, Any] = {
        "period_s": round(period, 4) if np.isfinite(period) else None,
        "periodicity": round(quality, 3),
        "wrist_period_s": round(arm, 4) if np.isfinite(arm) else None,
        "wrist_to_stride_period": round(ratio, 3) if np.isfinite(ratio) else None,
        "wrist_check_ok": bool(
            np.isfinite(ratio) and abs(ratio - 1.0) <= cfg.periodicity_tolerance
        ),
    }
    if np.isfinite(ratio) and not checks["wrist_check_ok"]:
        checks["arm_rhythm_note"] = (
            f"the arms swing every {arm:.2f} s, the legs stride every {period:.2f} s "
            f"({100 * (ratio - 1):+.0f} %): the cadence is the legs'; arm-leg timing values "
            f"carry a lower confidence"
        )
    return checks


def _capture_rate_advice(message: str, track: PoseTrack, cfg: StrideConfig, cadence: float) -> str:
    """Return a slow-motion verdict's message with the capture rate to give."""
    t = track.time
    rate = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else track.fps
    guess = rate * (SPM_PER_STRIDE_HZ / cfg.typical_stride_s) / cadence
    return (
        f"{message}. If it was filmed faster than it plays, give the capture rate with "
        f"--capture-fps (here about {guess:.0f} fps if the runner makes "
        f"{SPM_PER_STRIDE_HZ / cfg.typical_stride_s:.0f} steps/min); no cadence is reported"
    )


def _hip_phase(
    track: PoseTrack,
    events: pd.DataFrame,
    period: float,
    contacts_read: bool,
    cfg: StrideConfig,
    checks: dict[str, Any],
) -> HipPhase:
    """Return the hips' phase against mid-stance, its figures and gait added to ``checks``."""
    phase = hip_stance_phase(
        track, events, period, clip_torso_length(track), cfg.hip_phase_min_steps
    )
    checks.update(phase.as_checks())
    checks["gait_by_motion"] = gait_by_motion(cfg, phase, contacts_read) or None
    return phase
