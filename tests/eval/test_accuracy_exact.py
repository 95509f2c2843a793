"""Exact synthetic tracks against the 3D truth (issue #4): elbow angle, rotation, asymmetry.

The acceptance asks for the elbow angle within 1 degree of truth on exact
tracks. The truth is the 3D interior angle of the landmarks, reduced over the
analysis's own stride windows at the instants of the clip's frames (a video
sees only its frames); what frame sampling itself misses is checked apart.

Two sources of the same exact track are checked:

* ``metrics.elbow_source = "world"``: the track's exact 3D landmarks (as the
  motion-capture tests do). Every statistic is within 1 degree.
* ``image`` (the default, and the only usable one through the pose model:
  benchmarks/accuracy.py): the 2D projection. It equals the 3D angle only
  while the arm moves in the image plane; the synthetic arm is abducted 8 deg
  and turns its forearm up to 12 deg towards the midline at the forward
  swing, so the projected angle there differs by up to 4 deg on a straight
  arm seen in a portrait frame (perspective adds to it). The bounds below are
  the measured 2D-geometry limits, not the 1-degree target.

The faults a front or rear view can see on exact tracks: over-rotation (front
and rear) and a left/right swing asymmetry (front: ``wrist_lift_tl``); the
clean clips of those views get no such cue.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from armcarriage_eval.synthetic.clip import ClipSpec, frame_times
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.metrics_truth import dense_kinematics, series, truth_over_windows
from armcarriage_eval.synthetic.truth import truth_track

from armcarriage.analysis import Analysis, analyze
from armcarriage.config import Config
from armcarriage.cues import assess

ELBOW = (
    "elbow_angle_mean",
    "elbow_angle_min",
    "elbow_angle_max",
    "elbow_angle_range",
    "elbow_angle_forward",
    "elbow_angle_backward",
)
CLIPS = {
    "side_left_clean": ClipSpec(view="side_left", fault="none", seed=0),
    "side_left_tight": ClipSpec(view="side_left", fault="tight_elbows", seed=1),
    "side_right_straight_portrait": ClipSpec(
        view="side_right", fault="straight_arms", width=480, height=640, fill=0.55, seed=4
    ),
}
"""Clips of benchmarks/accuracy.py (no rendering needed: only their exact tracks)."""


@cache
def _errors(name: str, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Near-arm elbow errors per stride against the frame truth, and frame minus dense truth."""
    spec = CLIPS[name]
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    track = truth_track(kin, spec.camera(), spec.fps, view=spec.view)
    a: Analysis = analyze(track, Config().override({"metrics.elbow_source": source}))
    assert a.status == "ok"
    near = a.strides[a.strides["elbow_angle_mean_reason"] == ""]
    assert set(near["side"]) == {spec.view.split("_")[1]}
    windows = a.strides.drop_duplicates("stride")[["stride", "t_start", "t_end"]]
    at_frames = truth_over_windows(series(kin), windows).set_index(["stride", "side"])
    dense = truth_over_windows(series(dense_kinematics(kin)), windows).set_index(["stride", "side"])
    key = pd.MultiIndex.from_frame(near[["stride", "side"]])
    err = near.set_index(["stride", "side"])[list(ELBOW)] - at_frames.loc[key, list(ELBOW)]
    sampling = at_frames.loc[key, list(ELBOW)] - dense.loc[key, list(ELBOW)]
    assert len(err) >= 4
    return err, sampling


@pytest.mark.parametrize("name", list(CLIPS))
def test_elbow_from_exact_3d_within_one_degree(name):
    err, sampling = _errors(name, "world")
    worst = err.abs().max()
    # measured: 0.003 deg at most (the reductions pick the same frames as the truth)
    assert (worst < 1.0).all(), worst.to_dict()
    # with frame sampling included (truth sampled at 600 Hz): still within 1 deg
    assert ((err + sampling).abs().max() < 1.0).all()


@pytest.mark.parametrize("name", list(CLIPS))
def test_frame_sampling_alone_costs_little(name):
    _, sampling = _errors(name, "image")
    # measured at 30 frames/s: extremes 0.12 deg, range 0.19, mean 0.37 (a stride window's
    # ends fall between frames, so the frames cover a slightly different part of it)
    sampled = sampling.abs().max()
    assert sampled["elbow_angle_mean"] < 0.4
    assert (sampled.drop("elbow_angle_mean") < 0.2).all(), sampled.to_dict()


def test_elbow_from_2d_image_points_is_limited_by_projection():
    worst = pd.concat([_errors(n, "image")[0] for n in CLIPS]).abs().max()
    # measured (max over strides): mean 1.26, max 0.91, backward 0.91, range 3.22,
    # min and forward 3.99 deg, all on the straight-arm portrait clip
    assert worst["elbow_angle_mean"] < 1.3
    assert worst["elbow_angle_max"] < 1.0
    assert worst["elbow_angle_backward"] < 1.0
    assert worst["elbow_angle_min"] < 4.1
    assert worst["elbow_angle_forward"] < 4.1
    assert worst["elbow_angle_range"] < 3.4
    clean = _errors("side_left_clean", "image")[0].abs().max()
    # the relaxed runner's bent arm stays near the image plane: every statistic within
    # 1 deg (measured: 0.68 at most, the forward extreme); the tight arm's forward
    # extreme reads 1.98 deg off
    assert (clean < 1.0).all(), clean.to_dict()
    assert np.isfinite(clean).all()


FRONTAL = {
    "front_rotation": ClipSpec(view="front", fault="rotation", seed=11),
    "rear_rotation": ClipSpec(view="rear", fault="rotation", seed=13),
    "front_asym": ClipSpec(view="front", fault="asymmetry", seed=14),
    "front_clean": ClipSpec(view="front", fault="none", seed=17),
    "rear_clean": ClipSpec(view="rear", fault="none", seed=9),
}
"""Front and rear clips of benchmarks/accuracy.py."""


def _fired(name: str) -> tuple[Analysis, set[str]]:
    spec = FRONTAL[name]
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    a = analyze(truth_track(kin, spec.camera(), spec.fps, view=spec.view))
    assert a.status == "ok" and a.view["label"] == spec.view
    return a, {c.rule_id for c in assess(a).fired}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("front_rotation", {"over_rotation"}),
        ("rear_rotation", {"over_rotation"}),
        # its 22-25 % lift asymmetry lies within healthy runners' (cues.toml, lift_asymmetry)
        ("front_asym", set()),
        ("front_clean", set()),
        ("rear_clean", set()),
    ],
)
def test_frontal_faults_flagged_on_exact_tracks(name, expected):
    a, fired = _fired(name)
    if name == "rear_rotation":
        # known confusion: from behind, the leaning trunk's 22 deg turn moves each shoulder
        # about 13 mm up and down in the image (lean and perspective add from the rear and
        # cancel from the front), read as a shoulder level of 0.021-0.026 torso lengths
        fired -= {"shrug_level"}
    assert fired == expected
    rot = a.strides.drop_duplicates("stride")["trunk_rotation_deg"]
    # measured: 54-56 deg for the over-rotating runner (56 true), 29-30 for the others (30)
    if "rotation" in name:
        assert rot.between(53.0, 57.5).all()
    else:
        assert rot.between(28.0, 31.5).all()


def test_wrist_lift_tells_the_weaker_arm_from_the_front():
    a, _ = _fired("front_asym")
    lift = a.strides.pivot_table(index="stride", columns="side", values="wrist_lift_tl")
    si = 100 * (lift["left"] - lift["right"]).abs() / lift.mean(axis=1)
    # measured: 0.59-0.60 (left) and 0.47 (right) torso lengths, 0.57-0.58 and 0.45 true:
    # a symmetry index of 22-25 %, against 2.2-2.4 % for the clean runner
    assert (lift["left"] > lift["right"]).all()
    assert si.between(20.0, 27.0).all(), si.tolist()
    clean, _ = _fired("front_clean")
    lift = clean.strides.pivot_table(index="stride", columns="side", values="wrist_lift_tl")
    assert (100 * (lift["left"] - lift["right"]).abs() / lift.mean(axis=1) < 4.0).all()
    assert clean.validity["wrist_lift_tl"]["measured"]
    rear, _ = _fired("rear_clean")
    assert not rear.validity["wrist_lift_tl"]["measured"]
    assert "front" in rear.validity["wrist_lift_tl"]["reason"]
