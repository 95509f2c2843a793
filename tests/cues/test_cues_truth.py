"""Default cue thresholds against the synthetic runner's true per-stride metrics.

Each named fault of :mod:`armcarriage_eval.synthetic.params` is simulated, reduced to
its true metrics in the analyzer's definitions, masked as the given view would
mask them (metrics a view cannot measure, the far arm of a side view), and fed
to the cue engine: the fault's cue must come first and the clean runner must
get none, in every view.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from analysis_fixture import make_analysis, summarize

pytest.importorskip("armcarriage_eval.synthetic.metrics_truth")

from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.metrics_truth import stride_truth
from armcarriage_eval.synthetic.params import runner_for_fault

from armcarriage.cues import assess
from armcarriage.metrics import METRICS

NEAR_ARM = {"side_left": "left", "side_right": "right"}


FAULT_VALUES = {"big_hitch": ("shrug", (("both.shrug_rise_m", 0.08),))}
"""Runner variants beyond the named faults: name -> (fault, runner values)."""


@lru_cache(maxsize=16)
def _truth(fault: str, ref_view: str, seconds: float) -> pd.DataFrame:
    base, values = FAULT_VALUES.get(fault, (fault, ()))
    runner = runner_for_fault(base).with_values(dict(values))
    kin = simulate(runner, np.arange(0.0, seconds, 1 / 30))
    return stride_truth(None, kin, ref_view, fps=30.0)


def truth_analysis(fault: str, view: str, seconds: float = 6.0):
    # strides start at the reference foot: the near foot in a side view, else the left
    ref_view = view if view in NEAR_ARM else "front"
    table = _truth(fault, ref_view, seconds).copy()
    for m, spec in METRICS.items():
        hidden = view not in spec.views
        far = spec.per_arm and view in NEAR_ARM
        mask = np.full(len(table), hidden)
        if far and not hidden:
            mask |= (table["side"] != NEAR_ARM[view]).to_numpy()
        table.loc[mask, m] = np.nan
        table[f"{m}_conf"] = np.where(mask, 0.0, 0.9)
        table[f"{m}_reason"] = np.where(mask, "not measured from this view", "")
    analysis = make_analysis(view=view)
    analysis.strides = table
    analysis.summary, analysis.validity = summarize(table)
    return analysis


CASES = [
    ("tight_elbows", "side_left", "elbow_bend", "tight_elbow"),
    ("tight_elbows", "side_right", "elbow_bend", "tight_elbow"),
    ("straight_arms", "side_right", "elbow_bend", "open_elbow"),
    ("small_swing", "side_left", "swing_size", "low_arm_swing"),
    ("crossing", "rear", "crossing", "midline_crossing"),
    ("crossing", "front", "crossing", "midline_crossing"),
    # the named shrug's 4 cm hitch (0.07 torso lengths) lies within real running's own
    # shoulder motion (cues.toml, shrug_rise); an 8 cm hitch is cued. A held shrug needs the
    # silhouette, which truth tables lack (tests/metrics/test_shrug.py,
    # benchmarks/shrug_crossing.py)
    ("big_hitch", "front", "shrug", None),
    ("rotation", "front", "rotation", "over_rotation"),
    ("rotation", "rear", "rotation", "over_rotation"),
]


@pytest.mark.parametrize(("fault", "view", "group", "rule_id"), CASES)
def test_true_fault_gives_its_cue_first(fault, view, group, rule_id):
    result = assess(truth_analysis(fault, view))
    assert result.shown, f"{fault} seen {view}: no cue"
    top = result.shown[0]
    if rule_id:
        assert top.rule_id == rule_id
    else:
        assert top.rule_id.startswith(group)
    assert len(top.evidence.strides_affected) >= 0.8 * top.evidence.strides_measured


@pytest.mark.parametrize("view", ["side_left", "side_right", "front", "rear"])
def test_true_clean_runner_gets_no_cue(view):
    result = assess(truth_analysis("none", view))
    assert result.fired == []
    assert result.good


def test_truth_table_is_what_the_engine_reads():
    a = truth_analysis("tight_elbows", "side_left")
    near = a.strides[a.strides.side == "left"]
    assert near["elbow_angle_mean"].median() == pytest.approx(62.3, abs=1.0)
    assert a.strides[a.strides.side == "right"]["elbow_angle_mean"].isna().all()
    assert isinstance(a.strides, pd.DataFrame) and a.strides["stride"].nunique() >= 8


def test_swing_asymmetry_from_the_front_is_within_healthy_runners():
    """The synthetic gross asymmetry (arc 43 against 70 deg) lifts the hands 22-26 % unevenly in
    truth, less than captured healthy runners do (17-58 % per clip; cues.toml, lift_asymmetry):
    not cued from the front, where the threshold sits beyond healthy variation."""
    a = truth_analysis("asymmetry", "front")
    lift = a.strides.pivot_table(index="stride", columns="side", values="wrist_lift_tl")
    si = 100 * (lift["left"] - lift["right"]).abs() / lift.mean(axis=1)
    assert float(si.median()) == pytest.approx(24.0, abs=3.0)
    result = assess(a)
    assert "lift_asymmetry" not in {c.rule_id for c in result.fired}
