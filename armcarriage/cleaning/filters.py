"""Series filters: outlier rejection, gap filling and zero-lag low-pass filtering."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import signal


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
