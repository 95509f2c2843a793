"""What every part of ``report.html`` shares: escaping, the rules in view, the builder's state.

:class:`SectionBase` holds the state of one report (the analysis, settings, cues and the
charts registered so far) and the small helpers the section mixins
(:mod:`armcarriage.report.cards`, :mod:`armcarriage.report.sections`) use.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.config import Config
from armcarriage.cues import Assessment, Cue, CueRule
from armcarriage.metrics import METRICS
from armcarriage.report import plots, words
from armcarriage.report.clip import PlayerClip
from armcarriage.video import VideoInfo

E = html.escape

TABLE_EXTRA = (
    "elbow_angle_range",
    "swing_forward_deg",
    "swing_backward_deg",
)
"""Metrics the stride table shows beside the cue metrics of the clip's view."""
DRIFT_PLOT_METRICS = ("elbow_angle_mean", "swing_arc_deg", "shrug_rise_tl")
ARM_METRICS = tuple(m for m, spec in METRICS.items() if spec.per_arm)
KEY_FRAME_OVERSAMPLING = 2.0
"""Key-frame crops are scaled down to this many pixels per pixel of their panel before
matplotlib draws them: as sharp in the PNG as the full-size crop, whose drawing is a
large share of the page's time and memory on a 1080p clip."""


def img_tag(png: bytes, alt: str, cls: str = "plot") -> str:
    """Return an ``<img>`` with the PNG inlined as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{cls}" alt="{E(alt)}" src="data:image/png;base64,{data}">'


def fmt(value: Any, metric: str = "", rc: Any = None) -> str:
    """Format a metric value for display; NaN/None as an em dash (see :mod:`.words`)."""
    return words.fmt(value, metric, rc)


def view_rules(rules: Sequence[CueRule], view: str) -> list[CueRule]:
    """Return the rules that apply to a clip seen from ``view`` (all when it is unknown)."""
    return [r for r in rules if not view or view in r.views]


def cue_metrics(rules: Sequence[CueRule], view: str, cues: Sequence[Cue]) -> list[str]:
    """Metrics a cue could be about in this view, in registry order; shown cues' first."""
    order = {m: i for i, m in enumerate(METRICS)}
    first = list(dict.fromkeys(c.evidence.metric for c in cues))
    rest = {r.metric for r in view_rules(rules, view)} - set(first)
    return first + sorted(rest, key=lambda m: order.get(m, len(order)))


def thresholds(rules: Sequence[CueRule], view: str) -> dict[str, list[plots.Threshold]]:
    """Per metric, the thresholds of the rules that apply in ``view``, each value once."""
    out: dict[str, list[plots.Threshold]] = {}
    for r in view_rules(rules, view):
        if r.comparison not in ("above", "below"):  # no fixed line: asymmetry, own reference
            continue
        drawn = out.setdefault(r.metric, [])
        if all(abs(t.value - r.threshold) > 1e-12 for t in drawn):
            drawn.append(plots.Threshold(r.threshold, r.title))
    return out


def asymmetry_notes(rules: Sequence[CueRule], view: str) -> dict[str, str]:
    """Per metric, the asymmetry rule that reads it in ``view``, in words."""
    out: dict[str, str] = {}
    for r in view_rules(rules, view):
        if r.comparison == "asymmetry" and r.metric not in out:
            out[r.metric] = f"{r.title} cue: arms differ by > {r.threshold:g}%"
    return out


def not_assessed(
    assessment: Assessment, rules: Sequence[CueRule], plain: bool = True
) -> list[dict[str, str]]:
    """Return the rules not checked, less those whose fault another rule checked.

    A fault has one rule per view where its threshold differs (a shrug from the
    front and from the side); when one of them was checked, the others are not
    news, and a metric behind a shown cue is never listed as not assessed.
    Entries with the same title are merged.

    Parameters
    ----------
    assessment
        The cue engine's result.
    rules
        The rules it applied.
    plain
        Reasons without settings names or file references (for people).

    """
    skipped = {str(item.get("rule", "")) for item in assessment.not_assessed}
    by_id = {r.id: r for r in rules}
    checked = {r.group_key for r in rules if r.id not in skipped}
    cued = {c.evidence.metric for c in assessment.fired} | {
        c.evidence.metric for c in assessment.shown
    }
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in assessment.not_assessed:
        rule = by_id.get(str(item.get("rule", "")))
        if rule is not None and (rule.group_key in checked or rule.metric in cued):
            continue
        if item["title"] in seen:
            continue
        seen.add(item["title"])
        entry = dict(item)
        if plain:
            entry["reason"] = words.for_people(entry.get("reason", ""))
        out.append(entry)
    return out


class SectionBase:
    """State of one report and the helpers its sections share (see :class:`ReportBuilder`)."""

    a: Any
    player: PlayerClip | None
    charts: list[dict[str, Any]]
    stage: Callable[[str], None] | None
    video_path: Path
    config: Config
    assessment: Assessment
    cues: list[Cue]
    rules: list[CueRule]
    info: VideoInfo | None
    dpi: int
    strides: pd.DataFrame
    view: str
    rc: Any
    ok: bool

    def fmt(self, value: Any, metric: str) -> str:
        """Format a value in words, with centimetres when the runner's height is known."""
        return words.fmt(value, metric, self.rc)

    def chart(self, title: str, spec: dict[str, Any], note: str = "", wide: bool = False) -> str:
        """Register an interactive chart; return its place in the page (title above it)."""
        cid = f"chart-{len(self.charts) + 1}"
        self.charts.append({"id": cid, **spec})
        sub = f'<p class="note">{E(note)}</p>' if note else ""
        cls = "chart-box wide" if wide else "chart-box"
        return (
            f'<figure class="{cls}"><h3>{E(title)}</h3>{sub}'
            f'<div class="chart" id="{cid}" role="img" aria-label="{E(title)}"></div>'
            "</figure>"
        )

    def plotted(self) -> list[str]:
        """Metrics given a per-stride panel: every cue's, then the rest of the view's rules'."""
        return cue_metrics(self.rules, self.view, self.cues)

    def _measured(self, metric: str) -> bool:
        return metric in self.strides and pd.to_numeric(self.strides[metric]).notna().any()

    def _both_arms(self, metric: str) -> bool:
        s = self.strides
        if metric not in s or "side" not in s:
            return False
        values = pd.to_numeric(s[metric], errors="coerce")
        return all(values[s["side"] == side].notna().any() for side in ("left", "right"))
