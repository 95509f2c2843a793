"""Tests of the mocap ground-truth module: BVH reading, kinematics, cameras, truth."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from armcarriage_eval import mocap

from armcarriage.errors import InputError
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS

DATA = Path(__file__).parents[2].parent / "shared" / "data"
MOCAP = DATA / "mocap"
FRAMES = {
    "bandai2_run_normal_001.bvh": 68,
    "bandai2_run_normal_002.bvh": 70,
    "bandai1_run_active_001.bvh": 72,
    "bandai1_run_tired_001.bvh": 133,
    "bandai1_walk_normal_001.bvh": 195,
}
RUNS = [name for name in FRAMES if "_run_" in name]
WALK = "bandai1_walk_normal_001.bvh"
VIEWS = ("side_left", "side_right", "front", "rear", "oblique")

needs_data = pytest.mark.skipif(
    not MOCAP.is_dir(),
    reason=f"shared mocap data not found at {MOCAP} (expected ../shared/data beside the project)",
)


@cache
def trial(name: str) -> mocap.MocapTrial:
    return mocap.load_trial(MOCAP / name)


@cache
def truth(name: str) -> mocap.Truth:
    return mocap.truth(trial(name))


# ------------------------------------------------------- tiny synthetic BVH
TINY = """HIERARCHY
ROOT root
{
  OFFSET 99 99 99
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT child
  {
    OFFSET 0 0 10
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 0 0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.0333333
5 0 0 90 90 0 0 0 0
5 0 0 0 0 0 0 0 0
"""


def test_fk_composes_intrinsic_euler_in_listed_order_and_positions_replace_offset(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tiny.bvh"
    path.write_text(TINY)
    motion = mocap.read_bvh(path)
    assert motion.joints == ("root", "child")
    assert motion.parents == (-1, 0)
    assert motion.fps == 30.0
    pos, _ = mocap.forward_kinematics(motion)
    # root: position channels (5, 0, 0) replace OFFSET (99, 99, 99)
    np.testing.assert_allclose(pos[:, 0], [[5, 0, 0], [5, 0, 0]], atol=1e-12)
    # Rz(90) @ Rx(90) applied to (0, 0, 10) gives (10, 0, 0); the extrinsic
    # reading (Rx @ Rz) would give (0, -10, 0).
    np.testing.assert_allclose(pos[0, 1], [15, 0, 0], atol=1e-9)
    np.testing.assert_allclose(pos[1, 1], [5, 0, 10], atol=1e-9)


def test_read_bvh_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.bvh: not found"):
        mocap.read_bvh(tmp_path / "missing.bvh")
    bad = tmp_path / "short.bvh"
    bad.write_text(TINY.replace("Frames: 2", "Frames: 3"))
    with pytest.raises(InputError, match=r"short.bvh: expected 3 frames x 9 channels, got 2 x 9"):
        mocap.read_bvh(bad)
    nomotion = tmp_path / "nomotion.bvh"
    nomotion.write_text(TINY.split("MOTION")[0])
    with pytest.raises(InputError, match=r"nomotion\.bvh: expected a HIERARCHY and a MOTION"):
        mocap.read_bvh(nomotion)


def test_load_trial_rejects_a_skeleton_without_the_mapped_joints(tmp_path: Path) -> None:
    path = tmp_path / "tiny.bvh"
    path.write_text(TINY)
    with pytest.raises(InputError, match=r"missing \['Foot_L'"):
        mocap.load_trial(path)


def test_angle_deg() -> None:
    a = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0, 0.0][:2]])
    b = np.zeros((3, 2))
    c = np.array([[0.0, 1.0], [-1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(mocap.angle_deg(a, b, c), [90.0, 180.0, 45.0])


# ------------------------------------------------------------ real files
@needs_data
@pytest.mark.parametrize("name", list(FRAMES))
def test_header_matches_the_data_readme(name: str) -> None:
    motion = mocap.read_bvh(MOCAP / name)
    assert len(motion.joints) == 22
    assert motion.n_frames == FRAMES[name]
    assert motion.fps == 30.0
    six = ("Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation")
    assert set(motion.channels) == {six}


@needs_data
@pytest.mark.parametrize("name", list(FRAMES))
def test_bone_lengths_are_constant(name: str) -> None:
    tr = trial(name)
    bones = [
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("left_ankle", "left_foot_index"),
        ("left_ankle", "left_heel"),
        ("right_heel", "right_foot_index"),
        ("nose", "left_ear"),
        ("left_hip", "right_hip"),
    ]
    for a, b in bones:
        length = np.linalg.norm(tr.point(a) - tr.point(b), axis=1)
        assert 0.03 < length.mean() < 0.6, (a, b, length.mean())
        assert np.ptp(length) < 1e-6, (a, b, np.ptp(length))
    # the shoulder joints ride on the clavicles (Shoulder_L/R): their distance may change
    width = np.linalg.norm(tr.point("left_shoulder") - tr.point("right_shoulder"), axis=1)
    assert 0.15 < width.min() and np.ptp(width) < 0.02
    upper = np.linalg.norm(tr.point("left_shoulder") - tr.point("left_elbow"), axis=1)
    assert upper[0] == pytest.approx(0.2433, abs=1e-3)  # UpperArm->LowerArm offset, 24.33 cm


@needs_data
@pytest.mark.parametrize("name", list(FRAMES))
def test_world_frame_forward_left_up(name: str) -> None:
    tr = trial(name)
    pelvis = tr.pelvis()
    # x forward: the pelvis travels along +x (normal_002 runs along BVH -Z)
    assert pelvis[-1, 0] - pelvis[0, 0] > 5.0
    assert np.all(np.diff(pelvis[:, 0]) > 0)
    assert np.max(np.abs(pelvis[:, 1])) < 0.15  # stays on the x axis
    assert abs(pelvis[:, 0].min() + pelvis[:, 0].max()) < 1.0  # origin mid-run
    # y left: every left point is left of its right partner
    for part in ("shoulder", "hip", "ear"):
        assert np.all(tr.point(f"left_{part}")[:, 1] > tr.point(f"right_{part}")[:, 1]), part
    # z up, floor at 0: head above shoulders above hips above ankles, feet near 0
    z = {k: tr.point(k)[:, 2] for k in ("nose", "left_shoulder", "left_hip", "left_ankle")}
    assert np.median(z["nose"] - z["left_shoulder"]) > 0.05  # the tired runner hangs his head
    assert np.all(z["left_shoulder"] > z["left_hip"])
    assert np.all(z["left_hip"] > z["left_ankle"])
    assert 0.0 < np.percentile(tr.point("left_heel")[:, 2], 5) < 0.08
    # the nose is ahead of the ears
    ears = 0.5 * (tr.point("left_ear") + tr.point("right_ear"))
    assert np.median(tr.point("nose")[:, 0] - ears[:, 0]) > 0.05


@needs_data
def test_speed_of_the_normal_run() -> None:
    assert trial("bandai2_run_normal_001.bvh").speed == pytest.approx(3.65, abs=0.05)
    assert trial(WALK).speed == pytest.approx(1.25, abs=0.1)


@needs_data
def test_unmapped_keypoints_are_nan_mapped_are_finite() -> None:
    tr = trial("bandai2_run_normal_001.bvh")
    fingers = ("pinky", "index", "thumb")
    unmapped = [k for k in KEYPOINTS if k.split("_")[-1] in fingers and "foot" not in k]
    assert len(unmapped) == 6
    for k in KEYPOINTS:
        finite = np.isfinite(tr.point(k)).all()
        assert finite == (k not in unmapped), k
        if k in unmapped:
            assert np.isnan(tr.point(k)).all(), k


@needs_data
@pytest.mark.parametrize("name", list(FRAMES))
def test_heel_is_behind_the_ankle_and_level_with_the_toe_in_stance(name: str) -> None:
    tr, tt = trial(name), truth(name)
    for side in ("left", "right"):
        on = tt.contact[side]
        heel, ankle, toe = (tr.point(f"{side}_{p}") for p in ("heel", "ankle", "foot_index"))
        flat = on & (np.abs(heel[:, 2] - toe[:, 2]) < 0.01)
        assert flat.sum() >= 2, side
        assert np.all(heel[flat, 0] < ankle[flat, 0] - 0.02)
        assert np.all(heel[flat, 2] < ankle[flat, 2] - 0.05)
        assert np.all(toe[flat, 0] > ankle[flat, 0] + 0.05)


@needs_data
@pytest.mark.parametrize("name", RUNS)
def test_running_strikes_are_sensible(name: str) -> None:
    tr, tt = trial(name), truth(name)
    strikes = tt.events[tt.events["kind"] == "strike"]
    assert len(strikes) >= 5
    feet = strikes["foot"].tolist()
    assert all(a != b for a, b in itertools.pairwise(feet)), feet  # feet alternate
    steps = np.diff(strikes["time_subframe"].to_numpy())
    assert np.all((steps > 0.3) & (steps < 0.55)), steps
    assert 120 < tt.cadence_spm < 200
    for side in ("left", "right"):
        duty = tt.contact[side].mean()
        assert 0.1 < duty < 0.45, (side, duty)  # flight phases: running
        assert not (tt.contact["left"] & tt.contact["right"]).any()  # never double support
    clearance = mocap.foot_clearance(tr)
    for row in strikes.itertuples():
        h = clearance[row.foot]
        assert h[row.frame] < 0.01 <= h[row.frame - 1]  # down now, in the air just before
        assert row.frame - 1 <= row.time_subframe * tr.fps <= row.frame


@needs_data
def test_walking_has_double_support_and_a_walking_cadence() -> None:
    tt = truth(WALK)
    assert 100 < tt.cadence_spm < 125
    both = tt.contact["left"] & tt.contact["right"]
    assert both.mean() > 0.1
    assert 0.55 < tt.contact["left"].mean() < 0.8


@needs_data
def test_cadence_of_the_normal_run() -> None:
    # touchdowns R 8.79, L 17.81, R 29.47, L 41.48, R 51.13, L 62.27 frames:
    # 5 steps over 53.48 frames at 30 fps
    tt = truth("bandai2_run_normal_001.bvh")
    strikes = tt.events[tt.events["kind"] == "strike"]
    assert strikes["frame"].tolist() == [9, 18, 30, 42, 52, 63]
    assert strikes["foot"].tolist() == ["right", "left"] * 3
    assert tt.cadence_spm == pytest.approx(168.3, abs=0.1)


@needs_data
def test_elbow_angle_range_matches_the_data_readme() -> None:
    angles = np.concatenate(
        [
            truth(n).elbow[[f"{s}_elbow_angle" for s in ("left", "right")]].to_numpy().ravel()
            for n in RUNS
        ]
    )
    assert 50 < angles.min() < 60
    assert 150 < angles.max() < 162
    tr = trial("bandai2_run_normal_001.bvh")
    e = truth("bandai2_run_normal_001.bvh").elbow
    i = 30
    u = tr.point("left_shoulder")[i] - tr.point("left_elbow")[i]
    v = tr.point("left_wrist")[i] - tr.point("left_elbow")[i]
    expected = np.degrees(np.arccos(u @ v / np.linalg.norm(u) / np.linalg.norm(v)))
    assert e["left_elbow_angle"][i] == pytest.approx(expected)


@needs_data
@pytest.mark.parametrize("follow", [True, False], ids=["follow", "fixed"])
@pytest.mark.parametrize("view", VIEWS)
def test_projection_round_trip(view: str, follow: bool) -> None:
    tr = trial("bandai2_run_normal_002.bvh")
    cams = mocap.trial_cameras(tr, view, follow=follow)
    track = mocap.project_trial(tr, view, cameras=cams)
    assert track.n_frames == tr.n_frames and track.fps == 30.0
    pos = track.ds["position"].values
    mapped = np.isfinite(tr.keypoints).all(axis=2)
    # every mapped keypoint inside the image, visibility 1; unmapped NaN, visibility 0
    assert np.isfinite(pos[mapped]).all() and np.isnan(pos[~mapped]).all()
    assert (pos[mapped][:, 0] > 0).all() and (pos[mapped][:, 0] < track.width).all()
    assert (pos[mapped][:, 1] > 0).all() and (pos[mapped][:, 1] < track.height).all()
    np.testing.assert_array_equal(track.ds["visibility"].values, mapped.astype(float))
    # back-project pixels with the camera depth: the 3D points come back
    for i in (0, tr.n_frames // 2, tr.n_frames - 1):
        cam = cams[i]
        z = cam.to_camera(tr.keypoints[i])[:, 2]
        uv = pos[i]
        pc = np.stack(
            [
                (uv[:, 0] - cam.width / 2) * z / cam.focal_px,
                (uv[:, 1] - cam.height / 2) * z / cam.focal_px,
                z,
            ],
            axis=1,
        )
        back = pc @ cam.rotation + np.asarray(cam.position)
        np.testing.assert_allclose(back[mapped[i]], tr.keypoints[i][mapped[i]], atol=1e-9)
    # the track's world points are the true 3D, pelvis-centred, rigidly moved
    world = track.ds["world"].values
    hips = 0.5 * (world[:, KEYPOINT_INDEX["left_hip"]] + world[:, KEYPOINT_INDEX["right_hip"]])
    np.testing.assert_allclose(hips, 0.0, atol=1e-12)
    a, b = KEYPOINT_INDEX["left_wrist"], KEYPOINT_INDEX["right_ankle"]
    np.testing.assert_allclose(
        np.linalg.norm(world[:, a] - world[:, b], axis=1),
        np.linalg.norm(tr.keypoints[:, a] - tr.keypoints[:, b], axis=1),
        atol=1e-12,
    )


@needs_data
def test_views_face_the_right_way() -> None:
    tr = trial("bandai2_run_normal_001.bvh")
    tracks = {v: mocap.project_trial(tr, v) for v in ("side_left", "side_right", "front", "rear")}

    def dx(view: str, a: str, b: str) -> np.ndarray:
        return tracks[view].xy(a)[:, 0] - tracks[view].xy(b)[:, 0]

    assert np.all(dx("side_left", "nose", "left_ear") < 0)  # faces image-left
    assert np.all(dx("side_right", "nose", "right_ear") > 0)  # faces image-right
    assert np.all(dx("front", "left_hip", "right_hip") > 0)  # runner's left on image right
    assert np.all(dx("rear", "left_hip", "right_hip") < 0)
    # the near arm hides nothing but is nearer: smaller depth
    left = tracks["side_left"].ds["depth"].sel(keypoint="left_shoulder").values
    right = tracks["side_left"].ds["depth"].sel(keypoint="right_shoulder").values
    assert np.all(left < right)


@needs_data
def test_fixed_side_camera_sees_the_runner_cross_and_follow_keeps_him_centred() -> None:
    tr = trial("bandai2_run_normal_001.bvh")
    fixed = mocap.project_trial(tr, "side_right", follow=False)
    follow = mocap.project_trial(tr, "side_right", follow=True)
    hip_fixed = fixed.xy("left_hip")[:, 0]
    hip_follow = follow.xy("left_hip")[:, 0]
    assert hip_fixed[-1] - hip_fixed[0] > 0.6 * fixed.width  # crosses most of the frame
    assert np.ptp(hip_follow) < 0.03 * follow.width  # treadmill-like
    assert fixed.attrs["camera_follow"] == 0 and follow.attrs["camera_follow"] == 1


@needs_data
def test_track_saves_and_loads(tmp_path: Path) -> None:
    track = mocap.project_trial(trial("bandai2_run_normal_001.bvh"), "front")
    back = type(track).load(track.save(tmp_path / "t.parquet"))
    np.testing.assert_array_equal(back.ds["position"].values, track.ds["position"].values)
    assert back.attrs["view"] == "front"
