"""Foot signals and contacts: clearance above each stance's ground level."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from armcarriage.cleaning import runs
from armcarriage.config import StrideConfig
from armcarriage.metrics.geometry import forward_offset, image_forward, midpoint, torso_length
from armcarriage.strides.gait import (
    EDGE_FLOOR_APART,
    EXTREME_PROMINENCE,
    EXTREMES_APART,
    GROUND_PERCENTILE,
    MIN_PEAK_SAMPLES,
    MIN_SWING_SAMPLES,
    ROBUST_RANGE,
)
from armcarriage.strides.touchdown import touchdown_time
from armcarriage.track import PoseTrack
from armcarriage.view import facing_sign


def _contacts(
    clearance: np.ndarray,
    t: np.ndarray,
    threshold: float,
    min_gap: int,
    min_run: int,
    level: float | None = None,
    points: list[np.ndarray] | None = None,
    touch: tuple[float, float] | None = None,
    lone: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return strike and toe-off times of the contact runs of one foot.

    A contact run is where ``clearance`` is below ``threshold``. Gaps in contact
    shorter than ``min_gap`` samples are closed (jitter splitting one stance),
    then runs shorter than ``min_run`` samples dropped (a swinging foot brushing
    the threshold). The strike is timed where the clearance first falls below
    ``level`` above the run's own lowest clearance (linear interpolation), the
    toe-off where it last rises above it (capped at ``threshold``).
    A run under way at the first sample gives no strike (the foot was down before
    the clip; a point crossing its own level later in that run is no landing), one
    under way at the last sample no toe-off. With ``points`` (the clearances of the foot's
    points, heel and toe, whose minimum is ``clearance``), each point is timed
    against its own lowest clearance in the run, and the strike is the first
    point's landing, the toe-off the last point's lift: the heel lands before
    the toe comes down (or the toe first, on the forefoot), and the two points'
    floors differ by a few pixels, so timing their minimum against one floor
    would wait for the lower one. With ``touch``, each point's strike is its
    touchdown (:func:`armcarriage.strides.touchdown.touchdown_time`: the descent
    through the timing level carried on to the floor, no later than the first
    sample within ``touch[0]`` of it and ``touch[1]`` seconds after the crossing) rather
    than the crossing of the level. With ``lone`` (samples, height), a run shorter than
    ``min_run`` still counts when no other run of the foot has its middle within
    ``lone[0]`` samples of its own (:func:`_contact_runs`); its timing level then stands on
    the ground level (zero clearance) where the run stays above it.
    """
    level = threshold if level is None else min(level, threshold)
    ok = np.isfinite(clearance)
    on = ok & (clearance < threshold)
    for a, b in runs(~on):
        if b - a < min_gap and a > 0 and b < on.size and ok[a:b].all():
            on[a:b] = True
    strikes, offs = [], []
    for a, b, short in _contact_runs(on, clearance, min_run, lone):
        starts, ends = [], []
        for y in points or [clearance]:
            seg = y[a:b]
            if not np.isfinite(seg).any():
                continue
            # timing level above this stance's own floor (the ground drifts with distance);
            # a stance cut short need not reach its floor: the ground level is one then
            base = min(float(np.nanmin(seg)), 0.0) if short else float(np.nanmin(seg))
            lev = min(base + level, threshold)
            low = np.flatnonzero(seg <= lev) + a
            if not low.size:  # this point stays above the contact height: the other one lands
                continue
            first, last = low[0], low[-1]
            fin = np.isfinite(y)
            landed = _landing(t, y, (a, b), int(first), (lev, base), touch)
            if landed is not None:
                starts.append(landed)
            if last < y.size - 1 and fin[last + 1] and (last < b - 1 or b < y.size):
                ends.append(_cross(t, y, last, lev))
            elif last == b - 1 and b == y.size:
                ends.append(np.inf)  # under way at the last sample
        if starts and np.isfinite(min(starts)):
            strikes.append(min(starts))
        if ends and np.isfinite(max(ends)):
            offs.append(max(ends))
    return np.asarray(strikes, dtype=float), np.asarray(offs, dtype=float)


def _contact_runs(
    on: np.ndarray,
    clearance: np.ndarray,
    min_run: int,
    lone: tuple[float, float] | None,
) -> list[tuple[int, int, bool]]:
    """Return the contact runs of ``on`` that count, each as ``(start, stop, short)``.

    A run counts when it is ``min_run`` samples long, or short and lone.

    A run shorter than ``min_run`` is a swinging foot brushing the contact height, which
    comes half a stride from the foot's stances, or a stance the clip or the pose model
    cut short: a sprinter's 2-3 frames of contact at 30 fps of which the model kept one
    (the other foot passing draws the heel up), a landing in the clip's last frames. With
    ``lone = (apart, down)`` (``apart`` samples, a fraction of the stride between the
    two), a short run counts when the middle of every run already counted lies at least
    ``apart`` samples from its own; the deepest short runs are taken first. A short run
    cut by a clip end must also show the foot settled there (:func:`_settled`): its own
    lowest point is no floor, and a foot still falling in the clip's last frame is not
    seen to land.
    """
    spans = runs(on)
    kept = [(a, b) for a, b in spans if b - a >= min_run]
    if lone is None:
        return [(a, b, False) for a, b in kept]
    short = [(a, b) for a, b in spans if b - a < min_run]
    short.sort(key=lambda r: float(np.nanmin(clearance[r[0] : r[1]])))
    apart, down = lone
    for a, b in short:
        if a == 0 and not _settled(clearance, a, a + 1, down):
            continue
        if b == on.size and not _settled(clearance, b - 1, b - 2, down):
            continue
        if all(abs((a + b) - (c + d)) >= 2 * apart for c, d in kept):
            kept.append((a, b))
    return [(a, b, b - a < min_run) for a, b in sorted(kept)]


def _settled(y: np.ndarray, i: int, j: int, down: float) -> bool:
    """Return whether the point is settled on its ground at sample ``i``.

    Settled: within ``down`` of the ground level (zero clearance) and moved less than
    ``down`` from its neighbouring sample ``j``; a foot still falling (or already lifting)
    there is not.
    """
    if not 0 <= j < y.size or not np.isfinite(y[i]) or not np.isfinite(y[j]):
        return False
    return bool(y[i] <= down and abs(y[j] - y[i]) < down)


def _landing(
    t: np.ndarray,
    y: np.ndarray,
    run: tuple[int, int],
    first: int,
    levels: tuple[float, float],
    touch: tuple[float, float] | None,
) -> float | None:
    """Return one point's strike in the contact run ``[a, b)``, None when it is not seen.

    ``first`` is the run's first sample at or below the timing level ``lev``, ``levels``
    is ``(lev, floor)``: the level and the floor it stands on; ``-inf`` marks a run under
    way at the first sample. With ``touch`` (the height within which the point is down and
    the longest time from the crossing to the touchdown), the touchdown
    (:func:`armcarriage.strides.touchdown.touchdown_time`), else the crossing of ``lev``.
    """
    (a, b), (lev, floor) = run, levels
    if a == 0:
        return -np.inf  # under way at the first sample: the landing is not seen
    if touch is not None:
        height = lev - floor
        landed = touchdown_time(t, y, a, b, min(touch[0], height), height, touch[1], floor)
        return None if np.isnan(landed) else landed
    if np.isfinite(y[first - 1]):
        return _cross(t, y, first - 1, lev)
    return None


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
        return np.full(
            y.shape, np.nanpercentile(y, GROUND_PERCENTILE) if np.isfinite(y).any() else np.nan
        )
    g = (
        pd.Series(y)
        .rolling(n, center=True, min_periods=max(3, n // 4))
        .quantile(GROUND_PERCENTILE / 100)
    )
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
    if ok.sum() < MIN_PEAK_SAMPLES or not np.isfinite(period) or period <= 0:
        return _ground(y, t, window_s)
    filled = np.where(ok, y, np.nanmin(y))
    top = float(np.nanpercentile(y, ROBUST_RANGE[1]))
    amp = top - float(np.nanpercentile(y, ROBUST_RANGE[0]))
    k = max(3, edge_frames)
    found, _ = signal.find_peaks(
        filled,
        distance=max(1, int(EXTREMES_APART * period * fs)),
        prominence=EXTREME_PROMINENCE * amp,
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
            and seg.max() > top - EXTREME_PROMINENCE * amp
            and all(abs(p - int(i)) > EDGE_FLOOR_APART * period * fs for p in floors for i in edge)
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
    if tl.size < MIN_SWING_SAMPLES or float(np.median(tl)) <= 0:
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


def _views(names: str) -> tuple[str, ...]:
    """Return the comma-separated view labels of a setting as a tuple."""
    return tuple(v.strip() for v in names.split(",") if v.strip())
