"""The batch's ``team.html``: athlete cards with trends, the flags, and every clip of the batch.

One self-contained file (style and script inlined from the package) that opens from
disk: each athlete's name links to the latest report, ``athletes/NAME.html`` holds
the athlete's history, and every clip row links to its report.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.atomic import write_text
from armcarriage.dashboard.model import Athlete, Dashboard, load_dashboard
from armcarriage.dashboard.render import (
    athlete_cards,
    controls,
    e,
    history_fragment,
    standalone,
)
from armcarriage.names import slug
from armcarriage.recorded import FILE_DATE

HISTORY_DIR = "athletes"
"""Folder of the batch output holding one history page per athlete."""

REPORT_NAME = "report.html"


def report_link(outdir: Path, output_dir: str) -> str | None:
    """Return the link from ``outdir`` to the report in a session's folder (None if absent)."""
    if not output_dir:
        return None
    target = Path(output_dir) / REPORT_NAME
    if not target.is_file():
        return None
    return Path(os.path.relpath(target, outdir)).as_posix()


def batch_dashboard(engine: Any, outdir: Path, names: list[str], min_conf: float) -> Dashboard:
    """Return the dashboard of the batch's athletes, linking reports relative to ``outdir``."""
    return load_dashboard(
        engine,
        lambda s: report_link(outdir, str(s.get("output_dir") or "")),
        names,
        min_conf,
    )


def history_name(athlete: Athlete) -> str:
    """Return the file name of an athlete's history page."""
    return f"{slug(athlete.name)}.html"


def write_history_pages(dashboard: Dashboard, outdir: Path) -> list[Path]:
    """Write ``athletes/NAME.html`` for every athlete (links relative to that folder)."""
    written = []
    for athlete in dashboard.athletes:
        for s in athlete.sessions:
            if s.link:
                s.link = f"../{s.link}"
        body = (
            f'<p><a href="../team.html">&larr; team</a></p><h1>{e(athlete.name)}</h1>'
            + history_fragment(athlete)
        )
        page = standalone(f"{athlete.name}: history", body)
        written.append(write_text(outdir / HISTORY_DIR / history_name(athlete), page))
        for s in athlete.sessions:
            if s.link:
                s.link = s.link[3:]
    return written


def _cell(value: Any) -> tuple[str, str]:
    """Return (display text, sort key) of a table cell."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return "–", ""
        return f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}", repr(value)
    text = "" if value is None else str(value)
    return text, text


def clips_table(frame: pd.DataFrame, columns: tuple[str, ...], links: Mapping[str, str]) -> str:
    """Return the batch's clips as a sortable table whose rows carry their cues."""
    head = "".join(f'<th scope="col" title="click to sort">{e(c)}</th>' for c in columns)
    body = []
    for _, row in frame.iterrows():
        cls = ' class="failed"' if row["state"] == "failed" else ""
        cues = [c for c in str(row.get("top_cues") or "").split(" | ") if c]
        cells = []
        for col in columns:
            text, key = _cell(row[col])
            shown = e(text)
            if col == "clip" and links.get(text):
                shown = f'<a href="{e(links[text])}">{shown}</a>'
            elif col == "date" and row.get("date_source") == FILE_DATE and text:
                shown += ' <span class="src">(file date)</span>'
            cells.append(f'<td data-sort="{e(key)}">{shown}</td>')
        body.append(f'<tr{cls} data-cues="{e(json.dumps(cues))}">{"".join(cells)}</tr>')
    return (
        '<div class="scroll"><table id="team" class="sortable">'
        f"<thead><tr>{head}</tr></thead><tbody>\n{chr(10).join(body)}\n</tbody></table></div>"
    )


def team_page(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    flags_html: str,
    dashboard: Dashboard | None,
    links: Mapping[str, str],
) -> str:
    """Return the whole ``team.html``."""
    failed = int((frame["state"] == "failed").sum()) if not frame.empty else 0
    clip_cues = sorted(
        {c for v in frame.get("top_cues", []) for c in str(v or "").split(" | ") if c}
    )
    parts = [
        "<h1>Team report</h1>",
        f"<p>{len(frame)} clips, {failed} failed. Angles in degrees, crossing in shoulder "
        "widths, shrug in torso lengths, symmetry index in percent (positive: left larger), "
        "drift in percent from the first to the last third of the clip. Dates marked "
        "<i>file date</i> are when the file was saved (the video states no recording time). "
        "Click a column header to sort.</p>",
        controls(dashboard or Dashboard([]), clip_cues),
    ]
    if dashboard is not None:
        parts += [
            "<h2>Athletes</h2>",
            '<p class="meta">Each trend is the per-session median (both arms) from the '
            "history database; the shaded band is the metric's measurement noise.</p>",
            athlete_cards(dashboard, lambda a: f"{HISTORY_DIR}/{history_name(a)}"),
        ]
    parts += [f'<div class="flags">{flags_html}</div>', "<h2>All clips</h2>"]
    parts.append(clips_table(frame, columns, links))
    return standalone("armcarriage team report", "\n".join(parts))
