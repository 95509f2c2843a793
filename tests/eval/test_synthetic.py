"""Synthetic runner: ground truth is self-consistent and each parameter moves its own metric."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from armcarriage_eval.camera import view_camera
from armcarriage_eval.synthetic import shapes
from armcarriage_eval.synthetic.clip import (
    ClipSpec,
    frame_times,
    make_clip,
    truth_paths,
    write_truth,
)
from armcarriage_eval.synthetic.figure import figure_primitives
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.metrics_truth import (
    series,
    series_from_points,
    stride_truth,
    summarize_truth,
    truth_over_windows,
)
from armcarriage_eval.synthetic.params import FAULTS, RunnerParams, runner_for_fault
from armcarriage_eval.synthetic.render import Scene, render

from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.track import PoseTrack

BONES = [("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist")]


def _times(seconds: float = 3.0, fps: float = 120.0) -> np.ndarray:
    return np.arange(round(seconds * fps)) / fps


def _summary(params: RunnerParams, seconds: float = 3.0) -> dict[str, dict[str, float]]:
    kin = simulate(params, _times(seconds), duration=seconds)
    return summarize_truth(stride_truth(None, kin, view="side_left", fps=120.0))


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_bone_lengths_are_constant(fault: str) -> None:
    kin = simulate(runner_for_fault(fault), _times(), duration=3.0)
    body = kin.params.body
    want = {
        "hip": body.thigh,
        "knee": body.shank,
        "shoulder": body.upper_arm,
        "elbow": body.forearm,
    }
    for side, (a, b) in itertools.product(("left", "right"), BONES):
        d = np.linalg.norm(kin.joints[f"{side}_{a}"] - kin.joints[f"{side}_{b}"], axis=1)
        assert np.allclose(d, want[a], atol=1e-9), (fault, side, a, b, d.min(), d.max())
    # landmarks ride on rigid segments too: shoulder landmark to elbow is constant
    lm = kin.landmarks
    for side in ("left", "right"):
        d = np.linalg.norm(
            lm[:, KEYPOINT_INDEX[f"{side}_shoulder"]] - lm[:, KEYPOINT_INDEX[f"{side}_elbow"]],
            axis=1,
        )
        assert np.ptp(d) < 0.02, (fault, side, np.ptp(d))
    assert np.isfinite(lm).all()


def test_feet_touch_the_floor_exactly_between_strike_and_toe_off() -> None:
    p = RunnerParams()
    kin = simulate(p, _times(3.0, 600.0), duration=3.0)
    ev = kin.events
    for foot in ("left", "right"):
        strikes = ev.loc[(ev.foot == foot) & (ev.kind == "strike"), "time"].to_numpy()
        offs = ev.loc[(ev.foot == foot) & (ev.kind == "toe_off"), "time"].to_numpy()
        assert len(strikes) >= 4 and len(offs) >= 4
        ankle_z = kin.joints[f"{foot}_ankle"][:, 2]
        toe_z = kin.joints[f"{foot}_toe"][:, 2]
        at = np.rint(strikes * 600).astype(int)
        assert np.allclose(ankle_z[at[at < len(ankle_z)]], p.body.ankle_height, atol=1e-3)
        at = np.rint(offs * 600).astype(int)
        assert (toe_z[at[at < len(toe_z)]] < 0.025).all()
        phase = (
            (kin.time - (0.5 if foot == "left" else 0.0) * p.stride_time_s) / p.stride_time_s
        ) % 1.0
        swing = (phase > p.duty + 0.05) & (phase < 0.97)
        assert (ankle_z[swing] > p.body.ankle_height + 0.01).all()
    # contact and flight of the truth strides agree with the parameters
    st = stride_truth(None, kin, view="side_left", fps=600.0)
    assert np.allclose(st.contact_time_s, p.duty * p.stride_time_s, atol=1e-6)
    assert np.allclose(st.cadence_spm, p.cadence_spm, atol=1e-6)
    assert np.allclose(st.flight_time_s, (0.5 - p.duty) * p.stride_time_s, atol=1e-6)


def test_anatomical_elbow_angle_follows_its_parameters() -> None:
    params = RunnerParams().with_values({"left.elbow_deg": 80.0, "left.elbow_osc_deg": 12.0})
    kin = simulate(params, _times(3.0, 600.0), duration=3.0)
    j = kin.joints
    a = j["left_shoulder"] - j["left_elbow"]
    b = j["left_wrist"] - j["left_elbow"]
    ang = np.degrees(
        np.arccos(np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))
    )
    assert ang.min() == pytest.approx(68.0, abs=0.05)
    assert ang.max() == pytest.approx(92.0, abs=0.05)


def test_metric_truth_is_recomputed_from_the_saved_joints(tmp_path: Path) -> None:
    spec = ClipSpec(
        view="side_left", fault="crossing", seconds=2.5, fps=240.0, width=320, height=240
    )
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    cam = spec.camera()
    files = write_truth(tmp_path / "clip.mp4", spec, kin, cam)
    track = PoseTrack.load(files["truth"])
    truth = pd.read_csv(files["strides"])
    assert track.n_frames == 600 and len(truth) >= 4
    # the saved world landmarks are camera-aligned; forward is the camera's view of +x
    fwd = cam.rotation @ np.array([1.0, 0.0, 0.0])
    ser = series_from_points(track.time, track.ds["world"].values, fwd)
    again = truth_over_windows(ser, truth[truth.side == "left"][["stride", "t_start", "t_end"]])
    merged = truth.merge(again, on=["stride", "side"], suffixes=("", "_again"))
    assert len(merged) == len(truth)
    tol = {
        "elbow_angle_mean": 0.05,
        "elbow_angle_min": 0.1,
        "elbow_angle_max": 0.1,
        "swing_forward_deg": 0.1,
        "swing_backward_deg": 0.1,
        "wrist_forward_tl": 0.003,
        "crossing_max_sw": 0.003,
        "crossing_fraction_pct": 1.0,
        "trunk_rotation_deg": 0.1,
        "shrug_rise_tl": 0.002,
        "arm_leg_phase_deg": 1.0,
    }
    for m, t in tol.items():
        err = np.abs(merged[m] - merged[f"{m}_again"]).max()
        assert err < t, (m, err)
    # the 2D truth is the projection of the 3D landmarks
    uv, _ = cam.project(kin.landmarks)
    assert np.allclose(track.ds["position"].values, uv, atol=1e-6)


def test_truth_series_match_the_kinematics_in_world_frame() -> None:
    kin = simulate(RunnerParams(), _times(2.0, 60.0), duration=2.0)
    ser = series(kin)
    lm = kin.landmarks
    s, e, w = (lm[:, KEYPOINT_INDEX[f"left_{n}"]] for n in ("shoulder", "elbow", "wrist"))
    a, b = s - e, w - e
    ang = np.degrees(
        np.arccos(np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))
    )
    assert np.allclose(ser["left_elbow_angle"], ang, atol=1e-9)


CHANGES = [
    # (parameter change, metrics that must move (min change), metrics that must not move)
    (
        {"both.shrug_rise_m": 0.03},
        {"shrug_rise_tl": 0.04},
        [
            "elbow_angle_mean",
            "elbow_angle_range",
            "swing_arc_deg",
            "crossing_fraction_pct",
            "trunk_rotation_deg",
            "cadence_spm",
        ],
    ),
    (
        {"both.elbow_deg": 110.0},
        {"elbow_angle_mean": 15.0},
        [
            "swing_forward_deg",
            "swing_backward_deg",
            "shrug_rise_tl",
            "shrug_level_tl",
            "trunk_rotation_deg",
            "cadence_spm",
        ],
    ),
    (
        {"both.cross_deg": 55.0},
        {"crossing_max_sw": 0.3, "crossing_fraction_pct": 5.0},
        [
            "swing_forward_deg",
            "swing_backward_deg",
            "shrug_rise_tl",
            "trunk_rotation_deg",
            "cadence_spm",
        ],
    ),
    (
        {"both.swing_forward_deg": 45.0},
        {"swing_forward_deg": 12.0},
        ["swing_backward_deg", "shrug_rise_tl", "trunk_rotation_deg", "cadence_spm"],
    ),
    (
        {"trunk_rotation_deg": 18.0},
        {"trunk_rotation_deg": 15.0},
        ["elbow_angle_mean", "elbow_angle_range", "shrug_rise_tl", "cadence_spm"],
    ),
    (
        {"cadence_spm": 160.0},
        {"stride_time_s": 0.05},
        ["elbow_angle_mean", "shrug_rise_tl", "trunk_rotation_deg"],
    ),
]


@pytest.mark.parametrize(
    ("change", "moves", "stays"), CHANGES, ids=[next(iter(c[0])) for c in CHANGES]
)
def test_one_parameter_moves_its_metric(
    change: dict[str, float], moves: dict[str, float], stays: list[str]
) -> None:
    base = _summary(RunnerParams())
    new = _summary(RunnerParams().with_values(change))
    for m, at_least in moves.items():
        for side in ("left", "right"):
            assert abs(new[m][side] - base[m][side]) >= at_least, (m, side, base[m], new[m])
    for m in stays:
        for side in ("left", "right"):
            assert new[m][side] == pytest.approx(base[m][side], abs=0.05), (m, side)


def test_one_side_parameter_leaves_the_other_arm_alone() -> None:
    base = _summary(RunnerParams())
    new = _summary(RunnerParams().with_values({"right.swing_forward_deg": 18.0}))
    assert new["swing_forward_deg"]["right"] < base["swing_forward_deg"]["right"] - 8
    assert new["swing_forward_deg"]["left"] == pytest.approx(base["swing_forward_deg"]["left"])
    assert new["elbow_angle_mean"]["left"] == pytest.approx(base["elbow_angle_mean"]["left"])


def test_fatigue_drift_moves_the_last_strides() -> None:
    kin = simulate(runner_for_fault("fatigue"), _times(4.0), duration=4.0)
    st = stride_truth(None, kin, view="side_left", fps=120.0)
    left = st[st.side == "left"]
    assert left.elbow_angle_mean.iloc[-1] < left.elbow_angle_mean.iloc[0] - 10
    assert left.shrug_level_tl.iloc[-1] > left.shrug_level_tl.iloc[0] + 0.04


def test_round_cone_hits_lie_on_its_surface() -> None:
    rng = np.random.default_rng(1)
    ro = np.array([0.0, -3.0, 0.4])
    rd = rng.normal(size=(5000, 3)) * 0.12 + np.array([0.0, 1.0, 0.0])
    rd /= np.linalg.norm(rd, axis=1, keepdims=True)
    a, b = np.array([0.0, 0.0, 0.0]), np.array([0.1, 0.2, 0.8])
    t, n = shapes.round_cone(ro, rd, a, b, 0.1, 0.04)
    hit = np.isfinite(t)
    assert 300 < hit.sum() < 4900
    p = ro + t[hit, None] * rd[hit]
    assert np.abs(shapes.sd_round_cone(p, a, b, 0.1, 0.04)).max() < 1e-9
    assert np.allclose(np.linalg.norm(n[hit], axis=1), 1.0)


def test_renderer_draws_the_runner_where_the_truth_says() -> None:
    kin = simulate(RunnerParams(), _times(0.5, 30.0), duration=0.5)
    cam = view_camera("side_left", focal_px=150, width=160, height_px=120)
    scene = Scene(cam)
    _, depth = render(scene, figure_primitives(kin, 3), kin.joints["pelvis"][3])
    body = depth < scene.depth - 1e-6
    assert 0.01 < body.mean() < 0.2
    for name in ("left_hip", "left_knee", "nose"):
        u, v = np.rint(cam.project(kin.landmarks[3, KEYPOINT_INDEX[name]])[0]).astype(int)
        assert body[v - 1 : v + 2, u - 1 : u + 2].any(), name


def test_make_clip_writes_a_decodable_video_and_truth(tmp_path: Path) -> None:
    spec = ClipSpec(
        view="rear",
        fault="crossing",
        seconds=1.5,
        fps=30.0,
        width=160,
        height=120,
        seed=3,
        noise=2.0,
        blur_px=0.5,
    )
    out = make_clip(tmp_path / "rear.mp4", spec)
    with av.open(str(out.video)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        assert c.streams.video[0].codec_context.name == "h264"
    assert len(frames) == 45 and frames[0].shape == (120, 160, 3)
    paths = truth_paths(out.video)
    assert all(p.exists() for p in paths.values())
    track = PoseTrack.load(paths["truth"])
    assert track.n_frames == 45 and track.attrs["view"] == "rear"
    events = pd.read_csv(paths["events"])
    assert set(events.kind) == {"strike", "toe_off"}
    assert events.time.between(0, 1.5).all()


def test_synth_command_rejects_bad_input_with_exit_2(tmp_path: Path) -> None:
    from armcarriage.cli import main

    assert main(["synth", str(tmp_path / "a.mp4"), "--view", "top"]) == 2
    assert main(["synth", str(tmp_path / "a.mp4"), "--param", "nope=1"]) == 2
    assert main(["synth", str(tmp_path / "a.mp4"), "--width", "161"]) == 2
    assert (
        main(
            [
                "synth",
                str(tmp_path / "a.mp4"),
                "--seconds",
                "0.5",
                "--width",
                "96",
                "--height",
                "64",
                "--fault",
                "shrug",
            ]
        )
        == 0
    )
    assert (tmp_path / "a.truth.parquet").exists()
    assert (
        main(
            [
                "synth",
                str(tmp_path / "b.mp4"),
                "--seconds",
                "0.3",
                "--width",
                "96",
                "--height",
                "64",
                "--motion-blur",
                "3",
                "--fill",
                "0.8",
                "--crf",
                "30",
            ]
        )
        == 0
    )
    assert main(["synth", str(tmp_path / "c.mp4"), "--fill", "3"]) == 2


SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@pytest.mark.slow
def test_pose_model_finds_the_synthetic_runner_in_a_sample_clip() -> None:
    from armcarriage_eval.synthetic.truth import landmark_errors

    from armcarriage.config import Config
    from armcarriage.pose import estimate_pose

    video = SAMPLES / "side_left_tight_elbows.mp4"
    if not video.exists():
        pytest.skip(f"{video} not rendered (run sample_videos/make_samples.py)")
    track = estimate_pose(video, Config().override({"pose.max_seconds": 2.0, "pose.workers": 1}))
    assert track.n_frames >= 59
    assert track.detection_rate() >= 0.98
    truth = PoseTrack.load(truth_paths(video)["truth"])
    errors = landmark_errors(track, truth)
    for joint in ("shoulder", "elbow", "wrist", "hip"):
        assert errors[joint]["median"] < 10.0, (joint, errors[joint])


def test_track_mode_crosses_the_view_with_planted_feet() -> None:
    spec = ClipSpec(
        view="side_left",
        mode="track",
        seconds=2.6,
        width=960,
        height=540,
        distance=6.0,
        runner={"speed_mps": 2.6},
    )
    kin = simulate(spec.params(), _times(2.6, 300.0), duration=2.6)
    uv, _ = spec.camera().project(kin.landmarks)
    assert np.isfinite(uv).all()
    assert (uv[..., 0] > 0).all() and (uv[..., 0] < 960).all()
    assert (uv[..., 1] > 0).all() and (uv[..., 1] < 540).all()
    hip_u = uv[:, KEYPOINT_INDEX["left_hip"], 0]
    assert hip_u[0] - hip_u[-1] > 0.5 * 960  # facing image-left, crossing most of the frame
    p = spec.params()
    phase = (kin.time / p.stride_time_s) % 1.0
    stance = phase < p.duty * 0.5  # first half of the right foot's stance: foot flat
    x = kin.joints["right_ankle"][:, 0]
    for start in np.flatnonzero(np.diff(stance.astype(int)) == 1):
        run = slice(start + 1, start + 1 + int(stance[start + 1 :].argmin()))
        assert np.ptp(x[run]) < 1e-6


def test_committed_sample_truth_matches_the_generator() -> None:
    import importlib.util

    spec_file = SAMPLES / "make_samples.py"
    module_spec = importlib.util.spec_from_file_location("make_samples", spec_file)
    assert module_spec is not None and module_spec.loader is not None
    make_samples = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(make_samples)
    for name, spec in make_samples.SAMPLES.items():
        csv = truth_paths(SAMPLES / name)["strides"]
        if not csv.exists():
            pytest.skip(f"{csv} missing (run sample_videos/make_samples.py)")
        committed = pd.read_csv(csv)
        kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
        fresh = stride_truth(None, kin, view=spec.view, fps=spec.fps)
        assert len(fresh) == len(committed), name
        for col in (
            "t_start",
            "elbow_angle_mean",
            "swing_arc_deg",
            "crossing_max_sw",
            "shrug_rise_tl",
            "trunk_rotation_deg",
        ):
            assert np.allclose(fresh[col], committed[col], rtol=1e-4, atol=1e-5), (name, col)


def test_drift_of_the_stride_timing_is_refused() -> None:
    params = RunnerParams().with_values({"drift": {"cadence_spm": 10.0}})
    with pytest.raises(ValueError, match="cadence_spm cannot drift"):
        simulate(params, _times(1.0), duration=1.0)
    ok = RunnerParams().with_values({"drift": {"lean_deg": 4.0, "left.elbow_deg": -10.0}})
    assert simulate(ok, _times(1.0), duration=1.0).landmarks.shape == (120, 33, 3)
