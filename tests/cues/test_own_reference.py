from __future__ import annotations

import json
import math

import pytest
from analysis_fixture import make_analysis

from armcarriage.config import Config
from armcarriage.cues import assess, load_rules
from armcarriage.cues.own import reference_from_analysis
from armcarriage.cues.reference import NeckReference, choose_reference, load_reference
from armcarriage.errors import ConfigError, InputError


def _rule(rule_id: str):
    return next(r for r in load_rules() if r.id == rule_id)


def _ref(
    neck: float, view: str = "side_left", fill: float = float("nan"), date: str = "2026-11-01"
):
    return NeckReference(neck, 6, view, "test", session="relaxed.mp4", date=date, fill=fill)


def test_without_a_reference_the_assessment_is_unchanged():
    analysis = make_analysis(view="side_right", values={"shrug_neck_tl": 0.19})
    plain = assess(analysis)
    assert not plain.reference
    assert [c.rule_id for c in plain.fired] == ["shrug_held_side"]
    rules = [r.id for r in load_rules()]
    assert "shrug_held_own_side" in rules  # shipped, but left out without a reference
    listed = [r["rule"] for r in plain.not_assessed] + [b["rule"] for b in plain.borderline]
    assert not any(r.startswith("shrug_held_own") for r in listed)


def test_side_neck_below_the_own_reference_fires_and_names_it():
    rule = _rule("shrug_held_own_side")
    assert (rule.threshold, rule.noise) == (0.018, 0.03)
    # 0.36 is inside the population band (no absolute cue) but 0.08 below this runner's 0.44
    analysis = make_analysis(view="side_right", values={"shrug_neck_tl": 0.36})
    assert not assess(analysis).fired
    out = assess(analysis, references=[_ref(0.44)])
    assert [c.rule_id for c in out.fired] == ["shrug_held_own_side"]
    ev = out.fired[0].evidence
    assert ev.threshold == pytest.approx(0.44 - 0.018)
    assert ev.reference["difference_tl"] == pytest.approx(-0.08, abs=0.005)
    assert ev.reference["used"]["date"] == "2026-11-01"
    assert "relaxed.mp4 of 2026-11-01" in ev.reference["reference"]
    assert out.reference[0]["outcome"] == "flagged"
    assert out.reference[0]["neck_tl"] == pytest.approx(0.36, abs=0.005)


def test_within_the_noise_is_borderline_and_relaxed_is_good():
    ref = _ref(0.40)
    # 0.40 - 0.018 - 0.03 = 0.352 is the stride limit; 0.36 passes the bare threshold only
    near = assess(make_analysis(view="side_left", values={"shrug_neck_tl": 0.36}), references=[ref])
    assert not near.fired
    assert [b["rule"] for b in near.borderline] == ["shrug_held_own_side"]
    assert "own reference" in near.borderline[0]["text"]
    assert near.reference[0]["outcome"] == "borderline"
    same = assess(make_analysis(view="side_left", values={"shrug_neck_tl": 0.41}), references=[ref])
    assert not same.fired and not same.borderline
    assert same.reference[0]["outcome"] == "not flagged"
    assert same.reference[0]["difference_tl"] == pytest.approx(0.01, abs=0.005)


def test_front_uses_the_front_reference_only():
    analysis = make_analysis(view="front", values={"shrug_neck_tl": 0.30})
    # a side reference does not serve a front clip: nothing against the own neck
    side_only = assess(analysis, references=[_ref(0.40, "side_left")])
    assert not any(c.rule_id == "shrug_held_own" for c in side_only.fired)
    assert side_only.reference[0]["used"] is None
    assert "no reference of the front view" in side_only.reference[0]["note"]
    # 0.30 - 0.355 = -0.055, past 0.025 + 0.017
    front = assess(analysis, references=[_ref(0.40, "side_left"), _ref(0.355, "front")])
    assert "shrug_held_own" in [c.rule_id for c in front.fired]


def test_choose_reference_takes_the_longest_neck_of_similar_framing():
    refs = [_ref(0.36, fill=0.21), _ref(0.40, fill=0.15), _ref(0.38, "side_right", fill=0.20)]
    chosen, why = choose_reference(refs, "side_left", 0.21, 1.25)
    assert chosen is refs[2]  # the portrait-framed 0.40 is left out (0.21 / 0.15 = 1.4)
    assert "1 reference(s)" in why
    assert choose_reference(refs, "side_left", 0.15, 1.25)[0] is refs[1]
    assert choose_reference(refs, "rear", 0.21, 1.25) == (None, "")
    # unknown framing is not held against a reference
    assert choose_reference(refs, "side_right", math.nan, 1.25)[0] is refs[1]


def test_reference_from_an_analysis_and_from_its_summary(tmp_path):
    analysis = make_analysis(
        view="side_left",
        values={"shrug_neck_tl": 0.4},
        per_stride={0: {"shrug_neck_tl": 0.2}},
    )
    ref = reference_from_analysis(analysis, 0.0, "here", session="a.mp4")
    assert ref is not None and ref.view_class == "side"
    # the median, not pulled by one short stride
    assert ref.neck_tl == pytest.approx(0.4, abs=0.005)
    assert reference_from_analysis(make_analysis(view="rear"), 0.0, "here") is None
    doc = {
        "created": "2026-11-02T10:00:00+00:00",
        "status": "ok",
        "view": {"label": "front"},
        "clip": {"file": "easy.mp4", "height": 360},
        "settings": {"analysis": {"normalisers": {"torso_length_px": 72.0}}},
        "metrics": {"shrug_neck_tl": {"both": {"median": 0.351, "n": 4}}},
    }
    (tmp_path / "summary.json").write_text(json.dumps(doc))
    loaded = load_reference(tmp_path)
    assert (loaded.neck_tl, loaded.strides, loaded.view, loaded.date) == (
        0.351,
        4,
        "front",
        "2026-11-02",
    )
    assert loaded.session == "easy.mp4" and loaded.fill == pytest.approx(0.2)
    explicit = tmp_path / "ref.json"
    explicit.write_text(json.dumps({"neck_tl": 0.42, "view": "side_right", "strides": 5}))
    assert load_reference(explicit).neck_tl == 0.42
    doc["view"] = {"label": "rear"}
    (tmp_path / "rear.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match="side or front"):
        load_reference(tmp_path / "rear.json")
    with pytest.raises(InputError, match="expected an output folder of analyze"):
        load_reference(tmp_path / "empty")


def test_framing_setting_is_declared():
    assert Config().cues.reference_max_fill_ratio == 1.25
    with pytest.raises(ConfigError):
        Config().override({"cues.reference_max_fill_ratio": 0.5})


def test_summary_json_names_the_reference_only_when_one_was_given():
    from armcarriage.report.tables import build_summary

    analysis = make_analysis(view="side_left", values={"shrug_neck_tl": 0.36})
    judged = assess(analysis, references=[_ref(0.44)])
    doc = build_summary(analysis, Config(), judged.shown, reference=judged.reference)
    (entry,) = doc["own_reference"]
    assert entry["used"]["session"] == "relaxed.mp4" and entry["outcome"] == "flagged"
    assert entry["threshold_tl"] == 0.018 and entry["noise_tl"] == 0.03
    assert "own_reference" not in build_summary(analysis, Config(), assess(analysis).shown)
