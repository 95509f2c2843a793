from __future__ import annotations

import numpy as np

from armcarriage.skeleton import KEYPOINTS
from armcarriage.strides.rhythm import legs_rhythm, stride_period
from armcarriage.track import PoseTrack

FS = 30.0
BAND = (FS, 0.33, 2.2)  # frame rate, the stride search range (s)

# The motion-capture run bandai1_run_active_001 rendered from behind (320 x 240, 30 fps)
# through the pose model and cleaned: image heights below the hip centre (torso lengths)
# of the left and right ankles and of the hip centre. The pose model swaps the ankles where
# a foot is near its top (frames 1-2, 31-35, 70-72, 82-85, 110); the truth stride is 0.933 s
# (128.6 steps/min).
LEFT = """
    1.24 1.47 1.37 1.04 0.86 0.95 1.10 1.14 1.16 1.29 1.44 1.48 1.45 1.43 1.45 1.49 1.53
    1.57 1.63 1.71 1.77 1.76 1.72 1.69 1.64 1.53 1.37 1.24 1.21 1.27 1.38 1.51 1.59 1.54
    1.43 1.36 1.34 1.33 1.34 1.38 1.41 1.42 1.46 1.49 1.50 1.52 1.56 1.58 1.60 1.66 1.73
    1.71 1.60 1.43 1.32 1.27 1.19 1.03 0.93 0.92 0.90 0.88 0.97 1.17 1.30 1.33 1.38 1.46
    1.50 1.46 1.47 1.52 1.45 1.27 1.24 1.48 1.74 1.76 1.64 1.59 1.60 1.54 1.38 1.24 1.24
    1.34 1.46 1.49 1.37 1.20 1.22 1.45 1.58 1.48 1.37 1.39 1.44 1.43 1.41 1.44 1.50 1.54
    1.58 1.65 1.73 1.78 1.74 1.67 1.59 1.50 1.34 1.17 1.14 1.22 1.19 1.00 0.82 0.82 1.02
    1.35
"""
RIGHT = """
    1.42 0.92 1.00 1.44 1.68 1.63 1.59 1.70 1.81 1.77 1.63 1.55 1.51 1.45 1.36 1.36 1.42
    1.33 1.12 1.01 1.05 1.09 1.12 1.20 1.28 1.30 1.32 1.35 1.38 1.38 1.31 1.15 0.99 1.01
    1.31 1.69 1.85 1.78 1.65 1.55 1.47 1.39 1.34 1.32 1.32 1.31 1.31 1.36 1.40 1.35 1.25
    1.23 1.27 1.32 1.35 1.37 1.38 1.40 1.46 1.54 1.60 1.65 1.70 1.73 1.74 1.72 1.67 1.58
    1.49 1.44 1.41 1.40 1.44 1.56 1.68 1.62 1.38 1.17 1.19 1.32 1.35 1.30 1.32 1.37 1.33
    1.23 1.15 1.14 1.21 1.40 1.63 1.75 1.76 1.72 1.68 1.61 1.48 1.33 1.26 1.33 1.39 1.25
    1.04 0.97 1.05 1.11 1.13 1.21 1.34 1.39 1.37 1.42 1.42 1.25 1.15 1.38 1.67 1.70 1.64
    1.73
"""
HIPS = """
    -0.18 -0.12 -0.05 0.04 0.14 0.22 0.26 0.25 0.19 0.08 -0.03 -0.12 -0.15 -0.14 -0.10 -0.06
    -0.00 0.08 0.17 0.24 0.24 0.18 0.07 -0.03 -0.11 -0.18 -0.22 -0.22 -0.19 -0.14 -0.05 0.04
    0.14 0.22 0.28 0.28 0.22 0.11 -0.00 -0.08 -0.13 -0.13 -0.11 -0.07 0.00 0.08 0.16 0.21
    0.23 0.20 0.12 0.01 -0.10 -0.17 -0.20 -0.21 -0.19 -0.14 -0.06 0.04 0.15 0.23 0.28 0.26
    0.18 0.08 -0.02 -0.10 -0.14 -0.14 -0.13 -0.08 0.00 0.10 0.18 0.22 0.21 0.16 0.06 -0.04
    -0.12 -0.19 -0.23 -0.23 -0.20 -0.15 -0.08 0.01 0.12 0.22 0.27 0.27 0.20 0.09 -0.01 -0.08
    -0.13 -0.14 -0.12 -0.07 -0.01 0.07 0.16 0.23 0.26 0.22 0.12 -0.00 -0.10 -0.16 -0.20
    -0.21 -0.18 -0.12 -0.06 0.03 0.14 0.24 0.28 0.27
"""
TRUTH_STRIDE = 0.933


def _values(text: str) -> np.ndarray:
    return np.array(text.split(), dtype=float)


def _rear_track(left: np.ndarray, right: np.ndarray, hips: np.ndarray) -> PoseTrack:
    """A track of a runner seen from behind with these heights (torso 50 px)."""
    t = np.arange(left.size) / FS
    pos = np.full((t.size, len(KEYPOINTS), 2), np.nan)
    k = {name: i for i, name in enumerate(KEYPOINTS)}
    torso, y0 = 50.0, 100.0
    for side, dx, ankle in (("left", -8.0, left), ("right", 8.0, right)):
        x = np.full(t.size, 160.0 + dx)
        pos[:, k[f"{side}_hip"]] = np.stack([x, y0 + torso * hips], -1)
        pos[:, k[f"{side}_shoulder"]] = np.stack([x, y0 + torso * (hips - 1.0)], -1)
        pos[:, k[f"{side}_ankle"]] = np.stack([x, y0 + torso * ankle], -1)
    return PoseTrack.from_arrays(t, pos, fps=FS, width=320, height=240)


def test_swapped_ankles_from_behind_keep_the_stride_rhythm_through_the_hips_bounce():
    left, right, hips = _values(LEFT), _values(RIGHT), _values(HIPS)
    legs = left - right
    _, labelled = stride_period(legs, *BAND, reverses=True)
    assert labelled < 0.3  # measured 0.22: the swaps scramble the left-minus-right signal
    period, quality, info = legs_rhythm(_rear_track(left, right, hips), "rear", legs, BAND, 0.3)
    assert abs(period / TRUTH_STRIDE - 1) < 0.01  # measured 0.931 s
    assert info["hip_step_periodicity"] > 0.8  # measured 0.88
    assert 0.45 < info["legs_reversal_at_step"] < 0.55  # measured 0.50: the legs confirm
    assert abs(quality - info["legs_reversal_at_step"]) < 1e-3  # the lower of the two
    assert "rhythm_source" in info


def test_legs_that_do_not_swap_places_each_step_keep_no_rhythm_whatever_the_hips_do():
    left, right, hips = _values(LEFT), _values(RIGHT), _values(HIPS)
    # legs moving together (a person bobbing on the spot): no reversal after a step
    together = np.random.default_rng(1).normal(0.0, 0.2, left.size)
    _, quality, info = legs_rhythm(_rear_track(left, right, hips), "rear", together, BAND, 0.3)
    assert quality < 0.3
    assert "rhythm_source" not in info
    assert info["hip_step_periodicity"] > 0.8


def test_side_views_and_a_clean_labelled_signal_keep_the_labelled_rhythm():
    left, right, hips = _values(LEFT), _values(RIGHT), _values(HIPS)
    track = _rear_track(left, right, hips)
    side = legs_rhythm(track, "side_left", left - right, BAND, 0.3)
    assert side[2] == {} and side[1] < 0.3
    t = np.arange(left.size) / FS
    clean = -np.sin(2 * np.pi * t / TRUTH_STRIDE)
    period, quality, info = legs_rhythm(track, "rear", clean, BAND, 0.3)
    assert info == {}
    assert (period, quality) == stride_period(clean, *BAND, reverses=True)
