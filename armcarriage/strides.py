"""Foot events, strides and cadence, with a check that the motion is running.

Events
------
Every view: **foot clearance**, the image-space counterpart of how the 3D
ground truth defines contact. For the heel and the toe of each foot, the
clearance is the height above that point's own ground level, in clip-median
torso lengths; the foot's clearance is the smaller of the two. The ground
level follows each stance (:func:`_stance_ground`): it runs between the
point's lowest image positions, one per stride, so that a stance a few
centimetres higher or lower than the others (the runner drifting sideways or
in distance) still reads zero clearance. The foot is on the ground while its
clearance is below ``contact_height_tl`` (robust to landmark jitter); within
each contact run the **strike** is timed where the clearance first falls
within ``event_height_tl`` (about 2.5 cm) of that stance's own lowest point,
and the **toe-off** where it last rises above it, both interpolated between
frames.

Front, rear and oblique views: seen from in front or behind, a foot on the
ground sits higher in the image the farther it is from the camera, and in
stance it travels towards (rear) or away from (front) the camera, so its image
height runs through the stance (on motion capture, 3 cm of apparent height a
frame). From behind, the landing foot is the farthest and a strike read from
the image comes late (by 3-6 frames on motion capture). In the views listed in
``strides.world_height_views`` (default: rear) the height is read
perspective-free: the hip centre's image height (the camera's distance to the
hip barely changes within a stride) plus the point's metric drop below the
hips from the world landmarks (:func:`_world_drop`), in torso lengths; without
world landmarks the image height is used. Through the pose model rear strikes
still come 3-4 frames late on the synthetic runner, from the image or the
world landmarks alike. From the front the landing foot is the nearest and the
image times strikes early (up to 2 frames on motion capture: the foot comes
down while it still moves towards the camera). The pose model's world heights
are too noisy there (strikes within a frame on the synthetic front clips fall
from 100 % to 22 %), but its depth is good enough to undo the perspective: in
the views of ``strides.depth_corrected_views`` (default: front) each image
height is moved to the hip's distance, ``y + s * depth`` with ``depth`` the
world landmarks' distance from the hip along the camera axis and ``s`` the
camera's slope, fitted over the frames where the world landmarks put the
point on its floor (:func:`_perspective_corrected`). On exact motion capture
this takes front strikes within a frame from 19 to 26 of 27; through the
pose model the synthetic front clips keep 11 of 11 (median error -0.5 to
+0.3 frame, from -0.5 before).

Side views (``side_left``/``side_right``) add the method of Zeni et al.
(2008, Gait & Posture 27:710) on pelvis-relative positions: with ``f`` the
running direction and ``h`` the hip centre, a strike is a maximum of
``(heel - h) . f`` and a toe-off a minimum of ``(toe - h) . f`` (sub-frame
refined by a parabola). Zeni's strikes cross-check the clearance strikes
(median offset and agreement are reported) and replace them where the
clearance finds too few; Zeni's toe-off is known to fall late in running
(the foot keeps moving back after it leaves the ground), so contact and flight
times come from the clearance. On exact motion-capture projections of four
running trials, 27 of 27 strikes fall within one frame (30 fps) of the 3D
touchdown in the side-left, rear and fixed-camera side-right views, 26 of 27
in the following side-right and the front views. Contact and flight times
are reported in side views only (the validity matrix). The duty factor that
separates walking from running is read from both feet's contacts in side
views and the world-height views (rear): through the pose model front
contacts come out half as long as true even with the perspective undone
(0.17-0.19 of the stride on the synthetic runner, truth 0.36), which would
let walking pass for running, and an oblique clip of real walking gave
pose-model contacts short enough to pass for a flight phase.

Strides and checks
------------------
The stride period is first estimated from the autocorrelation of the
left-minus-right foot signal (one period per stride; the signal reverses
every half stride, which :func:`stride_period` uses against doubling the
period), and sets the minimum distance between events. A stride runs from
one strike of the reference foot (the near foot in a side view, else the foot
that strikes first) to its next strike. Cadence (steps/min) is 120 / mean
stride interval over both feet (:func:`mean_cadence`).

Cross-check: the period of the wrist swing (autocorrelation of the near wrist
relative to the hip centre) must match the stride period within
``periodicity_tolerance``; otherwise the timing confidence is lowered and the
disagreement reported.

Running is declared when the leg motion is periodic, the cadence lies within
``min_cadence_spm``-``max_cadence_spm`` and, where it is read, the duty
factor (contact time / stride time) is below ``max_duty_factor`` (walking
keeps each foot on the ground more than half of the stride; running less). A
measured duty factor below it lowers the cadence floor to
``min_cadence_with_flight_spm``; where no duty factor is read (front, oblique),
so does a hip bounce of at least ``min_bounce_tl`` per step (:func:`hip_bounce`).
Without a stride rhythm, legs that barely move (``min_leg_travel_tl``) are not
running; moving legs are not running only when they stay in view for
``min_rhythm_strides`` strides, and a shorter view (a runner crossing the frame)
gives too few strides, with no cadence.

Time and slow motion
--------------------
The analysis runs on the time a clip was filmed on (:func:`real_time_track`:
the user's ``video.capture_fps`` or the container's capture-rate tag). Legs
that move but swing slower than any human stride (``max_human_stride_s``,
:func:`leg_swing_period`, which needs no full stride) show a clip played
slower than it was filmed: status ``slow_motion``, no cadence, and the option
to give with a suggested rate (:func:`slow_motion_notice`). A clip slowed only
part way (:func:`real_time_stretch`) is analysed on its longest real-time
stretch, or refused as ``speed_change``. Contacts shorter than
``min_contact_frames`` frames are named with the frame rate to film at
(:func:`frame_rate_advice`).

In side views the stride windows (the per-stride rows) are timed by Zeni's
strikes moved onto the clearance's definition of contact
(``side_strike_timing``), which are the more regular through the pose model;
the reported events and the clip cadence keep the clearance strikes, the more
accurate on exact motion capture. The cadence is the span of the strikes
numbered step by step (:func:`mean_cadence`), so a missed strike costs nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from armcarriage.cleaning import runs
from armcarriage.config import StrideConfig
from armcarriage.metrics.geometry import forward_offset, image_forward, midpoint, torso_length
from armcarriage.track import PoseTrack
from armcarriage.view import facing_sign, near_side

EVENT_COLUMNS = ["foot", "kind", "time", "frame"]


@dataclass
class StrideResult:
    """Foot events, strides and the running verdict.

    Attributes
    ----------
    events
        Columns ``foot``, ``kind`` (strike/toe_off), ``time`` (s), ``frame``.
    strides
        One row per stride: ``stride``, ``foot`` (reference foot), ``t_start``,
        ``t_end``, ``frame_start``, ``frame_end``, ``stride_time_s``,
        ``cadence_spm``, ``contact_time_s``, ``flight_time_s``.
    cadence_spm
        Clip cadence, NaN when not measured.
    status
        ``ok``, ``no_running`` or ``too_few_strides``.
    message
        Why, for any status but ``ok``.
    checks
        Method and cross-check figures.

    """

    events: pd.DataFrame
    strides: pd.DataFrame
    cadence_spm: float
    status: str
    message: str
    checks: dict[str, Any] = field(default_factory=dict)


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


def stride_period(
    x: np.ndarray, fs: float, lo_s: float, hi_s: float, reverses: bool = False
) -> tuple[float, float]:
    """Return ``(period_s, quality)`` of a periodic signal from its autocorrelation.

    ``quality`` is the normalised autocorrelation ``r`` at the chosen lag (1 =
    perfectly periodic). The candidates are the autocorrelation peaks at lags
    in ``[lo_s, hi_s]``. By default the period is the first candidate whose
    ``r`` reaches 85 % of the highest (multiples of the period score as high as
    the period). With ``reverses``, ``x`` reverses its sign in half a period
    (left minus right foot: the feet swap places in half a stride) and a
    candidate lag ``L`` scores ``min(r(L), -r(L / 2))``: the signal must repeat
    after ``L`` and reverse after ``L / 2``. Twice the true period scores low
    (``r`` at half of it, the true period, is high), so noise that lowers
    ``r`` at the period below ``r`` at its double no longer doubles the period
    (on the synthetic runner at 320 x 240 through the pose model: 0.50 at 0.68 s
    against 0.65 at 1.38 s); the first candidate within 0.15 of the best score
    is taken (odd multiples score as high as the period). NaN samples count as
    the mean.
    """
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    if ok.sum() < max(8, int(lo_s * fs) + 3) or np.nanstd(x) <= 0:
        return float("nan"), 0.0
    y = np.where(ok, x - np.nanmean(x), 0.0)
    n = y.size
    ac = signal.correlate(y, y, mode="full", method="fft")[n - 1 :]
    # unbiased by the overlap of valid samples
    cnt = signal.correlate(ok.astype(float), ok.astype(float), mode="full", method="fft")[n - 1 :]
    with np.errstate(invalid="ignore", divide="ignore"):
        ac = np.where(cnt > 0.3 * ok.sum(), ac / np.maximum(cnt, 1), np.nan)
    if not np.isfinite(ac[0]) or ac[0] <= 0:
        return float("nan"), 0.0
    ac = ac / ac[0]
    lo, hi = max(1, int(lo_s * fs)), min(n - 2, int(np.ceil(hi_s * fs)))
    if hi <= lo:
        return float("nan"), 0.0
    seg = np.nan_to_num(ac[lo : hi + 1], nan=-1.0)
    peaks, _ = signal.find_peaks(seg)
    if peaks.size == 0:
        return float("nan"), 0.0
    lags = lo + peaks + np.array([_parabola(seg, int(p)) for p in peaks])
    if reverses:
        half = np.interp(lags / 2.0, np.arange(ac.size), np.nan_to_num(ac, nan=0.0))
        score = np.minimum(seg[peaks], -half)
        best = int(np.flatnonzero(score >= np.max(score) - 0.15)[0])
    else:
        # the first peak nearly as high as the highest: multiples of the period score as high
        top = float(np.max(seg[peaks]))
        best = int(np.flatnonzero(seg[peaks] >= top - 0.15 * abs(top))[0])
    return float(lags[best] / fs), float(seg[peaks[best]])


def _parabola(y: np.ndarray, i: int) -> float:
    """Return the sub-sample offset of an extreme at ``i`` from a parabola through i-1, i, i+1."""
    if i <= 0 or i >= y.size - 1 or not np.isfinite(y[i - 1 : i + 2]).all():
        return 0.0
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    return float(np.clip(0.5 * (a - c) / den, -0.5, 0.5)) if den != 0 else 0.0


def _extremes(x: np.ndarray, t: np.ndarray, fs: float, period: float, maxima: bool) -> np.ndarray:
    """Return times of maxima (or minima) of ``x`` >= 0.6 period apart, sub-frame refined."""
    y = np.asarray(x, dtype=float) * (1.0 if maxima else -1.0)
    ok = np.isfinite(y)
    if ok.sum() < 5:
        return np.empty(0)
    amp = np.nanpercentile(y, 95) - np.nanpercentile(y, 5)
    filled = np.where(ok, y, np.nanmin(y))
    peaks, _ = signal.find_peaks(
        filled, distance=max(1, int(0.6 * period * fs)), prominence=0.25 * amp
    )
    out = []
    for p in peaks:
        if not ok[max(0, p - 1) : p + 2].all():
            continue
        out.append(np.interp(p + _parabola(filled, p), np.arange(t.size), t))
    return np.asarray(out, dtype=float)


def _contacts(
    clearance: np.ndarray,
    t: np.ndarray,
    threshold: float,
    min_gap: int,
    min_run: int,
    level: float | None = None,
    points: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return strike and toe-off times of the contact runs of one foot.

    A contact run is where ``clearance`` is below ``threshold``. Gaps in contact
    shorter than ``min_gap`` samples are closed (jitter splitting one stance),
    then runs shorter than ``min_run`` samples dropped (a swinging foot brushing
    the threshold). The strike is timed where the clearance first falls below
    ``level`` above the run's own lowest clearance (linear interpolation), the
    toe-off where it last rises above it (capped at ``threshold``).
    A run under way at the first sample gives no strike, one under way at the
    last sample no toe-off. With ``points`` (the clearances of the foot's
    points, heel and toe, whose minimum is ``clearance``), each point is timed
    against its own lowest clearance in the run, and the strike is the first
    point's landing, the toe-off the last point's lift: the heel lands before
    the toe comes down (or the toe first, on the forefoot), and the two points'
    floors differ by a few pixels, so timing their minimum against one floor
    would wait for the lower one.
    """
    level = threshold if level is None else min(level, threshold)
    ok = np.isfinite(clearance)
    on = ok & (clearance < threshold)
    for a, b in runs(~on):
        if b - a < min_gap and a > 0 and b < on.size and ok[a:b].all():
            on[a:b] = True
    for a, b in runs(on):
        if b - a < min_run:
            on[a:b] = False
    strikes, offs = [], []
    for a, b in runs(on):
        starts, ends = [], []
        for y in points or [clearance]:
            seg = y[a:b]
            if not np.isfinite(seg).any():
                continue
            # timing level above this stance's own floor (the ground drifts with distance)
            lev = min(float(np.nanmin(seg)) + level, threshold)
            low = np.flatnonzero(seg <= lev) + a
            if not low.size:  # this point stays above the contact height: the other one lands
                continue
            first, last = low[0], low[-1]
            fin = np.isfinite(y)
            if first > 0 and fin[first - 1] and (first > a or a > 0):
                starts.append(_cross(t, y, first - 1, lev))
            elif first == a and a == 0:
                starts.append(-np.inf)  # under way at the first sample
            if last < y.size - 1 and fin[last + 1] and (last < b - 1 or b < y.size):
                ends.append(_cross(t, y, last, lev))
            elif last == b - 1 and b == y.size:
                ends.append(np.inf)  # under way at the last sample
        if starts and np.isfinite(min(starts)):
            strikes.append(min(starts))
        if ends and np.isfinite(max(ends)):
            offs.append(max(ends))
    return np.asarray(strikes, dtype=float), np.asarray(offs, dtype=float)


def _cross(t: np.ndarray, y: np.ndarray, i: int, level: float) -> float:
    """Return the time where ``y`` crosses ``level`` between samples i and i+1 (linear)."""
    a, b = y[i], y[i + 1]
    frac = 0.0 if b == a else float(np.clip((level - a) / (b - a), 0.0, 1.0))
    return float(t[i] + frac * (t[i + 1] - t[i]))


def _ground(y: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """Return the ground level of an image-y series: rolling 95th percentile over ``window_s``."""
    fs = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else 1.0
    n = max(3, int(round(window_s * fs)) | 1)
    if n >= y.size:
        return np.full(y.shape, np.nanpercentile(y, 95) if np.isfinite(y).any() else np.nan)
    g = pd.Series(y).rolling(n, center=True, min_periods=max(3, n // 4)).quantile(0.95)
    return np.asarray(g.bfill().ffill(), dtype=float)


def _stance_ground(
    y: np.ndarray,
    t: np.ndarray,
    period: float,
    flat: float,
    edge_frames: int,
    window_s: float,
) -> np.ndarray:
    """Return the ground level of an image-height series that follows each stance.

    The floor of a stance is the point's lowest image position in it (largest
    ``y``): the maxima of ``y`` at least 0.6 stride period apart around which
    the point stays within ``flat`` for ``edge_frames`` samples (at least
    three; a swinging foot that dips as low for a frame or two, as a pose
    model's near heel did on a real treadmill clip, is no stance). A stance cut
    by a clip end counts when the point is still down there: its first (last)
    ``edge_frames`` samples lie within ``flat`` of each other, in the lower
    quarter of the point's range and away from the other floors. The ground
    runs linearly between the floors and holds the nearest one beyond the first
    and last (a runner's lateral drift or distance moves the floor by a few
    centimetres from stance to stance: a ground level common to several
    stances left some of them up to 0.06 torso lengths above it, at the contact
    height, and timed their strikes a frame late). Falls back to
    :func:`_ground` over ``window_s`` with fewer than two floors.
    """
    fs = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else 1.0
    ok = np.isfinite(y)
    if ok.sum() < 5 or not np.isfinite(period) or period <= 0:
        return _ground(y, t, window_s)
    filled = np.where(ok, y, np.nanmin(y))
    top = float(np.nanpercentile(y, 95))
    amp = top - float(np.nanpercentile(y, 5))
    k = max(3, edge_frames)
    found, _ = signal.find_peaks(
        filled, distance=max(1, int(0.6 * period * fs)), prominence=0.25 * amp
    )
    floors = []
    for p in found:
        # a stance holds the point at its floor: k samples within ``flat`` of it (a swing
        # that dips to the ground level for a frame or two is no floor)
        low = filled[p] - flat
        a = b = int(p)
        while a > 0 and ok[a - 1] and filled[a - 1] >= low:
            a -= 1
        while b < y.size - 1 and ok[b + 1] and filled[b + 1] >= low:
            b += 1
        if ok[p] and b - a + 1 >= k:
            floors.append(int(p))
    for edge in (np.arange(min(k, y.size)), np.arange(max(0, y.size - k), y.size)):
        seg = y[edge]
        if (
            seg.size == k
            and np.isfinite(seg).all()
            and np.ptp(seg) < flat
            and seg.max() > top - 0.25 * amp
            and all(abs(p - int(i)) > 0.3 * period * fs for p in floors for i in edge)
        ):
            floors.append(int(edge[np.argmax(seg)]))
    if len(floors) < 2:
        return _ground(y, t, window_s)
    at = np.sort(np.asarray(floors, dtype=int))
    return np.interp(t, t[at], filled[at])


def _world_offset(track: PoseTrack, axis: int) -> Callable[[str], np.ndarray] | None:
    """Return ``offset(name)``: a point's world coordinate from the hip centre, torso lengths.

    World landmarks are metric and hip-centred in camera axes (``x`` right,
    ``y`` down, ``z`` away from the camera), scaled here by the clip-median
    world torso length. None without usable world landmarks.
    """
    w = np.asarray(track.ds["world"].values, dtype=float)
    idx = {k: i for i, k in enumerate(track.keypoints)}
    need = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(k in idx for k in need):
        return None
    ls, rs, lh, rh = (w[:, idx[k]] for k in need)
    hip = 0.5 * (lh + rh)
    tl = np.linalg.norm(0.5 * (ls + rs) - hip, axis=1)
    tl = tl[np.isfinite(tl)]
    if tl.size < 10 or float(np.median(tl)) <= 0:
        return None
    scale = float(np.median(tl))

    def offset(name: str) -> np.ndarray:
        return (w[:, idx[name], axis] - hip[:, axis]) / scale

    return offset


def _world_drop(track: PoseTrack) -> Callable[[str], np.ndarray] | None:
    """Return ``drop(name)``: a point's drop below the hip centre, world torso lengths.

    World landmarks are metric and hip-centred with ``y`` down, so they carry no
    perspective; their hip-relative height misses only the hip's own bounce,
    which the caller adds back from the hip's image height (the camera's
    distance to the hip barely changes). None without usable world landmarks.
    """
    return _world_offset(track, 1)


def _perspective_corrected(
    heights: dict[str, np.ndarray],
    depth: dict[str, np.ndarray],
    planted: dict[str, np.ndarray],
    max_slope: float,
) -> tuple[dict[str, np.ndarray], float]:
    """Return the image heights moved to the hip's distance, and the slope used.

    Seen from the front or behind, a foot point on the ground sits higher in
    the image the farther it is from the camera: its image height ``y``
    (torso lengths, down) changes by ``-s`` per torso length of depth, with
    ``s`` the camera's height over its distance for a level camera. ``s`` is
    fitted by least squares over the frames where the point is planted
    (``planted``: runs of at least three frames), with one intercept per run
    (each stance has its own floor) and one slope for every point of both
    feet (one camera), against ``depth`` (the world landmarks' depth from the
    hip centre, torso lengths). The corrected height is ``y + s * depth``,
    with ``s`` clipped to ``[0, max_slope]``; with fewer than three runs or no
    depth the heights are returned unchanged and the slope is NaN.
    """
    ys, zs = [], []
    for name, y in heights.items():
        z = depth[name]
        use = planted[name] & np.isfinite(y) & np.isfinite(z)
        for a, b in runs(use):
            if b - a >= 3:
                ys.append(y[a:b])
                zs.append(z[a:b])
    if len(ys) < 3:
        return heights, float("nan")
    design = np.zeros((sum(v.size for v in ys), len(ys) + 1))
    row = 0
    for j, v in enumerate(ys):
        design[row : row + v.size, j] = 1.0
        row += v.size
    design[:, -1] = np.concatenate(zs)
    coef, *_ = np.linalg.lstsq(design, np.concatenate(ys), rcond=None)
    slope = float(np.clip(-coef[-1], 0.0, max_slope))
    out = {
        name: np.where(np.isfinite(depth[name]), y + slope * depth[name], y)
        for name, y in heights.items()
    }
    return out, slope


def clip_torso_length(track: PoseTrack) -> float:
    """Return the clip-median torso length (px; NaN without shoulders and hips)."""
    tors = torso_length(
        track.xy("left_shoulder"),
        track.xy("right_shoulder"),
        track.xy("left_hip"),
        track.xy("right_hip"),
    )
    return float(np.nanmedian(tors)) if np.isfinite(tors).any() else float("nan")


def foot_signals(
    track: PoseTrack,
    label: str,
    config: StrideConfig | None = None,
    period: float = float("nan"),
    ground_window_s: float | None = None,
    info: dict[str, Any] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Return, per foot, the signals events are read from.

    ``clearance`` (every view): height of the foot's lowest point above its
    ground level, in clip-median torso lengths: for the heel and the toe
    (``foot_index``; the ankle where they are missing), ``(ground - y) / tl``
    with ``ground`` the level the point reaches in each stance
    (:func:`_stance_ground`, given the stride ``period``; without it the
    rolling 95th-percentile image ``y`` over ``ground_window_s``, by default
    ``config.ground_window_s``), and the smaller of the two; ``heel`` and
    ``toe`` are the two points' own clearances. In the views of
    ``config.world_height_views`` ``y`` is read perspective-free, in those of
    ``config.depth_corrected_views`` it is moved to the hip's distance (see the
    module docstring; ``info["perspective_slope"]`` receives the slope used).
    Side views add ``heel_fwd`` and ``toe_fwd``, the heel and toe forward
    offsets from the hip centre (torso lengths), for Zeni's events.
    """
    cfg = config or StrideConfig()
    window = cfg.ground_window_s if ground_window_s is None else ground_window_s
    hc = midpoint(track.xy("left_hip"), track.xy("right_hip"))
    tl = clip_torso_length(track)
    t = track.time
    fs = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else track.fps
    edge = int(round(cfg.min_contact_s * fs)) + 1

    def ground(y: np.ndarray) -> np.ndarray:
        return _stance_ground(y, t, period, cfg.event_height_tl, edge, window)

    facing = facing_sign(label)
    world_drop = _world_drop(track) if label in _views(cfg.world_height_views) else None
    points: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    heights: dict[str, np.ndarray] = {}
    for foot in ("left", "right"):
        ankle = track.xy(f"{foot}_ankle")
        heel = track.xy(f"{foot}_heel")
        heel = np.where(np.isfinite(heel), heel, ankle)
        toe = track.xy(f"{foot}_foot_index")
        toe = np.where(np.isfinite(toe), toe, ankle)
        points[foot] = (heel, toe)
        for name, pt in ((f"{foot}_heel", heel), (f"{foot}_foot_index", toe)):
            y = pt[:, 1] / tl
            if world_drop is not None:
                # perspective-free: the hip's image height plus the point's metric drop
                y_w = hc[:, 1] / tl + world_drop(name)
                y = np.where(np.isfinite(y_w), y_w, y)
            heights[name] = y
    if label in _views(cfg.depth_corrected_views):
        drop, depth = _world_drop(track), _world_offset(track, 2)
        if drop is not None and depth is not None:
            planted = {}
            for name in heights:
                # planted: the world landmarks put the point at its stance floor
                y_w = hc[:, 1] / tl + drop(name)
                with np.errstate(invalid="ignore"):
                    planted[name] = ground(y_w) - y_w < cfg.event_height_tl
            heights, slope = _perspective_corrected(
                heights, {n: depth(n) for n in heights}, planted, cfg.max_perspective_slope
            )
            if info is not None:
                info["perspective_slope"] = round(slope, 3) if np.isfinite(slope) else None
    out: dict[str, dict[str, np.ndarray]] = {}
    for foot in ("left", "right"):
        clear = []
        for name in (f"{foot}_heel", f"{foot}_foot_index"):
            with np.errstate(invalid="ignore"):
                clear.append(ground(heights[name]) - heights[name])
        out[foot] = {"clearance": np.fmin(*clear), "heel": clear[0], "toe": clear[1]}
        if facing:
            fwd = image_forward(facing)
            heel, toe = points[foot]
            out[foot]["heel_fwd"] = forward_offset(heel, hc, fwd, tl)
            out[foot]["toe_fwd"] = forward_offset(toe, hc, fwd, tl)
    return out


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
    if ok.sum() < 20:
        return None
    lo, hi = np.percentile(legs[ok], [5, 95])
    if hi - lo < cfg.min_leg_travel_tl:
        return None
    rev = _reversals(legs, t, 0.2 * (hi - lo))
    edges = np.concatenate([[t[ok][0]], rev, [t[ok][-1]]])
    gaps = np.diff(edges)
    slow = gaps > 0.5 * cfg.max_human_stride_s
    for i in np.flatnonzero(slow):
        # slow motion moves the legs all the way, slowly; a long gap in which they wiggle
        # near the middle (irregular walking, a pause) is no slow motion
        sel = ok & (t >= edges[i]) & (t <= edges[i + 1])
        seg = legs[sel]
        swing = leg_swing_period(seg, t[sel]) if seg.size >= 10 else float("nan")
        # between reversals the legs go from the middle to one side and back: half a
        # swing, which a sinusoid of twice the swing period makes
        slow[i] = bool(
            np.ptp(seg) >= 0.35 * (hi - lo)
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
    if ok.sum() < 10 or t.size < 10:
        return float("nan")
    fs = 1.0 / float(np.median(np.diff(t)))
    x = np.interp(t, t[ok], legs[ok])
    win = max(5, int(round(0.2 * fs)) | 1)
    if win > x.size:
        return float("nan")
    v = signal.savgol_filter(x, win, 2, deriv=1, delta=1.0 / fs)[ok]
    span = float(np.diff(np.percentile(legs[ok], [5, 95]))[0])
    speed = float(np.percentile(np.abs(v), 95))
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
    if ok.sum() > 10:
        fs = 1.0 / float(np.median(np.diff(t)))
        span = float(t[ok][-1] - t[ok][0])
        hi = min(cfg.slow_motion_search * cfg.max_stride_s, 0.7 * span)
        if hi > cfg.max_human_stride_s:
            p, q = stride_period(legs, fs, cfg.max_human_stride_s, hi, reverses=True)
            if np.isfinite(p) and q >= cfg.min_periodicity:
                out["slow_rhythm_period_s"] = round(p, 3)
    return out


def detect_events(
    track: PoseTrack, label: str, cfg: StrideConfig
) -> tuple[pd.DataFrame, float, float, dict[str, Any]]:
    """Detect foot strikes and toe-offs.

    Returns
    -------
    tuple
        ``(events, period_s, quality, info)``: the events table, the stride
        period estimate, its autocorrelation quality and method details.

    """
    t = track.time
    fs = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else track.fps
    side = bool(facing_sign(label))
    lo, hi = 120.0 / cfg.max_cadence_spm * 0.8, cfg.max_stride_s
    info: dict[str, Any] = {"method": "foot clearance (image height of heel and toe)"}
    window = cfg.ground_window_s
    legs = legs_signal(track, label, cfg)
    seen = np.isfinite(legs)
    info["legs_in_view_s"] = round(float(t[seen][-1] - t[seen][0]), 3) if seen.sum() > 1 else 0.0
    info["leg_travel_tl"] = (
        round(float(np.diff(np.percentile(legs[seen], [5, 95]))[0]), 3) if seen.any() else 0.0
    )
    period, quality = stride_period(legs, fs, lo, hi, reverses=True)
    info.update(slow_motion_signs(legs, t, cfg))
    if not side and np.isfinite(period):
        # without floors, the ground level moves with the runner's distance: 1.5 strides
        window = min(1.5 * period, cfg.ground_window_s)
    sig = foot_signals(track, label, cfg, period, window, info)
    rows: list[tuple[str, str, float]] = []
    zeni_offsets: list[float] = []
    window_rows: list[tuple[str, str, float]] = []  # the strikes that time the strides
    min_frames = max(2, int(round(cfg.min_contact_s * fs)))
    if np.isfinite(period):
        for foot, s in sig.items():
            strikes, offs = _contacts(
                s["clearance"],
                t,
                cfg.contact_height_tl,
                max(min_frames, int(0.2 * period * fs)),
                max(min_frames, int(0.1 * period * fs)),
                cfg.event_height_tl,
                [s["heel"], s["toe"]],
            )
            if side:
                zs = _extremes(s["heel_fwd"], t, fs, period, maxima=True)
                zo = _extremes(s["toe_fwd"], t, fs, period, maxima=False)
                if strikes.size < 2 <= zs.size:
                    strikes, offs = zs, zo
                    info["method"] = "zeni (pelvis-relative heel and toe), clearance failed"
                own: list[float] = []
                for x in strikes:
                    if zs.size:
                        near = zs[np.argmin(np.abs(zs - x))]
                        if abs(near - x) < 0.25 * period:
                            own.append(float(near - x))
                zeni_offsets += own
                window_strikes = strikes
                if (
                    cfg.side_strike_timing == "steadier"
                    and len(own) >= cfg.min_strides
                    and zs.size >= 2
                ):
                    # stride windows: the clearance's strikes or Zeni's (on the clearance's
                    # definition of contact), whichever keeps the steadier rhythm
                    window_strikes = steadier_strikes(strikes, zs - float(np.median(own)), period)
                    info["stride_windows"] = (
                        "the foot clearance's or Zeni's strikes "
                        "(offset to the clearance), whichever is "
                        "the steadier"
                    )
                window_rows += [(foot, "strike", float(x)) for x in window_strikes]
            rows += [(foot, "strike", float(x)) for x in strikes]
            rows += [(foot, "toe_off", float(x)) for x in offs]
            window_rows += [(foot, "toe_off", float(x)) for x in offs]
            if not side:
                window_rows += [(foot, "strike", float(x)) for x in strikes]
    if zeni_offsets:
        info["zeni_strike_offset_frames"] = round(float(np.median(zeni_offsets)) * fs, 2)
        info["zeni_agreement"] = round(
            float(np.mean(np.abs(np.asarray(zeni_offsets)) * fs <= 2.0)), 3
        )
    events = pd.DataFrame(rows, columns=["foot", "kind", "time"])
    info["_windows"] = pd.DataFrame(window_rows, columns=["foot", "kind", "time"])
    frames = np.asarray(track.ds["frame"].values)
    if len(events):
        idx = np.clip(np.searchsorted(t, events["time"].to_numpy()), 0, t.size - 1)
        prev = np.clip(idx - 1, 0, t.size - 1)
        idx = np.where(
            np.abs(t[prev] - events["time"]) < np.abs(t[idx] - events["time"]), prev, idx
        )
        events["frame"] = frames[idx].astype(np.int64)
    else:
        events["frame"] = pd.Series(dtype=np.int64)
    events = events.sort_values(["time", "foot"], ignore_index=True)[EVENT_COLUMNS]
    return events, period, quality, info


def steadier_strikes(clearance: np.ndarray, zeni: np.ndarray, period: float) -> np.ndarray:
    """Return whichever strike sequence keeps the steadier rhythm: clearance or Zeni.

    Steadiness is the spread of the intervals between consecutive strikes (median absolute
    deviation over the median interval). Steady running keeps strikes a stride apart, so
    the signal whose strikes scatter less is the one the pose model followed better on this
    clip: on the real treadmill clip the clearance strikes scatter and Zeni's do not; on
    rendered runners a glitch in the heel's forward path puts one Zeni strike off and the
    clearance stays regular.
    """
    x = np.sort(np.asarray(clearance, float))
    z = np.sort(np.asarray(zeni, float))

    def spread(seq: np.ndarray) -> float:
        steps = np.diff(seq)
        steps = steps[(steps > 0.5 * period) & (steps < 1.5 * period)]
        if steps.size < 2:
            return np.inf
        return float(np.median(np.abs(steps - np.median(steps))) / np.median(steps))

    return z if spread(z) < spread(x) else x


def build_strides(events: pd.DataFrame, ref: str, period: float, frames_of: Any) -> pd.DataFrame:
    """Return one row per stride of the reference foot (see :class:`StrideResult`)."""
    cols = [
        "stride",
        "foot",
        "t_start",
        "t_end",
        "frame_start",
        "frame_end",
        "stride_time_s",
        "cadence_spm",
        "contact_time_s",
        "flight_time_s",
    ]
    st = np.sort(events.loc[(events.foot == ref) & (events.kind == "strike"), "time"].to_numpy())
    offs = np.sort(events.loc[(events.foot == ref) & (events.kind == "toe_off"), "time"].to_numpy())
    other = "right" if ref == "left" else "left"
    ost = np.sort(events.loc[(events.foot == other) & (events.kind == "strike"), "time"].to_numpy())
    rows: list[tuple[Any, ...]] = []
    for a, b in itertools.pairwise(st):
        dur = b - a
        if np.isfinite(period) and not 0.75 * period <= dur <= 1.33 * period:
            continue
        off = offs[(offs > a) & (offs < b)]
        contact = float(off[0] - a) if off.size else np.nan
        flight = np.nan
        if off.size:
            nxt = ost[(ost > off[0]) & (ost < min(b, off[0] + 0.5 * dur))]
            flight = float(nxt[0] - off[0]) if nxt.size else np.nan
        rows.append(
            (
                len(rows),
                ref,
                float(a),
                float(b),
                frames_of(a),
                frames_of(b),
                float(dur),
                120.0 / dur,
                contact,
                flight,
            )
        )
    return pd.DataFrame(rows, columns=cols)


def _trim_edges(strikes: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Drop the first and the last strike if its step is more than ``tolerance`` off the median.

    At most one strike at each end: an edge event is the one a clip edge can
    misplace, and peeling more would let irregular events (walking seen at an
    angle) shrink to a run of short steps that looks like running.
    """
    if len(strikes) < 4:
        return strikes
    steps = np.diff(strikes["time"].to_numpy(float))
    med = float(np.median(steps))
    first = 1 if abs(steps[0] / med - 1.0) > tolerance else 0
    last = len(strikes) - 1 if abs(steps[-1] / med - 1.0) > tolerance else len(strikes)
    return strikes.iloc[first:last]


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
    first and the last (a strike misplaced by a clip edge or a glitch frame; on
    a motion-blurred clip the pose model's third frame put a right strike 35 %
    of a step early), which are left out. The step time is the span of the
    strikes kept over the steps between them: the ground truth's ``60 (n - 1)
    / (last - first strike)`` when every strike is found, and unlike intervals
    between neighbours a missed event costs nothing (the sprint render at 30
    fps, two strikes missed: -1.9 % from per-foot intervals). Strikes that
    scatter about the line by more than ``max_spread`` of a step (RMS;
    irregular walking seen at an angle)
    have no step rhythm to number them by: :func:`interval_cadence` then.
    """
    if not np.isfinite(period) or period <= 0:
        return float("nan")
    st = events.loc[events.kind == "strike"].sort_values("time")
    times, feet = st["time"].to_numpy(float), st["foot"].to_numpy()
    if times.size < 3:
        return float("nan")
    step = 0.5 * period
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
    return 60.0 * float(kk[-1] - kk[0]) / float(tt[-1] - tt[0])


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
    left out (one at each end): events at the
    clip's ends are the ones a stance cut by the clip edge or a poorly seen
    first frame misplaces (on a motion-blurred clip the pose model's third
    frame was a glitch, after which the swap repair relabelled the legs of the
    first two: a strike 0.1 s after the clip start, 35 % short of the next
    step, moved the cadence by 3.4 %).
    """
    if not np.isfinite(period):
        return float("nan")
    st = _trim_edges(events.loc[events.kind == "strike"].sort_values("time"), edge_tolerance)
    steps = np.diff(st["time"].to_numpy(float))
    feet = st["foot"].to_numpy()
    if (
        steps.size >= 2
        and (feet[1:] != feet[:-1]).all()
        and ((steps > 0.3 * period) & (steps < 0.7 * period)).all()
    ):
        # clean alternation: all strikes of both feet count, as in the ground truth
        return 60.0 / float(np.mean(steps))
    intervals = []
    for foot in ("left", "right"):
        t = np.sort(
            events.loc[(events.foot == foot) & (events.kind == "strike"), "time"].to_numpy(float)
        )
        kept: list[float] = []
        for x in t:  # a strike too soon after the last kept one is spurious
            if not kept or x - kept[-1] > 0.75 * period:
                kept.append(float(x))
        own = _trim_edges(pd.DataFrame({"time": kept}), edge_tolerance)
        d = np.diff(own["time"].to_numpy(float))
        intervals.append(d[(d > 0.75 * period) & (d < 1.33 * period)])
    d = np.concatenate(intervals)
    return 120.0 / float(np.mean(d)) if d.size else float("nan")


def _views(names: str) -> tuple[str, ...]:
    """Return the comma-separated view labels of a setting as a tuple."""
    return tuple(v.strip() for v in names.split(",") if v.strip())


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
            nxt = off[(off > x) & (off < x + 0.75 * period)]
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
        if not 0.3 * period <= b - a <= 0.7 * period or sel.sum() < 4:
            continue
        phases.append((t[sel] - a) / (b - a))
        values.append((y[sel] - y[sel].mean()) / tl)
    if len(phases) < 3:
        return float("nan")
    p, v = np.concatenate(phases), np.concatenate(values)
    amplitude = 2.0 * abs(np.sum(v * np.exp(-2j * np.pi * p))) / p.size
    return float(2.0 * amplitude)


def wrist_period(track: PoseTrack, label: str, fs: float, lo: float, hi: float) -> float:
    """Return the period (s) of the wrist swing relative to the hip centre (best wrist/axis)."""
    hc = midpoint(track.xy("left_hip"), track.xy("right_hip"))
    best, q = float("nan"), 0.0
    sides = [near_side(label)] if near_side(label) else ["left", "right"]
    for side in sides:
        rel = track.xy(f"{side}_wrist") - hc
        for axis in (0, 1):
            p, qual = stride_period(rel[:, axis], fs, lo, hi)
            if np.isfinite(p) and qual > q:
                best, q = p, qual
    return best


def _on_real_time_stretch(
    track: PoseTrack,
    view: dict[str, Any],
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
        if res.status == "ok":
            return res
        reason = (
            f"{change}; on its real-time stretch {a:.1f}-{b:.1f} s: {res.message}; "
            f"cut the slow part out, or give its capture rate with --capture-fps "
            f"for a clip that is slow throughout"
        )
        return StrideResult(
            res.events, res.strides.iloc[0:0], float("nan"), "speed_change", reason, res.checks
        )
    empty = pd.DataFrame(columns=EVENT_COLUMNS)
    return StrideResult(
        empty,
        build_strides(empty, "left", np.nan, int),
        float("nan"),
        "speed_change",
        f"{change}, and nowhere in real time",
        info,
    )


def analyze_strides(
    track: PoseTrack,
    view: dict[str, Any],
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
    empty = pd.DataFrame(columns=EVENT_COLUMNS)
    no_strides = build_strides(empty, "left", np.nan, int)
    if t.size < 8:
        return StrideResult(
            empty,
            no_strides,
            float("nan"),
            "too_few_strides",
            f"only {t.size} frames: too short to find strides",
        )
    stretch = None if whole else real_time_stretch(legs_signal(track, label, cfg), t, cfg)
    if stretch is not None:
        return _on_real_time_stretch(track, view, cfg, stretch)
    fs = 1.0 / float(np.median(np.diff(t)))
    events, period, quality, info = detect_events(track, label, cfg)
    windows = info.pop("_windows")
    frames = np.asarray(track.ds["frame"].values)

    def frame_of(x: float) -> int:
        return int(frames[int(np.argmin(np.abs(t - x)))])

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
    cadence = mean_cadence(events, period, cfg.cadence_edge_tolerance, cfg.cadence_fit_max_spread)
    lo, hi = 120.0 / cfg.max_cadence_spm * 0.8, cfg.max_stride_s
    arm = wrist_period(track, label, fs, lo, hi)
    ratio = arm / period if np.isfinite(period) and np.isfinite(arm) else float("nan")
    # contacts tell walking from running only where the foot height is free of
    # perspective: side views and the world-height views (image heights in a front
    # view shorten the stance: motion capture of walking read as running there)
    duty_views = ("side_left", "side_right", *_views(cfg.world_height_views))
    duty = duty_factor(events, period) if label in duty_views else float("nan")
    bounce = hip_bounce(track, events, period)
    checks = {
        **info,
        "reference_foot": ref,
        "period_s": round(period, 4) if np.isfinite(period) else None,
        "periodicity": round(quality, 3),
        "wrist_period_s": round(arm, 4) if np.isfinite(arm) else None,
        "wrist_to_stride_period": round(ratio, 3) if np.isfinite(ratio) else None,
        "wrist_check_ok": bool(
            np.isfinite(ratio) and abs(ratio - 1.0) <= cfg.periodicity_tolerance
        ),
        "duty_factor": round(duty, 3) if np.isfinite(duty) else None,
        "hip_bounce_tl": round(bounce, 3) if np.isfinite(bounce) else None,
    }
    if np.isfinite(ratio) and not checks["wrist_check_ok"]:
        checks["arm_rhythm_note"] = (
            f"the arms swing every {arm:.2f} s, the legs stride every {period:.2f} s "
            f"({100 * (ratio - 1):+.0f} %): the cadence is the legs'; arm-leg timing values "
            f"carry a lower confidence"
        )
    rhythm = bool(np.isfinite(period) and quality >= cfg.min_periodicity)
    slow = slow_motion_notice(cfg, checks, rhythm, track)
    if slow:
        return StrideResult(events, strides.iloc[0:0], float("nan"), "slow_motion", slow, checks)
    contact_note = frame_rate_advice(cfg, duty, period, fs)
    if contact_note:
        checks["frame_rate_note"] = contact_note
    n_strides = max(len(strides), len(others))
    status, message = _verdict(cfg, checks, rhythm, quality, cadence, duty, bounce, n_strides)
    if status == "no_running" and rhythm:
        message = f"{message} ({_figures(cadence, duty, bounce, n_strides)})"
    if status == "too_few_strides" and rhythm and contact_note:
        message = f"{message}; {contact_note}"
    if status == "slow_motion":
        rate = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else track.fps
        guess = rate * (120.0 / cfg.typical_stride_s) / cadence
        message = (
            f"{message}. If it was filmed faster than it plays, give the capture rate with "
            f"--capture-fps (here about {guess:.0f} fps if the runner makes "
            f"{120.0 / cfg.typical_stride_s:.0f} steps/min); no cadence is reported"
        )
        return StrideResult(events, strides.iloc[0:0], float("nan"), status, message, checks)
    if not rhythm:
        cadence = float("nan")  # events placed without a stride rhythm give no cadence
    return StrideResult(events, strides, cadence, status, message, checks)


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
        f"{120.0 / cfg.typical_stride_s:.0f} steps/min); no cadence is reported"
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


def _figures(cadence: float, duty: float, bounce: float, n: int) -> str:
    """Return the measured gait figures a running verdict rests on, for its reason."""
    parts = [f"{n} {'stride' if n == 1 else 'strides'}"]
    if np.isfinite(cadence):
        parts.append(f"cadence {cadence:.0f} steps/min")
    if np.isfinite(duty):
        parts.append(f"duty factor {duty:.2f}")
    if np.isfinite(bounce):
        parts.append(f"hip bounce {bounce:.2f} torso lengths per step")
    return "measured: " + ", ".join(parts)


def _verdict(
    cfg: StrideConfig,
    checks: dict[str, Any],
    rhythm: bool,
    quality: float,
    cadence: float,
    duty: float,
    bounce: float,
    n: int,
) -> tuple[str, str]:
    """Decide ``ok``/``no_running``/``no_rhythm``/``too_few_strides`` with a message.

    Without a stride rhythm, legs that barely move (``min_leg_travel_tl``) are
    not running, however short the clip; legs that move are not running only
    when they stay in view long enough for a rhythm to show
    (``min_rhythm_strides`` strides at ``min_cadence_spm``): a runner who
    crosses the view in under two seconds has too few strides, not no running.
    Moving legs without a rhythm whose hips bounce as in running
    (``min_bounce_tl``) give ``no_rhythm``: no cadence, and no claim of walking.
    A clear flight phase (duty factor at most ``slow_motion_max_duty``) at a
    cadence below the running range is ``slow_motion``.
    """
    seen = float(checks.get("legs_in_view_s", 0.0))
    travel = float(checks.get("leg_travel_tl", 0.0))
    if not rhythm:
        need = cfg.min_rhythm_strides * 120.0 / cfg.min_cadence_spm
        if seen >= cfg.min_still_s and travel < cfg.min_leg_travel_tl:
            return "no_running", (
                f"no running detected: the legs barely move (they move apart by "
                f"{travel:.2f} torso lengths; running moves them by more than "
                f"{cfg.min_leg_travel_tl:.2f})"
            )
        if seen >= need and np.isfinite(bounce) and bounce >= cfg.min_bounce_tl:
            # the body rises and falls as in running: no rhythm to read is no proof of
            # walking (through the pose model from behind the feet's heights are weak)
            return "no_rhythm", (
                f"no regular stride rhythm to read a cadence from (periodicity "
                f"{quality:.2f}, need {cfg.min_periodicity:.2f}), though the hips bounce "
                f"{bounce:.2f} torso lengths per step as in running; a side view shows "
                f"the stride best"
            )
        if seen >= need:
            return "no_running", (
                f"no running detected: the legs show no regular stride rhythm "
                f"(periodicity {quality:.2f}, need {cfg.min_periodicity:.2f})"
            )
        return "too_few_strides", (
            f"the legs are in view for {seen:.1f} s, too short to find a stride rhythm "
            f"(need {need:.1f} s)"
        )
    # a measured duty factor (side, rear views) separates walking from running better
    # than cadence, so slow running with a flight phase is accepted down to a lower
    # cadence; where no duty factor is read, a clear bounce of the hips shows the flight
    flight = np.isfinite(duty) or (np.isfinite(bounce) and bounce >= cfg.min_bounce_tl)
    low = cfg.min_cadence_with_flight_spm if flight else cfg.min_cadence_spm
    if (
        np.isfinite(cadence)
        and cadence < low
        and np.isfinite(duty)
        and duty <= cfg.slow_motion_max_duty
    ):
        # a clear flight phase at a cadence nobody runs: the clip plays slower than filmed
        return "slow_motion", (
            f"the clip looks like slow motion: the feet leave the ground between steps "
            f"(each is down {100 * duty:.0f}% of the stride, a flight phase) at {cadence:.0f} "
            f"steps/min of video time, slower than anyone runs ({low:.0f})"
        )
    if np.isfinite(cadence) and not low <= cadence <= cfg.max_cadence_spm:
        bounce_note = (
            f"; the hips bounce {bounce:.2f} torso lengths per step, below the "
            f"{cfg.min_bounce_tl:.2f} that shows a flight phase"
            if not flight
            and np.isfinite(bounce)
            and cfg.min_cadence_with_flight_spm <= cadence < cfg.min_cadence_spm
            else ""
        )
        return "no_running", (
            f"no running detected: cadence {cadence:.0f} steps/min is outside the running "
            f"range {low:.0f}-{cfg.max_cadence_spm:.0f}{bounce_note}"
        )
    if np.isfinite(duty) and duty > cfg.max_duty_factor:
        return "no_running", (
            f"no running detected: each foot is on the ground {100 * duty:.0f}% of the stride "
            f"(walking; running is below {100 * cfg.max_duty_factor:.0f}%)"
        )
    if n < cfg.min_strides:
        noun = "stride" if n == 1 else "strides"
        return "too_few_strides", (
            f"found {n} complete {noun} of either foot, need {cfg.min_strides}"
        )
    return "ok", ""


__all__ = [
    "StrideResult",
    "analyze_strides",
    "detect_events",
    "duty_factor",
    "foot_signals",
    "real_time_track",
    "stride_period",
]
