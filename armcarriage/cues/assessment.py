"""Apply every rule to an analysis: the cues that fired, what is good, what was not assessed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from armcarriage.config import Config
from armcarriage.cues.breaks import _measured
from armcarriage.cues.evidence import _check_asymmetry, _check_per_arm
from armcarriage.cues.own import REFERENCE_COMPARISON, check_reference
from armcarriage.cues.reference import NeckReference
from armcarriage.cues.result import Assessment, Cue
from armcarriage.cues.rules import CueRule, default_rules_path, load_rules, unit_of
from armcarriage.cues.texts import _fmt
from armcarriage.status import Status

if TYPE_CHECKING:  # the type only: the analysis stage is not imported here
    from armcarriage.analysis import Analysis


def _view_label(analysis: Analysis) -> str:
    view = getattr(analysis, "view", None) or {}
    return str(view.get("label", "")) if isinstance(view, Mapping) else ""


def _better_views(rule: CueRule) -> str:
    return " or ".join(v.replace("_", " ") for v in rule.views)


def assess(
    analysis: Analysis,
    config: Config | None = None,
    rules: list[CueRule] | None = None,
    references: Sequence[NeckReference] = (),
) -> Assessment:
    """Apply every rule to an analysis.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        ``config.cues`` gives the rule file and the number of cues shown.
    rules
        Rules to apply instead of loading them from ``config``.
    references
        The athlete's own relaxed references (:mod:`armcarriage.cues.reference`) for the
        rules of comparison ``below_reference``; without one that fits the clip's view
        class and framing those rules are left out.

    Returns
    -------
    Assessment
        ``shown``: the top cues (ranked, one per fault group, at most
        ``max_cues``); ``fired``: every fired cue, ranked; ``good``: what is
        good; ``not_assessed``: rules that could not be checked and why.

    """
    config = config or Config()
    if rules is None:
        rules = load_rules(config.cues.rules_path or None)
    source = config.cues.rules_path or str(default_rules_path())
    view = _view_label(analysis)
    strides = getattr(analysis, "strides", None)
    fired: list[Cue] = []
    skipped: list[dict[str, str]] = []
    ok_groups: dict[str, list[CueRule]] = {}
    bad_groups: set[str] = set()
    watch: list[str] = []
    borderline: list[dict[str, Any]] = []
    used: list[dict[str, Any]] = []
    if getattr(analysis, "status", Status.OK) != Status.OK or strides is None or strides.empty:
        msg = getattr(analysis, "message", "") or "the analysis produced no strides"
        return Assessment([], [], [], [{"rule": "*", "title": "all cues", "reason": msg}], source)
    for rule in rules:
        if rule.comparison == REFERENCE_COMPARISON and not references:
            continue  # no reference given: the assessment made without one
        if view and view not in rule.views:
            skipped.append(_wrong_view(rule, view))
            continue
        result = _check(rule, analysis, strides, tuple(references), config, used)
        if result is None:  # no reference fits: the assessment made without one
            continue
        if isinstance(result, Cue):
            fired.append(result)
            bad_groups.add(rule.group_key)
        elif isinstance(result, list):
            borderline.extend(result)
            bad_groups.add(rule.group_key)
        elif result == "ok":
            ok_groups.setdefault(rule.group_key, []).append(rule)
        elif result.endswith("."):  # close to the line
            watch.append(result)
            bad_groups.add(rule.group_key)
        else:
            skipped.append(_not_assessed(rule, result, strides))
    fired.sort(key=lambda c: (-c.score, c.rule_id))
    shown = _one_per_group(fired, rules)[: max(0, config.cues.max_cues)]
    good = _good(analysis, ok_groups, bad_groups)
    skipped = _drop_assessed(skipped, rules, view, fired, borderline)
    borderline = _drop_superseded(borderline, rules, fired)
    return Assessment(shown, fired, good, skipped, source, watch, borderline, used)


def _check(
    rule: CueRule,
    analysis: Analysis,
    strides: pd.DataFrame,
    references: tuple[NeckReference, ...],
    config: Config,
    used: list[dict[str, Any]],
) -> Cue | str | list[dict[str, Any]] | None:
    """Apply one rule; a rule against the athlete's reference adds its figures to ``used``."""
    rows = _measured(strides, rule.metric, rule.min_confidence)
    if rule.comparison == REFERENCE_COMPARISON:
        ratio = config.cues.reference_max_fill_ratio
        result, figures = check_reference(rule, analysis, rows, references, ratio)
        used += [figures] if figures else []
        return result
    if rule.comparison == "asymmetry":
        return _check_asymmetry(rule, analysis, rows)
    return _check_per_arm(rule, analysis, rows)


def _wrong_view(rule: CueRule, view: str) -> dict[str, str]:
    """Return why a rule is not assessed from this view, and the view to film from."""
    return {
        "rule": rule.id,
        "title": rule.title,
        "reason": f"not assessed from a {view.replace('_', ' ')} view; "
        f"film from the {_better_views(rule)}",
        "better_view": _better_views(rule),
    }


def _not_assessed(rule: CueRule, result: str, strides: pd.DataFrame) -> dict[str, str]:
    """Return why a rule could not be checked (``not measured``, ``too few``, one arm)."""
    why = _missing_reason(strides, rule.metric)
    reason = {
        "not measured": f"{rule.metric} was not measured: {why}"
        if why
        else f"{rule.metric} was not measured with confidence >= {rule.min_confidence:g}",
        "too few": f"fewer than {rule.min_strides} strides measured with confidence",
        "one arm only": "needs both arms measured in the same strides; this view measures one arm",
    }[result]
    better = "two clips, one from each side" if result == "one arm only" else ""
    return {"rule": rule.id, "title": rule.title, "reason": reason, "better_view": better}


def _one_per_group(fired: list[Cue], rules: list[CueRule]) -> list[Cue]:
    """Return the ranked cues, the best of each fault group only."""
    shown: list[Cue] = []
    seen: set[str] = set()
    by_id = {r.id: r for r in rules}
    for cue in fired:
        group = by_id[cue.rule_id].group_key
        if group in seen:
            continue
        seen.add(group)
        shown.append(cue)
    return shown


def _drop_superseded(
    borderline: list[dict[str, Any]], rules: list[CueRule], fired: list[Cue]
) -> list[dict[str, Any]]:
    """Drop the borderline entries of a fault group whose cue fired.

    Rules of one group judge one fault by different figures (a held shrug by the neck
    against a normal band, by the shoulders' level in the clip, against the athlete's
    own neck): once one of them cues the fault, another's "borderline" under the same
    title would read as the report doubting its own cue. Its figure stays in the
    metrics.
    """
    group = {r.id: r.group_key for r in rules}
    cued = {group.get(c.rule_id, c.rule_id) for c in fired}
    return [b for b in borderline if group.get(b["rule"], b["rule"]) not in cued]


def _drop_assessed(
    skipped: list[dict[str, str]],
    rules: list[CueRule],
    view: str,
    fired: list[Cue],
    borderline: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """Drop "not assessed" entries of a metric that another rule assessed in this view.

    Rules come in pairs per view (front and side thresholds of one metric): the side
    rule is "not assessed from a front view" while the front rule cued the very same
    metric, and a metric must not read as both cued and not measured.
    """
    by_id = {r.id: r for r in rules}
    assessed = {c.evidence.metric for c in fired} | {b["metric"] for b in borderline}
    assessed |= {r.metric for r in rules if view and view in r.views}
    skipped_ids = {
        s["rule"]
        for s in skipped
        if s["rule"] in by_id and not s["reason"].startswith("not assessed from")
    }
    assessed -= {by_id[i].metric for i in skipped_ids}
    return [
        s
        for s in skipped
        if s["rule"] not in by_id
        or by_id[s["rule"]].metric not in assessed
        or s["rule"] in skipped_ids
    ]


def _missing_reason(strides: pd.DataFrame, metric: str) -> str:
    """Return the most frequent reason given for a metric missing in every stride, else ''.

    Where some values were measured (with too little confidence), the confidence is the
    reason, not why the others are missing.
    """
    reasons = strides.get(f"{metric}_reason")
    if reasons is None or strides[metric].notna().any():
        return ""
    given = reasons[reasons.astype(bool)]
    return str(given.mode().iloc[0]) if len(given) else ""


def _good(analysis: Analysis, ok_groups: dict[str, list[CueRule]], bad: set[str]) -> list[str]:
    """Positive statements for fault groups that were checked and did not fire."""
    out: list[str] = []
    strides: pd.DataFrame = analysis.strides
    for group, rules in ok_groups.items():
        if group in bad:
            continue
        rule = rules[0]
        text = rule.good or f"{rule.title}: not seen."
        vals = pd.to_numeric(strides.get(rule.metric, pd.Series(dtype=float)), errors="coerce")
        if rule.comparison != "asymmetry" and vals.notna().any():
            text += f" (median {_fmt(float(vals.median()), unit_of(rule.metric))})"
        if text not in out:
            out.append(text)
    return out


def evaluate_cues(analysis: Analysis, config: Config | None = None) -> list[Cue]:
    """Return the ranked cues to show for an analysis.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        ``config.cues.rules_path`` (user rules) and ``config.cues.max_cues``.

    Returns
    -------
    list of Cue
        At most ``config.cues.max_cues``, best first; empty when nothing fired.

    """
    return assess(analysis, config).shown
