"""Cues of a session: every rule applied to the clip its metric was taken from.

The merge chose one clip per metric, and per arm where the clips see different arms
(:mod:`armcarriage.sessions.merge`); each rule is assessed by the cue engine
(:func:`armcarriage.cues.assess`) on those clips, so a cue rests on the same numbers the
session shows. Rules of a metric no clip measured are assessed
on a clip filmed from one of the rule's views (else the first), which says why not.
The fired cues of all clips are then ranked together, one per fault group, at most
``cues.max_cues``, as for one clip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from armcarriage.config import Config
from armcarriage.cues import Assessment, Cue, CueRule, assess, default_rules_path, load_rules
from armcarriage.jsonio import jsonable


@dataclass
class SessionCues:
    """The merged assessment and, per fired cue, the clip it was seen in."""

    assessment: Assessment
    clip_of: dict[int, str] = field(default_factory=dict)
    """``id(cue)`` -> name of the clip the cue was assessed on (use :meth:`clip`)."""

    def clip(self, cue: Cue) -> str:
        """Return the clip a cue was assessed on."""
        return self.clip_of.get(id(cue), "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the shown cues (each with its ``clip``), good, watch, not assessed."""
        a = self.assessment
        return jsonable(
            {
                "shown": [{**c.to_dict(), "clip": self.clip(c)} for c in a.shown],
                "good": a.good,
                "watch": a.watch,
                "borderline": a.borderline,
                "not_assessed": a.not_assessed,
            }
        )


def _rule_clips(rule: CueRule, result: Any) -> list[int]:
    """Return the clips a rule is assessed on: its metric's source and each arm's clip.

    A rule whose metric no clip measured goes to a clip filmed from one of its views, which
    says why the metric is missing there (no silhouette numbers, say) rather than that the
    view is wrong.
    """
    names = [c.name for c in result.clips]
    entry = result.metrics.get(rule.metric, {})
    sources = [entry.get("source"), *(entry.get("arms") or {}).values()]
    found = list(dict.fromkeys(names.index(n) for n in sources if n in names))
    if found:
        return found
    for i, clip in enumerate(result.clips):
        if clip.view in rule.views:
            return [i]
    return [0]


def assess_session(result: Any, config: Config, rules: list[CueRule] | None = None) -> SessionCues:
    """Assess the cue rules on the merged numbers of a session.

    Parameters
    ----------
    result
        The :class:`armcarriage.sessions.merge.SessionResult` (clips and metric sources).
    config
        ``cues.rules_path`` and ``cues.max_cues``.
    rules
        Rules to apply instead of loading them from ``config``.

    Returns
    -------
    SessionCues

    """
    if rules is None:
        rules = load_rules(config.cues.rules_path or None)
    by_clip: dict[int, list[CueRule]] = {}
    for rule in rules:
        for i in _rule_clips(rule, result):
            by_clip.setdefault(i, []).append(rule)
    parts: list[tuple[str, Assessment]] = [
        (result.clips[i].name, assess(result.clips[i].analysis, config, subset))
        for i, subset in sorted(by_clip.items())
    ]
    clip_of: dict[int, str] = {}
    fired: list[Cue] = []
    for name, part in parts:
        for cue in part.fired:
            clip_of[id(cue)] = name
            fired.append(cue)
    fired.sort(key=lambda c: (-c.score, c.rule_id))
    group = {r.id: r.group_key for r in rules}
    shown: list[Cue] = []
    seen: set[str] = set()
    for cue in fired:
        if group[cue.rule_id] not in seen:
            seen.add(group[cue.rule_id])
            shown.append(cue)

    def union(attr: str) -> list[Any]:
        out: list[Any] = []
        for _, part in parts:
            out += [x for x in getattr(part, attr) if x not in out]
        return out

    assessment = Assessment(
        shown=shown[: max(0, config.cues.max_cues)],
        fired=fired,
        good=_still_good(union("good"), fired, rules),
        not_assessed=[x for x in union("not_assessed") if x.get("rule") != "*"]
        or union("not_assessed"),
        rules_source=config.cues.rules_path or str(default_rules_path()),
        watch=union("watch"),
        borderline=union("borderline"),
    )
    return SessionCues(assessment, clip_of)


def _still_good(good: list[str], fired: list[Cue], rules: list[CueRule]) -> list[str]:
    """Drop what one clip called good about a fault another clip cued (the other arm, say)."""
    group = {r.id: r.group_key for r in rules}
    bad = {group[c.rule_id] for c in fired}
    texts = tuple(r.good or f"{r.title}: not seen." for r in rules if r.group_key in bad)
    return [g for g in good if not texts or not g.startswith(texts)]
