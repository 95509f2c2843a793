"""Tests of the truth scorer on a perfect (oracle) analysis and on a spoiled one."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from armcarriage_eval import mocap
from armcarriage_eval.mocap_score import score, score_strikes

from armcarriage.analysis import Analysis

MOCAP = Path(__file__).parents[2].parent / "shared" / "data" / "mocap"
NAME = "bandai1_run_tired_001.bvh"

pytestmark = pytest.mark.skipif(
    not MOCAP.is_dir(),
    reason=f"shared mocap data not found at {MOCAP} (expected ../shared/data beside the project)",
)


@cache
def _trial() -> mocap.MocapTrial:
    return mocap.load_trial(MOCAP / NAME)


def oracle(truth: mocap.Truth, track) -> Analysis:
    """An analysis that reports the truth itself; strides between right-foot strikes."""
    strikes = truth.events.query("kind == 'strike' and foot == 'right'")["frame"].to_numpy()
    rows = []
    for i, (s, e) in enumerate(itertools.pairwise(strikes)):
        for side in ("left", "right"):
            angle = truth.elbow[f"{side}_elbow_angle"].to_numpy()[s:e]  # half-open window
            rows.append(
                {
                    "stride": i,
                    "side": side,
                    "t_start": s / 30,
                    "t_end": e / 30,
                    "frame_start": s,
                    "frame_end": e,
                    "elbow_angle_min": angle.min(),
                    "elbow_angle_max": angle.max(),
                    "elbow_angle_mean": angle.mean(),
                    "elbow_angle_mean_reason": "",
                }
            )
    return Analysis(
        status="ok",
        message="",
        view={"label": "side_right", "treadmill": True},
        events=truth.events[["foot", "kind", "time", "frame"]].copy(),
        strides=pd.DataFrame(rows),
        summary={},
        validity={},
        cadence_spm=truth.cadence_spm,
        series=truth.elbow.drop(columns="frame"),
        track=track,
    )


def test_oracle_scores_perfectly_and_a_spoiled_analysis_does_not() -> None:
    tr = _trial()
    truth = mocap.truth(tr)
    track = mocap.project_trial(tr, "side_right")
    good = score(oracle(truth, track), tr, truth)
    assert good.status == "ok" and good.view_label == "side_right"
    assert good.cadence_error_pct == 0.0
    assert good.strikes.n_truth == 10 and good.strikes.recall == 1.0
    assert good.strikes.precision == 1.0
    err = good.strikes.errors["error_s"]  # frame time minus the touchdown between frames
    assert (err >= 0).all() and (err <= 1 / 30 + 1e-9).all()
    for side in ("left", "right"):
        assert good.elbow[side].n_strides == good.elbow[side].n_measured == 4
        assert good.elbow[side].max_error_deg == pytest.approx(0.0, abs=1e-9)
        assert good.elbow[side].series_max_error_deg == pytest.approx(0.0, abs=1e-9)

    bad = oracle(truth, track)
    bad.cadence_spm *= 1.02
    late = bad.events["kind"] == "strike"  # every strike 2 frames late
    bad.events.loc[late, "frame"] += 2
    bad.events.loc[late, "time"] += 2 / 30
    bad.strides["elbow_angle_max"] += 1.5
    bad.strides.loc[bad.strides["side"] == "left", "elbow_angle_mean"] = np.nan
    bad.strides.loc[bad.strides["side"] == "left", "elbow_angle_mean_reason"] = "far arm"
    bad.series["right_elbow_angle"] += 3.0
    s = score(bad, tr, truth)
    assert s.cadence_error_pct == pytest.approx(2.0)
    assert s.strikes.n_found == 0 and s.strikes.n_correct == 0
    assert s.elbow["right"].max_error_deg == pytest.approx(1.5)
    assert s.elbow["right"].series_max_error_deg == pytest.approx(3.0)
    assert s.elbow["left"].n_measured == 0 and s.elbow["left"].reasons == ["far arm"]
    assert s.summary()["strikes_found"] == "0/10"

    none = oracle(truth, track)
    none.status, none.strides = "no_running", pd.DataFrame(columns=none.strides.columns)
    none.events = none.events.iloc[:0]
    s = score(none, tr, truth)
    assert s.elbow["right"].n_strides == 0 and np.isnan(s.elbow["right"].max_error_deg)
    assert s.strikes.n_found == 0 and s.strikes.n_reported == 0


def test_strike_matching_counts_edges_feet_and_tolerance() -> None:
    truth = pd.DataFrame(
        {
            "foot": ["left", "right", "left", "right"],
            "kind": ["strike"] * 4,
            "frame": [1, 10, 20, 58],
            "time": [0.03, 0.33, 0.67, 1.93],
        }
    )
    reported = pd.DataFrame(
        {
            "foot": ["left", "left", "right", "left"],
            "kind": ["strike"] * 4,
            "frame": [21, 10, 12, 40],
            "time": [0.70, 0.33, 0.40, 1.33],
        }
    )
    s = score_strikes(reported, truth, n_frames=60)
    # frame 1 and 58 are within 2 frames of the ends: not scored
    assert s.n_truth == 2
    assert s.n_found == 1  # left 20 -> 21; right 10 -> 12 is 2 frames off
    assert s.n_reported == 4 and s.n_correct == 1  # left 10 has no left truth near it
    assert s.errors.set_index("truth_frame").loc[10, "error_frames"] == 2
    assert s.errors.set_index("truth_frame").loc[20, "error_s"] == pytest.approx(0.03)
