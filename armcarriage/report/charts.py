"""Interactive charts of ``report.html``: plotly.js figure specs as plain JSON-ready dicts.

The page draws them with the plotly.js bundled in the ``plotly`` package
(inlined, no network). Each chart carries, per point, the media time the
player seeks to when the point is clicked (``customdata``). Titles are HTML
headings above the chart, so they wrap on a phone; the charts size to their
container's width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import theilslopes

from armcarriage.report import words
from armcarriage.report.plots import GREY, SIDE_COLOUR, Threshold

THRESHOLD_COLOUR = "#c62828"
CHART_HEIGHT = 240
"""Height of one chart in CSS pixels: readable at 390 px wide, two fit a laptop screen."""


def _num(values: Any, digits: int = 3) -> list[float | None]:
    """Finite values rounded for the page, ``None`` (a gap) where missing."""
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float)
    return [None if not np.isfinite(v) else round(float(v), digits) for v in arr]


def _layout(xtitle: str, ytitle: str = "", **extra: Any) -> dict[str, Any]:
    """Return the plotly layout of a report chart (the y unit is in the heading above it)."""
    layout: dict[str, Any] = {
        "height": CHART_HEIGHT,
        "margin": {"l": 40, "r": 8, "t": 8, "b": 40},
        "font": {"size": 12, "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
        "showlegend": True,
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
        "hovermode": "closest",
        "xaxis": {
            "title": {"text": xtitle, "standoff": 4},
            "zeroline": False,
            "gridcolor": "#eef1f4",
        },
        "yaxis": {
            "title": {"text": ytitle, "standoff": 4},
            "zeroline": False,
            "gridcolor": "#e0e0e0",
            "automargin": True,
        },
        "plot_bgcolor": "#fff",
        "paper_bgcolor": "#fff",
    }
    layout.update(extra)
    return layout


def stride_spans(strides: pd.DataFrame) -> list[tuple[int, float, float]]:
    """Return ``(number from 1, t_start, t_end)`` of every stride, in order."""
    if strides.empty:
        return []
    spans = strides.groupby("stride")[["t_start", "t_end"]].first()
    return [(int(k) + 1, float(a), float(b)) for k, (a, b) in spans.iterrows()]


def elbow_series(
    time: np.ndarray, curves: dict[str, np.ndarray], strides: pd.DataFrame
) -> dict[str, Any]:
    """Per-frame elbow angle per arm, strides as alternating bands; a click seeks to its time.

    Parameters
    ----------
    time
        Track times (s).
    curves
        Per arm, the elbow angle per frame (degrees).
    strides
        The stride table (for the bands).

    """
    t = np.asarray(time, float)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{side} arm",
            "x": _num(t),
            "y": _num(y, 1),
            "line": {"color": SIDE_COLOUR.get(side, GREY), "width": 1.6},
            "hovertemplate": "%{x:.2f} s: %{y:.0f}°<extra>" + side + "</extra>",
        }
        for side, y in curves.items()
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": a,
            "x1": b,
            "y0": 0,
            "y1": 1,
            "fillcolor": "#f2f4f7",
            "line": {"width": 0},
            "layer": "below",
        }
        for k, a, b in stride_spans(strides)
        if k % 2 == 1
    ]
    # a click seeks to the point's own x, the time (no second copy of the times)
    return {"data": data, "layout": _layout("time (s)", shapes=shapes), "seek": "x"}


def stride_metric(
    strides: pd.DataFrame, metric: str, thresholds: Sequence[Threshold]
) -> dict[str, Any]:
    """One metric per stride and arm, with each cue threshold drawn once.

    A click on a point seeks the player to the start of that stride.
    """
    scale = words.display_scale(metric)
    data: list[dict[str, Any]] = []
    for side in ("left", "right"):
        sub = strides.loc[strides["side"] == side] if "side" in strides else strides
        y = pd.to_numeric(sub[metric], errors="coerce")
        if not y.notna().any():
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": side,
                "x": [int(k) + 1 for k in sub["stride"]],
                "y": _num(y * scale),
                "customdata": _num(pd.to_numeric(sub["t_start"])),
                "marker": {"size": 8, "color": SIDE_COLOUR[side]},
                "line": {"width": 1.2, "color": SIDE_COLOUR[side]},
                "hovertemplate": "stride %{x}: %{y:.3~g}<extra>" + side + "</extra>",
            }
        )
    shapes, notes = [], []
    for th in thresholds:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": th.value * scale,
                "y1": th.value * scale,
                "line": {"color": THRESHOLD_COLOUR, "dash": "dash", "width": 1.2},
            }
        )
        notes.append(
            {
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "yref": "y",
                "y": th.value * scale,
                "yanchor": "bottom",
                "showarrow": False,
                "text": th.title,
                "font": {"size": 11, "color": THRESHOLD_COLOUR},
            }
        )
    layout = _layout("stride", shapes=shapes, annotations=notes)
    layout["xaxis"].update(
        {"dtick": 1 if len(stride_spans(strides)) <= 12 else None, "tickformat": "d"}
    )
    return {"data": data, "layout": layout}


def lr_chart(summary: dict[str, Any], metrics: Sequence[str]) -> dict[str, Any]:
    """Left vs right medians (inter-quartile range as bars), relative to the two-arm median."""
    rows = [m for m in metrics if m in summary]
    # wrapped, so the labels leave the chart room on a phone
    labels = ["<br>".join(textwrap.wrap(words.label(m), 22)) for m in rows]
    data: list[dict[str, Any]] = []
    for side in ("left", "right"):
        xs, errs, texts = [], [], []
        for m in rows:
            s = summary[m].get(side, {})
            med = words.number(s.get("median"))
            ref = abs(words.number(summary[m].get("both", {}).get("median")) or med or 1.0) or 1.0
            iqr = words.number(s.get("iqr")) or 0.0
            xs.append(None if med is None else round(med / ref, 4))
            errs.append(round(iqr / 2 / ref, 4))
            texts.append(words.fmt(med, m))
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": side,
                "x": xs,
                "y": labels,
                "text": texts,
                "marker": {"size": 10, "color": SIDE_COLOUR[side]},
                "error_x": {"type": "data", "array": errs, "color": SIDE_COLOUR[side]},
                "hovertemplate": "%{y}: %{text}<extra>" + side + "</extra>",
            }
        )
    layout = _layout(
        "ratio to the two-arm median",
        "",
        height=max(CHART_HEIGHT, 70 + 44 * len(rows)),
        shapes=[
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": 1,
                "x1": 1,
                "line": {"color": GREY, "width": 1},
            }
        ],
    )
    layout["yaxis"].update({"autorange": "reversed", "type": "category"})
    return {"data": data, "layout": layout, "seek": False}


def drift_chart(strides: pd.DataFrame, metric: str) -> dict[str, Any]:
    """Per-stride values with a robust (Theil-Sen) trend per arm, to show fatigue drift."""
    data: list[dict[str, Any]] = []
    scale = words.display_scale(metric)
    for side in ("left", "right"):
        sub = strides.loc[strides["side"] == side]
        x = sub["stride"].to_numpy(float) + 1
        y = pd.to_numeric(sub[metric], errors="coerce").to_numpy(float) * scale
        ok = np.isfinite(y)
        if ok.sum() < 2:
            continue
        colour = SIDE_COLOUR[side]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": side,
                "x": _num(x[ok]),
                "y": _num(y[ok]),
                "customdata": _num(sub["t_start"].to_numpy(float)[ok]),
                "marker": {"size": 6, "color": colour, "opacity": 0.6},
                "hovertemplate": "stride %{x}: %{y:.3~g}<extra>" + side + "</extra>",
            }
        )
        slope, icpt, _, _ = theilslopes(y[ok], x[ok])
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{side} trend",
                "x": _num(x[ok]),
                "y": _num(slope * x[ok] + icpt),
                "hoverinfo": "skip",
                "line": {"color": colour, "width": 2},
                "showlegend": False,
            }
        )
    return {"data": data, "layout": _layout("stride")}
