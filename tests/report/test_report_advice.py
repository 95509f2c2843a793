"""Typical ranges with sources, and filming advice for measured clips, in the report."""

from __future__ import annotations

import html
import json
import re

import pytest
from analysis_fixture import make_analysis, write_video

from armcarriage.config import Config
from armcarriage.metrics import METRICS
from armcarriage.report import write_reports
from armcarriage.report.advice import filming_advice, runner_fill
from armcarriage.report.ranges import NO_RANGE, typical_ranges


@pytest.fixture(scope="module")
def side_run(tmp_path_factory):
    """A 5-stride side-view clip at 30 fps, with every report written."""
    tmp = tmp_path_factory.mktemp("advice")
    analysis = make_analysis(view="side_right")
    video = write_video(tmp / "clip.mp4", analysis.track)
    outputs = write_reports(analysis, video, tmp / "out", Config())
    page = html.unescape(outputs["report"].read_text())
    return analysis, outputs, page


def test_every_range_is_a_registry_metric_with_a_dated_source():
    ranges = typical_ranges()
    assert set(ranges) <= set(METRICS)
    for r in ranges.values():
        assert re.search(r"\b(19|20)\d\d\b", r.source), r.source
        assert r.feel and r.basis
    cadence = ranges["cadence_spm"]
    assert (cadence.low, cadence.high) == (157.0, 173.0)
    assert "van Oeveren et al. 2020" in cadence.source
    assert "Heiderscheit et al. 2011" in cadence.feel
    # 120 / step rate: the same runners as a stride time
    assert ranges["stride_time_s"].low == pytest.approx(120 / 173, abs=0.005)
    assert ranges["stride_time_s"].high == pytest.approx(120 / 157, abs=0.005)
    assert not ranges["swing_arc_deg"].has_range  # a source for the advice, no range


def test_the_report_puts_each_figure_beside_its_published_range(side_run):
    analysis, _, page = side_run
    section = page[page.index('<section id="typical">') :]
    section = section[: section.index("</section>")]
    rows = {re.sub("<[^>]+>", "", row.split("</td>")[0]): row for row in section.split("<tr>")[2:]}
    median = analysis.summary["cadence_spm"]["both"]["median"]
    assert 160 < median < 175
    assert f"<td>{median:.0f} steps/min</td>" in rows["Cadence"]
    assert "157 steps/min to 173 steps/min (inside)" in rows["Cadence"]
    assert "van Oeveren et al. 2020" in rows["Cadence"]
    assert "quicker, shorter steps" in rows["Cadence"]
    assert NO_RANGE in rows["How far the wrist reaches in front of the hip"]
    # a metric the view cannot measure gets no row
    assert "Furthest the wrist crosses the body midline" not in rows


def test_a_figure_outside_the_range_is_marked(tmp_path):
    analysis = make_analysis(view="side_right")
    for side in ("left", "right", "both"):
        analysis.summary["cadence_spm"][side]["median"] = 150.0
    out = write_reports(analysis, None, tmp_path, Config())
    page = html.unescape(out["report"].read_text())
    assert "157 steps/min to 173 steps/min (outside)" in page


def test_a_measured_clip_is_told_what_to_film_differently(side_run):
    _, outputs, page = side_run
    advice = {a["topic"]: a for a in json.loads(outputs["summary"].read_text())["filming_advice"]}
    assert set(advice) == {"view", "frame_rate", "strides"}
    # the side view cannot measure crossing, wrist lift or rotation: the front can
    assert advice["view"]["change"].startswith("film from the front")
    assert "Furthest the wrist crosses the body midline" in advice["view"]["unlocks"]
    assert "Shoulder-vs-pelvis rotation, peak to peak" in advice["view"]["unlocks"]
    assert (
        advice["frame_rate"]["limit"] == "filmed at 30 fps: each foot strike is placed within 33 ms"
    )
    assert advice["frame_rate"]["unlocks"][0] == "Ground contact time to 17 ms instead of 33 ms"
    assert advice["strides"]["limit"] == "5 strides were measured"
    assert "at least 10 steady strides (about 7 s" in advice["strides"]["change"]
    section = page[page.index('<section id="filming">') :]
    assert "Film at least 10 steady strides" in section[: section.index("</section>")]


def test_a_refused_clip_gets_its_refusal_not_filming_advice(tmp_path):
    analysis = make_analysis(status="too_few_strides")
    assert filming_advice(analysis, Config()) == []
    out = write_reports(analysis, None, tmp_path, Config())
    assert 'id="filming"' not in out["report"].read_text()
    assert json.loads(out["summary"].read_text())["filming_advice"] == []


def test_light_framing_and_frame_rate_thresholds_come_from_the_settings():
    analysis = make_analysis(view="side_right", seconds=8.0)
    fill = runner_fill(analysis, Config())
    assert 0.2 < fill < 1.0

    def topics(cfg, brightness=None):
        return {a.topic for a in filming_advice(analysis, cfg, brightness)}

    cfg = Config()
    assert topics(cfg, 200.0) == {"view", "frame_rate"}  # enough strides
    assert "light" in topics(cfg, 20.0)
    light = next(a for a in filming_advice(analysis, cfg, 20.0) if a.topic == "light")
    assert light.limit.startswith("the clip is dark (mean brightness 20 of 255)")
    assert "framing" in topics(cfg.override({"report.advice_min_fill": min(1.0, fill + 0.05)}))
    assert "frame_rate" not in topics(cfg.override({"report.advice_min_fps": 30.0}))
    n = analysis.strides["stride"].nunique()
    assert n >= 10
    assert "strides" in topics(cfg.override({"report.advice_min_strides": n + 1}))
    front = make_analysis(view="front", seconds=8.0)
    assert "frame_rate" not in {a.topic for a in filming_advice(front, cfg)}  # no contacts


def test_the_advice_says_what_the_filming_guide_says():
    from pathlib import Path

    from armcarriage.report.advice import PLACEMENT

    guide = (Path(__file__).resolve().parents[2] / "docs" / "filming.md").read_text()
    rc = Config().report
    assert "hip to chest height (1.0-1.5 m), 3-5 m from" in PLACEMENT
    assert "at hip to chest height (1.0-1.5 m), 3-5 m from" in " ".join(guide.split())
    assert f"{rc.advice_min_fps:.0f} frames per second is the best default" in guide
    assert f"At least {rc.advice_min_strides} steady strides" in guide
    assert rc.advice_min_fill == 0.5 and "filling half to two thirds" in " ".join(guide.split())


def test_a_59_94_fps_clip_counts_as_60_fps():
    from dataclasses import replace

    analysis = make_analysis(view="side_right", seconds=8.0)
    topics = {}
    for fps in (59.94, 50.0):
        timed = replace(analysis, settings={"time": {"capture_fps": fps}})
        topics[fps] = {a.topic for a in filming_advice(timed, Config(), 200.0)}
    assert "frame_rate" not in topics[59.94]
    assert "frame_rate" in topics[50.0]
