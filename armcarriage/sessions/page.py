"""The session's ``report.html``: every clip's player and the merged numbers, each with its source.

One page for the run: the cues assessed on the merged numbers (each says which clip it
was seen in and shows that moment), the cadence cross-check, one player per clip (kept
in step by stride phase, :mod:`armcarriage.report.players`), and per metric its value
with a note of the clip and view it came from. Each clip's own report stays in its folder.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from armcarriage.config import Config
from armcarriage.report import words
from armcarriage.report.players import page, player_block, report_data
from armcarriage.sessions.merge import DISAGREE, SessionResult

E = html.escape


def _cues(result: SessionResult, config: Config) -> str:
    """Render the cue cards, each naming its clip, with a button that shows its key moment."""
    cues = result.cues
    index = {c.name: i for i, c in enumerate(result.clips)}
    cards = []
    for rank, cue in enumerate(cues.assessment.shown, 1):
        name = cues.clip(cue)
        clip = result.clips[index[name]] if name in index else None
        ev = cue.evidence
        where = clip.where if clip is not None else name
        cards.append(
            f'<div class="cue {E(cue.severity)}"><div><h3><span class="rank">{rank}</span>'
            f"{E(cue.title)}</h3><p class=say>“{E(cue.cue)}”</p><p>{E(cue.why)}</p>"
            f'<p class="evidence"><b>{len(ev.strides_affected)} of {ev.strides_measured}</b> '
            f"strides; {E(words.label(ev.metric))}: from {E(where)}</p>"
            f'<button type="button" class="seek" data-player="{index.get(name, 0)}" '
            f'data-t="{ev.key_frame_time:.4f}">Show stride {ev.key_stride + 1} in {E(name)}'
            "</button></div></div>"
        )
    if not cards:
        cards.append('<p class="empty">No fault past its threshold in this session.</p>')
    good = "".join(f"<li>{E(g)}</li>" for g in cues.assessment.good)
    watch = "".join(f"<li>{E(w)}</li>" for w in cues.assessment.watch)
    return (
        '<section id="cues"><h2>Cues</h2><p class="note">Assessed on the merged numbers: '
        "each rule on the clip its metric was taken from.</p>"
        f"{''.join(cards)}"
        + (f'<h3>What is good</h3><ul class="good">{good}</ul>' if good else "")
        + (f'<h3 class="watch">Worth watching</h3><ul class="watch">{watch}</ul>' if watch else "")
        + "</section>"
    )


def _cadence(result: SessionResult) -> str:
    if not result.cadence:
        return ""
    items = "".join(
        f'<li class="{"bad" if c["verdict"] == DISAGREE else ""}">{E(c["text"])}</li>'
        for c in result.cadence
    )
    return f'<section id="cadence"><h2>Cadence cross-check</h2><ul>{items}</ul></section>'


Place = tuple[Path | None, str]
"""Where a clip's outputs are: its ``report.html`` (None when not written) and the prefix
of its ``clip.mp4`` as the page reaches it (a relative folder or a URL ending in ``/``)."""


def places(result: SessionResult, outdir: Path) -> list[Place]:
    """Return each clip's place for a page written in ``outdir`` (its folders relative to it)."""
    return [
        (outdir / c.folder / "report.html", f"{c.folder.as_posix()}/")
        if c.folder is not None
        else (None, "")
        for c in result.clips
    ]


def _players(result: SessionResult, where: list[Place]) -> str:
    blocks = []
    for clip, (report, base) in zip(result.clips, where, strict=True):
        data = report_data(report) if report is not None else None
        taken = [words.label(m) for m, e in result.metrics.items() if e.get("source") == clip.name]
        note = f"{len(taken)} metrics taken from this clip" if taken else "no metric taken from it"
        if clip.analysis.status != "ok":
            note = words.refusal(clip.analysis)
        blocks.append(player_block(data, base, clip.where, note))
    return (
        '<section id="players"><h2>The clips</h2><p class="note">Play one clip and the '
        "others follow at the same point of the stride.</p>"
        f'<div class="players">{"".join(blocks)}</div></section>'
    )


def _value(entry: dict[str, Any], metric: str, config: Config) -> list[str]:
    cells = []
    for side in ("left", "right", "both"):
        stats = entry.get(side) or {}
        cells.append(E(words.short(stats.get("median"), metric, config.report)))
    return cells


def _metrics(result: SessionResult, config: Config) -> str:
    rows, missing = [], []
    for metric, entry in result.metrics.items():
        label = words.label(metric)
        if entry.get("source") is None:
            missing.append(
                f'<tr data-metric="{E(metric)}"><td>{E(label)}</td>'
                f"<td class=l>{E(words.for_people(entry['note']))}</td></tr>"
            )
            continue
        left, right, both = _value(entry, metric, config)
        rows.append(
            f'<tr data-metric="{E(metric)}"><td>{E(label)}</td><td>{left}</td><td>{right}</td>'
            f"<td>{both}</td><td>{E(entry['unit'])}</td>"
            f'<td class="l src">{E(entry["note"])}</td></tr>'
        )
    table = (
        '<div class="scroll"><table><tr><th>metric</th><th>left</th><th>right</th>'
        f'<th>both</th><th>unit</th><th class="l">from</th></tr>{"".join(rows)}</table></div>'
    )
    gone = (
        '<h3>Not measured in any clip</h3><table><tr><th>metric</th><th class="l">why</th>'
        f"</tr>{''.join(missing)}</table>"
        if missing
        else ""
    )
    return (
        '<section id="metrics"><h2>The numbers</h2><p class="note">Median over the strides of '
        "the clip each metric was taken from: the clip whose view measures it, the better view "
        f"or the more confident values where several do.</p>{table}{gone}</section>"
    )


def _links(result: SessionResult, links: list[str]) -> str:
    items = "".join(
        f'<li><a href="{E(link)}">{E(c.where)}</a>: its own report</li>'
        for c, link in zip(result.clips, links, strict=True)
        if link
    )
    return f'<section id="clip-reports"><h2>Each clip alone</h2><ul>{items}</ul></section>'


def session_sections(
    result: SessionResult, config: Config, where: list[Place], links: list[str]
) -> tuple[str, str, str]:
    """Return the session page's title, header and sections (no scripts, no style).

    ``where`` gives each clip's report and clip prefix (:func:`places`), ``links`` the
    address of each clip's own report ('' for none).
    """
    names = " + ".join(c.name for c in result.clips)
    chips = "".join(
        f'<span class="chip">{E(c.where)}: <b>{E(c.analysis.status)}</b></span>'
        for c in result.clips
    )
    header = f'<h1>Session</h1><div class="sub">{E(names)}</div><div class="chips">{chips}</div>'
    body = (
        _cues(result, config)
        + _cadence(result)
        + _players(result, where)
        + _metrics(result, config)
        + _links(result, links)
    )
    return f"Arm carriage session · {names}", header, body


def session_page(result: SessionResult, outdir: Path, config: Config) -> str:
    """Render the session's ``report.html`` (its clips' reports are in their folders)."""
    where = places(result, outdir)
    links = [f"{base}report.html" if report is not None else "" for report, base in where]
    return page(*session_sections(result, config, where, links), sync=True)
