"""The arm rebuilt in 3D (metrics.arm3d): known answers on synthetic arms out of the image plane."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from armcarriage.config import Config
from armcarriage.metrics.arm3d import (
    Arm3DSettings,
    body_scale,
    depth_posterior,
    fit_hint_gain,
    reconstruct_arm,
)
from armcarriage.metrics.elbow import ElbowErrorModel, elbow_geometry_factor

EXACT = Arm3DSettings(length_noise=0.01, hint_noise=0.1)
"""Settings for exact keypoints (the defaults are the pose model's noise)."""


def _arm(
    n: int = 120,
    out_deg: float = 50.0,
    abduction_deg: float = 0.0,
    abduction_swing_deg: float = 0.0,
):
    """A right-handed arm seen from the side: x forward, y down (image), z away from the camera.

    The upper arm swings +-35 deg, abducted towards the camera by ``abduction_deg`` plus
    0 to ``abduction_swing_deg`` over the stride; the elbow angle oscillates 75-105 deg;
    the forearm turns away from the camera (towards the midline) by up to ``out_deg`` at
    the forward swing.
    """
    t = np.arange(n) / 30.0
    ph = 2 * np.pi * t / 0.7
    swing = np.radians(35.0) * np.sin(ph)
    abd = np.radians(abduction_deg + abduction_swing_deg * (0.5 - 0.5 * np.cos(ph)))
    upper = np.column_stack(
        [np.sin(swing) * np.cos(abd), np.cos(swing) * np.cos(abd), -np.sin(abd)]
    )
    flex = np.radians(90.0 - 15.0 * np.sin(ph))  # interior angle 180 - flexion
    turn = np.radians(out_deg) * np.clip(np.sin(ph), 0.0, None)
    # forearm: bent forward from the upper arm by the flexion in the swing plane, then
    # turned about the upper arm's own axis (which keeps the elbow angle) towards +z
    fwd = np.column_stack([np.cos(swing), -np.sin(swing), np.zeros(n)])
    fwd -= np.sum(fwd * upper, 1, keepdims=True) * upper
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    base = -np.cos(flex)[:, None] * upper + np.sin(flex)[:, None] * fwd
    rot = np.cross(upper, base)
    rot *= np.where(rot[:, 2:3] < 0, -1.0, 1.0)
    fore = (
        np.cos(turn)[:, None] * base
        + np.sin(turn)[:, None] * rot
        + upper * (np.sum(upper * base, 1, keepdims=True) * (1 - np.cos(turn))[:, None])
    )
    shoulder = np.zeros((n, 3))
    elbow = shoulder + 0.3 * upper
    wrist = elbow + 0.26 * fore
    u, v = shoulder - elbow, wrist - elbow
    truth = np.degrees(
        np.arccos(np.sum(u * v, 1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1)))
    )
    return shoulder, elbow, wrist, truth


def _px(p: np.ndarray, scale: float = 400.0) -> np.ndarray:
    return p[:, :2] * scale


def test_exact_arm_out_of_plane_is_rebuilt_within_a_degree():
    s, e, w, truth = _arm()
    scale = np.full(len(truth), 400.0)
    depth = tuple(p[:, 2] * 400.0 for p in (s, e, w))
    for settings in (EXACT, None):  # exact keypoints; the pose model's noise settings
        rec = reconstruct_arm(_px(s), _px(e), _px(w), scale, depth, settings)
        # the image angle is far off where the forearm leaves the plane: measured 7.6 deg
        assert np.max(np.abs(rec.angle_2d - truth)) > 7.0
        # measured: 0.2 deg at most (0.3 with the noise settings)
        assert np.max(np.abs(rec.angle - truth)) < 0.5
        assert rec.upper_length == pytest.approx(0.3, rel=0.01)
        assert rec.fore_length == pytest.approx(0.26, rel=0.01)


def test_constant_abduction_is_only_partly_seen():
    """A segment held out of the plane by a constant angle looks like a shorter segment:
    its lengths cannot show it, only the depth hint can."""
    s, e, w, truth = _arm(abduction_deg=15.0)
    scale = np.full(len(truth), 400.0)
    depth = tuple(p[:, 2] * 400.0 for p in (s, e, w))
    rec = reconstruct_arm(_px(s), _px(e), _px(w), scale, depth, EXACT)
    err2d, err3d = rec.angle_2d - truth, rec.angle - truth
    # measured: image +3.6 mean / 9.6 worst; 3D +1.0 / 3.4 (the upper arm's length is
    # taken 2 % short, 0.2945 for 0.3)
    assert np.mean(err2d) > 3.0
    assert abs(np.mean(err3d)) < 1.5
    assert np.max(np.abs(err3d)) < 0.5 * np.max(np.abs(err2d))


def test_depth_hint_of_another_scale_and_noise_still_gives_the_sign():
    s, e, w, truth = _arm(abduction_swing_deg=30.0)
    rng = np.random.default_rng(3)
    scale = np.full(len(truth), 400.0)
    # a pose model's depth: three times too deep, biased per landmark, noisy
    depth = tuple(
        3.0 * p[:, 2] * 400.0 + rng.normal(0, 20.0) + rng.normal(0, 12.0, len(truth))
        for p in (s, e, w)
    )
    rec = reconstruct_arm(_px(s), _px(e), _px(w), scale, depth, EXACT)
    # measured: gain 3.8 (the landmark biases add to the depth differences)
    assert rec.hint_gain == pytest.approx(3.0, rel=0.3)
    err = rec.angle - truth
    # measured: mean -1.5, 95th percentile 3.8 (image: +3.5 mean)
    assert np.mean(rec.angle_2d - truth) > 3.0
    assert abs(np.mean(err)) < 2.0
    assert np.percentile(np.abs(err), 95) < 5.0


def test_outward_side_sets_the_upper_arm_sign_without_its_hint():
    s, e, w, truth = _arm(abduction_swing_deg=40.0)
    scale = np.full(len(truth), 400.0)
    # the upper arm's hint says the opposite of the truth; the outward side wins
    flipped = 2 * s[:, 2] - e[:, 2]
    bad = (s[:, 2] * 400.0, flipped * 400.0, (flipped + w[:, 2] - e[:, 2]) * 400.0)
    rec = reconstruct_arm(_px(s), _px(e), _px(w), scale, bad, EXACT, outward=-1.0)
    assert np.all(rec.upper_dz <= 0)  # elbow towards the camera, as built
    # measured: mean -0.1, worst 1.1 deg (image: +5.2 mean, 24 worst)
    assert abs(np.mean(rec.angle - truth)) < 0.5
    assert np.max(np.abs(rec.angle - truth)) < 2.0
    # the same wrong hint followed: +9 deg
    wrong = reconstruct_arm(_px(s), _px(e), _px(w), scale, bad, EXACT)
    assert np.mean(wrong.angle - truth) > 5.0


def test_runner_moving_away_is_followed_by_the_body_scale():
    s, e, w, truth = _arm()
    n = len(truth)
    zoom = np.linspace(1.0, 0.6, n)  # the runner recedes: 40 % smaller at the end
    # the torso's image length, with one frame in ten 10 % off
    torso = 400.0 * zoom * np.where(np.arange(n) % 10 == 0, 1.1, 1.0)
    scale = body_scale(torso, 31)
    pts = [p[:, :2] * 400.0 * zoom[:, None] for p in (s, e, w)]
    depth = tuple(p[:, 2] * 400.0 * zoom for p in (s, e, w))
    rec = reconstruct_arm(*pts, scale, depth, EXACT)
    assert np.max(np.abs(rec.angle - truth)) < 3.0


def test_in_plane_arm_keeps_its_image_angle():
    s, e, w, truth = _arm(out_deg=0.0, abduction_deg=0.0)
    scale = np.full(len(truth), 400.0)
    rec = reconstruct_arm(_px(s), _px(e), _px(w), scale, None)  # pose-model noise settings
    assert np.max(np.abs(rec.angle_2d - truth)) < 1e-6
    # no depth is invented for an arm in the plane: measured 0.3 deg at most
    assert np.max(np.abs(rec.angle - truth)) < 1.0


def test_depth_posterior_known_answers():
    st = Arm3DSettings()
    n = 20
    mean, sd = depth_posterior(np.ones(n), np.zeros(n), st)
    assert np.all(np.abs(mean) < 0.01)
    mean, sd = depth_posterior(np.full(n, 0.6), np.full(n, 0.8), st)
    assert mean == pytest.approx(np.full(n, 0.8), abs=0.05)  # sqrt(1 - 0.6^2)
    assert np.all(sd < 0.1)
    # no hint: the sign is unknown, the mean stays near 0 and the spread is the depth's
    mean, sd = depth_posterior(np.full(n, 0.6), np.full(n, np.nan), st)
    assert np.all(np.abs(mean) < 0.05)
    assert np.all(sd > 0.6)
    # the outward side decides it
    mean, _ = depth_posterior(np.full(n, 0.6), np.full(n, np.nan), st, outward=-1.0)
    assert np.all(mean < -0.7)
    mean, sd = depth_posterior(np.array([0.6, np.nan, 0.6]), np.full(3, 0.8), st)
    assert np.isnan(mean[1]) and np.isnan(sd[1])


def test_hint_gain_is_fitted_on_foreshortened_frames():
    r = np.linspace(0.5, 1.0, 50)
    span = np.sqrt(1 - r**2)
    assert fit_hint_gain([r], [-2.5 * span], 1.0) == pytest.approx(2.5, rel=1e-6)
    # too few foreshortened frames: the default
    assert fit_hint_gain([np.ones(50)], [np.zeros(50)], 1.7) == 1.7


def test_geometry_factor():
    e = np.array([5.0, 5.0, np.nan])
    plain = ElbowErrorModel(floor_mean=0.0, floor_extreme=0.0, gain=1.0, half_deg=5.0)
    assert elbow_geometry_factor(e, "elbow_angle_forward", plain) == pytest.approx(0.5)
    # the mean of two independent excursions: 5 / sqrt(2)
    assert elbow_geometry_factor(e, "elbow_angle_mean", plain) == pytest.approx(1 / 1.5)
    # a maximum picks the worst of the stride's frames
    assert elbow_geometry_factor(e, "elbow_angle_max", plain) == pytest.approx(1 / (1 + 1.87**2))
    assert elbow_geometry_factor(np.array([np.nan]), "elbow_angle_mean") == 1.0


def test_error_model_floors_keep_extremes_below_the_mean():
    """The default model: a floor for the keypoints, the geometry scaled by its fitted gain."""
    m = ElbowErrorModel()
    assert (m.floor_mean, m.floor_extreme, m.gain, m.half_deg) == (1.4, 3.4, 1.3, 5.0)
    flat = np.zeros(20)  # both segments in the image plane: no geometric error
    assert m.expected_error(flat, "elbow_angle_mean") == pytest.approx(1.4)
    assert m.expected_error(flat, "elbow_angle_max") == pytest.approx(3.4)
    assert m.expected_error(flat, "elbow_angle_range") == pytest.approx(3.4 * np.sqrt(2))
    # 0.8 where the expected error is half of half_deg: 95 % of normal errors within 5 deg
    assert elbow_geometry_factor(flat, "elbow_angle_mean") == pytest.approx(1 / (1 + 0.28**2))
    assert elbow_geometry_factor(flat, "elbow_angle_mean") > 0.8
    # no one-frame statistic reaches 0.8 even in the plane: 1 / (1 + 0.68^2) = 0.68
    for stat in ("elbow_angle_min", "elbow_angle_max", "elbow_angle_forward"):
        assert elbow_geometry_factor(flat, stat) == pytest.approx(1 / (1 + 0.68**2))
    # a mean whose frames err by 3 deg: sqrt(1.4^2 + (1.3 * 3 / sqrt(2))^2) = 3.1 deg
    assert m.expected_error(np.full(20, 3.0), "elbow_angle_mean") == pytest.approx(3.10, abs=0.01)
    assert ElbowErrorModel.from_settings(Config().metrics) == m


def test_default_source_and_bad_source():
    from armcarriage.metrics.series import frame_series
    from armcarriage.track import PoseTrack

    assert Config().metrics.elbow_source == "3d"
    track = PoseTrack.from_arrays(
        np.arange(3) / 30.0, np.zeros((3, 33, 2)), fps=30.0, width=10, height=10
    )
    with pytest.raises(ValueError, match="elbow_source"):
        frame_series(track, "side_left", "nonsense")


MOCAP = next(
    (
        p / "shared" / "data" / "mocap"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "mocap").is_dir()
    ),
    None,
)


@pytest.mark.skipif(MOCAP is None, reason="shared mocap data not found (../shared/data/mocap)")
@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_motion_capture_side_projection(view):
    """Real running arms: the 3D source removes the image angle's bias on exact projections."""
    from armcarriage_eval import mocap

    from armcarriage.analysis import analyze

    trial = mocap.load_trial(MOCAP / "bandai1_run_tired_001.bvh")
    truth = mocap.elbow_angles(trial)
    track = mocap.project_trial(trial, view)
    errs = {}
    for source in ("image", "3d"):
        a = analyze(
            track, Config().override({"strides.min_strides": 1, "metrics.elbow_source": source})
        )
        near = view.split("_")[1]
        s = a.series
        frames = np.rint(s["time"].to_numpy() * trial.fps).astype(int)
        errs[source] = (
            s[f"{near}_elbow_angle"].to_numpy() - truth[f"{near}_elbow_angle"].to_numpy()[frames]
        )
    # measured per frame, mean (mean absolute): image +8.5 (8.9) deg from the left, +4.2
    # (4.5) from the right; 3D +3.3 (3.7) and +1.0 (1.5)
    assert np.nanmean(errs["image"]) > 3.0
    assert abs(np.nanmean(errs["3d"])) < 4.0
    assert np.nanmean(np.abs(errs["3d"])) < 0.6 * np.nanmean(np.abs(errs["image"]))


def test_side_rotation_known_answer():
    from armcarriage.metrics import SIDE_ROTATION_REASON
    from armcarriage.metrics.rotation import side_rotation_series
    from armcarriage.metrics.validity import view_reason
    from armcarriage.skeleton import KEYPOINT_INDEX
    from armcarriage.track import PoseTrack

    n = 60
    th_sh = np.radians(20.0) * np.sin(np.linspace(0, 4 * np.pi, n))  # shoulders +-20 deg
    th_hp = -np.radians(8.0) * np.sin(np.linspace(0, 4 * np.pi, n))  # pelvis -+8 deg
    tl, wsh, whp = 100.0, 70.0, 40.0  # torso length and true widths, pixels
    pos = np.zeros((n, 33, 2))
    pos[:, KEYPOINT_INDEX["left_shoulder"]] = np.column_stack(
        [wsh / 2 * np.sin(th_sh), np.full(n, 100.0)]
    )
    pos[:, KEYPOINT_INDEX["right_shoulder"]] = np.column_stack(
        [-wsh / 2 * np.sin(th_sh), np.full(n, 100.0)]
    )
    pos[:, KEYPOINT_INDEX["left_hip"]] = np.column_stack(
        [whp / 2 * np.sin(th_hp), np.full(n, 100.0 + tl)]
    )
    pos[:, KEYPOINT_INDEX["right_hip"]] = np.column_stack(
        [-whp / 2 * np.sin(th_hp), np.full(n, 100.0 + tl)]
    )
    track = PoseTrack.from_arrays(np.arange(n) / 30.0, pos, fps=30.0, width=400, height=400)
    rot = side_rotation_series(track, wsh / tl, whp / tl)
    assert rot == pytest.approx(np.degrees(th_sh - th_hp), abs=1e-6)
    assert np.ptp(rot) == pytest.approx(56.0, abs=0.1)
    # not reported from the side: the pose model does not follow the far shoulder
    assert view_reason("trunk_rotation_deg", "side_left") == SIDE_ROTATION_REASON


@pytest.mark.skipif(MOCAP is None, reason="shared mocap data not found (../shared/data/mocap)")
def test_confidence_follows_the_error_on_motion_capture():
    """The tired trial from both sides (exact projections): the stride means that read 2.4-4
    deg off (left) stay below 0.8, those within 1.3 deg (right) reach about 0.8; every stride's
    maximum, one frame, stays below 0.5 (measured 0.27-0.43)."""
    from armcarriage_eval import mocap

    from armcarriage.analysis import analyze

    trial = mocap.load_trial(MOCAP / "bandai1_run_tired_001.bvh")
    truth = mocap.elbow_angles(trial)
    errors, confs, max_confs = [], [], []
    for view in ("side_left", "side_right"):
        a = analyze(mocap.project_trial(trial, view), Config().override({"strides.min_strides": 1}))
        near = view.split("_")[1]
        t = a.series["time"].to_numpy()
        true = truth[f"{near}_elbow_angle"].to_numpy()[np.rint(t * trial.fps).astype(int)]
        for r in a.strides[a.strides.side == near].itertuples():
            sel = (t >= r.t_start) & (t < r.t_end)
            errors.append(abs(r.elbow_angle_mean - true[sel].mean()))
            confs.append(r.elbow_angle_mean_conf)
            max_confs.append(r.elbow_angle_max_conf)
    errors, confs = np.array(errors), np.array(confs)
    assert len(errors) == 8
    assert (confs[errors > 2.3] < 0.8).all() and (errors > 2.3).sum() == 4
    assert (errors[confs >= 0.8] < 1.0).all() and (confs >= 0.8).sum() >= 2
    assert max(max_confs) < 0.5
