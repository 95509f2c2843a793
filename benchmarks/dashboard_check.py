"""Check a batch's team dashboard against its history database; compare two batch outputs.

Usage::

    python benchmarks/dashboard_check.py OUTDIR [OTHER_OUTDIR]

For OUTDIR (a finished ``armcarriage batch`` output) it prints and checks: every link of
``team.html`` and ``athletes/*.html`` resolves to a file; every sparkline and history chart
holds exactly the per-session medians of the history database (same sessions, dates and
values, with the default ``metrics.min_confidence``); the date sources of the sessions.
With OTHER_OUTDIR (the same manifest run another way, e.g. ``--scheduler local``) it
compares ``team.csv``, the clips' cues and states, and every athlete's per-session medians.
Exits 1 when a check fails.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pandas as pd

from armcarriage.config import Config
from armcarriage.history.db import get_engine
from armcarriage.history.store import athlete_sessions, list_athletes
from armcarriage.history.trends import session_medians

SVG = re.compile(
    r'<svg class="(spark|chart)"[^>]*data-metric="([^"]*)" data-values="([^"]*)" '
    r'data-dates="([^"]*)" data-sessions="([^"]*)"'
)
CARD = re.compile(r'<article class="athlete" data-name="([^"]*)"')


def check_links(out: Path) -> tuple[int, list[str]]:
    pages = [out / "team.html", *sorted((out / "athletes").glob("*.html"))]
    broken, n = [], 0
    for page in pages:
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            n += 1
            if not (page.parent / unescape(href)).resolve().is_file():
                broken.append(f"{page.name}: {href}")
    return n, broken


def _figures(text: str) -> list[tuple[str, str, list[float], list[str], list[int]]]:
    """(athlete data-name or '', metric, values, dates, sessions) in page order."""
    found = []
    athlete = ""
    for m in re.finditer(f"{CARD.pattern}|{SVG.pattern}", text):
        if m.group(1) is not None:
            athlete = m.group(1)
            continue
        _kind, metric, values, dates, sessions = m.groups()[1:]
        found.append(
            (athlete, metric, *(json.loads(unescape(x)) for x in (values, dates, sessions)))
        )
    return found


def check_trends(out: Path, min_conf: float) -> tuple[int, list[str]]:
    engine = get_engine(out / "history.sqlite")
    names = {a.casefold(): a for a in list_athletes(engine)}
    problems, n = [], 0
    pages = [(out / "team.html", None)] + [
        (p, p.stem) for p in sorted((out / "athletes").glob("*.html"))
    ]
    for page, stem in pages:
        text = page.read_text(encoding="utf-8")
        title = re.search(r"<h1>([^<]*)</h1>", text)
        for card, metric, values, dates, sessions in _figures(text):
            name = names.get(card) if stem is None else unescape(title.group(1) if title else "")
            expected = session_medians(engine, name or card, min_conf)
            expected = expected[expected["metric"] == metric]
            n += 1
            if [str(d) for d in expected["date"]] != dates or list(
                expected["session_id"]
            ) != sessions:
                problems.append(f"{page.name} {card or stem} {metric}: sessions/dates differ")
            elif any(
                abs(a - b) > 1e-5 * max(1.0, abs(b))
                for a, b in zip(values, expected["median"], strict=True)
            ):
                problems.append(f"{page.name} {card or stem} {metric}: values differ")
    return n, problems


def summary(out: Path) -> dict[str, object]:
    engine = get_engine(out / "history.sqlite")
    athletes = list_athletes(engine)
    sources: Counter[str] = Counter()
    n_sessions = 0
    for a in athletes:
        s = athlete_sessions(engine, a)
        n_sessions += len(s)
        sources.update(s["date_source"].fillna(""))
    team = pd.read_csv(out / "team.csv")
    return {
        "clips": len(team),
        "athletes": athletes,
        "sessions": n_sessions,
        "analysis_status": dict(Counter(team["analysis_status"].fillna(""))),
        "date_sources": dict(sources),
    }


def compare(a: Path, b: Path) -> list[str]:
    problems = []
    if (a / "team.csv").read_text() != (b / "team.csv").read_text():
        problems.append("team.csv differs")
    keep = ("state", "analysis_status", "cues", "content_hash", "settings_hash", "row")
    marks = [
        {
            p.parent.name: {k: json.loads(p.read_text())[k] for k in keep}
            for p in out.glob("*/batch.json")
        }
        for out in (a, b)
    ]
    if marks[0] != marks[1]:
        problems.append("batch.json contents differ")
    ea, eb = get_engine(a / "history.sqlite"), get_engine(b / "history.sqlite")
    if list_athletes(ea) != list_athletes(eb):
        problems.append("athletes differ")
    for name in list_athletes(ea):
        ma = session_medians(ea, name).drop(columns="session_id")
        mb = session_medians(eb, name).drop(columns="session_id")
        if not ma.reset_index(drop=True).equals(mb.reset_index(drop=True)):
            problems.append(f"{name}: per-session medians differ")
    return problems


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    print(json.dumps(summary(out), ensure_ascii=False, indent=1))
    n_links, broken = check_links(out)
    print(f"links checked: {n_links}, broken: {len(broken)}", *broken[:10], sep="\n  ")
    min_conf = Config().metrics.min_confidence  # what the batch's dashboard leaves out
    n_trends, wrong = check_trends(out, min_conf)
    print(f"trend figures checked against the database: {n_trends}, differing: {len(wrong)}",
          *wrong[:10], sep="\n  ")  # fmt: skip
    problems = broken + wrong
    if len(argv) > 1:
        diff = compare(out, Path(argv[1]))
        print(f"compared with {argv[1]}: {'identical results' if not diff else diff}")
        problems += diff
    return 1 if problems or not n_links or not n_trends else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
