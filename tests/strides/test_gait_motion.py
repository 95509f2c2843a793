"""Walking or running from the hips' motion through the stance (armcarriage.strides.hip_phase)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from armcarriage_eval.synthetic.clip import ClipSpec
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.truth import truth_track

from armcarriage.analysis import analyze
from armcarriage.config import StrideConfig
from armcarriage.strides.hip_phase import gait_by_motion, hip_stance_phase, midstances
from armcarriage.strides.verdict import _verdict

MOCAP = next(
    (
        p / "shared" / "data" / "mocap"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "mocap").is_dir()
    ),
    None,
)
WALK = {"cadence": 110.0, "duty": 0.65, "speed_mps": 1.4, "bounce_m": 0.02}
# running with no flight phase: each foot down 65 % of the stride, the hips lowest at
# mid-stance (the leg a compressed spring)
GROUNDED_RUN = {
    "cadence": 140.0,
    "duty": 0.65,
    "speed_mps": 1.5,
    "bounce_m": 0.04,
    "pelvis_motion": "spring",
}


def _exact(view: str, cadence: float = 170.0, seconds: float = 4.0, **runner):
    spec = ClipSpec(
        view=view,
        fps=30.0,
        seconds=seconds,
        width=320,
        height=240,
        runner={"cadence_spm": cadence, **runner},
    )
    t = np.arange(round(seconds * 30.0)) / 30.0
    return truth_track(simulate(spec.params(), t, duration=seconds), spec.camera(), 30.0, view=view)


def test_midstance_is_the_middle_of_each_contact():
    ev = pd.DataFrame(
        [
            ("left", "strike", 0.0),
            ("left", "toe_off", 0.2),
            ("right", "strike", 0.35),
            ("right", "toe_off", 0.55),
            ("left", "strike", 0.7),  # its toe-off is beyond 0.75 of the stride: no contact
            ("left", "toe_off", 1.3),
        ],
        columns=["foot", "kind", "time"],
    )
    assert midstances(ev, 0.7).tolist() == pytest.approx([0.1, 0.45])


@pytest.mark.parametrize("view", ["side_left", "front", "rear"])
def test_the_hips_are_lowest_at_midstance_in_running_and_highest_in_walking(view):
    for runner, sign in (({}, -1.0), (WALK, 1.0)):
        track = _exact(view, **runner)
        a = analyze(track)
        s = a.settings["strides"]
        # exact tracks: running -0.99 to -1.00, walking +0.88 to +0.93
        assert sign * s["hip_midstance_cos"] > 0.85, (view, runner, s["hip_midstance_cos"])
        # walking is read only where the view reads the contacts (not from the front)
        walk = "walk" if view != "front" else None
        assert s["gait_by_motion"] == ("run" if sign < 0 else walk)
        assert s["hip_phase_steps"] >= 5


@pytest.mark.parametrize("view", ["side_left", "rear"])
def test_walking_is_refused_by_what_the_hips_do_with_the_figures(view):
    a = analyze(_exact(view, **WALK))
    assert a.status == "no_running"
    assert "the hips are highest at mid-stance" in a.message
    assert "vaults over a straight stance leg" in a.message
    assert "phase cosine +0.9" in a.message or "phase cosine +0.8" in a.message
    assert "cadence 110 steps/min" in a.message


def test_walking_from_the_front_is_refused_by_its_cadence_not_by_the_hips():
    # the front view reads no contacts well enough to call walking by the hips' phase
    # (running renders read -0.28 to +0.16 there through the pose model)
    a = analyze(_exact("front", **WALK))
    assert a.status == "no_running"
    assert a.settings["strides"]["gait_by_motion"] is None
    assert "cadence 110 steps/min is outside the running range" in a.message


@pytest.mark.parametrize("view", ["side_left", "rear"])
def test_running_without_a_flight_phase_passes_by_the_hips_bounce(view):
    # the side and rear views read a duty factor of 0.56 (no flight phase), which alone
    # refused the clip as walking
    a = analyze(_exact(view, **GROUNDED_RUN))
    s = a.settings["strides"]
    assert s["duty_factor"] > 0.5
    assert s["hip_midstance_cos"] < -0.8
    assert a.status == "ok", a.message
    assert a.cadence_spm == pytest.approx(140.0, rel=0.01)


def test_an_undecided_phase_leaves_the_duty_factor_to_decide():
    cfg = StrideConfig()
    checks = {"legs_in_view_s": 4.0, "leg_travel_tl": 1.0}
    # no phase measured: a duty factor above one half is walking, as before
    status, message = _verdict(cfg, checks, True, 0.9, 150.0, 0.56, 0.1, 4)
    assert status == "no_running" and "56% of the stride" in message
    track = _exact("side_left", **GROUNDED_RUN)
    a = analyze(track)
    ev, period = a.events, a.settings["strides"]["period_s"]
    tl = 1.0
    phase = hip_stance_phase(track, ev, period, tl)
    # a phase read over too few steps decides nothing
    assert gait_by_motion(cfg, phase) == "run"
    few = hip_stance_phase(track, ev[ev["time"] < 1.2], period, tl)
    assert gait_by_motion(cfg, few) == ""


@pytest.mark.skipif(MOCAP is None, reason="shared motion capture not found (../shared/data/mocap)")
@pytest.mark.parametrize("view", ["side_left", "front", "rear"])
def test_motion_capture_walking_is_refused_and_running_is_not_by_the_hips(view):
    from armcarriage_eval import mocap

    assert MOCAP is not None
    walk = analyze(
        mocap.project_trial(mocap.load_trial(MOCAP / "bandai1_walk_normal_001.bvh"), view)
    )
    assert walk.status == "no_running"
    assert ("the hips are highest at mid-stance" in walk.message) == (view != "front")
    # exact projections of walking: +0.19 (side, rear) to +0.71 (front)
    assert walk.settings["strides"]["hip_midstance_cos"] > 0.1
    run = analyze(mocap.project_trial(mocap.load_trial(MOCAP / "bandai1_run_tired_001.bvh"), view))
    assert run.status == "ok", run.message
    assert run.settings["strides"]["hip_midstance_cos"] < -0.9


def test_a_clear_hip_bounce_is_running_whatever_the_duty_factor():
    # the exact projection of the tired motion-capture runner from the side: duty factor
    # 0.50, hips lowest at mid-stance but only weakly (-0.29), bounce 0.31 torso lengths
    cfg = StrideConfig()
    checks = {"legs_in_view_s": 4.0, "leg_travel_tl": 1.0}
    status, _ = _verdict(cfg, checks, True, 0.9, 138.0, 0.505, 0.31, 4)
    assert status == "ok"
    # a walker's few centimetres (0.04-0.08 torso lengths on the walking clips) still refuse
    status, message = _verdict(cfg, checks, True, 0.9, 112.0, 0.505, 0.08, 4)
    assert status == "no_running" and "50% of the stride" in message
