"""The report's key frames as matplotlib figures (Agg) rendered to PNG bytes.

Also the names and colours the charts (plotly.js, :mod:`.charts`) share with them.

No pyplot: each figure is a :class:`matplotlib.figure.Figure` with its own
Agg canvas, so nothing touches global state and nothing needs a display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


@dataclass(frozen=True)
class Threshold:
    """A cue threshold drawn on a per-stride panel (value in the metric's stored unit)."""

    value: float
    title: str


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
            side = (
                "left"
                if a.startswith("left") and b.startswith("left")
                else ("right" if a.startswith("right") and b.startswith("right") else "")
            )
            colour = SIDE_COLOUR.get(side, "white")
            alpha = 1.0 if not side or side in measured else 0.35
            ax.plot(
                [pa[0], pb[0]],
                [pa[1], pb[1]],
                color=colour,
                linewidth=2.2,
                alpha=alpha,
                solid_capstyle="round",
            )
        ax.set_title(caption, fontsize=fontsize)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
