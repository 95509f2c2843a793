"""Side-view strikes timed at touchdown, and Zeni's strikes moved by the lead they measure."""

from __future__ import annotations

import numpy as np
import pytest
from runner_fixture import exact_runner, without_near_foot

from armcarriage.analysis import analyze
from armcarriage.config import Config
from armcarriage.strides.contacts import _contacts
from armcarriage.strides.touchdown import touchdown_time
from armcarriage.track import PoseTrack

STEP = 60.0 / 170.0  # the right foot strikes at 0, the left half a stride later

# The pose model's left-heel clearance (torso lengths) on the synthetic runner filmed at
# 240 fps (benchmarks/strides_timing.py, slow240_option), frames 76-92; the heel truly
# lands at frame 84.71 (t = 0.35294 s).
POSE_HEEL_240 = np.array(
    [0.0882, 0.0734, 0.0598, 0.0475, 0.0366, 0.0272, 0.0192, 0.0127, 0.0076, 0.0038,
     0.0014, 0.0002, 0.0000, 0.0008, 0.0024, 0.0048, 0.0077]
)  # fmt: skip


def _truth(fps: float = 30.0, seconds: float = 3.0) -> PoseTrack:
    return exact_runner(fps=fps, seconds=seconds)


def _errors_s(a) -> np.ndarray:
    st = a.events[a.events.kind == "strike"]
    out = []
    for foot, x in zip(st["foot"], st["time"], strict=True):
        phase = 0.0 if foot == "right" else STEP
        out.append(x - (np.round((x - phase) / (2 * STEP)) * 2 * STEP + phase))
    return np.asarray(out)


def test_the_pose_models_heel_at_240_fps_lands_within_two_frames_of_its_touchdown():
    t = (76 + np.arange(POSE_HEEL_240.size)) / 240.0
    # the crossing of the timing level (0.05 torso lengths) leads by 6 frames (25 ms)
    crossed, _ = _contacts(POSE_HEEL_240, t, 0.06, 2, 2, 0.05, [POSE_HEEL_240])
    assert crossed[0] * 240 == pytest.approx(78.8, abs=0.1)
    landed = touchdown_time(t, POSE_HEEL_240, 0, t.size, 0.01, 0.05)
    assert landed * 240 == pytest.approx(82.86, abs=0.02)  # 1.85 frames, 7.7 ms early
    timed, _ = _contacts(POSE_HEEL_240, t, 0.06, 2, 2, 0.05, [POSE_HEEL_240], (0.01, 0.03))
    assert timed[0] == pytest.approx(landed)


def test_a_point_still_falling_where_it_is_lost_has_no_touchdown():
    t = np.arange(8) / 30.0
    y = np.array([0.3, 0.12, 0.04, 0.02, 0.01, np.nan, np.nan, np.nan])
    assert np.isnan(touchdown_time(t, y, 2, 5, 0.01, 0.05))
    # seen to stop, it lands between the level crossing and the floor
    y = np.array([0.3, 0.12, 0.04, 0.0, 0.001, 0.002, np.nan, np.nan])
    assert touchdown_time(t, y, 2, 6, 0.01, 0.05) * 30 == pytest.approx(2.5)


def test_side_strikes_of_the_runner_filmed_at_240_fps_land_within_5_ms():
    played = _truth(fps=240.0, seconds=3.0)
    ds = played.ds.assign_coords(time=played.ds["time"].values * 8.0)
    ds.attrs["fps"] = 30.0
    a = analyze(PoseTrack(ds), Config().override({"video.capture_fps": 240}))
    assert a.status == "ok", a.message
    err = _errors_s(a)
    assert err.size == 8
    # measured -4.5 to -2.7 ms (about a frame); the level crossing led by 21-23 ms (5 frames)
    assert np.all(np.abs(err) < 0.005)
    assert a.cadence_spm == pytest.approx(170.0, rel=0.002)


def test_side_strikes_of_the_runner_at_30_fps_lose_the_fall_time_lead():
    a = analyze(_truth(fps=30.0, seconds=3.0))
    err = _errors_s(a)
    assert err.size == 8
    # measured -8 to +3 ms, median -1.7; the level crossing: -23 to -19 ms
    assert np.all(np.abs(err) < 0.01)
    assert abs(np.median(err)) < 0.005


def test_a_foot_with_only_zenis_strikes_is_moved_by_the_lead_the_other_foot_measures():
    a = analyze(without_near_foot(_truth(fps=30.0, seconds=4.0), after_s=1.0))
    assert a.status == "ok", a.message
    left = a.events[(a.events.foot == "left") & (a.events.kind == "strike")]["time"]
    # the heel farthest forward led the contact by 0.11 s; moved by the right foot's
    # measured lead, both left strikes land within a frame (truth 0.353 and 1.059 s)
    assert left.to_numpy() == pytest.approx([STEP, 3 * STEP], abs=1 / 30)
    assert a.cadence_spm == pytest.approx(170.0, rel=0.005)


def test_a_heel_settling_slowly_lands_at_most_touchdown_max_s_after_the_crossing():
    # a walker's heel: through the level at frame 2.67, then 1-4 cm for several frames
    t = np.arange(10) / 30.0
    y = np.array([0.2, 0.12, 0.06, 0.045, 0.035, 0.025, 0.015, 0.008, 0.0, 0.0])
    crossed = (2 + 0.01 / 0.015) / 30.0
    assert touchdown_time(t, y, 2, 10, 0.01, 0.05) * 30 == pytest.approx(6.0)  # 112 ms on
    assert touchdown_time(t, y, 2, 10, 0.01, 0.05, 0.03) == pytest.approx(crossed + 0.03)


def test_a_contact_under_way_at_the_first_frame_gives_no_strike():
    # mocap_front through the pose model (benchmarks/strides_timing.py), the right foot's
    # first nine frames: the heel is within the contact height (0.06) at frame 0, so the
    # landing happened before the clip; timed between frames 0 and 1 it read 0.45 (truth
    # 2.0) and started the first stride 52 ms early (per-stride cadence -1.25 % off the
    # clip's)
    heel = np.array([0.0518, -0.04, -0.0329, 0.0288, 0.0493, 0.0497, 0.1166, 0.2315, 0.3078])
    toe = np.array([0.1124, 0.0184, -0.0251, -0.0308, -0.0286, -0.0019, 0.0717, 0.1567, 0.209])
    t = np.arange(heel.size) / 30.0
    strikes, offs = _contacts(np.fmin(heel, toe), t, 0.06, 2, 2, 0.05, [heel, toe])
    assert strikes.size == 0
    assert offs * 30 == pytest.approx([5.29], abs=0.01)  # its toe-off stays
    # the same stance seen landing (a swing frame before it) gives its strike
    heel, toe = np.r_[0.3, heel], np.r_[0.3, toe]
    t = np.arange(heel.size) / 30.0
    strikes, _ = _contacts(np.fmin(heel, toe), t, 0.06, 2, 2, 0.05, [heel, toe])
    assert strikes.size == 1
