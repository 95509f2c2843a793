"""Inline SVG of a metric over sessions: a sparkline for cards, a chart for the history page.

Both draw the sessions' medians with a band of the metric's measurement noise
around them (a change inside the band cannot be told from the measurement).
Colours are presentation attributes, not ``style``, so a page whose
Content-Security-Policy forbids inline style still shows them. The values are
kept in ``data-values``/``data-dates`` for scripts and checks.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Sequence

from armcarriage.dashboard.model import Trend

LINE = "#1f6feb"
BAND = "#1f6feb"
BAND_OPACITY = "0.15"
AXIS = "#8c959f"


def fmt_change(change: float, noise: float) -> str:
    """Return a signed change to the precision the metric's noise allows."""
    if not math.isfinite(change):
        return "–"
    digits = max(0, 1 - math.floor(math.log10(noise))) if noise > 0 else 2
    return f"{change:+.{digits}f}"


def fmt(value: float) -> str:
    """Return a value as people read it (NaN as an en dash)."""
    if not math.isfinite(value):
        return "–"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _data_attrs(trend: Trend) -> str:
    values = json.dumps([float(f"{p.value:.6g}") for p in trend.points])
    dates = json.dumps([p.date for p in trend.points])
    sessions = json.dumps([p.session_id for p in trend.points])
    return (
        f'data-metric="{html.escape(trend.metric)}" data-values="{html.escape(values)}" '
        f'data-dates="{html.escape(dates)}" data-sessions="{html.escape(sessions)}" '
        f'data-noise="{trend.noise:g}"'
    )


def _scale(lo: float, hi: float, top: float, bottom: float) -> tuple[float, float]:
    """Return (offset, factor) mapping [lo, hi] to [bottom, top] pixels."""
    span = hi - lo if hi > lo else 1.0
    return bottom, (top - bottom) / span


def _band(xs: Sequence[float], ys: Sequence[float], noise: float, y_of: object) -> str:
    upper = [f"{x:.1f},{y_of(v + noise):.1f}" for x, v in zip(xs, ys, strict=True)]  # type: ignore[operator]
    lower = [f"{x:.1f},{y_of(v - noise):.1f}" for x, v in zip(xs, ys, strict=True)][::-1]  # type: ignore[operator]
    return " ".join(upper + lower)


def sparkline(trend: Trend, width: int = 128, height: int = 36) -> str:
    """Return a small SVG of the trend: sessions evenly spaced, latest as a dot."""
    attrs = _data_attrs(trend)
    label = f"{trend.label}: " + (
        ", ".join(f"{p.date} {fmt(p.value)}" for p in trend.points) or "not measured"
    )
    head = (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(label)}" {attrs}>'
    )
    if not trend.points:
        return (
            head + f'<line x1="4" x2="{width - 4}" y1="{height / 2}" y2="{height / 2}" '
            f'stroke="{AXIS}" stroke-dasharray="3 3"/></svg>'
        )
    ys = [p.value for p in trend.points]
    noise = trend.noise if math.isfinite(trend.noise) else 0.0
    lo, hi = min(ys) - noise, max(ys) + noise
    pad = 4.0
    base, factor = _scale(lo, hi, pad, height - pad)

    def y_of(v: float) -> float:
        return base + (v - lo) * factor

    if len(ys) == 1:  # one session: its value across, so the band shows
        ys = ys * 2
    n = len(ys)
    xs = [pad + (width - 2 * pad) * i / (n - 1) for i in range(n)]
    line = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in zip(xs, ys, strict=True))
    parts = [head]
    if noise > 0:
        parts.append(
            f'<polygon class="band" points="{_band(xs, ys, noise, y_of)}" fill="{BAND}" '
            f'fill-opacity="{BAND_OPACITY}"/>'
        )
    parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.6"/>')
    parts.append(f'<circle cx="{xs[-1]:.1f}" cy="{y_of(ys[-1]):.1f}" r="2.6" fill="{LINE}"/>')
    return "".join(parts) + "</svg>"


def _day(text: str) -> float | None:
    try:
        return float(dt.date.fromisoformat(text).toordinal())
    except ValueError:
        return None


def chart(trend: Trend, width: int = 640, height: int = 190) -> str:
    """Return an SVG chart of the trend over dates, with its noise band and value labels."""
    left, right, top, bottom = 56.0, 12.0, 12.0, 28.0
    attrs = _data_attrs(trend)
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{html.escape(trend.label)} over dates" {attrs}>'
    )
    dated = [(p, _day(p.date)) for p in trend.points]
    points = [(p, d) for p, d in dated if d is not None]
    if not points:
        return head + _text(width / 2, height / 2, "not measured", "middle") + "</svg>"
    ys = [p.value for p, _ in points]
    days = [d for _, d in points]
    noise = trend.noise if math.isfinite(trend.noise) else 0.0
    lo, hi = min(ys) - noise, max(ys) + noise
    d0, d1 = min(days), max(days)
    if d1 - d0 < 1:
        d0, d1 = d0 - 7, d1 + 7  # one day: a fortnight around it
    base, factor = _scale(lo, hi, top, height - bottom)

    def y_of(v: float) -> float:
        return base + (v - lo) * factor

    xs = [left + (width - left - right) * (d - d0) / (d1 - d0) for d in days]
    parts = [head, _axes(width, height, left, right, top, bottom, lo, hi, d0, d1)]
    if noise > 0:
        parts.append(
            f'<polygon class="band" points="{_band(xs, ys, noise, y_of)}" fill="{BAND}" '
            f'fill-opacity="{BAND_OPACITY}"><title>measurement noise ±{fmt(noise)} '
            f"{html.escape(trend.unit)}</title></polygon>"
        )
    line = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in zip(xs, ys, strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for (p, _), x in zip(points, xs, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_of(p.value):.1f}" r="3.5" fill="{LINE}">'
            f"<title>{html.escape(p.date)}: {fmt(p.value)} {html.escape(trend.unit)}</title>"
            "</circle>"
        )
    return "".join(parts) + "</svg>"


def _axes(
    width: int, height: int, left: float, right: float, top: float, bottom: float,
    lo: float, hi: float, d0: float, d1: float,
) -> str:  # fmt: skip
    """Return the frame, the value range labels and the first and last date."""
    y0, y1 = height - bottom, top
    first = dt.date.fromordinal(int(d0)).isoformat()
    last = dt.date.fromordinal(int(d1)).isoformat()
    return (
        f'<line x1="{left}" x2="{width - right}" y1="{y0}" y2="{y0}" stroke="{AXIS}"/>'
        f'<line x1="{left}" x2="{left}" y1="{y1}" y2="{y0}" stroke="{AXIS}"/>'
        + _text(left - 4, y1 + 4, fmt(hi), "end")
        + _text(left - 4, y0, fmt(lo), "end")
        + _text(left, height - 8, first, "start")
        + _text(width - right, height - 8, last, "end")
    )


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" '
        f'fill="{AXIS}">{html.escape(text)}</text>'
    )
