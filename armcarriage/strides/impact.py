"""Foot strikes from the hips' impact: where the ground starts to carry the body.

In flight the hips fall with gravity; once a foot is down the ground's push soon exceeds
the body's weight and the hips' vertical acceleration turns from downward to upward. The
turn cannot come before the contact: on exact landmarks it comes 0.3-2 frames after it
(30 fps). From behind, the pose model's hips are its steadiest points, while its lower
legs' image heights reach the ground 1-5 frames late, so that its strikes trail the
turns. In ``impact_views``, a clip whose strikes trail the hips' turns at the median
has each strike moved to the nearest turn around it, less the push's rise after
touchdown (``impact_lag_s``); strikes that lead the turns, as a contact must, keep their
times, and so does a strike with no turn nearby.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import StrideConfig
from armcarriage.strides.cadence import duty_factor
from armcarriage.strides.contacts import _views
from armcarriage.track import PoseTrack

Rows = list[tuple[str, str, float]]


def hips_turns(track: PoseTrack) -> np.ndarray:
    """Return the times (s) where the hips' vertical image acceleration turns upward.

    The hips' midpoint's image height, read by :func:`upward_turns`.
    """
    y = 0.5 * (track.xy("left_hip")[:, 1] + track.xy("right_hip")[:, 1])
    return upward_turns(y, track.time)


def upward_turns(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Return the times (s) where the acceleration of ``y`` (larger downwards) turns upward.

    ``y`` differenced twice; a turn is a crossing from downward (positive) to upward,
    timed by linear interpolation between the frames.
    """
    if y.size < 3:
        return np.array([])
    acc = np.gradient(np.gradient(y))
    a, b = acc[:-1], acc[1:]
    with np.errstate(invalid="ignore"):
        turn = np.flatnonzero((a > 0) & (b <= 0))
    frac = a[turn] / (a[turn] - b[turn])
    return np.asarray(t[turn] + frac * (t[turn + 1] - t[turn]), dtype=float)


def impact_strikes(
    turns: np.ndarray, strikes: np.ndarray, period: float, cfg: StrideConfig
) -> np.ndarray:
    """Return strikes moved to the hips' impact.

    Parameters
    ----------
    turns
        Times (s) of the hips' turns (:func:`hips_turns`).
    strikes
        Strike times (s).
    period
        Stride period (s); the turn is looked for from ``cfg.impact_lookback_stride``
        of it before each strike to ``cfg.impact_ahead_stride`` after it.
    cfg
        Stride settings.

    Returns
    -------
    numpy.ndarray
        The strikes, each at the turn nearest to it less ``cfg.impact_lag_s``.

    """
    out = np.asarray(strikes, dtype=float).copy()
    for k, s in enumerate(out):
        near = turns[
            (turns >= s - cfg.impact_lookback_stride * period)
            & (turns <= s + cfg.impact_ahead_stride * period)
        ]
        if near.size:
            out[k] = near[np.argmin(np.abs(near - s))] - cfg.impact_lag_s
    return out


def strikes_trail(
    turns: np.ndarray, strikes: np.ndarray, period: float, cfg: StrideConfig
) -> float:
    """Return the median time (s) by which strikes trail their nearest hips' turn.

    Each strike's turn is the nearest within ``cfg.impact_lookback_stride`` of the
    stride either side; NaN when no strike has one.
    """
    gaps = []
    for s in strikes:
        near = turns[np.abs(turns - s) <= cfg.impact_lookback_stride * period]
        if near.size:
            gaps.append(s - near[np.argmin(np.abs(near - s))])
    return float(np.median(gaps)) if gaps else float("nan")


def impact_moved(
    track: PoseTrack,
    label: str,
    rows: tuple[Rows, Rows],
    period: float,
    cfg: StrideConfig,
    info: dict[str, Any],
) -> tuple[Rows, Rows]:
    """Return the event rows and the stride windows' rows, strikes moved to the impact.

    Only in ``cfg.impact_views``, where the feet show a flight phase (duty factor below
    ``cfg.max_duty_factor``: walking vaults over the stance leg, its hips do not fall free)
    and where the clip's strikes trail the hips' turns (:func:`strikes_trail` above 0);
    ``info`` receives the trail in frames
    (``impact_trail_frames``) and, when moved, ``strike_timing``.
    """
    if label not in _views(cfg.impact_views) or not np.isfinite(period):
        return rows
    duty = duty_factor(pd.DataFrame(rows[0], columns=["foot", "kind", "time"]), period)
    if not duty < cfg.max_duty_factor:  # no flight: the hips do not fall free between steps
        return rows
    turns = hips_turns(track)
    strikes = np.array([x for _, kind, x in rows[0] if kind == "strike"])
    trail = strikes_trail(turns, strikes, period, cfg)
    fs = 1.0 / float(np.median(np.diff(track.time))) if track.time.size > 1 else track.fps
    info["impact_trail_frames"] = round(trail * fs, 2) if np.isfinite(trail) else None
    if not trail > 0:
        return rows
    info["strike_timing"] = "the hips' impact (their acceleration turning upward)"
    moved = impact_strikes(turns, strikes, period, cfg)
    new = dict(zip(strikes.tolist(), moved.tolist(), strict=True))
    ev, win = ([(f, k, new.get(x, x) if k == "strike" else x) for f, k, x in r] for r in rows)
    return ev, win
