"""Rules that did not fire but sit within the noise of, or close to, their threshold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from armcarriage.cues.breaks import _breaks
from armcarriage.cues.rules import CueRule, unit_of
from armcarriage.cues.texts import _fmt
from armcarriage.metrics import METRICS

WATCH_FRACTION = 0.25
"""A rule that does not fire but is broken in at least this share of strides is
reported as close to its threshold, and its fault is not called good."""


def _borderline(
    rule: CueRule, groups: dict[str, pd.DataFrame], unit: str | None = None
) -> list[dict[str, Any]]:
    """Arms whose figure lies within the rule's noise of its threshold (none if noise is 0).

    An arm is borderline when the median of its measured strides is within ``noise`` of
    the threshold, or when enough strides pass the bare threshold to fire the rule but
    not by more than the noise. ``unit``: of the figure, when not the metric's (``%`` for
    a symmetry index).
    """
    if rule.noise <= 0:
        return []
    spec = METRICS.get(rule.metric)
    if spec is not None and not spec.per_arm and groups:  # one figure, on both arm rows
        groups = {"all": next(iter(groups.values()))}
    out = []
    unit = unit or unit_of(rule.metric)
    for side, sub in groups.items():
        values = pd.to_numeric(sub[rule.metric]).to_numpy(float)
        if len(values) < rule.min_strides:
            continue
        med = float(np.median(values))
        bare = _breaks(values, rule, rule.threshold)
        would_fire = bare.sum() >= rule.min_strides and bare.mean() >= rule.min_fraction
        if abs(med - rule.threshold) > rule.noise and not would_fire:
            continue
        arm = "" if side == "all" else f"{side} arm, "
        out.append(
            {
                "rule": rule.id,
                "title": rule.title,
                "metric": rule.metric,
                "side": "both" if side == "all" else side,
                "value": med,
                "threshold": rule.threshold,
                "noise": rule.noise,
                "unit": unit,
                "text": (
                    f"{rule.title}: borderline ({arm}median {_fmt(med, unit)} against the "
                    f"threshold {_fmt(rule.threshold, unit)} ({rule.comparison}), within the "
                    f"measured noise of +/- {_fmt(rule.noise, unit)} in this view)."
                ),
            }
        )
    return out


def _near(rule: CueRule, groups: dict[str, pd.DataFrame]) -> str | None:
    """Describe an arm whose strides often break the threshold without firing."""
    worst: tuple[float, str] | None = None
    for side, sub in groups.items():
        values = pd.to_numeric(sub[rule.metric]).to_numpy(float)
        if not len(values):
            continue
        bad = int(_breaks(values, rule).sum())
        if bad and bad / len(values) >= WATCH_FRACTION:
            arm = "" if side == "all" else f"{side} arm, "
            text = (
                f"{rule.title}: close to the line ({arm}{bad} of {len(values)} strides "
                f"{rule.comparison} {_fmt(rule.threshold, unit_of(rule.metric))}; median "
                f"{_fmt(float(np.median(values)), unit_of(rule.metric))})."
            )
            if worst is None or bad / len(values) > worst[0]:
                worst = (bad / len(values), text)
    return worst[1] if worst else None
