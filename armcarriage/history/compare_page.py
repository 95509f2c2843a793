"""``compare.html``: two sessions side by side, their players kept in step by stride phase.

Each session's player is the report's own, with the overlay read back from the session's
``report.html`` (:mod:`armcarriage.report.players`); playing one drives the other to the
same fraction of its stride (``sync.js``). Below: per metric the two session medians with
their bootstrap intervals, the change and the verdict (``changed beyond noise`` or
``within noise``, :mod:`armcarriage.history.compare`), and which cues appeared or went away.
"""

from __future__ import annotations

import html
import math
from typing import Any

from armcarriage.history.compare import BEYOND, Comparison, Session
from armcarriage.report import words
from armcarriage.report.players import page, player_block, report_data

E = html.escape


def _num(value: Any, metric: str) -> str:
    v = words.number(value)
    return E(words.short(v, metric)) if v is not None else "—"


def _median(row: dict[str, Any], key: str) -> str:
    """Median of one session with its interval: ``88° (86° to 90°)``."""
    metric = str(row["metric"])
    text = _num(row.get(f"median_{key}"), metric)
    low, high = row.get(f"median_{key}_low"), row.get(f"median_{key}_high")
    if words.number(low) is not None and words.number(high) is not None:
        text += f' <span class="note">({_num(low, metric)} to {_num(high, metric)})</span>'
    return text


def _change(row: dict[str, Any]) -> str:
    metric = str(row["metric"])
    diff = words.number(row.get("difference"))
    if diff is None:
        return "—"
    sign = "+" if diff > 0 else ""
    text = f"{sign}{_num(diff, metric)}"
    low, high = row.get("difference_low"), row.get("difference_high")
    if words.number(low) is not None and words.number(high) is not None:
        text += f' <span class="note">({_num(low, metric)} to {_num(high, metric)})</span>'
    return text


def _metrics(comp: Comparison) -> str:
    rows = []
    for r in comp.rows.to_dict(orient="records"):
        beyond = r["verdict"] == BEYOND
        noise = words.number(r.get("min_change"))
        rows.append(
            f'<tr class="{"beyond" if beyond else ""}" data-metric="{E(str(r["metric"]))}" '
            f'data-side="{E(str(r["side"]))}"><td>{E(str(r["title"]))}</td>'
            f'<td class="l">{E(str(r["side"]))}</td><td>{_median(r, "a")}</td>'
            f"<td>{_median(r, 'b')}</td><td>{_change(r)}</td>"
            f"<td>{_num(noise, str(r['metric'])) if noise else '—'}</td>"
            f'<td class="l">{E(str(r["unit"]))}</td>'
            f'<td class="l verdict">{E(str(r["verdict"]))}</td></tr>'
        )
    return (
        '<section id="metrics"><h2>Metrics</h2><p class="note">Each value is the session\'s '
        "median over its strides with its "
        f"{round(100 * comp.interval)} % bootstrap interval; the change is B − A with its "
        "interval. A change counts as beyond noise only when its interval excludes zero and "
        "it is at least the metric's measurement noise (the smallest change the measurement "
        'can tell apart between two films).</p><div class="scroll"><table><tr><th>metric</th>'
        '<th class="l">arm</th><th>A</th><th>B</th><th>change</th><th>noise</th>'
        f'<th class="l">unit</th><th class="l">verdict</th></tr>{"".join(rows)}</table></div>'
        "</section>"
    )


def _titles(*sessions: Session) -> dict[str, str]:
    return {
        str(c.get("rule_id")): str(c.get("title") or c.get("rule_id"))
        for s in sessions
        for c in s.summary.get("cues") or []
    }


def _cues(comp: Comparison) -> str:
    names = _titles(comp.a, comp.b)
    items = "".join(
        f'<li data-cues="{key}"><b>{E(label)}</b>: '
        f"{E(', '.join(names.get(i, i) for i in ids) or 'none')}</li>"
        for key, label, ids in (
            ("appeared", "appeared", comp.cues_appeared),
            ("gone", "went away", comp.cues_gone),
            ("kept", "still there", comp.cues_kept),
        )
    )
    return f'<section id="cues"><h2>Cues</h2><ul>{items}</ul></section>'


def _when(s: Session) -> str:
    created = str(s.summary.get("created") or "")[:16].replace("T", " ")
    n = (s.summary.get("clip") or {}).get("strides")
    cadence = words.number(s.summary.get("cadence_spm"))
    parts = [created] if created else []
    if n:
        parts.append(f"{n} strides")
    if cadence is not None and not math.isnan(cadence):
        parts.append(f"{cadence:.0f} steps/min")
    return " · ".join(parts)


def compare_sections(comp: Comparison, bases: tuple[str, str]) -> tuple[str, str, str]:
    """Return the compare page's title, header and sections (no scripts, no style).

    ``bases``: where each session's files are, as the page reaches them (a relative
    folder such as ``../before/``, or a URL ending in ``/``).
    """
    blocks = "".join(
        player_block(report_data(s.folder / "report.html"), base, f"{key}: {s.label}", _when(s))
        for key, s, base in (("A", comp.a, bases[0]), ("B", comp.b, bases[1]))
    )
    players = (
        '<section id="players"><h2>Side by side</h2><p class="note">Play either clip: the '
        "other follows at the same point of its stride (the same fraction of the "
        "same-numbered stride), so the two runs are seen in the same phase whatever their "
        f'cadence.</p><div class="players">{blocks}</div></section>'
    )
    header = (
        f'<h1>Before and after</h1><div class="sub">A: {E(comp.a.label)} · B: '
        f"{E(comp.b.label)}</div>"
    )
    title = f"Compare {comp.a.label} and {comp.b.label}"
    return title, header, players + _cues(comp) + _metrics(comp)


def compare_page(comp: Comparison, bases: tuple[str, str]) -> str:
    """Render ``compare.html``, a page of its own (see :func:`compare_sections`)."""
    return page(*compare_sections(comp, bases), sync=True)
