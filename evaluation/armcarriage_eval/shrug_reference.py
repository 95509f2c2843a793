"""Held shrugs scored against the same runner's relaxed clip (the own-reference rules).

For every analysed clip of a side or front view, every other relaxed clip (``fault`` =
``none``) of the same captured trial, view class and body (size and girth) is offered as
the athlete's reference, and :func:`armcarriage.cues.assess` is run with it: a held-shrug
clip should be flagged, a relaxed one not. Each pair is scored twice: with the product's
framing filter (``cues.reference_max_fill_ratio``) and with every reference accepted, so
that what framing and camera height do to the neck is shown, not hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.cues import assess, load_rules
from armcarriage.cues.own import reference_from_analysis
from armcarriage.cues.reference import view_class

OWN_RULES = ("shrug_held_own", "shrug_held_own_side")


def _body(spec: Any) -> tuple[str, str, float]:
    """Return the runner: captured trial, view class and girth (size is normalised away)."""
    return (spec.trial, view_class(spec.view), spec.girth)


def _framing(spec: Any) -> str:
    return f"{spec.width}x{spec.height} h{spec.camera_height:g}"


def score_pairs(
    analyses: dict[str, Any], specs: dict[str, Any], config: Config
) -> list[dict[str, Any]]:
    """Score every (clip, relaxed reference) pair of the same trial, view class and body.

    Parameters
    ----------
    analyses
        Case name -> pipeline :class:`armcarriage.analysis.Analysis`.
    specs
        Case name -> :class:`armcarriage_eval.mocap_render.MocapClipSpec`.
    config
        Settings (``cues.reference_max_fill_ratio`` is the framing filter).

    Returns
    -------
    list of dict
        One row per pair: ``case``, ``reference``, ``fault``, ``view``, ``same_framing``,
        ``neck``, ``ref_neck``, ``difference``, per-stride ``deviation`` from the
        reference, ``outcome`` (with the framing filter) and ``outcome_any_framing``.

    """
    rules = load_rules(config.cues.rules_path or None)
    open_cfg = config.override({"cues.reference_max_fill_ratio": 10.0})
    min_conf = min(r.min_confidence for r in rules if r.id in OWN_RULES)
    refs = {}
    for name, analysis in analyses.items():
        if specs[name].fault == "none" and analysis.status == "ok":
            ref = reference_from_analysis(analysis, min_conf, "benchmark", session=name)
            if ref is not None:
                refs[name] = ref
    rows = []
    for name, analysis in analyses.items():
        spec = specs[name]
        if analysis.status != "ok" or not view_class(spec.view):
            continue
        for ref_name, ref in refs.items():
            if ref_name == name or _body(specs[ref_name]) != _body(spec):
                continue
            rows.append(_pair(name, spec, analysis, ref_name, ref, specs, (config, open_cfg)))
    return rows


def _pair(
    name: str,
    spec: Any,
    analysis: Any,
    ref_name: str,
    ref: Any,
    specs: dict[str, Any],
    configs: tuple[Config, Config],
) -> dict[str, Any]:
    """Score one clip against one reference, with and without the framing filter."""
    outcomes = []
    figures: dict[str, Any] = {}
    for cfg in configs:
        a = assess(analysis, cfg, references=[ref])
        own = [f for f in a.reference if f.get("rule") in OWN_RULES]
        fig = own[0] if own else {}
        figures = figures or (fig if fig.get("used") else {})
        outcomes.append(fig.get("outcome", "no reference (framing)") if fig else "-")
    neck = analysis.strides.drop_duplicates("stride")["shrug_neck_tl"].to_numpy(float)
    neck = neck[np.isfinite(neck)]
    ref_spec = specs[ref_name]
    return {
        "case": name,
        "reference": ref_name,
        "trial": spec.trial,
        "fault": spec.fault,
        "view": spec.view,
        "ref_view": ref_spec.view,
        "framing": _framing(spec),
        "ref_framing": _framing(ref_spec),
        "same_framing": _framing(spec) == _framing(ref_spec),
        "same_size": (spec.width, spec.height) == (ref_spec.width, ref_spec.height),
        "neck": float(np.median(neck)) if neck.size else None,
        "ref_neck": ref.neck_tl,
        "difference": float(np.median(neck)) - ref.neck_tl if neck.size else None,
        "deviation": [float(v - ref.neck_tl) for v in neck],
        "fill": figures.get("fill"),
        "ref_fill": ref.fill,
        "outcome": outcomes[0],
        "outcome_any_framing": outcomes[1],
    }


def noise_figures(rows: list[dict[str, Any]], same: str = "") -> dict[str, dict[str, float]]:
    """Per view class: how far relaxed strides lie from a relaxed reference of the same body.

    ``same``: ``same_framing`` (frame size and camera height), ``same_size`` (frame size) or
    '' (any). ``p95_abs``: 95th percentile of |stride - reference median|; ``max_abs``; ``n``.
    """
    out: dict[str, dict[str, float]] = {}
    for cls in ("side", "front"):
        dev = [
            d
            for r in rows
            if r["fault"] == "none" and view_class(r["view"]) == cls and (not same or r[same])
            for d in r["deviation"]
        ]
        if dev:
            a = np.abs(np.asarray(dev))
            out[cls] = {
                "p95_abs": round(float(np.percentile(a, 95)), 4),
                "max_abs": round(float(a.max()), 4),
                "median": round(float(np.median(dev)), 4),
                "n": len(dev),
            }
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown tables of the pairs: held shrugs first, then relaxed clips."""

    def fmt(x: Any) -> str:
        return "-" if x is None else f"{x:+.3f}" if isinstance(x, float) else str(x)

    head = (
        "| clip | fault | view | framing | reference (view, framing) | neck | reference neck "
        "| difference | outcome | outcome, any framing |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    order = sorted(rows, key=lambda r: (r["fault"] == "none", r["fault"], r["view"], r["case"]))
    lines = [
        f"| {r['case']} | {r['fault']} | {r['view']} | {r['framing']} | {r['reference']} "
        f"({r['ref_view']}, {r['ref_framing']}) | {r['neck']:.3f} | {r['ref_neck']:.3f} | "
        f"{fmt(r['difference'])} | {r['outcome']} | {r['outcome_any_framing']} |"
        for r in order
        if r["neck"] is not None
    ]
    return "\n".join([head, *lines])


def summary_counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per fault x view class: pairs, and pairs flagged / borderline (with the filter)."""
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["fault"], view_class(r["view"]))
        c = counts.setdefault(
            key,
            {"fault": key[0], "view": key[1], "pairs": 0, "flagged": 0, "borderline": 0,
             "filtered": 0},
        )  # fmt: skip
        c["pairs"] += 1
        c["flagged"] += r["outcome"] == "flagged"
        c["borderline"] += r["outcome"] == "borderline"
        c["filtered"] += r["outcome"].startswith("no reference")
    return sorted(counts.values(), key=lambda c: (c["fault"], c["view"]))


def report(rows: list[dict[str, Any]]) -> str:
    """Return the markdown section of the benchmark: counts, noise figures and every pair."""
    counts = "\n".join(
        f"| {c['fault']} | {c['view']} | {c['pairs']} | {c['flagged']} | {c['borderline']} | "
        f"{c['filtered']} |"
        for c in summary_counts(rows)
    )
    noise = []
    for label, same in (
        ("same frame size and camera height", "same_framing"),
        ("same frame size, any camera height", "same_size"),
        ("any framing (portrait and landscape)", ""),
    ):
        for cls, f in noise_figures(rows, same).items():
            noise.append(
                f"| {cls} | {label} | {f['n']} | {f['median']:+.4f} | {f['p95_abs']:.4f} | "
                f"{f['max_abs']:.4f} |"
            )
    return "\n".join(
        [
            "Held shrugs against the runner's own relaxed clip (rules `shrug_held_own`, "
            "`shrug_held_own_side`; `armcarriage_eval.shrug_reference`): every side or front "
            "clip scored against every relaxed clip (`none`) of the same captured trial, view "
            "class and body (girth; the overall size may differ, the neck is in torso "
            "lengths) as its reference. *outcome* uses the product's framing filter "
            "(`cues.reference_max_fill_ratio`: a reference whose torso fills the frame height "
            "by a factor more or less is not used); *any framing* accepts every reference.",
            "",
            "| fault | view | pairs | flagged | borderline | no reference (framing) |",
            "|---|---|---|---|---|---|",
            counts,
            "",
            "Relaxed strides against a relaxed reference of the same body: stride neck minus "
            "the reference's median (torso lengths).",
            "",
            "| view | references | strides | median | p95 abs | max abs |",
            "|---|---|---|---|---|---|",
            *noise,
            "",
            table(rows),
        ]
    )
