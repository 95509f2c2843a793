"""Numbers and reasons in words for people: one source for every report.

Titles and units come from the metric registry (:data:`armcarriage.metrics.METRICS`);
thresholds and views from the cue rules (:mod:`armcarriage.cues`). The HTML page,
the annotated video, ``strides.csv``, ``summary.json`` and the terminal all read
them through these helpers, so a metric has one name, one unit and one stride
numbering (1 = the first stride) everywhere a person reads it.

Distances in torso lengths (``tl``) and shoulder widths (``sw``) are shown as a
percentage of that length ("4% of torso length"); with the runner's height
(``report.height_cm``) they are also given in centimetres, estimated with
``report.torso_height_ratio`` and ``report.shoulder_width_height_ratio``. A value
that is not a finite number is never printed: it reads as :data:`MISSING`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from armcarriage.analysis import FIRST_STRIDE_NUMBER
from armcarriage.config import Config, ReportConfig
from armcarriage.metrics import METRICS

MISSING = "—"
"""What a value that was not measured reads as."""

LENGTH_UNITS = {"tl": "torso length", "sw": "shoulder width"}
"""Body-relative length units and the body length each is a share of."""

STATUS_WORDS = {
    "ok": "Analysis valid",
    "no_runner": "No runner found",
    "no_running": "No running found",
    "too_few_strides": "Too few strides",
}
"""Analysis statuses as a person reads them."""

STATUS_ADVICE = {
    "no_runner": "Film one runner, whole body in view (head to feet), in good light.",
    "no_running": "Film running, not walking or standing: a few seconds of steady running strides.",
    "too_few_strides": "Film a longer stretch of steady running, whole body in view, so that "
    "several complete strides are seen.",
}
"""What to film instead, per status that refuses a clip."""

_JARGON = (
    # a settings hint ("; set metrics.x to report it anyway") is for the command line
    re.compile(r"[;,]?\s*set [a-z_]+\.[a-z_]+\b[^;.)]*"),
    # file references of the evidence ("benchmarks/accuracy.py")
    re.compile(r",?\s*\(?\b[\w/]+\.py\)?"),
)


def number(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None (NaN, inf, None, text)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def unit(metric: str) -> str:
    """Return the registry unit of a metric (``deg``, ``tl``, ``sw``, ``%``, ``s``...)."""
    spec = METRICS.get(metric)
    return spec.unit if spec else ""


def label(metric: str) -> str:
    """Return the registry's one-line name of a metric, for headings and axes."""
    spec = METRICS.get(metric)
    return spec.description if spec else metric.replace("_", " ")


def display_scale(metric: str) -> float:
    """Factor from a metric's stored unit to the one shown (body lengths show as %)."""
    return 100.0 if unit(metric) in LENGTH_UNITS else 1.0


def axis_unit(metric: str) -> str:
    """Return the unit of the shown values in words, for axes and table headings."""
    u = unit(metric)
    if u in LENGTH_UNITS:
        return f"% of {LENGTH_UNITS[u]}"
    return {"deg": "°"}.get(u, u)


def cm_per_unit(metric: str, rc: ReportConfig) -> float | None:
    """Centimetres in one unit of a body-relative metric, from the runner's height."""
    u = unit(metric)
    if rc.height_cm <= 0 or u not in LENGTH_UNITS:
        return None
    ratio = rc.torso_height_ratio if u == "tl" else rc.shoulder_width_height_ratio
    return rc.height_cm * ratio


def fmt(
    value: Any, metric: str = "", rc: ReportConfig | None = None, *, signed: bool = False
) -> str:
    """Format a metric value with its unit in words; a missing value as :data:`MISSING`.

    Parameters
    ----------
    value
        The value in the metric's stored unit.
    metric
        Column name (its registry unit picks the format).
    rc
        Report settings; with ``height_cm`` set, body lengths are also given in cm.
    signed
        Show a ``+`` on positive values (differences).

    """
    v = number(value)
    if v is None:
        return MISSING
    u = unit(metric)
    sign = "+" if signed else ""
    return _ZERO_SIGN.sub("", _fmt(v, u, sign, metric, rc))


_ZERO_SIGN = re.compile(r"^[+-](?=0(?:\.0+)?(?![\d.]))")
"""The sign of a value shown as zero ("-0.0%", "+0°"), which would say a direction it has not."""


def _fmt(v: float, u: str, sign: str, metric: str, rc: ReportConfig | None) -> str:
    if u == "deg":
        return f"{v:{sign}.0f}°"
    if u in LENGTH_UNITS:
        pct = 100.0 * v
        text = f"{pct:{sign}.1f}%" if abs(pct) < 10 else f"{pct:{sign}.0f}%"
        text += f" of {LENGTH_UNITS[u]}"
        per = cm_per_unit(metric, rc) if rc is not None else None
        if per is not None:
            text += f" ({_ZERO_SIGN.sub('', f'{v * per:{sign}.1f}')} cm)"
        return text
    if u == "%":
        return f"{v:{sign}.0f}%"
    if u == "s":
        return f"{v:{sign}.3f} s"
    if u == "steps/min":
        return f"{v:{sign}.0f} steps/min"
    return f"{v:{sign}.3g}"


def short(value: Any, metric: str = "", rc: ReportConfig | None = None) -> str:
    """Format a value for a table cell or a plot label (the unit is in the heading)."""
    v = number(value)
    if v is None:
        return MISSING
    if unit(metric) not in LENGTH_UNITS:
        return fmt(v, metric, None).replace(" steps/min", "")
    text = f"{100 * v:.1f}%" if abs(100 * v) < 10 else f"{100 * v:.0f}%"
    per = cm_per_unit(metric, rc) if rc is not None else None
    return f"{text} ({v * per:.1f} cm)" if per is not None else text


def percent_floor(metric: str, rc: ReportConfig) -> float:
    """Smallest magnitude, in the metric's unit, of which a percentage is shown."""
    return {"deg": rc.percent_floor_deg, "tl": rc.percent_floor_tl, "sw": rc.percent_floor_sw}.get(
        unit(metric), 0.0
    )


def above_noise(values: Sequence[Any], metric: str, rc: ReportConfig) -> bool:
    """Whether every value is finite and at least the metric's noise floor in size.

    A ratio of two numbers that are mostly keypoint noise (an 80 % "asymmetry" of
    0.01 against 0.02 torso lengths) says nothing, so percentages of such values
    are not shown.
    """
    floor = percent_floor(metric, rc)
    nums = [number(v) for v in values]
    return all(v is not None and abs(v) >= floor for v in nums) and bool(nums)


def for_people(text: Any) -> str:
    """Return a reason or message without settings names and file references."""
    if text is None or (isinstance(text, float) and not math.isfinite(text)):
        return ""  # an empty reason cell read back as NaN
    out = str(text)
    for pattern in _JARGON:
        out = pattern.sub("", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def stride_number(index: Any) -> int:
    """Return the number a person reads for a 0-based stride index (1 = the first)."""
    return int(index) + FIRST_STRIDE_NUMBER


def status_words(status: str) -> str:
    """Return a status as a person reads it."""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def refusal(analysis: Any) -> str:
    """Why a refused clip has no analysis, once, in words, with what to film instead."""
    status = str(getattr(analysis, "status", "") or "")
    reason = for_people(getattr(analysis, "message", "") or "")
    text = status_words(status)
    if reason.lower().startswith(text.lower()) or reason.lower().startswith("no running"):
        text = reason[0].upper() + reason[1:]  # the message already says what happened
    elif reason:
        text += f": {reason}"
    advice = STATUS_ADVICE.get(status, "")
    return f"{text}. {advice}".strip() if advice else f"{text}."


def report_config(config: Config | None) -> ReportConfig:
    """``config.report`` or the defaults."""
    return config.report if config is not None else ReportConfig()


__all__ = [
    "MISSING",
    "above_noise",
    "axis_unit",
    "cm_per_unit",
    "display_scale",
    "fmt",
    "for_people",
    "label",
    "number",
    "percent_floor",
    "refusal",
    "short",
    "status_words",
    "stride_number",
    "unit",
]
