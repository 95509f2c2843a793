"""End-to-end analysis of synthetic runners with known answers."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_fixture import Runner, arm_angles, side_runner, strike_times

from armcarriage.analysis import ANALYSIS_SCHEMA_VERSION, Analysis, analyze, stride_columns
from armcarriage.metrics import METRICS
from armcarriage.track import PoseTrack

RUNNER = Runner()


@pytest.fixture(scope="module")
def result() -> Analysis:
    return analyze(side_runner(RUNNER))


@pytest.fixture(scope="module")
def mirrored() -> Analysis:
    return analyze(side_runner(RUNNER).mirrored())


def _assert_honest(a: Analysis) -> None:
    """A value is finite if and only if its reason is empty; confidences lie in [0, 1]."""
    for m in METRICS:
        if not len(a.strides):
            continue
        finite = np.isfinite(a.strides[m].to_numpy(float))
        empty = (a.strides[f"{m}_reason"] == "").to_numpy()
        assert (finite == empty).all(), m
        conf = a.strides[f"{m}_conf"].to_numpy(float)
        assert np.isfinite(conf).all() and (conf >= 0).all() and (conf <= 1).all(), m
    json.dumps(a.to_dict(), allow_nan=False)


def test_status_view_and_cadence(result):
    assert result.status == "ok" and result.message == ""
    assert result.view["label"] == "side_right"
    assert result.view["near_side"] == "right"
    assert result.view["treadmill"] is True
    assert result.cadence_spm == pytest.approx(120 * RUNNER.stride_hz, rel=0.005)
    assert list(result.strides.columns) == stride_columns()
    assert result.settings["strides"]["wrist_check_ok"] is True
    assert "Butterworth" in result.settings["cleaning"]["filter"]


def test_foot_strikes_within_one_frame(result):
    for foot in ("left", "right"):
        truth = strike_times(RUNNER, foot)
        found = result.events.query("foot == @foot and kind == 'strike'")["time"].to_numpy()
        assert len(found) >= len(truth) - 1
        err = [np.min(np.abs(found - x)) * RUNNER.fps for x in truth if 0.5 < x < 5.5]
        assert max(err) <= 1.0


def test_contact_time_close_to_truth(result):
    true_contact = RUNNER.duty / RUNNER.stride_hz
    near = result.strides[result.strides.side == "right"]
    # the 0.06 torso-length contact height lengthens contact by about one frame
    assert near["contact_time_s"].median() == pytest.approx(true_contact, abs=1.5 / RUNNER.fps)
    assert result.summary["contact_time_s"]["both"]["median"] < 0.5 * near.stride_time_s.median()


def test_near_arm_metrics_match_construction(result):
    near = result.strides[result.strides.side == "right"]
    assert len(near) >= 6
    assert near["elbow_angle_mean"].median() == pytest.approx(RUNNER.elbow0, abs=1.0)
    assert near["elbow_angle_min"].median() == pytest.approx(
        RUNNER.elbow0 - RUNNER.elbow_amp, abs=1.0
    )
    assert near["elbow_angle_max"].median() == pytest.approx(
        RUNNER.elbow0 + RUNNER.elbow_amp, abs=1.0
    )
    # the elbow opens as the arm swings forward in this runner
    assert near["elbow_angle_forward"].median() == pytest.approx(105.0, abs=1.0)
    assert near["elbow_angle_backward"].median() == pytest.approx(75.0, abs=1.0)
    assert near["swing_forward_deg"].median() == pytest.approx(RUNNER.theta0 + RUNNER.amp, abs=1)
    assert near["swing_backward_deg"].median() == pytest.approx(RUNNER.amp - RUNNER.theta0, abs=1)
    assert near["swing_arc_deg"].median() == pytest.approx(2 * RUNNER.amp, abs=1.5)
    assert near["shrug_rise_tl"].median() == pytest.approx(0.0, abs=0.01)
    assert (near["elbow_angle_mean_conf"] > 0.8).all()


def test_wrist_offset_matches_construction(result):
    t = np.arange(int(RUNNER.seconds * RUNNER.fps)) / RUNNER.fps
    theta, elbow = arm_angles(RUNNER, t, "right")
    th = np.radians(theta)
    fa = th + np.radians(180 - elbow)
    x = 4 + RUNNER.upper_arm * np.sin(th) + RUNNER.forearm * np.sin(fa)  # from the hip centre
    near = result.strides[result.strides.side == "right"]
    assert near["wrist_forward_tl"].median() == pytest.approx(x.max() / RUNNER.torso, abs=0.02)
    assert near["wrist_arc_tl"].median() == pytest.approx(np.ptp(x) / RUNNER.torso, abs=0.03)


def test_far_arm_and_frontal_metrics_not_measured(result):
    far = result.strides[result.strides.side == "left"]
    assert far["elbow_angle_mean"].isna().all()
    assert (far["elbow_angle_mean_reason"].str.contains("far arm")).all()
    assert result.strides["crossing_max_sw"].isna().all()
    assert result.strides["trunk_rotation_deg"].isna().all()
    assert not result.validity["crossing_max_sw"]["measured"]
    assert "film from the front" in result.validity["crossing_max_sw"]["reason"]
    assert result.validity["elbow_angle_mean"]["measured"]
    assert result.summary["elbow_angle_mean"]["left"]["n"] == 0
    assert result.summary["elbow_angle_mean"]["right"]["median"] == pytest.approx(90, abs=1)
    _assert_honest(result)


def test_far_arm_low_confidence_policy():
    from armcarriage.config import Config

    cfg = Config().override({"metrics.far_arm_policy": "low_confidence"})
    a = analyze(side_runner(RUNNER), cfg)
    far = a.strides[a.strides.side == "left"]
    assert far["elbow_angle_mean"].notna().all()
    assert (far["elbow_angle_mean_conf"] <= 0.3).all()


def test_mirrored_clip_gives_same_numbers_with_sides_swapped(result, mirrored):
    assert mirrored.view["label"] == "side_left"
    assert mirrored.cadence_spm == pytest.approx(result.cadence_spm, abs=1e-6)
    for m in METRICS:
        a = result.strides.set_index(["stride", "side"])[m]
        b = mirrored.strides.set_index(["stride", "side"])[m]
        swapped = b.rename(index={"left": "right", "right": "left"}, level="side")
        np.testing.assert_allclose(
            a.sort_index().to_numpy(float),
            swapped.sort_index().to_numpy(float),
            atol=1e-6,
            err_msg=m,
        )


def test_summary_and_json_contract(result):
    d = result.to_dict()
    assert d["schema_version"] == ANALYSIS_SCHEMA_VERSION
    text = json.dumps(d, allow_nan=False)
    assert "elbow_angle_mean" in text
    s = result.summary["elbow_angle_mean"]
    for key in ("median", "iqr", "n", "confidence", "first_third", "last_third", "drift"):
        assert key in s["right"]
    assert {"symmetry_index", "difference", "measured", "reason"} <= set(s)
    assert s["symmetry_index"] is None  # one arm only
    assert s["right"]["drift"] == pytest.approx(0.0, abs=1.0)
    assert result.validity["cadence_spm"]["confidence"] > 0.8
    assert "series" not in d and "series" in result.to_dict(include_series=True)


def test_drift_and_asymmetry_are_flagged():
    """A runner whose elbow closes over the clip shows a drift; summary flags it."""
    import pandas as pd

    from armcarriage.metrics.summary import summarize

    rows = []
    for i in range(9):
        for side, base in (("left", 80.0), ("right", 100.0)):
            row = {c: np.nan for c in stride_columns()}
            row.update({"stride": i, "side": side})
            for m in METRICS:
                row[f"{m}_reason"] = "not measured"
                row[f"{m}_conf"] = 0.0
            row["elbow_angle_mean"] = base - 2 * i
            row["elbow_angle_mean_conf"] = 0.9
            row["elbow_angle_mean_reason"] = ""
            rows.append(row)
    s = summarize(pd.DataFrame(rows), 0.5, 15.0, 0.1, {})["elbow_angle_mean"]
    assert s["difference"] == pytest.approx(-20.0)
    assert s["symmetry_index"] == pytest.approx(100 * 20 / 82.0, rel=1e-3)
    assert s["asymmetry_flag"] is True
    assert s["left"]["first_third"] == pytest.approx(78.0)
    assert s["left"]["last_third"] == pytest.approx(66.0)
    assert s["drift_flag"] is True


def _scaled(track: PoseTrack, keep: np.ndarray) -> PoseTrack:
    return PoseTrack(track.ds.isel(time=keep))


def test_no_runner_on_empty_and_poseless_tracks():
    tr = side_runner(RUNNER)
    empty = analyze(_scaled(tr, np.arange(0)))
    assert empty.status == "no_runner" and "no runner" in empty.message
    ds = tr.ds.copy(deep=True)
    ds["position"][:] = np.nan
    none = analyze(PoseTrack(ds))
    assert none.status == "no_runner"
    assert none.strides.empty and list(none.strides.columns) == stride_columns()
    assert not none.validity["elbow_angle_mean"]["measured"]
    json.dumps(none.to_dict(), allow_nan=False)


def test_standing_is_no_running():
    tr = side_runner(RUNNER)
    ds = tr.ds.copy(deep=True)
    ds["position"].values[:] = ds["position"].values[:1]  # frozen pose
    a = analyze(PoseTrack(ds))
    assert a.status == "no_running"
    assert "no running" in a.message
    assert a.strides.empty and np.isnan(a.cadence_spm)


def test_walking_is_no_running():
    walker = replace(RUNNER, stride_hz=0.95, duty=0.62, amp=12.0)
    a = analyze(side_runner(walker))
    assert a.status == "no_running", a.message
    assert a.strides.empty
    assert a.settings["strides"]["duty_factor"] > 0.5


def test_short_clip_is_too_few_strides():
    a = analyze(side_runner(replace(RUNNER, seconds=1.6)))
    assert a.status == "too_few_strides"
    assert a.strides.empty


def test_uneven_timestamps_give_the_same_cadence(result):
    tr = side_runner(replace(RUNNER, fps=60.0))
    rng = np.random.default_rng(1)
    keep = np.sort(rng.choice(tr.n_frames, size=tr.n_frames * 2 // 3, replace=False))
    a = analyze(_scaled(tr, keep))
    assert a.settings["cleaning"]["resampled"] is True
    assert a.cadence_spm == pytest.approx(120 * RUNNER.stride_hz, rel=0.01)


def test_half_frame_rate_changes_medians_little(result):
    slow = analyze(side_runner(replace(RUNNER, fps=15.0)))
    assert slow.status == "ok"
    for m, tol in (("elbow_angle_mean", 1.0), ("swing_arc_deg", 2.0), ("cadence_spm", 2.0)):
        a = result.summary[m]["both"]["median"]
        b = slow.summary[m]["both"]["median"]
        assert b == pytest.approx(a, abs=tol), m


@st.composite
def damaged_tracks(draw: st.DrawFn) -> PoseTrack:
    tr = side_runner(replace(RUNNER, seconds=draw(st.sampled_from([0.2, 2.0, 4.0]))))
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    frac = draw(st.floats(0.0, 0.9))
    pos[rng.random(pos.shape[:2]) < frac] = np.nan
    kind = draw(st.sampled_from(["nan", "inf", "constant", "none"]))
    k = draw(st.integers(0, pos.shape[1] - 1))
    if kind == "inf":
        pos[rng.random(pos.shape[0]) < 0.2, k] = np.inf
    elif kind == "constant":
        pos[:, k] = 5.0
    elif kind == "nan":
        pos[:, k] = np.nan
    if draw(st.booleans()):
        ds["visibility"].values[:] = rng.random(ds["visibility"].shape)
    return PoseTrack(ds)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_tracks())
def test_damaged_tracks_never_crash_or_leak_nan(track):
    a = analyze(track)
    assert a.status in {"ok", "no_runner", "no_running", "too_few_strides"}
    assert (a.status == "ok") == (len(a.strides) > 0)
    _assert_honest(a)


def test_trunk_rotation_needs_exact_depth_unless_asked_for():
    from pathlib import Path

    import armcarriage as ac
    from armcarriage.analysis import POSE_DEPTH_ROTATION_REASON, measurement_reasons
    from armcarriage.config import Config

    sample = Path(__file__).resolve().parents[2] / "sample_videos" / "front_shrug.truth.parquet"
    exact = ac.PoseTrack.load(sample)
    assert exact.ds.attrs["depth"] == "exact"
    assert "trunk_rotation_deg" not in measurement_reasons(exact, Config())
    guessed = ac.PoseTrack(
        exact.ds.assign_attrs(model="pose_landmarker_full.task", depth="estimated")
    )
    assert measurement_reasons(guessed, Config())["trunk_rotation_deg"] == (
        POSE_DEPTH_ROTATION_REASON
    )
    a = ac.analyze(guessed)
    assert a.status == "ok" and a.view["label"] == "front"
    assert a.strides["trunk_rotation_deg"].isna().all()
    assert (a.strides["trunk_rotation_deg_reason"] == POSE_DEPTH_ROTATION_REASON).all()
    assert a.validity["trunk_rotation_deg"]["reason"] == POSE_DEPTH_ROTATION_REASON
    assert a.strides["crossing_max_sw"].notna().any()  # the rest of the front view stands
    forced = ac.analyze(guessed, Config().override({"metrics.rotation_from_pose_depth": True}))
    assert forced.strides["trunk_rotation_deg"].notna().all()


def test_strides_that_differ_by_less_than_the_metrics_noise_keep_their_confidence():
    import pandas as pd

    from armcarriage.analysis.table import _apply_consistency
    from armcarriage.metrics import METRICS

    # the neck gap of three strides of a held shrug (a motion-capture render from the side):
    # 0.0168 from the median, half the metric's per-stride noise (0.034)
    v = [0.2445, 0.2277, 0.2513]
    rows = {"side": ["left"] * 3}
    for m in METRICS:
        rows[m] = [1.0] * 3
        rows[f"{m}_conf"] = [0.9] * 3
        rows[f"{m}_reason"] = ["not measured"] * 3
    rows.update(shrug_neck_tl=v, shrug_neck_tl_conf=[0.65] * 3, shrug_neck_tl_reason=[""] * 3)
    table = pd.DataFrame(rows)
    _apply_consistency(table)
    conf = table["shrug_neck_tl_conf"].to_numpy()
    assert conf[0] == pytest.approx(0.65)
    assert conf[1] == pytest.approx(0.65 / (1 + (0.0168 / (1.5 * 0.034)) ** 2), abs=2e-3)
    assert conf.min() > 0.55
    # a stride far outside the noise still loses its confidence
    table = pd.DataFrame({**rows, "shrug_neck_tl": [0.2445, 0.40, 0.2513]})
    _apply_consistency(table)
    assert table["shrug_neck_tl_conf"][1] < 0.2
