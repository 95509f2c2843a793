"""HTML of the team dashboard and the athlete history page.

The fragments are shared: the batch wraps them in one self-contained page (style
and script inlined from the package), the web app in its own page (style and
script as files, under its Content-Security-Policy).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from functools import cache
from importlib.resources import files

from armcarriage.dashboard.model import Athlete, Dashboard, Session, Trend
from armcarriage.dashboard.svg import chart, fmt, fmt_change, sparkline
from armcarriage.metrics import METRICS
from armcarriage.recorded import FILE_DATE, RECORDED, UPLOAD_DATE

ASSETS = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
"""The dashboard's package files and their media types."""

HistoryLink = Callable[[Athlete], "str | None"]
"""Returns the URL of an athlete's history page, or None when there is none."""


@cache
def asset(name: str) -> str:
    """Return the text of a dashboard asset (:data:`ASSETS`)."""
    if name not in ASSETS:
        raise KeyError(f"no dashboard asset {name!r}; expected one of {sorted(ASSETS)}")
    return (files("armcarriage") / "data" / name).read_text(encoding="utf-8")


def e(value: object) -> str:
    """Escape text for HTML (attributes included)."""
    return html.escape(str(value), quote=True)


_FILE_DATE_TIP = "the file's modification time: when it was copied, perhaps not when filmed"
_RECORDED_TIP = "the recording time the video file states"
_UPLOAD_TIP = "the day the clip was uploaded: the clip states no recording time"


def date_label(session: Session) -> str:
    """Return the session's date with where it came from when that matters."""
    if not session.date:
        return "no date"
    if session.date_source == FILE_DATE:
        return f'{e(session.date)} <span class="src" title="{e(_FILE_DATE_TIP)}">(file date)</span>'
    if session.date_source == UPLOAD_DATE:
        return f'{e(session.date)} <span class="src" title="{e(_UPLOAD_TIP)}">(upload date)</span>'
    if session.date_source == RECORDED:
        return f'{e(session.date)} <span class="src" title="{e(_RECORDED_TIP)}">(recorded)</span>'
    return e(session.date)


def controls(dashboard: Dashboard, extra_cues: list[str] = ()) -> str:  # type: ignore[assignment]
    """Return the sort and filter controls (wired by ``dashboard.js``)."""
    cues = sorted(set(dashboard.cues) | set(extra_cues))
    options = "".join(f'<option value="{e(c)}">{e(c)}</option>' for c in cues)
    metric_opts = "".join(
        f'<option value="m:{e(m)}">{e(METRICS[m].description)}</option>' for m in _key_metrics()
    )
    return (
        '<div class="controls" id="controls">'
        '<label>Find athlete <input id="athlete-search" type="search" placeholder="name"></label>'
        '<label>Cue <select id="cue-filter"><option value="">all cues</option>'
        f"{options}</select></label>"
        '<label>Sort athletes by <select id="sort-cards">'
        '<option value="name">name</option><option value="date">latest session</option>'
        f'<option value="sessions">sessions</option>{metric_opts}</select></label>'
        '<button type="button" id="sort-dir" data-dir="asc" aria-label="sort direction">'
        "ascending</button>"
        '<span id="shown" class="meta" aria-live="polite"></span></div>'
    )


def _key_metrics() -> list[str]:
    from armcarriage.dashboard.model import KEY_METRICS

    return list(KEY_METRICS)


def _change_note(trend: Trend) -> str:
    """Return the first-to-latest change, marked when it is larger than the noise."""
    change = trend.change
    if not math.isfinite(change):
        return ""
    beyond = abs(change) > trend.noise if math.isfinite(trend.noise) else True
    word = "change" if beyond else "within noise"
    tip = f"first to latest session; measurement noise ±{fmt(trend.noise)}"
    return (
        f' <span class="chg{" big" if beyond else ""}" title="{e(tip)}">'
        f"{fmt_change(change, trend.noise)} {word}</span>"
    )


def _trend_figure(trend: Trend) -> str:
    return (
        f'<figure class="trend" data-metric="{e(trend.metric)}">'
        f"<figcaption>{e(trend.label)} <b>{fmt(trend.latest)}</b> "
        f'<span class="unit">{e(trend.unit)}</span>{_change_note(trend)}</figcaption>'
        f"{sparkline(trend)}</figure>"
    )


def athlete_card(athlete: Athlete, history_link: HistoryLink) -> str:
    """Return one athlete's card: latest report link, latest cues, a trend per key metric."""
    latest = athlete.latest
    cues = latest.cues if latest else []
    values = " ".join(
        f'data-m-{e(t.metric)}="{t.latest:.6g}"' for t in athlete.key_trends() if t.points
    )
    name = e(athlete.name)
    title = (
        f'<a class="latest-report" href="{e(latest.link)}">{name}</a>'
        if latest and latest.link
        else name
    )
    hist = history_link(athlete)
    meta = [f"{len(athlete.sessions)} session{'s' if len(athlete.sessions) != 1 else ''}"]
    if latest:
        meta.append(f"latest {date_label(latest)}")
        if latest.link:
            meta.append(f'<a href="{e(latest.link)}">latest report</a>')
    if hist:
        meta.append(f'<a class="history-link" href="{e(hist)}">history</a>')
    cue_list = "".join(f"<li>{e(c)}</li>" for c in cues) or '<li class="none">no cue</li>'
    trends = "".join(_trend_figure(t) for t in athlete.key_trends())
    return (
        f'<article class="athlete" data-name="{e(athlete.name.casefold())}" '
        f'data-date="{e(latest.date if latest else "")}" data-sessions="{len(athlete.sessions)}" '
        f'data-cues="{e(json.dumps(cues))}" {values}>'
        f'<h3>{title}</h3><p class="meta">{" · ".join(meta)}</p>'
        f'<ul class="cues">{cue_list}</ul><div class="trends">{trends}</div></article>'
    )


def athlete_cards(dashboard: Dashboard, history_link: HistoryLink) -> str:
    """Return every athlete's card in a grid (``#cards``)."""
    if not dashboard.athletes:
        return '<p class="note">No athletes in the history yet.</p>'
    cards = "".join(athlete_card(a, history_link) for a in dashboard.athletes)
    return f'<div id="cards" class="cards">{cards}</div>'


def sessions_table(dashboard: Dashboard, table_id: str = "sessions") -> str:
    """Return every session of every athlete, newest first, as a sortable table."""
    rows = []
    for athlete in dashboard.athletes:
        for s in athlete.sessions:
            clip = f'<a href="{e(s.link)}">{e(s.clip)}</a>' if s.link else e(s.clip)
            rows.append(
                (
                    s.date,
                    f'<tr data-cues="{e(json.dumps(s.cues))}">'
                    f'<td data-sort="{e(athlete.name.casefold())}">{e(athlete.name)}</td>'
                    f'<td data-sort="{e(s.date)}">{date_label(s)}</td><td>{clip}</td>'
                    f"<td>{e(s.view)}</td><td>{e(s.status)}</td>"
                    f'<td data-sort="{s.strides}">{s.strides}</td>'
                    f"<td>{e('; '.join(s.cues))}</td></tr>",
                )
            )
    rows.sort(key=lambda r: r[0], reverse=True)
    head = "".join(
        f'<th scope="col" title="click to sort">{h}</th>'
        for h in ("Athlete", "Date", "Clip", "View", "Status", "Strides", "Cues")
    )
    body = "".join(r[1] for r in rows)
    return (
        f'<div class="scroll"><table id="{e(table_id)}" class="sortable">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def history_fragment(athlete: Athlete) -> str:
    """Return an athlete's history: each metric's session medians with noise band, sessions."""
    from armcarriage.history.plot import ordered_metrics

    charts = []
    for metric in ordered_metrics(athlete.trends):
        trend = athlete.trends[metric]
        noise = f"±{fmt(trend.noise)}" if math.isfinite(trend.noise) else "unknown"
        charts.append(
            f'<section class="metric" data-metric="{e(metric)}"><h3>{e(trend.label)} '
            f'<span class="unit">({e(trend.unit)}; noise band {noise})</span></h3>'
            f"{chart(trend)}</section>"
        )
    sessions = []
    for s in reversed(athlete.sessions):
        clip = f'<a href="{e(s.link)}">{e(s.clip)}</a>' if s.link else e(s.clip)
        cues = "".join(f"<li>{e(c)}</li>" for c in s.cues) or '<li class="none">no cue</li>'
        sessions.append(
            f'<tr data-cues="{e(json.dumps(s.cues))}">'
            f'<td data-sort="{e(s.date)}">{date_label(s)}</td>'
            f"<td>{clip}</td><td>{e(s.view)}</td><td>{e(s.status)}</td>"
            f'<td data-sort="{s.strides}">{s.strides}</td>'
            f'<td><ul class="cues">{cues}</ul></td></tr>'
        )
    table = (
        '<div class="scroll"><table id="history-sessions" class="sortable"><thead><tr>'
        "<th>Date</th><th>Clip</th><th>View</th><th>Status</th><th>Strides</th><th>Cues</th>"
        f"</tr></thead><tbody>{''.join(sessions)}</tbody></table></div>"
    )
    body = "".join(charts) or '<p class="note">No measured strides yet.</p>'
    return (
        '<p class="meta">Each point is one session\'s median over its strides (both arms); '
        "the band is the metric's measurement noise: a change inside it cannot be told "
        "from the measurement.</p>"
        f'<div class="charts">{body}</div><h2>Sessions and cues</h2>{table}'
    )


def standalone(title: str, body: str) -> str:
    """Return a self-contained page (style and script inlined from the package)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{asset('dashboard.css')}</style></head>"
        f'<body class="dash"><main>{body}</main><script>{asset("dashboard.js")}</script>'
        "</body></html>\n"
    )
