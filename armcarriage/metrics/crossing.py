"""Midline crossing per stride (front or rear view)."""

from __future__ import annotations

import numpy as np


def crossing_stride(crossing: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the signed midline crossing (shoulder widths, > 0 = across).

    Returns
    -------
    dict
        ``crossing_max_sw`` = max over the stride; ``crossing_fraction_pct`` =
        percentage of the stride's (finite) frames with crossing > 0.

    """
    c = np.asarray(crossing, dtype=float)
    c = c[np.isfinite(c)]
    if not c.size:
        return {"crossing_max_sw": float("nan"), "crossing_fraction_pct": float("nan")}
    return {
        "crossing_max_sw": float(np.max(c)),
        "crossing_fraction_pct": float(100.0 * np.mean(c > 0)),
    }
