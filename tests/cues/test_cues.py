"""Cue engine: thresholds, views, ranking, evidence, 'what is good', rule files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from analysis_fixture import make_analysis

from armcarriage.config import Config
from armcarriage.cues import assess, evaluate_cues, load_rules
from armcarriage.errors import ConfigError, InputError

FAULTS = [
    ("tight_elbow", "side_right", {"elbow_angle_mean": 58.0}),
    ("open_elbow", "side_left", {"elbow_angle_mean": 145.0}),
    ("low_arm_swing", "side_right", {"swing_arc_deg": 18.0}),
    ("midline_crossing", "front", {"crossing_max_sw": 0.2}),
    ("midline_crossing", "rear", {"crossing_max_sw": 0.12}),
    ("shrug_level", "front", {"shrug_level_tl": 0.12}),
    ("shrug_rise_side", "side_right", {"shrug_rise_tl": 0.16}),
    ("shrug_rise", "front", {"shrug_rise_tl": 0.16}),
    ("over_rotation", "front", {"trunk_rotation_deg": 95.0}),
]


@pytest.mark.parametrize(("rule_id", "view", "values"), FAULTS)
def test_injected_fault_gives_matching_top_cue(rule_id, view, values):
    cues = evaluate_cues(make_analysis(view=view, values=values))
    assert cues, f"{rule_id}: nothing fired"
    assert cues[0].rule_id == rule_id
    assert len(cues) == 1


def test_asymmetry_names_the_weaker_arm():
    a = make_analysis(
        view="side_left", both_arms=True, side_values={"right": {"swing_arc_deg": 33.0}}
    )
    cues = evaluate_cues(a)
    assert [c.rule_id for c in cues] == ["swing_asymmetry"]
    ev = cues[0].evidence
    assert ev.sides == ["right"]
    assert ev.values["left"] == pytest.approx(52.0, rel=0.05)
    assert ev.values["right"] == pytest.approx(33.0, rel=0.05)
    assert ev.values["symmetry_index"] == pytest.approx(45.0, abs=5.0)
    assert cues[0].side == "pair"


def test_asymmetry_within_the_noise_is_borderline():
    """52 against 38 deg: an index of about 31 %, past the threshold of 25 % by less than the
    noise of 9 %: reported as borderline with its figure, neither cued nor called good."""
    a = make_analysis(
        view="side_left", both_arms=True, side_values={"right": {"swing_arc_deg": 38.0}}
    )
    result = assess(a)
    assert result.fired == []
    border = [b for b in result.borderline if b["rule"] == "swing_asymmetry"]
    assert len(border) == 1
    assert border[0]["unit"] == "%"
    assert border[0]["value"] == pytest.approx(31.0, abs=5.0)
    assert border[0]["noise"] == 9.0
    assert "borderline" in border[0]["text"] and "%" in border[0]["text"]
    assert not any("swing about the same" in g for g in result.good)


def test_clean_runner_gets_no_cue_and_says_what_is_good():
    for view in ("side_right", "side_left", "front", "rear"):
        result = assess(make_analysis(view=view))
        assert result.shown == [] and result.fired == [], view
        assert result.good, view
    side = assess(make_analysis(view="side_right"))
    assert any(re.search(r"Elbow bend.*median (8[6-9]|9[0-4])°", g) for g in side.good)
    assert any("swing" in g for g in side.good)
    front = assess(make_analysis(view="front"))
    assert any("own side of the body" in g for g in front.good)


def test_evidence_lists_the_affected_strides_and_a_key_frame_inside_the_worst():
    a = make_analysis(
        view="side_right", per_stride={k: {"elbow_angle_mean": 30.0 + 8 * k} for k in (1, 2, 4)}
    )
    cue = evaluate_cues(a)[0]
    ev = cue.evidence
    assert cue.rule_id == "tight_elbow" and cue.side == "right"
    assert ev.strides_affected == [1, 2, 4]
    assert ev.strides_measured == 5
    assert ev.fraction == pytest.approx(0.6)
    assert ev.key_stride == 1  # lowest angle = furthest past the threshold
    row = a.strides[(a.strides.stride == 1) & (a.strides.side == "right")].iloc[0]
    assert row.t_start <= ev.key_frame_time < row.t_end
    assert row.frame_start <= ev.key_frame <= row.frame_end
    assert ev.values["right"] == pytest.approx(62.0, abs=3.0)
    json.dumps(cue.to_dict(), allow_nan=False)


def test_min_strides_and_min_fraction_gate_a_cue():
    two = make_analysis(per_stride={k: {"elbow_angle_mean": 40.0} for k in (1, 3)})
    assert evaluate_cues(two) == []  # 2 strides < min_strides 3
    rules = [
        r
        if r.id != "tight_elbow"
        else r.__class__(**{**r.__dict__, "min_strides": 2, "min_fraction": 0.3})
        for r in load_rules()
    ]
    assert [c.rule_id for c in assess(two, rules=rules).shown] == ["tight_elbow"]


def test_low_confidence_values_are_not_used():
    a = make_analysis(values={"elbow_angle_mean": 40.0})
    a.strides["elbow_angle_mean_conf"] = 0.3
    result = assess(a)
    assert result.shown == []
    skipped = {s["rule"]: s["reason"] for s in result.not_assessed}
    assert "confidence" in skipped["tight_elbow"]


def test_rule_outside_its_views_is_not_assessed_and_names_the_better_view():
    a = make_analysis(view="side_right", values={"crossing_max_sw": 0.3})
    result = assess(a)
    assert result.shown == []
    skipped = {s["rule"]: s["reason"] for s in result.not_assessed}
    assert "front or rear" in skipped["midline_crossing"]


def test_ranking_severity_and_share_of_strides_order_the_cues():
    # shrug (high severity, every stride) must outrank a tight elbow in 3 of 5 strides
    a = make_analysis(
        values={"shrug_rise_tl": 0.16},
        per_stride={k: {"elbow_angle_mean": 50.0} for k in (0, 1, 2)},
    )
    cues = evaluate_cues(a)
    assert [c.rule_id for c in cues] == ["shrug_rise_side", "tight_elbow"]
    assert cues[0].score > cues[1].score


def test_one_cue_per_fault_group_and_at_most_max_cues():
    a = make_analysis(
        view="front",
        values={
            "shrug_rise_tl": 0.12,
            "shrug_level_tl": 0.12,
            "crossing_max_sw": 0.3,
            "trunk_rotation_deg": 95.0,
            "elbow_angle_mean": 40.0,
        },
    )
    result = assess(a)
    groups = [c.rule_id for c in result.fired]
    assert "shrug_rise" in groups and "shrug_level" in groups
    shown = [c.rule_id for c in result.shown]
    assert len(shown) == 3
    assert not {"shrug_rise", "shrug_level"} <= set(shown)
    one = assess(a, Config().override({"cues.max_cues": 1}))
    assert [c.rule_id for c in one.shown] == [shown[0]]


def test_failed_analysis_gives_no_cues_with_the_reason():
    result = assess(make_analysis(status="too_few_strides"))
    assert result.shown == [] and result.good == []
    assert "strides" in result.not_assessed[0]["reason"]


# ------------------------------------------------------------- rule files
def _write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "cues.toml"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_override_changes_one_field_and_keeps_the_rest(tmp_path):
    path = _write(tmp_path, "[rules.tight_elbow]\nthreshold = 40.0\n")
    rules = {r.id: r for r in load_rules(path)}
    assert rules["tight_elbow"].threshold == 40.0
    assert rules["tight_elbow"].cue == "Loose elbows, hands fall to the hip"
    assert len(rules) == len(load_rules())
    a = make_analysis(values={"elbow_angle_mean": 50.0})
    assert evaluate_cues(a) and evaluate_cues(a)[0].rule_id == "tight_elbow"
    cfg = Config().override({"cues.rules_path": path})
    assert evaluate_cues(a, cfg) == []


def test_override_can_disable_replace_and_add(tmp_path):
    path = _write(tmp_path, "[rules.tight_elbow]\nenabled = false\n")
    assert "tight_elbow" not in {r.id for r in load_rules(path)}
    path = _write(
        tmp_path,
        """replace = true
[rules.slow_cadence]
title = "Slow cadence"
metric = "cadence_spm"
comparison = "below"
threshold = 180.0
views = ["side_left", "side_right"]
cue = "Quick light steps"
why = "Short quick steps reduce overstriding."
basis = "Coach's choice for this athlete."
""",
    )
    rules = load_rules(path)
    assert [r.id for r in rules] == ["slow_cadence"]
    cues = assess(make_analysis(), rules=rules).shown
    assert [c.rule_id for c in cues] == ["slow_cadence"]
    assert cues[0].side == "both"


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ('threshold = "sixty"', "threshold", "finite number"),
        ('metric = "elbow_angel_mean"', "metric", "one of"),
        ('comparison = "lower"', "comparison", "above, below, asymmetry"),
        ('views = ["sideways"]', "views", "side_left"),
        ('views = "front"', "views", "list of strings"),
        ('severity = "urgent"', "severity", "high, medium, low"),
        ("min_strides = 0", "min_strides", ">= 1"),
        ("min_fraction = 1.5", "min_fraction", "between 0 and 1"),
        ("min_confidence = true", "min_confidence", "finite number"),
        ("drills = [1, 2]", "drills", "list of strings"),
        ("thresold = 50", "thresold", "known field"),
        ('cue = ""', "cue", "non-empty"),
        ('enabled = "no"', "enabled", "true or false"),
    ],
)
def test_malformed_rule_names_rule_and_field(tmp_path, body, field, expected):
    path = _write(tmp_path, f"[rules.tight_elbow]\n{body}\n")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    msg = str(err.value)
    assert "rule 'tight_elbow'" in msg
    assert f"field '{field}'" in msg
    assert expected in msg
    assert path in msg
    assert isinstance(err.value, InputError)


def test_new_rule_missing_a_required_field_is_named(tmp_path):
    path = _write(tmp_path, '[rules.mine]\ntitle = "x"\nmetric = "swing_arc_deg"\n')
    with pytest.raises(ConfigError, match=r"rule 'mine', field 'comparison'.*required"):
        load_rules(path)


def test_bad_toml_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules(_write(tmp_path, "[rules.tight_elbow\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"rule 'tight_elbow': expected a table"):
        load_rules(_write(tmp_path, "[rules]\ntight_elbow = 3\n"))


def test_every_shipped_rule_states_basis_drills_and_a_short_cue():
    rules = load_rules()
    covered = {r.group_key for r in rules}
    assert {"elbow_bend", "asymmetry", "crossing", "shrug", "rotation", "swing_size"} <= covered
    for r in rules:
        assert len(r.basis) > 40, r.id
        assert r.drills, r.id
        assert len(r.cue.split()) <= 8, r.id
        assert r.good, r.id


def test_a_fault_in_some_strides_is_close_to_the_line_not_good():
    a = make_analysis(per_stride={k: {"elbow_angle_mean": 60.0} for k in (1, 3)})
    result = assess(a)
    assert result.shown == []
    assert len(result.watch) == 1
    assert result.watch[0].startswith("Elbows clamped tight: close to the line (right arm, 2 of 5")
    assert not any("Elbow bend" in g for g in result.good)
