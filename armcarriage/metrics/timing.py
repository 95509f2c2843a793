"""Stride timing: duration, cadence, contact and flight times per stride."""

from __future__ import annotations

from typing import Any

import numpy as np


def timing_stride(row: dict[str, Any]) -> dict[str, float]:
    """Return the timing metrics of one stride row of :func:`armcarriage.strides.build_strides`.

    Returns
    -------
    dict
        ``stride_time_s``, ``cadence_spm`` (120 / stride time), ``contact_time_s``,
        ``flight_time_s`` (NaN where the event was not found).

    """

    def num(key: str) -> float:
        v = row.get(key, np.nan)
        return float(v) if v is not None and np.isfinite(v) else float("nan")

    st = num("stride_time_s")
    return {
        "stride_time_s": st,
        "cadence_spm": 120.0 / st if np.isfinite(st) and st > 0 else float("nan"),
        "contact_time_s": num("contact_time_s"),
        "flight_time_s": num("flight_time_s"),
    }
