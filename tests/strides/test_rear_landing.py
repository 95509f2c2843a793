from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from armcarriage.analysis import analyze
from armcarriage.config import StrideConfig
from armcarriage.strides.landing import fall_ends, landing_strikes

FPS = 30.0
CFG = StrideConfig()
PERIOD = 0.697  # the rear render's stride (172 steps/min)
TL = 40.6  # its clip-median torso length (px)
MOCAP = next(
    (
        p / "shared" / "data" / "mocap"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "mocap").is_dir()
    ),
    None,
)


def _land(y: list[float], first: int, strike_frame: float) -> float:
    t = (first + np.arange(len(y))) / FPS
    out = landing_strikes(
        np.asarray(y),
        t,
        np.array([strike_frame / FPS]),
        CFG.landing_lookback_stride * PERIOD,
        CFG.landing_velocity_fraction,
        CFG.contact_height_tl * TL,
    )
    return float(out[0] * FPS) if out.size else float("nan")


def test_a_rear_strike_moves_to_where_the_heels_fall_ends():
    # the pose model's right heel (image y, px) on the rear render, frames 15-29: it falls
    # 9-10 px a frame, lands (truth strike at frame 20.93) and drifts 1 px a frame; the
    # clearance timed the strike at frame 24.32, 3.4 frames late
    y = [154.9, 159.4, 160.5, 166.3, 175.1, 185.5, 187.3, 187.0, 188.1, 188.8, 190.9]
    assert _land(y, 15, 24.32) == pytest.approx(20.93, abs=1.0)


def test_a_heel_glitch_after_the_landing_keeps_the_landing():
    # the left heel, frames 88-99 (truth strike 94.19): after the landing it jumps 3 px up
    # for a frame and falls back; the clearance timed the strike at 96.28
    y = [160.1, 159.2, 163.7, 171.1, 174.4, 184.1, 187.9, 187.8, 185.0, 188.2, 191.7, 191.2]
    assert _land(y, 88, 96.28) == pytest.approx(94.19, abs=1.0)


def test_a_heel_held_up_for_a_frame_falls_on_to_its_landing():
    # a motion-capture render's right heel (cleaned track, frames 18-25, truth strike 22.45):
    # the fall stalls at frame 19, 9 px above the stance, and goes on; the first end of
    # the fall is no landing
    y = [174.8, 180.4, 181.5, 182.8, 185.9, 188.3, 189.0, 189.9]
    ends, _ = fall_ends(np.asarray(y), 6, 0, CFG.landing_velocity_fraction)
    assert len(ends) == 2 and ends[0] < 1.5
    assert _land(y, 18, 24.78) == pytest.approx(22.45, abs=1.0)


def test_a_foot_down_from_the_first_frame_has_no_strike():
    # the rear render's right heel (cleaned track), frames 0-5: down from the start (truth
    # strike at frame 0), it sinks 2 px with the stance; the clearance read a strike at 2.76
    assert np.isnan(_land([187.9, 188.0, 189.0, 190.2, 190.8, 191.4], 0, 2.76))


def test_a_strike_without_a_fall_is_kept():
    y = [190.0] * 10
    assert _land(y, 0, 7.5) == pytest.approx(7.5)


@pytest.mark.skipif(MOCAP is None, reason="shared motion capture not found (../shared/data/mocap)")
def test_exact_legs_give_with_the_hips_and_keep_the_clearance_strikes():
    from armcarriage_eval import mocap
    from armcarriage_eval.mocap_score import score_strikes

    assert MOCAP is not None
    trial = mocap.load_trial(MOCAP / "bandai1_run_tired_001.bvh")
    a = analyze(mocap.project_trial(trial, "rear"))
    # exact world heights: the drop below the hips shortens as the hips sink
    assert a.settings["strides"]["leg_give"] > CFG.landing_max_leg_give
    assert "strike_timing" not in a.settings["strides"]
    s = score_strikes(a.events, mocap.truth(trial).events, trial.n_frames, trial.fps)
    assert s.recall == 1.0
