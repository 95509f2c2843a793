"""Which strides break a rule, and by how much."""

from __future__ import annotations

import numpy as np
import pandas as pd

from armcarriage.cues.rules import CueRule


def _measured(strides: pd.DataFrame, metric: str, min_conf: float) -> pd.DataFrame:
    """Rows where ``metric`` is finite with confidence >= ``min_conf``."""
    if metric not in strides.columns:
        return strides.iloc[0:0]
    values = pd.to_numeric(strides[metric], errors="coerce")
    ok = np.isfinite(values.to_numpy(float))
    conf_col = f"{metric}_conf"
    if conf_col in strides.columns:
        conf = pd.to_numeric(strides[conf_col], errors="coerce").fillna(0).to_numpy(float)
        ok &= conf >= min_conf
    return strides.loc[ok]


def _limit(rule: CueRule) -> float:
    """Return the value a stride must pass: the threshold moved out by the rule's noise."""
    return (
        rule.threshold - rule.noise if rule.comparison == "below" else (rule.threshold + rule.noise)
    )


def _breaks(values: np.ndarray, rule: CueRule, limit: float | None = None) -> np.ndarray:
    lim = _limit(rule) if limit is None else limit
    if rule.comparison == "below":
        return values < lim
    return values > lim


def _exceedance(value: float, rule: CueRule) -> float:
    return abs(value - rule.threshold) / rule.scale


def _symmetry_index(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per-pair symmetry index |L-R| / mean(|L|,|R|) * 100 (Robinson et al., 1987)."""
    mean = (np.abs(left) + np.abs(right)) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        si = np.abs(left - right) / mean * 100.0
    return np.where(mean > 0, si, 0.0)


def _conf(rule: CueRule, rows: pd.DataFrame) -> list[str]:
    col = f"{rule.metric}_conf"
    return [col] if col in rows.columns else []
