"""The elbow on the upper arm's constant length (metrics.swing_elbow): known answers."""

from __future__ import annotations

import numpy as np
import pytest

from armcarriage.metrics.geometry import upper_arm_angle
from armcarriage.metrics.swing_elbow import elbow_on_upper_arm


def _arm(n: int = 90):
    """A side-view arm (x forward, y down): upper arm 100 px swinging +-40 deg, forearm 90 px
    bent 80-100 deg. The elbow keypoint is drawn short of the upper arm at the swing's
    extremes, as the pose model's is: turned about the wrist (the forearm keeps its image
    length) towards the line from shoulder to wrist by up to 15 deg."""
    t = np.arange(n) / 30.0
    swing = np.radians(40.0) * np.sin(2 * np.pi * t / 0.75)
    bend = np.radians(90.0 + 10.0 * np.cos(2 * np.pi * t / 0.75))
    shoulder = np.column_stack([np.full(n, 200.0), np.full(n, 100.0)])
    upper = np.column_stack([np.sin(swing), np.cos(swing)])
    elbow = shoulder + 100.0 * upper
    fore_dir = np.column_stack([np.sin(swing + np.pi - bend), np.cos(swing + np.pi - bend)])
    wrist = elbow + 90.0 * fore_dir
    turn = np.radians(15.0) * np.abs(np.sin(swing / np.radians(40.0) * np.pi / 2))
    rel = elbow - wrist
    c, s = np.cos(turn), np.sin(turn)
    keypoint = wrist + np.column_stack(
        [c * rel[:, 0] - s * rel[:, 1], s * rel[:, 0] + c * rel[:, 1]]
    )
    return shoulder, elbow, keypoint, wrist, np.degrees(swing)


def test_elbow_on_the_upper_arm_restores_the_swing_extremes():
    shoulder, elbow, keypoint, wrist, swing = _arm()
    up, fwd = np.tile([0.0, -1.0], (swing.size, 1)), np.array([1.0, 0.0])
    scale = np.full(swing.size, 100.0)  # upper arm = 1 body-scale unit
    seen = upper_arm_angle(shoulder, keypoint, up, fwd)
    assert np.ptp(swing) == pytest.approx(80.0, abs=0.1)
    # the keypoint short of the upper arm (by up to 23 px) moves the swing angle by 3.7 deg
    assert np.nanmax(np.abs(seen - swing)) == pytest.approx(3.7, abs=0.05)
    fixed = elbow_on_upper_arm(shoulder, keypoint, wrist, scale, 100.0)
    assert fixed == pytest.approx(elbow, abs=1e-6)
    assert upper_arm_angle(shoulder, fixed, up, fwd) == pytest.approx(swing, abs=1e-6)
    # on the exact elbow it changes nothing
    same = elbow_on_upper_arm(shoulder, elbow, wrist, scale, 100.0)
    assert same == pytest.approx(elbow, abs=1e-6)
    # smoothing the move over 5 frames keeps the extremes (the keypoint's: +2.4 and +2.2)
    smooth = elbow_on_upper_arm(shoulder, keypoint, wrist, scale, 100.0, smooth_frames=5)
    ang = upper_arm_angle(shoulder, smooth, up, fwd)
    assert np.nanmax(ang) - np.nanmax(swing) == pytest.approx(-0.09, abs=0.02)
    assert np.nanmin(ang) - np.nanmin(swing) == pytest.approx(0.19, abs=0.02)


def test_missing_points_keep_the_keypoint():
    shoulder, _, keypoint, wrist, _ = _arm(10)
    wrist[3] = np.nan
    out = elbow_on_upper_arm(shoulder, keypoint, wrist, np.full(10, 100.0), 90.0)
    assert out[3] == pytest.approx(keypoint[3])
    nothing = elbow_on_upper_arm(shoulder, keypoint, wrist, np.full(10, np.nan), 90.0)
    assert nothing == pytest.approx(keypoint)


def test_a_foreshortened_forearm_keeps_the_keypoint():
    """Frames whose forearm image is under 0.7 of its length: the arm leaves the plane there."""
    shoulder, elbow, keypoint, wrist, _ = _arm(30)
    short = np.zeros(30, dtype=bool)
    short[10:15] = True
    wrist[short] = elbow[short] + 0.5 * (wrist[short] - elbow[short])  # forearm at 0.5
    keypoint[short] = elbow[short] + 0.5 * (keypoint[short] - elbow[short]) + [4.0, 0.0]
    scale = np.full(30, 100.0)
    free = elbow_on_upper_arm(shoulder, keypoint, wrist, scale, 100.0)
    kept = elbow_on_upper_arm(shoulder, keypoint, wrist, scale, 100.0, min_fore_ratio=0.7)
    assert kept[short] == pytest.approx(keypoint[short])
    assert kept[~short] == pytest.approx(free[~short])
    assert np.abs(free[short] - keypoint[short]).max() > 1.0
