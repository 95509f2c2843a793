"""Uniform time: the sampling rate of a track and its resampling onto a uniform grid."""

from __future__ import annotations

import numpy as np


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
