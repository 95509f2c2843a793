"""Real time and slow motion: the clip's time base, the leg swing and its stretches."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from armcarriage.cleaning import runs
from armcarriage.config import StrideConfig
from armcarriage.strides.contacts import _cross, clip_torso_length, foot_signals
from armcarriage.strides.gait import (
    MIN_STRETCH_SAMPLES,
    MIN_SWING_SAMPLES,
    ROBUST_RANGE,
    SPM_PER_STRIDE_HZ,
    SWING_SLOPE_S,
)
from armcarriage.strides.rhythm import stride_period
from armcarriage.track import PoseTrack
from armcarriage.view import facing_sign


def real_time_track(
    track: PoseTrack, capture_fps: float = 0.0, tolerance: float = 0.02
) -> tuple[PoseTrack, dict[str, Any]]:
    """Return the track on the time axis it was filmed on, and what was done.

    ``capture_fps`` (the user's) or else the track's ``capture_fps_tag``
    attribute (read from the container) gives the rate the clip was filmed
    at; the track's ``fps`` is the rate it plays at. When they differ by more
    than ``tolerance``, times are multiplied by ``fps / capture`` (a 240 fps
    slow-motion clip played at 30: by 1/8), ``fps`` becomes the capture rate
    and ``time_scale`` and ``playback_fps`` are recorded. Frame indices stay.
    """
    tag = float(track.attrs.get("capture_fps_tag", 0.0) or 0.0)
    rate, source = (
        (float(capture_fps), "option")
        if capture_fps and capture_fps > 0
        else (tag, "container tag")
    )
    info: dict[str, Any] = {
        "playback_fps": round(track.fps, 3),
        "capture_fps": None,
        "capture_fps_source": None,
        "time_scale": 1.0,
    }
    if not rate or rate <= 0 or abs(rate / track.fps - 1.0) <= tolerance:
        return track, info
    scale = track.fps / rate
    ds = track.ds.assign_coords(time=np.asarray(track.ds["time"].values, float) * scale)
    ds.attrs.update({"fps": rate, "playback_fps": track.fps, "time_scale": scale})
    info.update(capture_fps=round(rate, 3), capture_fps_source=source, time_scale=round(scale, 6))
    return PoseTrack(ds), info


def legs_signal(track: PoseTrack, label: str, cfg: StrideConfig) -> np.ndarray:
    """Return the left-minus-right foot signal the stride rhythm is read from (torso lengths).

    Side views: the heels' forward offsets from the hip centre; other views: the
    ankles' image heights. It reverses its sign every half stride.
    """
    if facing_sign(label):
        fwd = foot_signals(track, label, cfg)
        return fwd["left"]["heel_fwd"] - fwd["right"]["heel_fwd"]
    return (track.xy("left_ankle")[:, 1] - track.xy("right_ankle")[:, 1]) / clip_torso_length(track)


def _reversals(legs: np.ndarray, t: np.ndarray, band: float) -> np.ndarray:
    """Return the times the legs signal passes its median, from ``band`` below to above or back.

    The hysteresis ``band`` (each side of the median) keeps jitter around the
    median from counting; the time is the last median crossing before the
    signal reaches the far side, interpolated.
    """
    ok = np.isfinite(legs)
    x, tt = legs[ok] - np.median(legs[ok]), t[ok]
    out: list[float] = []
    state = 0
    last = 0
    for i in range(x.size):
        side = 1 if x[i] > band else -1 if x[i] < -band else 0
        if side and side != state:
            if state:
                j = i
                while j > last and np.sign(x[j - 1]) == side:
                    j -= 1
                j = max(j, 1)
                out.append(_cross(tt, x, j - 1, 0.0))
            state = side
        if side:
            last = i
    return np.asarray(out, dtype=float)


def real_time_stretch(
    legs: np.ndarray, t: np.ndarray, cfg: StrideConfig
) -> tuple[float, float, list[tuple[float, float]]] | None:
    """Return the longest real-time stretch of a clip whose speed changes part way.

    The legs signal reverses every half stride (:func:`_reversals`, with a
    hysteresis of a fifth of its range). A half stride longer than half of
    ``max_human_stride_s`` between two reversals (or from a clip end to the
    first or last one) in which the legs cover a third of their range, half a
    swing (:func:`leg_swing_period`) slower than ``max_human_stride_s``, is
    slower than any person's: that part plays in slow motion. Returns
    ``(start, stop, slow_spans)`` when at least one gap is that slow and at
    least two are no longer than half of ``max_stride_s`` (the real-time
    stretch is the longest run of such gaps; a longer gap, where the speed
    changes, is left out), else None (one speed throughout: the whole-clip
    check handles a clip slow throughout).
    """
    ok = np.isfinite(legs)
    if ok.sum() < MIN_STRETCH_SAMPLES:
        return None
    lo, hi = np.percentile(legs[ok], ROBUST_RANGE)
    if hi - lo < cfg.min_leg_travel_tl:
        return None
    rev = _reversals(legs, t, cfg.reversal_band * (hi - lo))
    edges = np.concatenate([[t[ok][0]], rev, [t[ok][-1]]])
    gaps = np.diff(edges)
    slow = gaps > 0.5 * cfg.max_human_stride_s
    for i in np.flatnonzero(slow):
        # slow motion moves the legs all the way, slowly; a long gap in which they wiggle
        # near the middle (irregular walking, a pause) is no slow motion
        sel = ok & (t >= edges[i]) & (t <= edges[i + 1])
        seg = legs[sel]
        swing = leg_swing_period(seg, t[sel]) if seg.size >= MIN_SWING_SAMPLES else float("nan")
        # between reversals the legs go from the middle to one side and back: half a
        # swing, which a sinusoid of twice the swing period makes
        slow[i] = bool(
            np.ptp(seg) >= cfg.slow_swing_travel * (hi - lo)
            and np.isfinite(swing)
            and 2.0 * swing > cfg.max_human_stride_s
        )
    # real time: half strides no longer than the longest searched stride allows (the gap
    # where the speed changes is partly slow, and left out)
    fast = gaps <= 0.5 * cfg.max_stride_s
    inner = np.ones(gaps.size, bool)
    inner[0] = inner[-1] = False  # partial half strides at the clip ends
    if not slow.any() or (fast & inner).sum() < 2:
        return None
    slow_spans = [(float(edges[a]), float(edges[b])) for a, b in runs(~fast)]
    a, b = max(runs(fast & inner), key=lambda ab: edges[ab[1]] - edges[ab[0]])
    # a fast run next to a clip end extends to it (the partial half stride is real time)
    start = edges[0] if a == 1 and fast[0] else edges[a]
    stop = edges[-1] if b == gaps.size - 1 and fast[-1] else edges[b]
    return float(start), float(stop) + 1e-9, slow_spans


def leg_swing_period(legs: np.ndarray, t: np.ndarray) -> float:
    """Return the period (s) a sinusoid would need to swing the legs as fast as they do.

    ``pi`` times the legs signal's range (5th-95th percentile) over its speed
    (95th percentile of the absolute slope, a least-squares slope over about
    0.2 s): for ``A sin(2 pi t / P)`` this is ``P``. It needs no full stride,
    so a clip shorter than one stride still shows how fast the legs move; pose
    noise raises the speed and so only shortens it. NaN with fewer than ten
    samples.
    """
    ok = np.isfinite(legs)
    if ok.sum() < MIN_SWING_SAMPLES or t.size < MIN_SWING_SAMPLES:
        return float("nan")
    fs = 1.0 / float(np.median(np.diff(t)))
    x = np.interp(t, t[ok], legs[ok])
    win = max(5, int(round(SWING_SLOPE_S * fs)) | 1)
    if win > x.size:
        return float("nan")
    v = signal.savgol_filter(x, win, 2, deriv=1, delta=1.0 / fs)[ok]
    span = float(np.diff(np.percentile(legs[ok], ROBUST_RANGE))[0])
    speed = float(np.percentile(np.abs(v), ROBUST_RANGE[1]))
    return float(np.pi * span / speed) if speed > 0 else float("inf")


def slow_motion_signs(legs: np.ndarray, t: np.ndarray, cfg: StrideConfig) -> dict[str, Any]:
    """Return how slowly the legs move: ``leg_swing_period_s`` and ``slow_rhythm_period_s``.

    The first is :func:`leg_swing_period`; the second the leg rhythm searched
    from ``max_human_stride_s`` up to ``slow_motion_search`` times
    ``max_stride_s`` (None unless it reaches ``min_periodicity``). Either longer
    than ``max_human_stride_s`` means the clip plays slower than it was filmed.
    """
    out: dict[str, Any] = {"leg_swing_period_s": None, "slow_rhythm_period_s": None}
    swing = leg_swing_period(legs, t)
    if np.isfinite(swing):
        out["leg_swing_period_s"] = round(swing, 3)
    ok = np.isfinite(legs)
    if ok.sum() > MIN_SWING_SAMPLES:
        fs = 1.0 / float(np.median(np.diff(t)))
        span = float(t[ok][-1] - t[ok][0])
        hi = min(cfg.slow_motion_search * cfg.max_stride_s, cfg.slow_rhythm_view * span)
        if hi > cfg.max_human_stride_s:
            p, q = stride_period(legs, fs, cfg.max_human_stride_s, hi, reverses=True)
            if np.isfinite(p) and q >= cfg.min_periodicity:
                out["slow_rhythm_period_s"] = round(p, 3)
    return out


def slow_motion_notice(
    cfg: StrideConfig, checks: dict[str, Any], rhythm: bool, track: PoseTrack
) -> str:
    """Return why the clip looks like slow motion, or '' when it plays in real time.

    Legs that move (``min_leg_travel_tl``) but swing slower than any human
    stride (``max_human_stride_s``, from :func:`leg_swing_period`), or whose
    only rhythm is that slow while their swing agrees with it, show a clip that
    plays slower than it was filmed. The notice names the option that gives
    the capture rate and suggests one: the playback rate times the slow-down
    that brings the stride to ``typical_stride_s``.
    """
    travel = float(checks.get("leg_travel_tl", 0.0))
    if travel < cfg.min_leg_travel_tl:
        return ""
    swing = checks.get("leg_swing_period_s")
    slow_rhythm = checks.get("slow_rhythm_period_s")
    swing = float(swing) if swing is not None else float("nan")
    seen = ""
    if np.isfinite(swing) and swing > cfg.max_human_stride_s:
        seen = f"the legs swing as slowly as a stride of {swing:.1f} s"
        est = float(slow_rhythm) if slow_rhythm and not rhythm else swing
    elif (
        not rhythm
        and slow_rhythm is not None
        and np.isfinite(swing)
        and swing >= 0.5 * float(slow_rhythm)
    ):
        est = float(slow_rhythm)
        seen = f"the legs repeat every {est:.1f} s"
    if not seen:
        return ""
    tf = track.attrs.get("time_scale")
    rate = 1.0 / float(np.median(np.diff(track.time))) if track.n_frames > 1 else track.fps
    factor = est / cfg.typical_stride_s
    guess = rate * factor
    given = (
        (f" (the time is already rescaled by {float(tf):g} for the capture rate given; check it)")
        if tf not in (None, 1.0)
        else ""
    )
    return (
        f"the clip looks like slow motion: {seen} of video time, slower than any human "
        f"stride ({cfg.max_human_stride_s:.1f} s){given}. If it was filmed faster than it "
        f"plays (phones film slow motion at 120 or 240 fps), give the capture rate with "
        f"--capture-fps (here about {guess:.0f} fps if the runner makes "
        f"{SPM_PER_STRIDE_HZ / cfg.typical_stride_s:.0f} steps/min); no cadence is reported"
    )


def resolved_duty(cfg: StrideConfig, duty: float, period: float, fs: float) -> tuple[float, str]:
    """Return the duty factor, or NaN and why where its contacts are shorter than a runner's.

    The contact time is the duty factor times the stride period. Read with one frame
    added (the events' own resolution) and still shorter than ``min_runner_contact_s``,
    no runner made it: the strikes or toe-offs were misplaced, and a duty factor or a
    frame-rate advice built on it would pass the error on.
    """
    if not (np.isfinite(duty) and np.isfinite(period) and fs > 0):
        return duty, ""
    contact = duty * period
    if contact + 1.0 / fs >= cfg.min_runner_contact_s:
        return duty, ""
    return float("nan"), (
        f"the feet read as on the ground {1000 * contact:.0f} ms per step ({contact * fs:.1f} "
        f"frames at {fs:.0f} fps), shorter than any runner's contact "
        f"({1000 * cfg.min_runner_contact_s:.0f} ms at a sprint) even with a frame added: "
        "the contacts are not resolved in this view, so the duty factor is not used"
    )


def frame_rate_advice(cfg: StrideConfig, duty: float, period: float, fs: float) -> str:
    """Return advice when foot contacts span too few frames to be timed, else ''.

    The contact time is the duty factor times the stride period; below
    ``min_contact_frames`` frames at the clip's frame rate ``fs`` strikes and
    toe-offs cannot be placed within a frame of a contact's length, and the
    advice names the first of ``film_rates_fps`` that gives
    ``contact_frames_advised`` frames.
    """
    if not (np.isfinite(duty) and np.isfinite(period) and fs > 0):
        return ""
    contact = duty * period
    frames = contact * fs
    if frames >= cfg.min_contact_frames:
        return ""
    need = cfg.contact_frames_advised / contact
    rates = sorted(float(r) for r in cfg.film_rates_fps.split(",") if r.strip())
    advised = next((r for r in rates if r >= need), need)
    return (
        f"the feet are on the ground {1000 * contact:.0f} ms per step, {frames:.1f} frames "
        f"at {fs:.0f} fps: too few to time each strike; film at {advised:.0f} fps or more"
    )
