"""Shoulder shrug per stride, against the runner's own baseline in the clip."""

from __future__ import annotations

import numpy as np


def shrug_baseline(elevation: np.ndarray, percentile: float = 10.0) -> float:
    """Return the runner's relaxed shoulder elevation: a low percentile over the whole clip.

    Parameters
    ----------
    elevation
        :func:`armcarriage.metrics.geometry.shoulder_elevation` per frame, whole clip.
    percentile
        Which percentile is the baseline (``MetricsConfig.shrug_baseline_percentile``).

    """
    e = np.asarray(elevation, dtype=float)
    e = e[np.isfinite(e)]
    return float(np.percentile(e, percentile)) if e.size else float("nan")


def shrug_stride(elevation: np.ndarray, baseline: float) -> dict[str, float]:
    """Reduce one stride of the shoulder elevation (torso lengths).

    Returns
    -------
    dict
        ``shrug_level_tl`` = median elevation minus ``baseline``;
        ``shrug_rise_tl`` = max minus min elevation within the stride.

    """
    e = np.asarray(elevation, dtype=float)
    e = e[np.isfinite(e)]
    if not e.size or not np.isfinite(baseline):
        return {"shrug_level_tl": float("nan"), "shrug_rise_tl": float("nan")}
    return {
        "shrug_level_tl": float(np.median(e) - baseline),
        "shrug_rise_tl": float(np.max(e) - np.min(e)),
    }
