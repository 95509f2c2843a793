"""Pose stage on real clips: detection rate, person following, rotation, model errors."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from conftest import shared_file, write_video

from armcarriage import pose
from armcarriage.config import Config
from armcarriage.errors import ModelNotFoundError
from armcarriage.pose import MorePeopleInView, PoseEstimator, estimate_pose, resolve_model_path
from armcarriage.pose import run as pose_run
from armcarriage.pose.sizing import RunnerSizer, frame_side
from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.video import iter_frames


def hip_centre(track):
    return (track.xy("left_hip") + track.xy("right_hip")) / 2


def test_missing_model_names_the_expected_path(tmp_path):
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model_path(tmp_path / "none.task")
    assert str(err.value).startswith(
        "pose model not found: expected a MediaPipe .task bundle at "
        f"{tmp_path / 'none.task'} (--model)."
    )


def test_bundled_model_is_a_stored_zip_with_both_models():
    import zipfile

    path = resolve_model_path()
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
    assert set(infos) == {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())


class FakeEstimator:
    """Stands in for the model: one person per frame, until a second one walks in.

    In one-person tracking the people count finds the second person at ``arrives_s``
    and :class:`MorePeopleInView` is raised, as the real estimator does.
    """

    arrives_s = 0.3
    runs: ClassVar[list[bool]] = []

    def __init__(self, config, *, one_person=False):
        self.config = config
        self.one_person = one_person
        self.model_path = Path("fake.task")
        self.num_poses = 1 if one_person else max(1, config.pose.num_poses)
        self.side = config.pose.max_side

    starts_one_person = staticmethod(PoseEstimator.starts_one_person)

    def __enter__(self):
        FakeEstimator.runs.append(self.one_person)
        return self

    def __exit__(self, *exc):
        return None

    def detect(self, image, time_s, width, height):
        counting = self.one_person and self.config.pose.num_poses > 1
        if counting and time_s >= self.arrives_s:
            raise MorePeopleInView(time_s, 2)
        lm = np.zeros((33, 5))
        lm[:, 0] = np.linspace(20, 40, 33) + 10 * time_s
        lm[:, 1] = np.linspace(5, 45, 33)
        lm[:, 3:] = 0.9
        return [pose._Candidate(lm, np.zeros((33, 3)))]


@pytest.mark.parametrize(
    ("settings", "runs", "note"),
    [
        (
            {"pose.track_one_person": True},
            [True, False],
            "more than one person was in view: the model looked for 2 per frame",
        ),
        ({}, [True, False], "more than one person was in view: the model looked for 2 per frame"),
        (
            {"pose.track_one_person": False},
            [False],
            "the model looked for 2 people in every frame",
        ),
        ({"pose.num_poses": 1}, [True], "the model tracked one pose (pose.num_poses = 1)"),
    ],
)
def test_a_second_person_makes_the_clip_run_again_with_several_poses(
    monkeypatch, make_video, settings, runs, note
):
    monkeypatch.setattr(pose_run, "PoseEstimator", FakeEstimator)  # where estimate_pose finds it
    monkeypatch.setattr(FakeEstimator, "runs", [])
    clip = make_video("two.mp4", n=20, fps=30)
    track = estimate_pose(clip, Config().override(settings))
    assert FakeEstimator.runs == runs
    assert track.n_frames == 20  # every frame once, from the last run
    assert track.detection_rate() == 1.0
    assert track.attrs["person"].endswith(note)


@pytest.mark.slow
def test_treadmill_clip_pose_in_every_frame(tmp_path):
    path = shared_file("videos", "treadmill_side_portrait.mp4")
    track = estimate_pose(path, Config().override({"pose.track_one_person": False}))
    assert track.n_frames == 360
    assert track.detection_rate() >= 0.98
    assert track.width == 720 and track.height == 1280
    assert track.attrs["model"] == "pose_landmarker_full.task"
    # the runner stays on the treadmill: hips inside the middle of the frame
    hips = hip_centre(track)
    assert 150 < np.nanmedian(hips[:, 0]) < 570
    assert track.attrs["person"].endswith("the model looked for 2 people in every frame")
    fast = estimate_pose(path)  # the default: one person tracked
    assert fast.detection_rate() >= 0.98
    assert fast.attrs["person"].endswith(
        "one person was in view (looked for others every 10 s): the model tracked one pose"
    )


@pytest.mark.slow
def test_two_people_clip_follows_one_person():
    path = shared_file("videos", "walk_outdoor_twopeople.mp4")
    track = estimate_pose(path, Config().override({"pose.track_one_person": False}))
    hips = hip_centre(track)
    ok = np.isfinite(hips[:, 0])
    assert ok.mean() > 0.4
    # Between consecutive detected frames the followed person moves less than a
    # torso length: a switch to the other person would jump hundreds of pixels.
    idx = np.flatnonzero(ok)
    jumps = np.linalg.norm(np.diff(hips[idx], axis=0), axis=1) / np.maximum(np.diff(idx), 1)
    torso = np.nanmedian(
        np.linalg.norm((track.xy("left_shoulder") + track.xy("right_shoulder")) / 2 - hips, axis=1)
    )
    assert np.max(jumps) < torso
    assert track.attrs["person"].endswith("the model looked for 2 people in every frame")
    # the two walk towards the camera: the first look sees them both, or the runner
    # square-on (whichever the model shows first); either way the clip is re-detected in
    # every frame
    fast = estimate_pose(path)
    assert fast.attrs["person"].endswith(
        ("the model looked for 2 people in every frame", "the model looked for 2 per frame")
    )
    np.testing.assert_allclose(
        fast.ds["position"].values, track.ds["position"].values, equal_nan=True
    )


@pytest.mark.slow
def test_rotated_phone_clip_comes_out_upright(tmp_path):
    """Store the portrait clip sideways with a display matrix: poses must match the original."""
    src = shared_file("videos", "treadmill_side_portrait.mp4")
    frames = [f.image for f in iter_frames(src, stop_s=1.0)]
    sideways = [np.ascontiguousarray(np.rot90(img, k=1)) for img in frames]  # stored landscape
    rotated = write_video(tmp_path / "rot.mp4", sideways, size=(1280, 720), rotation=-90)
    cfg = Config().override({"pose.max_seconds": 1.0})
    a = estimate_pose(src, cfg)
    b = estimate_pose(rotated, cfg)
    assert (b.width, b.height) == (720, 1280)
    assert b.detection_rate() >= 0.98
    err = np.nanmedian(np.abs(b.xy("left_shoulder") - a.xy("left_shoulder")))
    assert err < 8.0  # pixels, re-encoding noise only


def _pose_at(x: float, y: float, torso: float) -> pose._Candidate:
    """A detection whose shoulders sit ``torso`` px above its hips, centred near (x, y)."""
    lm = np.zeros((33, 5))
    lm[:, 0], lm[:, 1] = x, y
    for name, dy in (("shoulder", -torso / 2), ("hip", torso / 2)):
        for side, dx in (("left", -10.0), ("right", 10.0)):
            lm[KEYPOINT_INDEX[f"{side}_{name}"], :2] = (x + dx, y + dy)
    lm[:, 3:] = 0.9
    return pose._Candidate(lm, np.zeros((33, 3)))


def test_a_collapsed_pose_does_not_split_the_runner_s_track():
    # a runner crossing the frame at 9 px per frame, torso 66 px; in frames 14-17 the
    # model returns a collapsed pose (torso 10-27 px, centre 40 px low), as on the
    # synthetic track jog
    sel = pose.RunnerSelector(width=960, fps=30.0)
    for f in range(40):
        x = 800.0 - 9 * f
        collapsed = 14 <= f <= 17
        sel.add([_pose_at(x, 285.0 if collapsed else 245.0, 10.0 if collapsed else 66.0)])
    picks = sel.resolve()
    assert all(p is not None for p in picks)
    assert sel.n_tracklets == 1


def test_person_x_picks_the_nearest_person_even_when_found_a_frame_after_the_other():
    # two runners side by side (as on neighbouring treadmills); the model finds the right
    # one from frame 0 and the left one only from frame 2: x = 0.25 must follow the left
    sel = pose.RunnerSelector(width=640, person_x=0.25, fps=30.0)
    for f in range(30):
        people = [_pose_at(480.0, 120.0, 60.0)]
        if f >= 2:
            people.insert(0, _pose_at(160.0, 120.0, 60.0))
        sel.add(people)
    picks = sel.resolve()
    xs = [p.centre[0] for p in picks if p is not None]
    assert len(xs) == 28 and max(xs) < 200  # the left runner only, never the right one


def test_the_pose_stage_imports_mediapipe_lean_and_leaves_it_importable():
    # `import mediapipe` pulls in every task (sounddevice, matplotlib.pyplot, OpenCV):
    # 69 MB and 1.1 s in each pose process; the pose stage takes only its four modules
    import subprocess
    import sys

    code = (
        "import sys; from armcarriage.pose import mediapipe_tasks; mp = mediapipe_tasks(); "
        "heavy = sorted({'matplotlib', 'cv2', 'sounddevice'} & set(sys.modules)); "
        "left = [m for m in sys.modules if m.startswith('mediapipe')]; "
        "import mediapipe; "
        "print(heavy, left, mp.PoseLandmarker.__name__, mediapipe.ImageFormat.SRGB.name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] [] PoseLandmarker SRGB", out.stdout + out.stderr


def test_width_ratio_tells_square_on_from_side_on():
    from armcarriage.pose.estimator import width_ratio

    lm = np.full((33, 5), np.nan)
    at = {"left_shoulder": (120, 100), "right_shoulder": (80, 100)}
    at |= {"left_hip": (112, 200), "right_hip": (88, 200)}
    for name, xy in at.items():
        lm[KEYPOINT_INDEX[name], :2] = xy
    # shoulders 40 px and hips 24 px (40 as shoulders) apart over a 100 px torso
    assert width_ratio(lm) == pytest.approx(0.4)
    lm[KEYPOINT_INDEX["left_shoulder"], 0] = 84
    lm[KEYPOINT_INDEX["left_hip"], 0] = 90
    torso = np.hypot(89 - 82, 100)  # mid-hip minus mid-shoulder
    assert width_ratio(lm) == pytest.approx(0.5 * (4 + 2 / 0.6) / torso)


SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@pytest.mark.parametrize(
    ("clip", "settings", "ends"),
    [
        ("front_crossing.mp4", {}, "the model looked for 2 people in every frame"),
        (
            "front_crossing.mp4",
            {"pose.track_frontal": True},
            "one person was in view (looked for others every 10 s): the model tracked one pose",
        ),
        (
            "side_right_clean.mp4",
            {},
            "one person was in view (looked for others every 10 s): the model tracked one pose",
        ),
    ],
)
def test_a_square_on_runner_is_re_detected_in_every_frame(clip, settings, ends):
    """Tracked, the crop reads the arms' lift and wrists worse: front and rear views re-detect."""
    track = estimate_pose(SAMPLES / clip, Config().override({"pose.workers": 1, **settings}))
    assert track.attrs["person"].endswith(ends)
    assert track.detection_rate() == 1.0


@pytest.mark.parametrize(
    ("size", "runner", "expect"),
    [
        ((1080, 1920), 813.0, 960),  # factor 2.5: halved, a whole factor
        ((1920, 1080), 768.0, 960),
        ((1920, 1080), 1300.0, 480),  # factor 4
        ((720, 1280), 540.0, 853),  # factor 1.7: 1.5
        ((720, 1280), 420.0, 1280),  # under 1.5: kept
        ((1920, 1080), 300.0, 1280),  # a small runner keeps max_side
        ((1920, 1080), float("nan"), 1280),
    ],
)
def test_frames_shrink_to_the_runner_s_height_by_few_steps(size, runner, expect):
    assert frame_side(*size, runner, 1280, 320) == expect
    assert frame_side(*size, runner, 1280, 0) == 1280
    assert frame_side(*size, runner, 0, 0) == max(size)


def test_the_runner_s_height_sets_the_frame_size_after_the_first_look():
    path = shared_file("videos", "treadmill_side_portrait.mp4")  # 720x1280, runner ~540 px
    cfg = Config()
    sides = []
    with PoseEstimator(cfg, one_person=True) as est:
        for frame in iter_frames(path, stop_s=1.0, max_side=lambda: est.side):
            est.detect(frame.image, frame.time, 720, 1280)
            sides.append((frame.time, max(frame.image.shape)))
    watch = min(cfg.pose.people_watch_s, cfg.pose.chunk_overlap_seconds / 2)
    assert {s for t, s in sides if t <= watch} == {1280}
    assert {s for t, s in sides if t > watch + 0.05} == {852}  # 1280 / 1.5, even


def test_frames_follow_a_runner_who_comes_nearer_and_goes_away():
    sizer = RunnerSizer(Config().pose)  # runner_px 320, max_side 1280, watch 0.5 s
    sides = []
    for i, h in enumerate([800.0] * 30 + [300.0] * 30 + [1300.0] * 30 + [700.0] * 30):
        sizer.add([h], i / 30, 1920, 1080)
        sides.append(sizer.side)
    assert sides[:15] == [1280] * 15  # watching
    assert sides[20:30] == [960] * 10  # 800 px: halved, 400 px drawn
    assert sides[50:60] == [1280] * 10  # 300 px: as large as allowed
    assert sides[80:90] == [640] * 10  # 1300 px: a third, 433 px drawn
    assert sides[110:] == [960] * 10  # 700 px: 213 px drawn is too small, halved again
    steady = RunnerSizer(Config().pose)
    for i, h in enumerate([540.0 + 10 * (-1) ** i for i in range(120)]):
        steady.add([h], i / 30, 720, 1280)
    assert steady.side == 853  # by 1.5, and no switching back and forth
