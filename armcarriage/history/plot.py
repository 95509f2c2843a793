"""Plots and pages of an athlete's history: each metric over dates, with the cues that fired."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.atomic import atomic_path, write_text
from armcarriage.metrics import METRICS

METRIC_ORDER: tuple[str, ...] = tuple(METRICS)
"""Order of the metrics in tables and plots; unknown metrics follow alphabetically."""

_STYLE = (
    "body{font-family:system-ui,sans-serif}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:.85em}"
)

SIDE_STYLE = {"left": ("tab:blue", "o"), "right": ("tab:orange", "s")}


def ordered_metrics(names: Any) -> list[str]:
    """Return metric names in :data:`METRIC_ORDER`, unknown ones after, sorted."""
    names = set(names)
    known = [m for m in METRIC_ORDER if m in names]
    return known + sorted(names - set(known))


def metric_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Pivot per-session medians to one row per metric x arm and one column per session.

    Parameters
    ----------
    metrics
        From :func:`armcarriage.history.store.athlete_metrics`.

    Returns
    -------
    DataFrame
        Index ``(metric, side)``; columns ``"<date> <clip_key>"`` in date order.

    """
    if metrics.empty:
        return pd.DataFrame()
    frame = metrics.copy()
    frame["session"] = frame["date"].astype(str) + " " + frame["clip_key"].astype(str)
    order = frame.sort_values(["date", "session_id"])["session"].drop_duplicates().tolist()
    table = frame.pivot_table(index=["metric", "side"], columns="session", values="median")
    rows = [(m, s) for m in ordered_metrics(frame["metric"]) for s in ("left", "right")]
    return table.reindex(index=[r for r in rows if r in table.index], columns=order)


def plot_history(
    metrics: pd.DataFrame, sessions: pd.DataFrame, athlete: str, path: str | Path, dpi: int = 100
) -> Path:
    """Draw every metric over dates (one panel each, one line per arm) into a PNG.

    Parameters
    ----------
    metrics
        From :func:`armcarriage.history.store.athlete_metrics`.
    sessions
        From :func:`armcarriage.history.store.athlete_sessions` (cues are listed under the plot).
    athlete
        Name for the title.
    path
        PNG file, written atomically.
    dpi
        Resolution.

    Returns
    -------
    Path
        The PNG.

    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    names = ordered_metrics(metrics["metric"]) if not metrics.empty else []
    cols = 3
    rows = max(1, math.ceil(len(names) / cols))
    cue_lines = _cue_lines(sessions)
    fig = Figure(figsize=(4.2 * cols, 2.6 * rows + 0.3 * (len(cue_lines) + 2)), dpi=dpi)
    grid = fig.add_gridspec(
        rows + 1, cols, height_ratios=[*([1.0] * rows), 0.15 + 0.1 * len(cue_lines)]
    )
    dates = pd.to_datetime(metrics["date"]) if not metrics.empty else pd.Series([], dtype="M8[ns]")
    pad = pd.Timedelta(days=3)
    xlim = (dates.min() - pad, dates.max() + pad) if len(dates) else None
    for i, metric in enumerate(names):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        if xlim is not None:
            ax.set_xlim(*xlim)
        sel = metrics[metrics["metric"] == metric]
        for side, (color, marker) in SIDE_STYLE.items():
            part = sel[sel["side"] == side].sort_values("date")
            if not part.empty:
                ax.plot(
                    pd.to_datetime(part["date"]),
                    part["median"],
                    marker=marker,
                    color=color,
                    label=side,
                )
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize=7)
        locator = AutoDateLocator(maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    text_ax = fig.add_subplot(grid[rows, :])
    text_ax.axis("off")
    text_ax.text(
        0.0,
        1.0,
        "Cues that fired:\n" + ("\n".join(cue_lines) if cue_lines else "none"),
        va="top",
        fontsize=8,
        family="monospace",
    )
    fig.suptitle(f"{athlete}: per-session median of each metric (left / right arm)")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path


def _cue_lines(sessions: pd.DataFrame) -> list[str]:
    lines = []
    for _, s in sessions.iterrows():
        cues = (
            "; ".join(s["cues"])
            if s["cues"]
            else ("(failed: " + s["error"] + ")" if s["error"] else "-")
        )
        lines.append(f"{s['date']}  {s['clip_key']}: {cues}")
    return lines


def write_history_page(
    metrics: pd.DataFrame, sessions: pd.DataFrame, athlete: str, png: Path, path: str | Path
) -> Path:
    """Write an HTML page with the plot (embedded), the metric table and the cues per session."""
    image = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    table = metric_table(metrics)
    table_html = (
        table.round(3).to_html(na_rep="–", border=0)
        if not table.empty
        else "<p>No measured strides.</p>"
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                s["date"],
                s["clip_key"],
                s["status"],
                s["analysis_status"],
                s["view"],
                "; ".join(s["cues"]),
                s["error"],
            )
        )
        + "</tr>"
        for _, s in sessions.iterrows()
    )
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(athlete)} history</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(athlete)}: history</h1>"
        f"<img alt='metrics over dates' src='data:image/png;base64,{image}' style='max-width:100%'>"
        f"<h2>Sessions and cues</h2><table><tr><th>date</th><th>clip</th><th>status</th>"
        f"<th>analysis</th><th>view</th><th>cues</th><th>error</th></tr>{rows}</table>"
        f"<h2>Per-session medians</h2>{table_html}</body></html>"
    )
    return write_text(path, page)
