"""Mocap-driven renders: the retargeted figure keeps the capture's geometry and its truth."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

DATA = Path(
    os.environ.get("ARMCARRIAGE_SHARED_DATA", Path(__file__).parents[2].parent / "shared" / "data")
)
MOCAP = DATA / "mocap"
pytestmark = pytest.mark.skipif(
    not MOCAP.is_dir(),
    reason=f"shared mocap data not found at {MOCAP} (expected ../shared/data beside the project, "
    "or set ARMCARRIAGE_SHARED_DATA)",
)
SHORT = "bandai2_run_normal_001.bvh"  # 68 frames: looped to 90
LONG = "bandai1_run_tired_001.bvh"  # 133 frames: cut to 90
BONES = [("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle")]


def _build(trial: str, **kw):
    from armcarriage_eval import mocap_render as mr

    spec = mr.MocapClipSpec(trial=trial, **kw)
    return spec, *mr.build(spec, MOCAP)


@pytest.mark.parametrize("trial", [SHORT, LONG])
@pytest.mark.parametrize(
    "variant", [{}, {"cross_deg": 85.0, "adduction_deg": 15.0}, {"shrug_m": 0.05}]
)
def test_bone_lengths_constant(trial: str, variant: dict) -> None:
    _, _, kin, _ = _build(trial, **variant)
    assert len(kin.time) == 90
    for side in ("left", "right"):
        for a, b in BONES:
            length = np.linalg.norm(kin.joints[f"{side}_{a}"] - kin.joints[f"{side}_{b}"], axis=1)
            assert np.ptp(length) < 1e-9, (side, a, b)
            assert 0.2 < length[0] < 0.5


@pytest.mark.parametrize("variant", [{}, {"cross_deg": 85.0, "adduction_deg": 15.0}])
def test_elbow_angle_equals_mocap(variant: dict) -> None:
    from armcarriage_eval import mocap

    _, _, kin, _ = _build(LONG, **variant)
    captured = mocap.elbow_angles(mocap.load_trial(MOCAP / LONG)).iloc[:90]
    for side in ("left", "right"):
        figure = mocap.angle_deg(
            kin.joints[f"{side}_shoulder"], kin.joints[f"{side}_elbow"], kin.joints[f"{side}_wrist"]
        )
        np.testing.assert_allclose(figure, captured[f"{side}_elbow_angle"], atol=1e-9)
        assert np.ptp(figure) > 30  # a real swing, not a constant


def test_looped_trial_keeps_the_captured_elbow_angle() -> None:
    from armcarriage_eval import mocap

    _, rig, kin, _ = _build(SHORT)
    captured = mocap.elbow_angles(mocap.load_trial(MOCAP / SHORT))["left_elbow_angle"].to_numpy()
    figure = mocap.angle_deg(
        kin.joints["left_shoulder"], kin.joints["left_elbow"], kin.joints["left_wrist"]
    )
    src = rig.source_frames
    assert src.max() < 68 and len(set(src.tolist())) < 90  # looped
    # away from the blend before each seam the loop is the capture itself
    a, b = int(src[0]), int(src.max()) + 1
    length = b - a
    away = (np.arange(90) % length) < length - 9
    np.testing.assert_allclose(figure[away], captured[src[away]], atol=1e-6)
    # no seam: no frame-to-frame jump of the wrist beyond the capture's own
    step = np.linalg.norm(np.diff(kin.joints["left_wrist"], axis=0), axis=1)
    assert step.max() < 0.25
    # strikes keep coming at the captured rhythm
    strikes = kin.events[(kin.events.kind == "strike") & (kin.events.foot == "left")]["time"]
    gaps = np.diff(strikes.to_numpy())
    assert len(gaps) >= 3 and np.ptp(gaps) < 0.25 * np.median(gaps)


@pytest.mark.parametrize("view", ["side_left", "front", "oblique"])
def test_truth_track_is_the_rendered_figure(view: str) -> None:
    from armcarriage_eval import mocap_render as mr
    from armcarriage_eval.synthetic.figure import figure_primitives
    from armcarriage_eval.synthetic.render import Scene, render

    spec, _, kin, cam = _build(SHORT, view=view, cross_deg=85.0, adduction_deg=15.0)
    track = mr.clip_truth_track(spec, kin, cam)
    uv, _ = cam.project(kin.landmarks)
    np.testing.assert_allclose(track.xy("left_wrist"), uv[:, 15], atol=1e-9)
    assert track.attrs["view"] == view
    scene = Scene(cam, seed=0)
    names = [
        f"{s}_{j}"
        for s in ("left", "right")
        for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
    ]
    for i in (0, 31, 62):
        _, depth = render(scene, figure_primitives(kin, i), kin.joints["pelvis"][i])
        for name in names:
            u, v = track.xy(name)[i]
            assert 0 <= u < cam.width and 0 <= v < cam.height, (name, i)
            r, c = int(v), int(u)
            # the figure's surface covers the landmark's pixel (it hides the background)
            assert depth[r, c] < scene.depth[r, c] - 0.3, (name, i)


def test_held_shrug_raises_shoulders_only() -> None:
    _, _, plain, _ = _build(SHORT)
    _, _, shrug, _ = _build(SHORT, shrug_m=0.05)
    up = plain.frames["thorax"][..., 2]
    for side in ("left", "right"):
        for part in ("shoulder", "elbow", "wrist"):
            lift = shrug.joints[f"{side}_{part}"] - plain.joints[f"{side}_{part}"]
            np.testing.assert_allclose(lift, 0.05 * up, atol=1e-9)
        np.testing.assert_allclose(shrug.joints[f"{side}_hip"], plain.joints[f"{side}_hip"])
    np.testing.assert_allclose(shrug.joints["head"], plain.joints["head"])


def test_crossing_variant_crosses_the_midline_and_treadmill_holds_the_runner() -> None:
    from armcarriage_eval import mocap_render as mr

    _, _, plain, _ = _build(SHORT, view="front")
    _, _, cross, _ = _build(SHORT, view="front", cross_deg=85.0, adduction_deg=15.0)
    before, after = mr.truth_series(plain), mr.truth_series(cross)
    for side in ("left", "right"):
        assert before[f"{side}_crossing"].max() < -0.1
        assert after[f"{side}_crossing"].max() > 0.1
    pelvis = plain.joints["pelvis"]
    assert np.ptp(pelvis[:, 0]) < 0.3 and np.ptp(pelvis[:, 1]) < 0.15
    feet = np.minimum(plain.landmarks[:, 29, 2], plain.landmarks[:, 31, 2])  # heel, toe
    assert abs(np.percentile(feet, 2) - 0.02) < 0.005  # shoes on the floor


def _trunk_depth(kin, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the wrist's crossing (truth series) and its distance in front of the trunk."""
    from armcarriage_eval import mocap_render as mr

    crossing = mr.truth_series(kin)[f"{side}_crossing"].to_numpy()
    centre = 0.5 * (kin.joints["chest"] + kin.joints["pelvis"])
    forward = kin.frames["thorax"][..., 0]
    return crossing, np.sum((kin.joints[f"{side}_wrist"] - centre) * forward, axis=1)


@pytest.mark.parametrize("trial", [SHORT, LONG])
def test_crossing_hands_stay_in_front_of_the_trunk(trial: str) -> None:
    from armcarriage_eval import mocap_trunk as mt

    cross = {"cross_deg": 85.0, "adduction_deg": 15.0}
    _, _, through, _ = _build(trial, view="front", **cross)
    _, _, clear, _ = _build(trial, view="front", clear_m=0.04, **cross)
    trunk = mt.trunk_solids(clear.joints["chest"], clear.joints["pelvis"], clear.frames["thorax"])
    for side in ("left", "right"):
        # turned about the upper arm alone, the crossing forearm passes through the trunk
        c0, d0 = _trunk_depth(through, side)
        assert d0[c0 > 0].min() < 0.05
        c1, d1 = _trunk_depth(clear, side)
        assert c1.max() > 0.08  # it still crosses
        assert d1[c1 > 0].min() > 0.12  # in front of the chest (its half-depth: 0.115 m)
        w = clear.joints[f"{side}_wrist"]
        hand = w + 0.045 * (w - clear.joints[f"{side}_elbow"]) / np.linalg.norm(
            w - clear.joints[f"{side}_elbow"], axis=1, keepdims=True
        )
        for point in (w, hand):
            assert not mt.inside(point, clear.frames["thorax"], trunk, 0.035).any()


def _wrist_gap(view: str, clear_m: float, n: int = 3) -> list[float]:
    """Rendered surface depth at the crossing wrist's pixel minus the wrist's distance (m).

    Near 0 or above where the camera sees the hand; well below where a nearer surface (the
    trunk) covers it. Frames: the ``n`` of the left arm's widest crossing.
    """
    from armcarriage_eval import mocap_render as mr
    from armcarriage_eval.synthetic.figure import figure_primitives
    from armcarriage_eval.synthetic.render import Scene, render

    _, _, kin, cam = _build(SHORT, view=view, cross_deg=85.0, adduction_deg=15.0, clear_m=clear_m)
    crossing = mr.truth_series(kin)["left_crossing"].to_numpy()
    scene = Scene(cam, seed=0)
    uv, _ = cam.project(kin.joints["left_wrist"])
    gaps = []
    for i in np.argsort(crossing)[::-1][:n]:
        assert crossing[i] > 0.05
        _, depth = render(scene, figure_primitives(kin, int(i)), kin.joints["pelvis"][i])
        dist = float(np.linalg.norm(kin.joints["left_wrist"][i] - np.asarray(cam.position)))
        gaps.append(float(depth[int(uv[i, 1]), int(uv[i, 0])]) - dist)
    return gaps


def test_crossing_hand_is_seen_from_the_front_and_hidden_from_behind() -> None:
    # carried in front of the chest: the front camera sees the hand (the forearm's surface,
    # 2.6 cm from the wrist joint), from behind the back covers it (measured -0.26 to -0.28)
    assert min(_wrist_gap("front", 0.04)) > -0.04
    assert max(_wrist_gap("rear", 0.04)) < -0.2
    # turned about the upper arm alone, the hand sank into the chest: the chest's surface
    # covers it from the front (measured -0.06 to -0.07)
    assert min(_wrist_gap("front", 0.0)) < -0.05
