"""Contacts cut short by the pose model or by the clip's end still give their strike."""

from __future__ import annotations

import numpy as np
import pytest

from armcarriage.config import StrideConfig
from armcarriage.strides.contacts import _contacts
from armcarriage.strides.touchdown import touchdown_time

LONE = StrideConfig().lone_contact_stride

# The pose model's left heel and toe clearance (torso lengths, cleaned track) on the
# sprinter rendered from the side at 30 fps (benchmarks/strides_timing.py,
# sprint_side_30), frames 52-85; the truth strikes at frames 55.86, 68.28 and 80.69
# (stride 12.4 frames, 2.3 frames of contact). At frame 70 the model puts both feet on
# one point and at 67 swaps them: the cleaned heel is down for frame 68 only.
SPRINT30_HEEL = np.array(
    [0.692, 0.51, 0.282, 0.09, -0.01, -0.028, 0.068, 0.291, 0.498, 0.555, 0.568, 0.67,
     0.748, 0.639, 0.365, 0.085, 0.001, 0.159, 0.323, 0.33, 0.359, 0.565, 0.794, 0.873,
     0.819, 0.689, 0.492, 0.258, 0.075, -0.002, 0.016, 0.114, 0.297, 0.533]
)  # fmt: skip
SPRINT30_TOE = np.array(
    [0.575, 0.473, 0.311, 0.146, 0.021, -0.038, -0.023, 0.066, 0.228, 0.435, 0.61, 0.674,
     0.633, 0.543, 0.394, 0.19, 0.074, 0.131, 0.2, 0.157, 0.156, 0.334, 0.572, 0.703,
     0.702, 0.619, 0.481, 0.307, 0.146, 0.039, 0.0, 0.03, 0.137, 0.301]
)  # fmt: skip

# The same sprinter at 60 fps (sprint_side_60), frames 0-43; truth strikes at 12.41 and
# 37.24 (stride 24.7 frames). A merged frame (15) and a swap (18-19) draw the cleaned
# heel up through the stance: it comes within 0.048 of its ground for one frame.
SPRINT60_HEEL = np.array(
    [0.86, 0.889, 0.894, 0.862, 0.794, 0.7, 0.594, 0.479, 0.356, 0.228, 0.113, 0.048,
     0.065, 0.171, 0.329, 0.47, 0.534, 0.508, 0.433, 0.377, 0.386, 0.468, 0.596, 0.731,
     0.839, 0.905, 0.924, 0.899, 0.837, 0.747, 0.645, 0.543, 0.445, 0.35, 0.256, 0.165,
     0.086, 0.029, 0.0, 0.0, 0.023, 0.065, 0.127, 0.21]
)  # fmt: skip
SPRINT60_TOE = np.array(
    [0.644, 0.691, 0.721, 0.726, 0.702, 0.657, 0.596, 0.52, 0.427, 0.317, 0.204, 0.118,
     0.09, 0.134, 0.231, 0.332, 0.386, 0.37, 0.307, 0.244, 0.227, 0.272, 0.368, 0.489,
     0.604, 0.695, 0.75, 0.765, 0.743, 0.694, 0.628, 0.557, 0.482, 0.401, 0.313, 0.222,
     0.139, 0.072, 0.029, 0.006, 0.0, 0.006, 0.026, 0.068]
)  # fmt: skip

# The pose model's left heel on the 240 fps render (slow240_option), its last 23 frames
# (745-767): the heel lands at 762.35 and settles by a millimetre a frame to the end.
SLOW240_TAIL = np.array(
    [0.25, 0.23, 0.21, 0.191, 0.171, 0.152, 0.134, 0.116, 0.1, 0.084, 0.07, 0.057, 0.045,
     0.034, 0.025, 0.018, 0.011, 0.006, 0.002, -0.001, -0.003, -0.005, -0.006]
)  # fmt: skip

TOUCH = (0.01, 0.03)


def _strikes(heel, toe, first, fps, min_gap, min_run, stride_frames, lone=True):
    t = (first + np.arange(heel.size)) / fps
    strikes, _ = _contacts(
        np.fmin(heel, toe),
        t,
        0.06,
        min_gap,
        min_run,
        0.05,
        [heel, toe],
        TOUCH,
        (LONE * stride_frames, 0.01) if lone else None,
    )
    return strikes * fps


def test_a_sprint_stance_the_pose_model_kept_for_one_frame_still_strikes():
    without = _strikes(SPRINT30_HEEL, SPRINT30_TOE, 52, 30.0, 2, 2, 12.4, lone=False)
    assert not ((without > 60) & (without < 76)).any()  # the strike at 68.28 was lost
    found = _strikes(SPRINT30_HEEL, SPRINT30_TOE, 52, 30.0, 2, 2, 12.4)
    assert found.size == 3
    assert found - np.array([55.86, 68.28, 80.69]) == pytest.approx([0.31, -0.39, 0.18], abs=0.02)


def test_a_stance_drawn_off_its_ground_is_timed_on_the_ground_level():
    without = _strikes(SPRINT60_HEEL, SPRINT60_TOE, 0, 60.0, 4, 3, 24.7, lone=False)
    assert without.size == 1 and without[0] > 30  # the first strike (12.41) was lost
    found = _strikes(SPRINT60_HEEL, SPRINT60_TOE, 0, 60.0, 4, 3, 24.7)
    assert found.size == 2
    # the heel's descent carried on to zero clearance, not to its own lowest 0.048
    assert found[0] == pytest.approx(11.73, abs=0.02)
    assert abs(found[0] - 12.41) < 1.0
    assert found[1] == without[0]


def test_a_swing_brushing_the_ground_half_a_stride_from_the_stances_is_no_contact():
    heel = SPRINT30_HEEL.copy()
    heel[10] = 0.03  # mid-swing (frame 62), half a stride from the stances at 56 and 68
    found = _strikes(heel, SPRINT30_TOE, 52, 30.0, 2, 2, 12.4)
    assert found.size == 3
    assert not ((found > 58) & (found < 66)).any()


def test_a_heel_settled_on_its_ground_at_the_clip_end_has_landed():
    t = (745 + np.arange(SLOW240_TAIL.size)) / 240.0
    a = int(np.flatnonzero(SLOW240_TAIL < 0.06)[0])
    landed = touchdown_time(t, SLOW240_TAIL, a, t.size, 0.01, 0.05)
    assert landed * 240 == pytest.approx(761.64, abs=0.02)
    assert abs(landed * 240 - 762.35) < 1.0  # the truth
    # still falling where the clip ends, 1 cm above its ground: not seen to land
    falling = np.array([0.6, 0.377, 0.25, 0.046, 0.02])
    assert np.isnan(touchdown_time(np.arange(5) / 30.0, falling, 3, 5, 0.01, 0.05))


def _ending(tail: list[float]) -> np.ndarray:
    """A foot at 30 fps with 6-frame stances every 21 frames whose clip ends on ``tail``."""
    stride = [0.0] * 6 + list(0.8 * np.sin(np.pi * np.arange(1, 16) / 16))
    y = np.asarray(stride * 3 + [0.0] * 6 + list(0.8 * np.sin(np.pi * np.arange(1, 14) / 16)))
    return np.concatenate([y, tail])


@pytest.mark.parametrize(
    ("tail", "landed"),
    [([0.1, 0.0005, -0.001], True), ([0.218, 0.046], False)],
)
def test_a_short_contact_at_the_clip_end_counts_only_on_the_ground(tail, landed):
    y = _ending(tail)
    t = np.arange(y.size) / 30.0
    strikes, _ = _contacts(y, t, 0.06, 4, 3, 0.05, [y], TOUCH, (LONE * 21, 0.01))
    assert strikes.size == 3 + landed
    if landed:
        assert y.size - 3 < strikes[-1] * 30 < y.size - 1
    without, _ = _contacts(y, t, 0.06, 4, 3, 0.05, [y], TOUCH)
    assert without.size == 3
