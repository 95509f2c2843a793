"""Typical values from published studies, read from ``armcarriage/data/ranges.toml``.

Each metric of :data:`armcarriage.metrics.METRICS` may have a typical range (in its
unit), what the range is, its source (author, year, journal, short title) and what
the runner should feel or do. Metrics without a published range say so. The report
shows them beside the runner's figures (:func:`typical_section`).
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from armcarriage.metrics import METRICS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

E = html.escape
NO_RANGE = "no published range"
"""What the report says for a metric without a typical range."""


@dataclass(frozen=True)
class TypicalRange:
    """A metric's typical values and where they come from.

    Attributes
    ----------
    metric
        Metric column.
    low, high
        Typical range in the metric's unit; None when no study gives one.
    basis
        What the range is (who was measured, how).
    source
        Author(s), year, journal and short title.
    feel
        What the runner should feel or do.

    """

    metric: str
    low: float | None
    high: float | None
    basis: str
    source: str
    feel: str

    @property
    def has_range(self) -> bool:
        """Whether a published range exists."""
        return self.low is not None and self.high is not None

    def text(self, fmt: Any) -> str:
        """Return the range in words (``fmt(value)`` formats one value), or :data:`NO_RANGE`."""
        if self.low is None or self.high is None:
            return NO_RANGE
        if self.low == self.high:
            return f"about {fmt(self.low)}"
        return f"{fmt(self.low)} to {fmt(self.high)}"

    def contains(self, value: float) -> bool | None:
        """Whether ``value`` lies in the range (None without one, or for a single value)."""
        if self.low is None or self.high is None or self.low == self.high:
            return None
        return self.low <= value <= self.high


@lru_cache(maxsize=1)
def typical_ranges() -> dict[str, TypicalRange]:
    """Return the typical ranges by metric, in registry order.

    Raises
    ------
    ValueError
        When the data file names a metric not in the registry, or gives one end of a range.

    """
    raw = tomllib.loads((files("armcarriage") / "data" / "ranges.toml").read_text("utf-8"))
    out: dict[str, TypicalRange] = {}
    for metric in METRICS:
        entry = raw.pop(metric, None)
        if entry is None:
            continue
        low, high = entry.get("low"), entry.get("high")
        if (low is None) != (high is None) or (low is not None and low > high):
            raise ValueError(f"ranges.toml [{metric}]: expected low <= high, got {low}, {high}")
        out[metric] = TypicalRange(
            metric,
            None if low is None else float(low),
            None if high is None else float(high),
            str(entry.get("basis", "")),
            str(entry["source"]),
            str(entry.get("feel", "")),
        )
    if raw:
        raise ValueError(f"ranges.toml: not metrics of the registry: {', '.join(sorted(raw))}")
    return out


def typical_section(analysis: Any, rc: Any) -> str:
    """Render each measured metric's median beside its typical range, source and advice.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis` (its ``summary`` and ``validity``).
    rc
        ``config.report`` (formats values, with centimetres when the height is known).

    """
    from armcarriage.report import plots, words

    ranges = typical_ranges()
    rows = []

    def order(m: str) -> int:  # with a range first, then with advice only, then the rest
        return 0 if m in ranges and ranges[m].has_range else 1 if m in ranges else 2

    for m in sorted(METRICS, key=order):
        if not (analysis.validity or {}).get(m, {}).get("measured"):
            continue
        median = words.number((analysis.summary.get(m, {}).get("both") or {}).get("median"))
        if median is None:
            continue
        r = ranges.get(m)
        typical = r.text(lambda v, m=m: words.fmt(v, m, rc)) if r else NO_RANGE
        inside = r.contains(median) if r else None
        mark = "" if inside is None else (" (inside)" if inside else " (outside)")
        cls = "" if inside is not False else ' class="flag"'
        source = (
            f'<div class="note">{E(r.basis)}. <i>{E(r.source)}</i></div>' if r and r.source else ""
        )
        feel = E(r.feel) if r and r.feel else "—"
        rows.append(
            f"<tr><td>{E(plots.label(m))}</td><td>{E(words.fmt(median, m, rc))}</td>"
            f"<td class=l><span{cls}>{E(typical)}{mark}</span>{source}</td>"
            f"<td class=l>{feel}</td></tr>"
        )
    if not rows:
        return ""
    return (
        '<section id="typical"><h2>Beside published figures</h2><p class="note">This '
        "runner's median (both arms) beside the typical range of published studies, with "
        "the study and what it suggests the runner feel or do. A figure outside a range is "
        "not a fault by itself: the studies measured other runners, at other speeds.</p>"
        '<div class="scroll"><table><tr><th>metric</th><th>this runner</th>'
        '<th class="l">typical</th><th class="l">what to feel or do</th></tr>'
        f"{''.join(rows)}</table></div></section>"
    )
