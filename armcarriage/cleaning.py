"""Cleaning of a pose track before any metric is computed.

Steps, in order (each configurable in :class:`armcarriage.config.CleaningConfig`):

1. **Low-visibility masking**: landmarks with visibility below
   ``min_visibility`` become NaN; non-finite values (inf) become NaN. A wrist is
   judged by the quality of its position instead of the model's score
   (:func:`usable_wrists`): a hand crossing in front of the body scores low
   although the model places it well. **Collapsed
   poses**: a frame whose torso (shoulder centre to hip centre) is shorter than
   ``min_torso_ratio`` times, or longer than its inverse times, the median torso
   within +/- ``torso_window_s`` becomes NaN whole: now and then the pose model
   returns a pose squeezed into a fraction of the body, which is no measurement.
2. **Uniform time**: when the timestamps are uneven (variable frame rate,
   dropped frames) or ``resample_fps`` is set, every series is linearly
   interpolated onto a uniform grid, so that filtering and event timing work
   on true time. Grid points whose nearest source frame is missing stay NaN.
3. **Left/right swap repair**: the pose model sometimes exchanges the labels of
   the two arms or legs for a few frames (typically in side views). Per limb
   group (arm: elbow, wrist and hand points; leg: knee, ankle, heel, toe) each
   frame is labelled as given or swapped by the least-cost labelling of the
   whole clip (Viterbi): the limbs' deviation from their constant-velocity
   prediction (which keeps limbs that pass each other, arms and legs in a side
   view, from being swapped) plus ``swap_prior_tl`` per swapped frame. A frame
   where the model blended both limbs half way between them (far from its
   neighbours under either labelling) is left out of the decision: its velocity
   made the frames after it look swapped (:mod:`armcarriage.glitches`).
4. **Outlier rejection**: a Hampel-style filter turns spikes into NaN: a sample
   that strays more than ``hampel_sigmas`` robust standard deviations from the
   quadratic fitted through its neighbours within +/- ``hampel_window_s``
   (leave-one-out, so that true turning points of fast motion fit and a spike
   does not hide itself); a spike must also exceed ``hampel_min_tl`` torso
   lengths, so that the corners of genuine fast motion (a foot landing) are not
   taken for spikes.
5. **Gap filling**: runs of NaN no longer than ``max_gap_s`` with data on both
   sides are filled by linear interpolation; longer gaps stay NaN.
6. **Zero-lag low-pass filter**: 4th-order Butterworth run forwards and
   backwards (``scipy.signal.sosfiltfilt``) on each contiguous run of data.
   Trunk, head and legs use ``cutoff_hz`` (8 Hz by default: trunk motion has
   its content below about 6 Hz, foot events need the sharper lower-limb
   signals kept, and the pose model's frame-to-frame jitter lies above it);
   the elbow, wrist and hand points use ``arm_cutoff_hz`` (12 Hz), because the
   forearm's turn at each swing extreme is sharper still and an 8 Hz filter
   rounds the elbow angle's extremes by degrees. Both are capped at 0.8 x the
   Nyquist frequency.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from armcarriage.config import MAX_FRAMES, CleaningConfig
from armcarriage.errors import InputError
from armcarriage.glitches import _ARM, _torso_scale, mask_collapsed, repair_swaps
from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)


@dataclass
class CleanResult:
    """A cleaned track and what cleaning did to it.

    Attributes
    ----------
    track
        The cleaned track (uniform time when resampled).
    report
        Counts and settings: ``masked``, ``collapsed``, ``swaps``, ``outliers``, ``filled``,
        ``resampled``, ``fs_hz``, ``cutoff_hz``, ``arm_cutoff_hz``, ``filter``.

    """

    track: PoseTrack
    report: dict[str, Any] = field(default_factory=dict)


def clean(track: PoseTrack, config: CleaningConfig | None = None) -> CleanResult:
    """Clean a pose track (see the module docstring for the steps).

    Parameters
    ----------
    track
        The raw track.
    config
        Settings; defaults to :class:`CleaningConfig`.

    Returns
    -------
    CleanResult

    """
    cfg = config or CleaningConfig()
    ds = track.ds.copy(deep=True)
    pos = np.array(ds["position"].values, dtype=float)
    depth = np.array(ds["depth"].values, dtype=float)
    world = np.array(ds["world"].values, dtype=float)
    vis = np.array(ds["visibility"].values, dtype=float)
    t = track.time.copy()
    frames = np.asarray(ds["frame"].values, dtype=np.int64)
    report: dict[str, Any] = {}

    # 1. masking
    vis = np.where(np.isfinite(vis), vis, 0.0)
    low = vis < cfg.min_visibility
    if cfg.wrist_by_position:
        kept = usable_wrists(
            pos,
            vis,
            list(track.keypoints),
            cfg.min_visibility,
            cfg.wrist_forearm_ratio,
            cfg.wrist_jump_tl,
        )
        report["wrists_kept"] = int((kept & low).sum())
        low &= ~kept
    bad = low | ~np.isfinite(pos).all(axis=2)
    report["masked"] = int((low & np.isfinite(pos).all(axis=2)).sum())
    pos[bad] = np.nan
    depth[bad | ~np.isfinite(depth)] = np.nan
    world[bad | ~np.isfinite(world).all(axis=2)] = np.nan

    report["collapsed"] = mask_collapsed(
        pos, depth, world, t, list(track.keypoints), cfg.min_torso_ratio, cfg.torso_window_s
    )
    sil = None
    if "silhouette" in ds:  # read off a collapsed pose's mask, the numbers mean nothing
        sil = np.array(ds["silhouette"].values, dtype=float)
        sil[~np.isfinite(pos).any(axis=(1, 2))] = np.nan

    # 2. uniform time
    fs = sampling_rate(t, track.fps, cfg.resample_fps)
    report["fs_hz"] = fs
    report["resampled"] = False
    if t.size > 2 and (cfg.resample_fps > 0 or is_uneven(t)):
        n_grid = (t[-1] - t[0]) * fs + 1
        if n_grid > max(MAX_FRAMES, 2 * t.size):  # memory per clip stays bounded
            raise InputError(
                f"setting cleaning.resample_fps: expected at most {MAX_FRAMES} resampled "
                f"frames, got {n_grid:.0f} ({t[-1] - t[0]:.1f} s at {fs:g} frames/s)"
            )
        grid = np.arange(t[0], t[-1] + 0.5 / fs, 1.0 / fs)
        if sil is not None:  # the nearest source frame's numbers (they are not smoothed)
            near = np.clip(np.searchsorted(t, grid), 1, t.size - 1)
            near -= (grid - t[near - 1]) < (t[near] - grid)
            sil = sil[near]
        pos, depth, world, vis, frames = _resample(t, grid, pos, depth, world, vis, frames)
        t = grid
        report["resampled"] = True

    # 3. swaps
    report["swaps"] = repair_swaps(
        pos, depth, world, vis, list(track.keypoints), cfg.swap_prior_tl, cfg.swap_cap_tl
    )

    # 4.-6. per series
    win = max(1, round(cfg.hampel_window_s * fs))
    min_px = cfg.hampel_min_tl * _torso_scale(pos, list(track.keypoints))
    min_m = cfg.hampel_min_tl * _torso_scale(world, list(track.keypoints))
    gap = max(0, round(cfg.max_gap_s * fs))
    cutoff = min(cfg.cutoff_hz, 0.8 * fs / 2.0)
    arm_cutoff = min(cfg.arm_cutoff_hz, 0.8 * fs / 2.0)
    body = signal.butter(cfg.filter_order, cutoff, btype="low", fs=fs, output="sos")
    arm = signal.butter(cfg.filter_order, arm_cutoff, btype="low", fs=fs, output="sos")
    sos = [arm if _is_arm(k) else body for k in track.keypoints]
    counts = {"outliers": 0, "filled": 0}
    pos = _apply(pos, win, cfg.hampel_sigmas, min_px, gap, sos, counts)
    depth = _apply(depth[..., None], win, cfg.hampel_sigmas, min_px, gap, sos, None)[..., 0]
    world = _apply(world, win, cfg.hampel_sigmas, min_m, gap, sos, None)
    report.update(counts)
    report["cutoff_hz"] = float(cutoff)
    report["arm_cutoff_hz"] = float(arm_cutoff)
    report["filter"] = (
        f"{cfg.filter_order}th-order Butterworth low-pass, zero-lag (sosfiltfilt): "
        f"{cutoff:g} Hz for trunk, head and legs, {arm_cutoff:g} Hz for elbows, wrists "
        "and hands"
    )

    out = ds.isel(time=np.zeros(t.size, dtype=int)) if report["resampled"] else ds
    out = out.assign_coords(time=t, frame=("time", frames))
    out["position"] = (("time", "keypoint", "space"), pos)
    out["depth"] = (("time", "keypoint"), depth)
    out["world"] = (("time", "keypoint", "space3"), world)
    out["visibility"] = (("time", "keypoint"), np.clip(vis, 0.0, 1.0))
    if sil is not None:
        out["silhouette"] = (("time", "silhouette_feature"), sil)
    out.attrs["cleaning"] = report["filter"]
    return CleanResult(PoseTrack(out), report)


def sampling_rate(t: np.ndarray, fps: float, resample_fps: float = 0.0) -> float:
    """Return the analysis sampling rate: ``resample_fps``, else 1 / median frame interval."""
    if resample_fps > 0:
        return float(resample_fps)
    if t.size > 1:
        dt = float(np.median(np.diff(t)))
        if dt > 0:
            return 1.0 / dt
    return float(fps)


def is_uneven(t: np.ndarray, tolerance: float = 0.1) -> bool:
    """Return True when any frame interval differs from the median by more than ``tolerance``."""
    if t.size < 3:
        return False
    dt = np.diff(t)
    med = float(np.median(dt))
    return bool(np.any(np.abs(dt - med) > tolerance * med))


def _resample(
    t: np.ndarray,
    grid: np.ndarray,
    pos: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    vis: np.ndarray,
    frames: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Interpolate every series onto ``grid``; NaN where the nearest source frame is NaN."""
    nearest = np.clip(np.searchsorted(t, grid), 1, t.size - 1)
    nearest = np.where(grid - t[nearest - 1] < t[nearest] - grid, nearest - 1, nearest)

    def interp(arr: np.ndarray) -> np.ndarray:
        flat = arr.reshape(arr.shape[0], -1)
        out = np.full((grid.size, flat.shape[1]), np.nan)
        for j in range(flat.shape[1]):
            y = flat[:, j]
            ok = np.isfinite(y)
            if ok.sum() >= 2:
                out[:, j] = np.interp(grid, t[ok], y[ok])
        out[~np.isfinite(flat[nearest])] = np.nan
        return out.reshape((grid.size, *arr.shape[1:]))

    return (
        interp(pos),
        interp(depth),
        interp(world),
        np.nan_to_num(interp(vis)),
        frames[nearest],
    )


def usable_wrists(
    pos: np.ndarray,
    vis: np.ndarray,
    keypoints: list[str],
    min_visibility: float,
    forearm_ratio: float,
    jump_tl: float,
) -> np.ndarray:
    """Return, per frame and keypoint, where a wrist's position is usable whatever its score.

    The pose model scores a hand that passes in front of the body (from the front) or
    behind it (from behind) as barely visible, yet still places it close to the truth.
    A wrist counts as usable when its position is consistent with the arm:

    - its elbow is placed (visible, or at least present);
    - the forearm seen in the image (elbow to wrist) is at most ``forearm_ratio`` times
      the clip's forearm length (its 90th percentile over the frames where both points
      are visible; 0.55 torso lengths without such frames): foreshortening only makes
      a forearm shorter, a wrist placed on the other limb or the background makes it
      longer;
    - it moves continuously: it lies within ``jump_tl`` torso lengths of the midpoint of
      its neighbours in the previous and next frame (of its one neighbour at the ends).

    Parameters
    ----------
    pos
        Positions (T, K, 2), px.
    vis
        Visibility scores (T, K).
    keypoints
        Keypoint names.
    min_visibility
        Score from which a landmark is visible anyway.
    forearm_ratio, jump_tl
        The two bounds above (``CleaningConfig.wrist_forearm_ratio``, ``wrist_jump_tl``).

    Returns
    -------
    numpy.ndarray
        Boolean (T, K); True only at wrists that pass every test.

    """
    out = np.zeros(vis.shape, dtype=bool)
    tl = _torso_scale(pos, keypoints)
    if tl <= 0 or pos.shape[0] < 3:
        return out
    for side in ("left", "right"):
        if f"{side}_wrist" not in keypoints or f"{side}_elbow" not in keypoints:
            continue
        w, e = keypoints.index(f"{side}_wrist"), keypoints.index(f"{side}_elbow")
        pw, pe = pos[:, w], pos[:, e]
        placed = np.isfinite(pw).all(axis=1) & np.isfinite(pe).all(axis=1)
        fore = np.linalg.norm(pw - pe, axis=1)
        seen = placed & (vis[:, w] >= min_visibility) & (vis[:, e] >= min_visibility)
        ref = float(np.percentile(fore[seen], 90)) if seen.sum() >= 10 else 0.55 * tl
        mid = np.full_like(pw, np.nan)
        mid[1:-1] = 0.5 * (pw[:-2] + pw[2:])
        mid[0], mid[-1] = pw[1], pw[-2]  # the ends: their one neighbour
        with np.errstate(invalid="ignore"):
            jump = np.linalg.norm(pw - mid, axis=1)
            ok = placed & (fore <= forearm_ratio * ref) & (jump <= jump_tl * tl)
        out[:, w] = ok
    return out


def hampel(y: np.ndarray, half_window: int, sigmas: float, min_dev: float = 0.0) -> np.ndarray:
    """Return a boolean mask of outliers in ``y`` (NaN-aware), Hampel-style.

    Each sample is compared with its prediction from the other samples of its
    window (``2 * half_window + 1`` samples): a quadratic least-squares fit
    that leaves the sample out (:func:`local_trend`). A sample is an outlier
    when its deviation from the prediction exceeds ``sigmas`` robust standard
    deviations (1.4826 x the running median of the absolute deviations) and
    ``min_dev``. The classic Hampel filter compares with the running median
    instead, which cuts the turning points of fast smooth motion: at 30 frames/s
    the median of seven samples around a wrist's swing extreme lies several
    centimetres inside it, and the true extreme was rejected as a spike. The
    first and last ``half_window`` samples of each finite run are not tested
    (a one-sided fit extrapolates too far to judge them).
    """
    trend = local_trend(y, half_window, edges=False)
    s = pd.Series(y - trend)
    w = 2 * half_window + 1
    dev = s.abs()
    sigma = 1.4826 * dev.rolling(w, center=True, min_periods=3).median()
    finite = np.abs(y[np.isfinite(y)])
    floor = 1e-9 * (float(finite.max()) + 1.0) if finite.size else 0.0  # rounding, not motion
    out = (dev > sigmas * sigma) & (dev > max(min_dev, floor)) & (sigma > 0)
    return np.asarray(out.fillna(False), dtype=bool)


def local_trend(y: np.ndarray, half_window: int, degree: int = 2, edges: bool = True) -> np.ndarray:
    """Predict each sample from its neighbours by a leave-one-out polynomial fit.

    Within each finite run of ``y`` at least ``2 * half_window + 1`` long, the
    sample at position ``p`` of a window is predicted by the least-squares
    polynomial of ``degree`` through the window's other samples; interior
    samples use the window centred on them, the first and last ``half_window``
    samples of a run the run's first or last window (or NaN when ``edges`` is
    False). Samples in shorter runs (and NaN samples) get NaN.

    Parameters
    ----------
    y
        The series, NaN where missing.
    half_window
        Samples on each side of the predicted one.
    degree
        Polynomial degree (lowered to what the window supports).
    edges
        Predict the first and last ``half_window`` samples of each run by
        extrapolating its end windows; when False they get NaN.

    Returns
    -------
    numpy.ndarray
        The predictions, same shape as ``y``.

    """
    y = np.asarray(y, dtype=float)
    out = np.full(y.shape, np.nan)
    h = max(1, int(half_window))
    w = 2 * h + 1
    deg = max(0, min(degree, w - 3))
    x = np.arange(w, dtype=float) - h
    weights = np.zeros((w, w))  # row p: weights over the window predicting position p
    for p in range(w):
        keep = np.arange(w) != p
        vander = np.vander(x[keep], deg + 1)
        weights[p, keep] = np.vander(x[p : p + 1], deg + 1) @ np.linalg.pinv(vander)
    for start, stop in runs(np.isfinite(y)):
        seg = y[start:stop]
        if seg.size < w:
            continue
        win = np.lib.stride_tricks.sliding_window_view(seg, w)
        pred = np.empty(seg.size)
        pred[h : seg.size - h] = win @ weights[h]
        if edges:
            pred[:h] = weights[:h] @ win[0]
            pred[seg.size - h :] = weights[h + 1 :] @ win[-1]
        else:
            pred[:h] = pred[seg.size - h :] = np.nan
        out[start:stop] = pred
    return out


def fill_gaps(y: np.ndarray, max_gap: int) -> tuple[np.ndarray, int]:
    """Linearly fill interior NaN runs of at most ``max_gap`` samples.

    Returns
    -------
    tuple
        The filled series and the number of filled samples.

    """
    nan = ~np.isfinite(y)
    if max_gap <= 0 or not nan.any() or nan.all():
        return y, 0
    idx = np.arange(y.size)
    ok = ~nan
    filled = np.interp(idx, idx[ok], y[ok])
    out = y.copy()
    n = 0
    for start, stop in runs(nan):
        if start > 0 and stop < y.size and stop - start <= max_gap:
            out[start:stop] = filled[start:stop]
            n += stop - start
    return out, n


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Return ``(start, stop)`` index pairs of the True runs in a boolean array."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def lowpass(y: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Zero-lag filter each finite run of ``y``; runs too short to filter stay raw."""
    out = y.copy()
    for start, stop in runs(np.isfinite(y)):
        seg = y[start:stop]
        if seg.size < 3 * (2 * sos.shape[0] + 1) // 2 + 1:
            continue
        padlen = min(3 * (2 * sos.shape[0] + 1), seg.size - 1)
        out[start:stop] = signal.sosfiltfilt(sos, seg, padlen=padlen)
    return out


def _is_arm(keypoint: str) -> bool:
    """Return True for the landmarks filtered with the arm cut-off (elbow and below)."""
    return keypoint.split("_", 1)[-1] in _ARM


def _apply(
    arr: np.ndarray,
    win: int,
    sigmas: float,
    min_dev: float,
    gap: int,
    sos: list[np.ndarray],
    counts: dict[str, int] | None,
) -> np.ndarray:
    """Run Hampel, gap filling and the low-pass filter on every series of ``arr`` (T, K, D).

    ``sos[k]`` is the low-pass filter of keypoint ``k``.
    """
    out = arr.copy()
    for k in range(arr.shape[1]):
        for d in range(arr.shape[2]):
            y = out[:, k, d]
            if not np.isfinite(y).any():
                continue
            if sigmas > 0:
                bad = hampel(y, win, sigmas, min_dev)
                y = np.where(bad, np.nan, y)
                if counts is not None:
                    counts["outliers"] += int(bad.sum())
            y, nfill = fill_gaps(y, gap)
            if counts is not None:
                counts["filled"] += nfill
            out[:, k, d] = lowpass(y, sos[k])
    return out


__all__ = [
    "CleanResult",
    "clean",
    "fill_gaps",
    "hampel",
    "is_uneven",
    "local_trend",
    "lowpass",
    "repair_swaps",
    "usable_wrists",
]
