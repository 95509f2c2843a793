"""One registry of metrics: every place that lists metrics reads it, so a metric added in one
place only fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

import armcarriage as ac
from armcarriage.cues import ARM_METRICS, STRIDE_METRICS, load_rules, unit_of
from armcarriage.history.plot import METRIC_ORDER
from armcarriage.metrics import METRICS, UNIT_WORDS
from armcarriage.report.tables import column_units

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "side_right_clean.truth.parquet"


def test_cues_history_and_units_list_the_registry_metrics():
    assert set(ARM_METRICS) | set(STRIDE_METRICS) == set(METRICS)
    assert set(ARM_METRICS) & set(STRIDE_METRICS) == set()
    assert all(METRICS[m].per_arm for m in ARM_METRICS)
    assert METRIC_ORDER == tuple(METRICS)
    assert {spec.unit for spec in METRICS.values()} <= set(UNIT_WORDS)
    assert unit_of("wrist_lift_tl") == "torso lengths"
    assert unit_of("crossing_max_sw") == "shoulder widths"
    assert unit_of("elbow_angle_mean") == "deg"


def test_every_cue_rule_names_a_registry_metric_measured_in_its_views():
    for rule in load_rules():
        spec = METRICS[rule.metric]
        assert set(rule.views) & set(spec.views), rule.id


def test_the_analysis_emits_exactly_the_registry_metrics():
    analysis = ac.analyze(ac.PoseTrack.load(SAMPLE))
    assert analysis.status == "ok"
    cols = set(analysis.strides.columns)
    values = {c for c in cols if not c.endswith(("_conf", "_reason"))}
    fixed = {"stride", "side", "t_start", "t_end", "frame_start", "frame_end"}
    assert values - fixed == set(METRICS)
    units = column_units(list(analysis.strides.columns))
    for name, spec in METRICS.items():
        assert units[name] == UNIT_WORDS[spec.unit]


@pytest.mark.parametrize("name", sorted(METRICS))
def test_each_registry_metric_has_a_unit_and_a_definition(name):
    spec = METRICS[name]
    assert spec.description and spec.definition and spec.views
    assert spec.noise > 0
