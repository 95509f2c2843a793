"""One truth across the reports of many clips: exact tracks, no pose model.

Exact landmark tracks of the synthetic runner (several faults and views) and of
the sample clips are analysed and reported. In every report: each shown cue's
metric has a per-stride panel with its threshold drawn once; no metric or fault
is both cued and listed as not measured; no ``nan`` reaches report.html,
strides.csv or summary.json; strides are numbered from 1 everywhere; a refused
clip says why once and never calls the form good.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("armcarriage_eval.synthetic.truth")

from armcarriage_eval.synthetic.clip import ClipSpec, frame_times
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.truth import truth_track

from armcarriage.analysis import analyze
from armcarriage.config import Config
from armcarriage.cues import assess, load_rules
from armcarriage.report import plots, words, write_reports
from armcarriage.report.html import ReportBuilder, not_assessed, thresholds
from armcarriage.track import PoseTrack

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
CFG = Config().override({"report.annotated_video": False})

SYNTHETIC = [
    ("shrug", "side_left", 6.0),
    ("shrug", "front", 6.0),
    ("crossing", "front", 6.0),
    ("crossing", "rear", 6.0),
    ("tight_elbows", "side_right", 6.0),
    ("tight_elbows", "front", 6.0),
    ("small_swing", "side_left", 6.0),
    ("asymmetry", "front", 6.0),
    ("rotation", "front", 6.0),
    ("none", "side_right", 1.0),  # too short: refused
]
SAMPLE_NAMES = ["front_crossing", "front_shrug", "side_left_tight_elbows", "side_right_clean"]


@cache
def _synthetic_track(fault: str, view: str, seconds: float) -> PoseTrack:
    spec = ClipSpec(view=view, fault=fault, seconds=seconds)
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    return truth_track(kin, spec.camera(), spec.fps, source=f"{fault}_{view}.mp4", view=view)


def _track(case: str) -> PoseTrack:
    if case.startswith("sample:"):
        path = SAMPLES / f"{case[7:]}.truth.parquet"
        if not path.exists():
            pytest.skip(f"{path} not rendered (run sample_videos/make_samples.py)")
        return PoseTrack.load(path)
    fault, view, seconds = case.split(":")
    return _synthetic_track(fault, view, float(seconds))


CASES = [f"{f}:{v}:{s}" for f, v, s in SYNTHETIC] + [f"sample:{n}" for n in SAMPLE_NAMES]


@cache
def _run(case: str, tmp: str) -> tuple:
    analysis = analyze(_track(case), CFG)
    out = Path(tmp) / re.sub(r"\W", "_", case)
    outputs = write_reports(analysis, None, out, CFG)
    return analysis, outputs


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("consistency"))


def _section(page: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S)
    return m.group(1) if m else ""


def _text(page: str) -> str:
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # inlined code
    return html.unescape(re.sub(r"<style>.*?</style>", "", page, flags=re.S))


@pytest.mark.parametrize("case", CASES)
def test_reports_tell_one_story(case, tmp):
    analysis, outputs = _run(case, tmp)
    page = outputs["report"].read_text(encoding="utf-8")
    text = _text(page)
    doc = json.loads(outputs["summary"].read_text())
    csv = outputs["strides"].read_text()
    # no nan anywhere a person reads
    assert not re.search(r"\bnan\b", text, re.I), case
    assert not re.search(r"\bnan\b", csv, re.I), case
    assert "NaN" not in outputs["summary"].read_text()

    rules = load_rules()
    assessment = assess(analysis, CFG, rules)
    if analysis.status != "ok":
        reason = words.for_people(analysis.message)
        assert text.count(reason) == 1, case  # said once, in words
        assert analysis.status not in text
        assert "good form" not in text.lower() and "what is working" not in text.lower()
        assert doc["cues"] == []
        return
    builder = ReportBuilder(analysis, Path(""), CFG, assessment, rules, None)
    view = analysis.view["label"]
    plotted = [m for m in builder.plotted() if builder._measured(m)]
    drawn = thresholds(rules, view)
    unmeasured = _section(page, "unmeasured")
    for cue in assessment.shown:
        m = cue.evidence.metric
        assert m in plotted, (case, cue.rule_id)  # every cue's metric has its panel
        # with its threshold, once
        values = [t.value for t in drawn.get(m, [])]
        if cue.evidence.comparison != "asymmetry":
            assert values.count(cue.evidence.threshold) == 1, (case, cue.rule_id)
        # and a cued fault or metric is never "not measured"
        assert f"Cue: {cue.title}<" not in unmeasured, (case, cue.rule_id)
        assert f">{plots.label(m)}<" not in unmeasured, (case, cue.rule_id)
        assert analysis.validity[m]["measured"], (case, m)
    for values in drawn.values():
        assert len({t.value for t in values}) == len(values)
    listed = not_assessed(assessment, rules)
    checked = {
        r.group_key for r in rules if r.id not in {n["rule"] for n in assessment.not_assessed}
    }
    titles = [item["title"] for item in listed]
    assert len(titles) == len(set(titles))
    by_id = {r.id: r for r in rules}
    assert not [i for i in listed if by_id[i["rule"]].group_key in checked], case
    # no settings names or file references in reasons for people
    assert not re.search(r"\bset [a-z_]+\.[a-z_]+|\.py\b", _text(unmeasured)), case

    # stride numbers: 1-based in the CSV, the JSON cues and the page
    table = pd.read_csv(outputs["strides"])
    n = analysis.strides["stride"].nunique()
    assert table["stride"].min() == 1 and table["stride"].max() == n
    for c in doc["cues"]:
        assert all(1 <= s <= n for s in c["evidence"]["strides_affected"])
    # drift only with enough strides
    if n < CFG.report.drift_min_strides:
        assert "Not assessed" in _section(page, "drift")
        assert doc["drift"]["assessed"] is False
        assert not any(e.get("drift_flag") for e in doc["metrics"].values())
    # what is working and what is close to the line read lengths as the page does
    assert not re.search(r"\d (torso lengths|shoulder widths)", _section(page, "good")), case
    # no setting is claimed that the analysis cannot know
    assert "treadmill" not in text.lower()


@pytest.mark.parametrize("case", ["tight_elbows:front:6.0", "crossing:front:6.0"])
def test_front_report_plots_no_elbow_it_cannot_measure(case, tmp):
    analysis, outputs = _run(case, tmp)
    assert analysis.view["label"] == "front"
    assert not analysis.validity["elbow_angle_mean"]["measured"]
    page = outputs["report"].read_text(encoding="utf-8")
    assert 'alt="elbow angle over time"' not in page


def test_no_percentage_of_values_within_the_noise():
    rc = CFG.report
    # the observed case: 0.01 vs 0.018 torso lengths is an "80 %" asymmetry of noise
    assert not words.above_noise([0.01, 0.018], "shrug_level_tl", rc)
    assert words.above_noise([0.20, 0.30], "wrist_arc_tl", rc)
    assert not words.above_noise([2.0, 40.0], "swing_arc_deg", rc)
    assert not words.above_noise([np.nan, 40.0], "swing_arc_deg", rc)


def test_lengths_read_in_words_and_in_cm_with_a_height():
    rc = CFG.report
    assert words.fmt(0.043, "shrug_level_tl", rc) == "4.3% of torso length"
    assert words.fmt(0.2, "crossing_max_sw", rc) == "20% of shoulder width"
    tall = Config().override({"report.height_cm": 180.0}).report
    # torso 0.288 x 180 = 51.8 cm; shoulders 0.259 x 180 = 46.6 cm
    assert words.fmt(0.05, "shrug_level_tl", tall) == "5.0% of torso length (2.6 cm)"
    assert words.fmt(0.1, "crossing_max_sw", tall) == "10% of shoulder width (4.7 cm)"
    assert words.fmt(float("nan"), "shrug_level_tl", tall) == words.MISSING
    assert words.fmt(12.0, "swing_arc_deg", tall) == "12°"
    # a difference that rounds to nothing has no direction
    assert words.fmt(-0.00001, "shrug_level_tl", tall, signed=True) == (
        "0.0% of torso length (0.0 cm)"
    )
    assert words.fmt(0.2, "swing_arc_deg", rc, signed=True) == "0°"
    assert words.fmt(3.0, "swing_arc_deg", rc, signed=True) == "+3°"


def test_jargon_is_left_out_of_reasons():
    from armcarriage.analysis import POSE_DEPTH_ROTATION_REASON

    plain = words.for_people(POSE_DEPTH_ROTATION_REASON)
    assert "metrics." not in plain and ".py" not in plain
    assert plain.startswith("the pose model's landmark depth does not measure trunk rotation")
    assert words.for_people(float("nan")) == "" and words.for_people(None) == ""


def test_height_gives_centimetres_in_the_report(tmp_path):
    analysis = analyze(_synthetic_track("shrug", "front", 6.0), CFG)
    cfg = CFG.override({"report.height_cm": 175.0})
    page = write_reports(analysis, None, tmp_path, cfg)["report"].read_text(encoding="utf-8")
    text = _text(page)
    assert " cm)" in text and "Runner's height" in text
    assert not re.search(r"\b(sw|tl)\b", text)  # no unit jargon
