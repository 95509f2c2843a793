"""Foot strikes and toe-offs from the contacts, and the stride windows they bound."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import StrideConfig
from armcarriage.strides.contacts import _contacts, _views, foot_signals
from armcarriage.strides.gait import (
    LOOSE_STRIDE_RANGE,
    ROBUST_RANGE,
    SPM_PER_STRIDE_HZ,
    STRIDE_RANGE,
)
from armcarriage.strides.impact import impact_moved
from armcarriage.strides.landing import heel_landings, landing_applies
from armcarriage.strides.result import EVENT_COLUMNS
from armcarriage.strides.rhythm import _extremes, legs_rhythm
from armcarriage.strides.timebase import legs_signal, slow_motion_signs
from armcarriage.track import PoseTrack
from armcarriage.view import facing_sign


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
    lo, hi = SPM_PER_STRIDE_HZ / cfg.max_cadence_spm * cfg.period_search_margin, cfg.max_stride_s
    info: dict[str, Any] = {"method": "foot clearance (image height of heel and toe)"}
    window = cfg.ground_window_s
    legs = legs_signal(track, label, cfg)
    seen = np.isfinite(legs)
    info["legs_in_view_s"] = round(float(t[seen][-1] - t[seen][0]), 3) if seen.sum() > 1 else 0.0
    info["leg_travel_tl"] = (
        round(float(np.diff(np.percentile(legs[seen], ROBUST_RANGE))[0]), 3) if seen.any() else 0.0
    )
    period, quality, rhythm = legs_rhythm(track, label, legs, (fs, lo, hi), cfg.min_periodicity)
    info.update(rhythm)
    info.update(slow_motion_signs(legs, t, cfg))
    if not side and np.isfinite(period):
        # without floors, the ground level moves with the runner's distance: 1.5 strides
        window = min(cfg.moving_ground_strides * period, cfg.ground_window_s)
    sig = foot_signals(track, label, cfg, period, window, info)
    land = landing_applies(track, label, sig, period, cfg, info)
    rows: list[tuple[str, str, float]] = []
    zeni_offsets: list[float] = []
    window_rows: list[tuple[str, str, float]] = []  # the strikes that time the strides
    min_frames = max(2, int(round(cfg.min_contact_s * fs)))
    touch = _touch(label, cfg)
    zeni_only: set[str] = set()  # feet whose strikes are Zeni's alone
    if np.isfinite(period):
        for foot, s in sig.items():
            strikes, offs = _contacts(
                s["clearance"],
                t,
                cfg.contact_height_tl,
                min_gap=max(min_frames, int(cfg.min_contact_gap_stride * period * fs)),
                min_run=max(min_frames, int(cfg.min_contact_stride * period * fs)),
                level=cfg.event_height_tl,
                points=[s["heel"], s["toe"]],
                touch=touch,
                lone=_lone_samples(period, fs, cfg),
            )
            if side:
                found = strikes.size
                strikes, offs, own, window_strikes = _zeni(
                    s, strikes, offs, t, fs, period, cfg, info
                )
                zeni_offsets += own
                if found < 2 <= strikes.size:
                    zeni_only.add(foot)
                window_rows += [(foot, "strike", float(x)) for x in window_strikes]
            if land:
                strikes = heel_landings(track, foot, strikes, period, cfg)
            rows += [(foot, "strike", float(x)) for x in strikes]
            rows += [(foot, "toe_off", float(x)) for x in offs]
            window_rows += [(foot, "toe_off", float(x)) for x in offs]
            if not side:
                window_rows += [(foot, "strike", float(x)) for x in strikes]
    rows, window_rows = impact_moved(track, label, (rows, window_rows), period, cfg, info)
    if zeni_offsets and zeni_only:
        # Zeni's strike (the heel farthest forward) leads the contact: where one foot
        # has only Zeni's, move them by the lead the other foot's contacts measured
        lead = float(np.median(zeni_offsets))
        rows = _moved(rows, zeni_only, lead)
        window_rows = _moved(window_rows, zeni_only, lead)
    if zeni_offsets:
        info["zeni_strike_offset_frames"] = round(float(np.median(zeni_offsets)) * fs, 2)
        info["zeni_agreement"] = round(float(np.mean(np.abs(zeni_offsets) * fs <= 2.0)), 3)
    events = _with_frames(pd.DataFrame(rows, columns=["foot", "kind", "time"]), track)
    info["_windows"] = pd.DataFrame(window_rows, columns=["foot", "kind", "time"])
    return events, period, quality, info


def _touch(label: str, cfg: StrideConfig) -> tuple[float, float] | None:
    """Return the touchdown rule's (height, longest carry) in the views it applies to."""
    if label not in _views(cfg.touchdown_views):
        return None
    return cfg.touchdown_height_tl, cfg.touchdown_max_s


def _lone_samples(period: float, fs: float, cfg: StrideConfig) -> tuple[float, float] | None:
    """Return ``lone_contact_stride`` in samples and the height of a foot down.

    None unless the stride is a runner's.

    A short contact counts as a landing by the stride's rhythm
    (:func:`armcarriage.strides.contacts._contact_runs`), so only with a stride a runner can
    make: a faster one is a harmonic of the stride or a glitch of the legs.
    """
    if not np.isfinite(period) or period < SPM_PER_STRIDE_HZ / cfg.max_cadence_spm:
        return None
    return cfg.lone_contact_stride * period * fs, cfg.touchdown_height_tl


def _zeni(
    s: dict[str, np.ndarray],
    strikes: np.ndarray,
    offs: np.ndarray,
    t: np.ndarray,
    fs: float,
    period: float,
    cfg: StrideConfig,
    info: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray, list[float], np.ndarray]:
    """Cross-check one foot's clearance events with Zeni's in a side view.

    Returns the strikes and toe-offs (Zeni's where the clearance finds too few, with no
    offsets then), Zeni's offsets from the clearance strikes, and the strikes that time the
    stride windows.
    """
    zs = _extremes(s["heel_fwd"], t, fs, period, maxima=True)
    zo = _extremes(s["toe_fwd"], t, fs, period, maxima=False)
    if strikes.size < 2 <= zs.size:
        info["method"] = "zeni (pelvis-relative heel and toe), clearance failed"
        return zs, zo, [], zs
    own: list[float] = []
    for x in strikes:
        if zs.size:
            near = zs[np.argmin(np.abs(zs - x))]
            if abs(near - x) < cfg.zeni_match_stride * period:
                own.append(float(near - x))
    window_strikes = strikes
    if cfg.side_strike_timing == "steadier" and len(own) >= cfg.min_strides and zs.size >= 2:
        # stride windows: the clearance's strikes or Zeni's (on the clearance's
        # definition of contact), whichever keeps the steadier rhythm
        window_strikes = steadier_strikes(strikes, zs - float(np.median(own)), period)
        info["stride_windows"] = (
            "the foot clearance's or Zeni's strikes (offset to the clearance), whichever is "
            "the steadier"
        )
    return strikes, offs, own, window_strikes


def _moved(
    rows: list[tuple[str, str, float]], feet: set[str], lead: float
) -> list[tuple[str, str, float]]:
    """Return the rows with the strikes of ``feet`` moved by ``-lead`` seconds."""
    return [(f, k, x - lead if f in feet and k == "strike" else x) for f, k, x in rows]


def _with_frames(events: pd.DataFrame, track: PoseTrack) -> pd.DataFrame:
    """Return the events with the nearest frame of each, sorted by time."""
    t = track.time
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
    return events.sort_values(["time", "foot"], ignore_index=True)[EVENT_COLUMNS]


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
        steps = steps[
            (steps > LOOSE_STRIDE_RANGE[0] * period) & (steps < LOOSE_STRIDE_RANGE[1] * period)
        ]
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
        if np.isfinite(period) and not STRIDE_RANGE[0] * period <= dur <= STRIDE_RANGE[1] * period:
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
                SPM_PER_STRIDE_HZ / dur,
                contact,
                flight,
            )
        )
    return pd.DataFrame(rows, columns=cols)
