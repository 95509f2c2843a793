"""Clip summary: median and spread over strides, drift, left/right symmetry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from armcarriage.metrics import METRICS


def _stats(values: np.ndarray, conf: np.ndarray, order: np.ndarray) -> dict[str, Any]:
    """Return median, IQR, n, confidence and first/last-third medians of stride values."""
    ok = np.isfinite(values)
    v, c, o = values[ok], conf[ok], order[ok]
    if not v.size:
        return {
            "median": None,
            "iqr": None,
            "n": 0,
            "confidence": 0.0,
            "first_third": None,
            "last_third": None,
            "drift": None,
        }
    idx = np.argsort(o, kind="stable")
    v, c = v[idx], c[idx]
    third = v.size // 3
    first = float(np.median(v[:third])) if third >= 1 else None
    last = float(np.median(v[-third:])) if third >= 1 else None
    q1, q3 = np.percentile(v, [25, 75])
    return {
        "median": float(np.median(v)),
        "iqr": float(q3 - q1),
        "n": int(v.size),
        "confidence": round(float(np.median(c)), 3),
        "first_third": first,
        "last_third": last,
        "drift": (last - first) if first is not None and last is not None else None,
    }


def symmetry_index(left: float | None, right: float | None) -> float | None:
    """Return 100 |L - R| / mean(|L|, |R|) (Robinson et al. 1987), None when undefined."""
    if left is None or right is None:
        return None
    mean = 0.5 * (abs(left) + abs(right))
    return 100.0 * abs(left - right) / mean if mean > 0 else None


def summarize(
    strides: pd.DataFrame,
    min_confidence: float,
    symmetry_flag: float,
    drift_flag: float,
    reasons: dict[str, str],
) -> dict[str, Any]:
    """Summarise the per-stride table.

    Parameters
    ----------
    strides
        The stride x arm table of :class:`armcarriage.analysis.Analysis`.
    min_confidence
        Values below this confidence are left out.
    symmetry_flag
        Symmetry index (%) above which ``asymmetry_flag`` is set.
    drift_flag
        Relative first-to-last-third change above which ``drift_flag`` is set.
    reasons
        Per metric, why it is not measured at all ('' when it is).

    Returns
    -------
    dict
        See the contract in :mod:`armcarriage.analysis`.

    """
    out: dict[str, Any] = {}
    for m, spec in METRICS.items():
        entry: dict[str, Any] = {"unit": spec.unit}
        if len(strides) and m in strides:
            val = pd.to_numeric(strides[m], errors="coerce").to_numpy(float)
            conf = pd.to_numeric(strides[f"{m}_conf"], errors="coerce").to_numpy(float)
            use = np.where((conf >= min_confidence) & (strides[f"{m}_reason"] == ""), val, np.nan)
            order = strides["stride"].to_numpy(float)
            side = strides["side"].to_numpy()
            for s in ("left", "right"):
                sel = side == s
                entry[s] = _stats(use[sel], conf[sel], order[sel])
            if spec.per_arm:
                entry["both"] = _stats(use, conf, order)
            else:
                first = side == side[0]
                entry["both"] = _stats(use[first], conf[first], order[first])
        else:
            empty = _stats(np.empty(0), np.empty(0), np.empty(0))
            entry.update({"left": dict(empty), "right": dict(empty), "both": dict(empty)})
        left, right = entry["left"]["median"], entry["right"]["median"]
        si = symmetry_index(left, right) if spec.per_arm and spec.unit in {"deg", "tl"} else None
        diff = (left - right) if spec.per_arm and left is not None and right is not None else None
        both = entry["both"]
        rel = None
        if both["drift"] is not None and both["first_third"]:
            rel = abs(both["drift"]) / abs(both["first_third"])
        entry.update(
            {
                "symmetry_index": si,
                "difference": diff,
                "asymmetry_flag": bool(si is not None and si > symmetry_flag),
                "drift_flag": bool(rel is not None and rel > drift_flag),
            }
        )
        entry["both"]["symmetry_index"] = si
        entry["both"]["difference"] = diff
        entry["measured"] = bool(both["n"] > 0)
        entry["reason"] = (
            ""
            if entry["measured"]
            else (reasons.get(m) or "no stride measured it with enough confidence")
        )
        out[m] = entry
    return out
