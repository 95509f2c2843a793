from __future__ import annotations

import numpy as np
import pytest

from armcarriage.config import StrideConfig
from armcarriage.strides.impact import impact_moved, impact_strikes, strikes_trail, upward_turns
from armcarriage.track import PoseTrack

FPS = 30.0
CFG = StrideConfig()
# the pose model's hips (cleaned image y, px) on the active run's rear render, frames 0-19
# (truth strikes: right 2.68, left 16.55); they fall from frame 12 and are carried again
# from frame 17.7
ACTIVE = [106.93, 109.42, 112.58, 116.77, 121.38, 125.0, 126.63, 126.09, 123.38, 118.77]
ACTIVE += [113.63, 109.85, 108.41, 108.9, 110.37, 112.35, 115.01, 118.58, 122.62, 125.7]
# the normal run's rear render, frames 0-19 (truth strikes: right 1.81, left 10.81)
NORMAL = [113.94, 116.59, 119.38, 123.12, 127.3, 129.69, 128.86, 125.45, 121.36, 118.49]
NORMAL += [117.76, 118.66, 120.15, 121.91, 124.4, 127.35, 128.66, 126.44, 121.83, 117.86]


def _turns(y: list[float]) -> np.ndarray:
    return upward_turns(np.asarray(y), np.arange(len(y)) / FPS)


def _impact(y: list[float], strike_frames: list[float], period: float) -> list[float]:
    s = np.asarray(strike_frames) / FPS
    return (impact_strikes(_turns(y), s, period, CFG) * FPS).round(2).tolist()


def test_rear_strikes_move_to_the_hips_impact():
    # the clearance timed the active run's strikes at 3.93 and 18.63 (the model's feet
    # reach the ground late from behind): they trail the hips' turns
    assert strikes_trail(_turns(ACTIVE), np.array([3.93, 18.63]) / FPS, 0.924, CFG) > 0
    right, left = _impact(ACTIVE, [3.93, 18.63], 0.924)
    assert right == pytest.approx(2.68, abs=1.0)
    assert left == pytest.approx(16.55, abs=1.0)
    # the normal run's right strike, read at 4.30
    assert _impact(NORMAL, [4.30], 0.722)[0] == pytest.approx(1.81, abs=1.0)


def test_a_strike_without_a_turn_of_the_hips_nearby_keeps_its_time():
    y = list(100.0 + 2.0 * np.arange(20))  # no acceleration at all
    assert _impact(y, [10.0], 0.7) == [10.0]
    # a turn 8 frames before the strike is beyond 0.2 stride (4.2 frames at 0.7 s)
    y = [100.0 + 0.5 * min(i, 4) ** 2 - 0.5 * max(i - 4, 0) ** 2 for i in range(20)]
    assert _impact(y, [12.0], 0.7) == [12.0]


def _rear_track(hips_y: list[float]) -> PoseTrack:
    from runner_fixture import exact_runner

    tr = exact_runner("rear", seconds=len(hips_y) / FPS)
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    k = list(tr.keypoints)
    for side in ("left", "right"):
        pos[:, k.index(f"{side}_hip"), 1] = hips_y
    return PoseTrack(ds)


def _rows(strikes: dict[str, float], contact: float) -> list[tuple[str, str, float]]:
    rows = [(foot, "strike", f / FPS) for foot, f in strikes.items()]
    return rows + [(foot, "toe_off", (f + contact) / FPS) for foot, f in strikes.items()]


def test_strikes_that_lead_the_hips_turns_keep_their_times():
    # a contact comes before the ground carries the body: strikes 1-2 frames before the
    # turns (as on exact motion capture) are no lateness to undo
    track = _rear_track(ACTIVE)
    rows = _rows({"left": 16.0, "right": 1.5}, 3.0)
    info: dict[str, object] = {}
    ev, win = impact_moved(track, "rear", (rows, list(rows)), 0.924, CFG, info)
    assert ev == rows and win == rows
    assert "strike_timing" not in info
    assert float(info["impact_trail_frames"]) < 0  # type: ignore[arg-type]
    # strikes trailing them move, in the events and the stride windows alike
    late = _rows({"left": 18.63, "right": 3.93}, 3.0)
    ev, win = impact_moved(track, "rear", (late, list(late)), 0.924, CFG, info)
    assert ev == win
    assert [round(x * FPS, 1) for _, k, x in ev if k == "strike"] == pytest.approx(
        [16.8, 2.8], abs=0.5
    )
    assert [x for _, k, x in ev if k == "toe_off"] == [x for _, k, x in late if k == "toe_off"]
    assert "impact" in str(info["strike_timing"])
    # only the views that ask for it, and only with a flight phase (a walker's feet are
    # down 0.65 of the stride: its hips vault over the stance leg, they do not fall free)
    for view in ("front", "side_left"):
        assert impact_moved(track, view, (late, late), 0.924, CFG, {}) == (late, late)
    walk = _rows({"left": 18.63, "right": 3.93}, 0.65 * 0.924 * FPS)
    assert impact_moved(track, "rear", (walk, walk), 0.924, CFG, {}) == (walk, walk)
