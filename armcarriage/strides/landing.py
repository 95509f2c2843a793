"""Foot strikes from the end of the heel's fall in the image (views from behind).

Seen from behind, a planted foot keeps moving down the image through the stance: it
comes towards the camera (a treadmill's belt carries it back, a following camera closes
on it). The world landmarks read it perspective-free only where the pose model's drop of
the foot below the hips shortens as the leg compresses under the sinking hips; a model
that keeps the leg's length from behind (:func:`leg_give`) lets the foot's height sink
with the hips through the stance. The lowest point of a stance, which the foot
clearance times its strike against, then comes late in the stance and the strike with
it. The landing shows instead where the heel's fall stops: in the swing's last frames
the heel falls several times faster than the stance drifts, and at contact its downward
image velocity collapses. The strike is moved back to where that velocity falls below a
fraction of the fall's peak speed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from armcarriage.cleaning import runs
from armcarriage.config import StrideConfig
from armcarriage.metrics.geometry import midpoint
from armcarriage.strides.contacts import _views, _world_drop, clip_torso_length
from armcarriage.track import PoseTrack


def fall_ends(y: np.ndarray, strike: int, first: int, fraction: float) -> tuple[list[float], float]:
    """Return the (fractional) samples where a foot point's fall ends, and the end's speed.

    ``y`` is the point's image height (down). The fall is the fastest downward step
    between consecutive samples from ``first`` to ``strike``; it ends wherever the
    downward velocity (each step's, placed at the step's middle) drops below
    ``fraction`` of that peak after it, interpolated linearly; up to the step after
    ``strike``. The speed is that velocity level (``y`` per sample). No ends without a
    fall or across a missing sample.
    """
    v = np.diff(y)
    steps = np.arange(max(first, 0), min(strike, v.size))
    if not steps.size or not np.isfinite(v[steps]).any():
        return [], np.nan
    peak_at = int(steps[np.nanargmax(v[steps])])
    level = fraction * float(v[peak_at])
    if not level > 0:
        return [], np.nan
    ends = []
    for i in range(peak_at + 1, min(strike + 2, v.size)):
        if not (np.isfinite(v[i]) and np.isfinite(v[i - 1])):
            return [], np.nan
        if v[i] < level <= v[i - 1]:
            ends.append(i - 0.5 + (v[i - 1] - level) / (v[i - 1] - v[i]))
    return ends, level


def landing_strikes(
    y: np.ndarray,
    t: np.ndarray,
    strikes: np.ndarray,
    lookback_s: float,
    fraction: float,
    height: float,
) -> np.ndarray:
    """Return the strikes moved back to the heel's landing.

    The landing is the first end of the heel's fall (:func:`fall_ends`, over the
    ``lookback_s`` before the strike) after which the heel does not fall on as fast
    again and sink more than ``height`` (image units of ``y``) by the clearance's
    strike: a heel the pose model holds up in the air for a frame falls on after a
    false end, while a planted heel only drifts slowly (or jitters in place). A strike
    is only ever moved earlier; without a landing it is kept, except a strike near the
    clip's start whose heel never was ``height`` above it: that foot was down from the
    first sample, and its strike is dropped (a contact under way at the start has none).
    """
    out = []
    idx = np.arange(t.size)
    for s in np.asarray(strikes, dtype=float):
        j0 = int(np.searchsorted(t, s))
        at = float(np.interp(s, t, y))
        if s - lookback_s < t[0] and not np.nanmin(y[: j0 + 1]) < at - height:
            continue
        first = int(np.searchsorted(t, s - lookback_s))
        ends, level = fall_ends(y, j0, first, fraction)
        for end in ends:
            after = np.diff(y)[int(np.ceil(end)) : j0]
            falls_on = bool(after.size) and bool(np.nanmax(after) >= level)
            if not falls_on or at - float(np.interp(end, idx, y)) < height:
                s = min(s, float(np.interp(end, idx, t)))
                break
        out.append(s)
    return np.asarray(out, dtype=float)


def leg_give(
    track: PoseTrack, clearance: dict[str, np.ndarray], contact: float
) -> tuple[float, int]:
    """Return how much of the hips' sinking in stance the world legs absorb, and the runs.

    In a stance the foot stays on the ground while the hips sink, so a foot's drop below
    the hips (world landmarks) shortens by as much as the hips' image height grows: the
    slope of the drop on the hips' height over the contacts (``clearance`` below
    ``contact``, runs of at least three frames, each about its own mean) is -1, and the
    give returned is minus that slope. A pose model that keeps the leg's length from
    behind gives about 0: the world heights then sink with the hips through the stance.
    NaN with fewer than two runs or no world landmarks.
    """
    drop = _world_drop(track)
    tl = clip_torso_length(track)
    if drop is None or not tl > 0:
        return float("nan"), 0
    hip = midpoint(track.xy("left_hip"), track.xy("right_hip"))[:, 1] / tl
    xs, ys = [], []
    for foot, clear in clearance.items():
        d = drop(f"{foot}_heel")
        with np.errstate(invalid="ignore"):
            on = clear < contact
        for a, b in runs(on):
            ok = np.isfinite(hip[a:b]) & np.isfinite(d[a:b])
            if b - a >= 3 and ok.sum() >= 3:
                xs.append(hip[a:b][ok] - hip[a:b][ok].mean())
                ys.append(d[a:b][ok] - d[a:b][ok].mean())
    x = np.concatenate(xs) if xs else np.array([])
    if len(xs) < 2 or not float(x @ x) > 0:
        return float("nan"), len(xs)
    return float(-(x @ np.concatenate(ys)) / (x @ x)), len(xs)


def landing_applies(
    track: PoseTrack,
    label: str,
    sig: dict[str, dict[str, np.ndarray]],
    period: float,
    cfg: StrideConfig,
    info: dict[str, Any],
) -> bool:
    """Return whether the strikes are to be moved to the heel's landing.

    Only in ``cfg.landing_views``, and only where the world legs absorb less than
    ``cfg.landing_max_leg_give`` of the hips' sinking (:func:`leg_give`, from the
    feet's clearances in ``sig``): there the heights the clearance reads sink through
    the stance and time its strikes late. ``info["leg_give"]`` receives the give.
    """
    if label not in _views(cfg.landing_views) or not np.isfinite(period):
        return False
    give, _ = leg_give(track, {f: s["clearance"] for f, s in sig.items()}, cfg.contact_height_tl)
    info["leg_give"] = round(give, 3) if np.isfinite(give) else None
    if not give < cfg.landing_max_leg_give:
        return False
    info["strike_timing"] = "heel landing in the image (the world legs keep their length)"
    return True


def heel_landings(
    track: PoseTrack, foot: str, strikes: np.ndarray, period: float, cfg: StrideConfig
) -> np.ndarray:
    """Return one foot's strikes moved to the heel's landing (:func:`landing_strikes`).

    The heel's image height (the ankle's where the heel is missing) is read; the
    landing height is ``cfg.contact_height_tl``.
    """
    tl = clip_torso_length(track)
    if not tl > 0:
        return strikes
    heel = track.xy(f"{foot}_heel")[:, 1]
    y = np.where(np.isfinite(heel), heel, track.xy(f"{foot}_ankle")[:, 1])
    return landing_strikes(
        y,
        track.time,
        strikes,
        cfg.landing_lookback_stride * period,
        cfg.landing_velocity_fraction,
        cfg.contact_height_tl * tl,
    )
