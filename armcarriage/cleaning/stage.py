"""The cleaning stage: masking, uniform time, swap repair, outliers, gaps and filtering in turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import signal

from armcarriage.cleaning.filters import fill_gaps, hampel, lowpass
from armcarriage.cleaning.masks import _torso_scale, mask_collapsed, usable_wrists
from armcarriage.cleaning.swaps import _ARM, repair_swaps
from armcarriage.cleaning.timing import _resample, is_uneven, sampling_rate
from armcarriage.config import MAX_FRAMES, CleaningConfig
from armcarriage.errors import InputError
from armcarriage.track import PoseTrack

NYQUIST_SHARE = 0.8
"""The low-pass cut-offs are capped at this share of the Nyquist frequency (a Butterworth
filter designed at the Nyquist frequency itself is unstable)."""


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
    s = _Series(
        pos=np.array(ds["position"].values, dtype=float),
        depth=np.array(ds["depth"].values, dtype=float),
        world=np.array(ds["world"].values, dtype=float),
        vis=np.array(ds["visibility"].values, dtype=float),
        t=track.time.copy(),
        frames=np.asarray(ds["frame"].values, dtype=np.int64),
    )
    keypoints = list(track.keypoints)
    report: dict[str, Any] = {}
    _mask(s, ds, keypoints, cfg, report)  # 1. masking
    fs = _uniform_time(s, track.fps, cfg, report)  # 2. uniform time
    legs = (
        cfg.swap_couple_tl,
        cfg.swap_lateral_tl,
        cfg.swap_min_hip_sep_tl,
        cfg.swap_knee_side_share,
    )
    report["swaps"] = repair_swaps(  # 3. swaps
        s.pos, s.depth, s.world, s.vis, keypoints, cfg.swap_prior_tl, cfg.swap_cap_tl, legs
    )
    _smooth(s, keypoints, fs, cfg, report)  # 4.-6. per series

    out = ds.isel(time=np.zeros(s.t.size, dtype=int)) if report["resampled"] else ds
    out = out.assign_coords(time=s.t, frame=("time", s.frames))
    out["position"] = (("time", "keypoint", "space"), s.pos)
    out["depth"] = (("time", "keypoint"), s.depth)
    out["world"] = (("time", "keypoint", "space3"), s.world)
    out["visibility"] = (("time", "keypoint"), np.clip(s.vis, 0.0, 1.0))
    if s.sil is not None:
        out["silhouette"] = (("time", "silhouette_feature"), s.sil)
    out.attrs["cleaning"] = report["filter"]
    return CleanResult(PoseTrack(out), report)


@dataclass
class _Series:
    """The arrays of a track as cleaning changes them (time first)."""

    pos: np.ndarray
    depth: np.ndarray
    world: np.ndarray
    vis: np.ndarray
    t: np.ndarray
    frames: np.ndarray
    sil: np.ndarray | None = None


def _mask(
    s: _Series, ds: Any, keypoints: list[str], cfg: CleaningConfig, report: dict[str, Any]
) -> None:
    """Mask (step 1) low-visibility and non-finite landmarks, then collapsed poses."""
    s.vis = np.where(np.isfinite(s.vis), s.vis, 0.0)
    low = s.vis < cfg.min_visibility
    if cfg.wrist_by_position:
        kept = usable_wrists(
            s.pos,
            s.vis,
            keypoints,
            cfg.min_visibility,
            cfg.wrist_forearm_ratio,
            cfg.wrist_jump_tl,
        )
        report["wrists_kept"] = int((kept & low).sum())
        low &= ~kept
    bad = low | ~np.isfinite(s.pos).all(axis=2)
    report["masked"] = int((low & np.isfinite(s.pos).all(axis=2)).sum())
    s.pos[bad] = np.nan
    s.depth[bad | ~np.isfinite(s.depth)] = np.nan
    s.world[bad | ~np.isfinite(s.world).all(axis=2)] = np.nan

    report["collapsed"] = mask_collapsed(
        s.pos, s.depth, s.world, s.t, keypoints, cfg.min_torso_ratio, cfg.torso_window_s
    )
    if "silhouette" in ds:  # read off a collapsed pose's mask, the numbers mean nothing
        s.sil = np.array(ds["silhouette"].values, dtype=float)
        s.sil[~np.isfinite(s.pos).any(axis=(1, 2))] = np.nan


def _uniform_time(s: _Series, fps: float, cfg: CleaningConfig, report: dict[str, Any]) -> float:
    """Resample (step 2) onto a uniform grid when the times are uneven; return the rate."""
    t = s.t
    fs = sampling_rate(t, fps, cfg.resample_fps)
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
        if s.sil is not None:  # the nearest source frame's numbers (they are not smoothed)
            near = np.clip(np.searchsorted(t, grid), 1, t.size - 1)
            near -= (grid - t[near - 1]) < (t[near] - grid)
            s.sil = s.sil[near]
        s.pos, s.depth, s.world, s.vis, s.frames = _resample(
            t, grid, s.pos, s.depth, s.world, s.vis, s.frames
        )
        s.t = grid
        report["resampled"] = True
    return fs


def _smooth(
    s: _Series, keypoints: list[str], fs: float, cfg: CleaningConfig, report: dict[str, Any]
) -> None:
    """Run steps 4-6 on every series: outliers out, short gaps filled, zero-lag low-pass."""
    win = max(1, round(cfg.hampel_window_s * fs))
    min_px = cfg.hampel_min_tl * _torso_scale(s.pos, keypoints)
    min_m = cfg.hampel_min_tl * _torso_scale(s.world, keypoints)
    gap = max(0, round(cfg.max_gap_s * fs))
    cutoff = min(cfg.cutoff_hz, NYQUIST_SHARE * fs / 2.0)
    arm_cutoff = min(cfg.arm_cutoff_hz, NYQUIST_SHARE * fs / 2.0)
    body = signal.butter(cfg.filter_order, cutoff, btype="low", fs=fs, output="sos")
    arm = signal.butter(cfg.filter_order, arm_cutoff, btype="low", fs=fs, output="sos")
    sos = [arm if _is_arm(k) else body for k in keypoints]
    counts = {"outliers": 0, "filled": 0}
    s.pos = _apply(s.pos, win, cfg.hampel_sigmas, min_px, gap, sos, counts)
    s.depth = _apply(s.depth[..., None], win, cfg.hampel_sigmas, min_px, gap, sos, None)[..., 0]
    s.world = _apply(s.world, win, cfg.hampel_sigmas, min_m, gap, sos, None)
    report.update(counts)
    report["cutoff_hz"] = float(cutoff)
    report["arm_cutoff_hz"] = float(arm_cutoff)
    report["filter"] = (
        f"{cfg.filter_order}th-order Butterworth low-pass, zero-lag (sosfiltfilt): "
        f"{cutoff:g} Hz for trunk, head and legs, {arm_cutoff:g} Hz for elbows, wrists "
        "and hands"
    )


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
