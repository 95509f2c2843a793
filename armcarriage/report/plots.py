"""Matplotlib figures of the report, rendered with the Agg backend to PNG bytes.

No pyplot: each figure is a :class:`matplotlib.figure.Figure` with its own
Agg canvas, so nothing touches global state and nothing needs a display.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy.stats import theilslopes

from armcarriage.report import words
from armcarriage.skeleton import BONES, KEYPOINT_INDEX

LEFT = "#1e88e5"
RIGHT = "#f4511e"
GREY = "#9e9e9e"
SIDE_COLOUR = {"left": LEFT, "right": RIGHT}



def label(metric: str) -> str:
    """Readable name of a metric column (the registry's description)."""
    return words.label(metric)


def unit_label(metric: str) -> str:
    """Return the unit of the plotted values, in words."""
    return words.axis_unit(metric)


def _stride_axis(ax: Any) -> None:
    """Stride numbers are whole numbers: no 2.5 ticks."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("stride", fontsize=8)


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def _stride_bands(ax: Any, strides: pd.DataFrame) -> None:
    spans = strides.groupby("stride")[["t_start", "t_end"]].first()
    for k, (t0, t1) in spans.iterrows():
        if int(k) % 2 == 0:
            ax.axvspan(t0, t1, color="#f2f4f7", zorder=0, linewidth=0)
        ax.axvline(t0, color="#cfd8dc", linewidth=0.7, zorder=1)


def series_figure(
    time: np.ndarray,
    curves: dict[str, np.ndarray],
    strides: pd.DataFrame,
    title: str,
    ylabel: str,
) -> Figure:
    """Per-frame curves over the clip with stride boundaries as bands."""
    fig = Figure(figsize=(9, 2.4))
    ax = fig.add_subplot()
    _stride_bands(ax, strides)
    for side, y in curves.items():
        ax.plot(time, y, color=SIDE_COLOUR.get(side, GREY), linewidth=1.4, label=f"{side} arm")
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel("time (s)", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    if curves:
        ax.legend(fontsize=8, frameon=False, loc="upper right", ncols=2)
    _style(ax)
    return fig


@dataclass(frozen=True)
class Threshold:
    """A cue threshold drawn on a per-stride panel (value in the metric's stored unit)."""

    value: float
    title: str


def stride_metrics_figure(
    strides: pd.DataFrame,
    metrics: Sequence[str],
    thresholds: Mapping[str, Sequence[Threshold]] | None = None,
    notes: dict[str, str] | None = None,
) -> Figure:
    """Per-stride values of several metrics (one panel each), each threshold drawn once.

    Parameters
    ----------
    strides
        The stride x arm table (``stride`` 0-based; plotted 1-based).
    metrics
        Columns to plot, one panel each.
    thresholds
        Per metric, the cue thresholds that apply in this clip's view.
    notes
        Per metric, a line under the panel title (e.g. an asymmetry rule).

    """
    thresholds = thresholds or {}
    notes = notes or {}
    n = len(metrics)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(9, 2.3 * rows))
    for i, m in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        scale = words.display_scale(m)
        for side in ("left", "right"):
            sub = strides.loc[strides["side"] == side] if "side" in strides else strides
            y = pd.to_numeric(sub[m], errors="coerce")
            if y.notna().any():
                ax.plot(sub["stride"] + 1, y * scale, "o-", color=SIDE_COLOUR[side],
                        markersize=3.5, linewidth=1, label=f"{side}")
        for th in thresholds.get(m, ()):
            ax.axhline(th.value * scale, color="#c62828", linestyle="--", linewidth=1)
            ax.annotate(th.title, (1.0, th.value * scale), xycoords=("axes fraction", "data"),
                        ha="right", va="bottom", fontsize=7, color="#c62828")
        title = f"{label(m)} ({unit_label(m)})"
        if m in notes:
            title += f"\n{notes[m]}"
        ax.set_title(title, fontsize=9, loc="left")
        _stride_axis(ax)
        _style(ax)
    fig.tight_layout()
    return fig


def lr_figure(summary: dict[str, Any], metrics: Sequence[str]) -> Figure:
    """Left vs right medians with the inter-quartile range, one row per metric."""
    rows = [m for m in metrics if m in summary]
    fig = Figure(figsize=(9, 0.45 * max(len(rows), 1) + 0.8))
    ax = fig.add_subplot()
    for i, m in enumerate(rows):
        for side, dy in (("left", -0.12), ("right", 0.12)):
            s = summary[m].get(side, {})
            med, iqr = s.get("median", np.nan), s.get("iqr", np.nan)
            if med is None or not np.isfinite(med):
                continue
            ref = abs(summary[m].get("both", {}).get("median") or med) or 1.0
            x = med / ref
            err = (iqr or 0) / 2 / ref
            ax.errorbar(x, i + dy, xerr=err, fmt="o", color=SIDE_COLOUR[side], capsize=3,
                        markersize=5, label=side if i == 0 else None)
            ax.annotate(_num(med, m), (x, i + dy), xytext=(6, -3), textcoords="offset points",
                        fontsize=7, color=SIDE_COLOUR[side])
    ax.axvline(1.0, color=GREY, linewidth=0.8)
    ax.set_yticks(range(len(rows)), [f"{label(m)} ({unit_label(m)})" for m in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("relative to the two-arm median (1 = same); labels show the values", fontsize=8)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    _style(ax)
    return fig


def drift_figure(strides: pd.DataFrame, metrics: Sequence[str]) -> Figure:
    """Per-stride values with a linear trend, to show fatigue drift."""
    fig = Figure(figsize=(9, 2.2))
    for i, m in enumerate(metrics[:3]):
        ax = fig.add_subplot(1, min(len(metrics), 3), i + 1)
        for side in ("left", "right"):
            sub = strides.loc[strides["side"] == side]
            x = sub["stride"].to_numpy(float) + 1
            y = pd.to_numeric(sub[m], errors="coerce").to_numpy(float) * words.display_scale(m)
            ok = np.isfinite(y)
            if ok.sum() < 2:
                continue
            ax.plot(x[ok], y[ok], ".", color=SIDE_COLOUR[side], alpha=0.6)
            # Theil-Sen: a robust trend that one odd stride cannot tilt
            slope, icpt, _, _ = theilslopes(y[ok], x[ok])
            ax.plot(x[ok], slope * x[ok] + icpt, color=SIDE_COLOUR[side], linewidth=1.5)
        ax.set_title(f"{label(m)} ({unit_label(m)})", fontsize=9, loc="left")
        _stride_axis(ax)
        _style(ax)
    fig.tight_layout()
    return fig


def _num(v: float, metric: str) -> str:
    """Short value label (the unit is in the axis label)."""
    if words.unit(metric) in words.LENGTH_UNITS:
        return f"{v * words.display_scale(metric):.1f}%"
    return words.fmt(v, metric)


FRAME_PANEL_WIDTH = 2.6
"""Default width of one :func:`frame_figure` panel, inches."""
FRAME_PANEL_ASPECT = 1.4
"""Height / width of a :func:`frame_figure` panel."""


def frame_figure(
    panels: Sequence[tuple[np.ndarray, np.ndarray, str]],
    measured: Sequence[str] = ("left", "right"),
    panel_width: float = FRAME_PANEL_WIDTH,
    fontsize: float = 8,
) -> Figure:
    """Video frames with the skeleton drawn, side by side.

    Parameters
    ----------
    panels
        ``(image, xy, caption)`` per frame: RGB image (cropped), keypoints in
        that image's pixels (33 x 2) and a caption.
    measured
        Arms drawn in full colour; others are drawn faint (not measured).
    panel_width
        Width of one panel in inches (height is ``FRAME_PANEL_ASPECT`` times that).
    fontsize
        Caption size in points.

    """
    n = max(len(panels), 1)
    fig = Figure(figsize=(panel_width * n, panel_width * FRAME_PANEL_ASPECT))
    for i, (image, xy, caption) in enumerate(panels):
        ax = fig.add_subplot(1, n, i + 1)
        ax.imshow(image)
        for a, b in BONES:
            pa, pb = xy[KEYPOINT_INDEX[a]], xy[KEYPOINT_INDEX[b]]
            if not (np.isfinite(pa).all() and np.isfinite(pb).all()):
                continue
            side = "left" if a.startswith("left") and b.startswith("left") else (
                "right" if a.startswith("right") and b.startswith("right") else "")
            colour = SIDE_COLOUR.get(side, "white")
            alpha = 1.0 if not side or side in measured else 0.35
            ax.plot([pa[0], pb[0]], [pa[1], pb[1]], color=colour, linewidth=2.2, alpha=alpha,
                    solid_capstyle="round")
        ax.set_title(caption, fontsize=fontsize)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
