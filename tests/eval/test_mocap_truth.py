"""Validation of ``analyze`` against motion-capture ground truth (issue 4 acceptance).

Exact 2D tracks are projected from the running BVH files of the shared data
through virtual side, front and rear cameras (:mod:`armcarriage_eval.mocap`); the
truth comes from the 3D kinematics. Targets:

* elbow angle within 1 degree of the 3D truth (side views, near arm);
* foot strikes within 1 frame at 30 fps for >= 95 % of strikes (per view, over
  the four running files; strikes within 2 frames of a clip end are not scored):
  the reported strike ``time`` within 1/30 s of the true touchdown, which the
  truth places between frames (see :mod:`armcarriage_eval.mocap_score`);
* cadence within 1 %;
* the walking file gives ``status == "no_running"``.

The clips are short (68-133 frames, 2-4 strides per foot), so the analysis runs
with ``strides.min_strides = 1``: these tests check accuracy, not the minimum
stride count. The elbow angle comes from the track's world landmarks
(``metrics.elbow_source = "world"``), which here hold the true 3D: the angle
projected into a side-view image differs from the 3D angle by up to 40 degrees
per frame and 19 degrees in a per-stride min/max on these files (the forearm
leaves the image plane), so no image-only method can meet 1 degree. Every other
setting is the default.

Until ``armcarriage.analysis.analyze`` is implemented these tests report XFAIL
("analyze is not implemented yet"); they are real and run as soon as it lands.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from armcarriage_eval import mocap
from armcarriage_eval.mocap_score import Score, score

from armcarriage.config import Config

DATA = Path(__file__).parents[2].parent / "shared" / "data"
MOCAP = DATA / "mocap"
RUNS = (
    "bandai2_run_normal_001.bvh",
    "bandai2_run_normal_002.bvh",
    "bandai1_run_active_001.bvh",
    "bandai1_run_tired_001.bvh",
)
WALK = "bandai1_walk_normal_001.bvh"
SIDE_VIEWS = ("side_left", "side_right")
STRIKE_VIEWS = ("side_left", "side_right", "front", "rear")
CONFIG_OVERRIDES = {"strides.min_strides": 1, "metrics.elbow_source": "world"}

pytestmark = pytest.mark.skipif(
    not MOCAP.is_dir(),
    reason=f"shared mocap data not found at {MOCAP} (expected ../shared/data beside the project)",
)


@cache
def _trial(name: str) -> mocap.MocapTrial:
    return mocap.load_trial(MOCAP / name)


@cache
def _truth(name: str) -> mocap.Truth:
    return mocap.truth(_trial(name))


@cache
def _analysis(name: str, view: str, follow: bool = True):
    from armcarriage.analysis import analyze

    track = mocap.project_trial(_trial(name), view, follow=follow)
    return analyze(track, Config().override(CONFIG_OVERRIDES))


def run(name: str, view: str, follow: bool = True):
    """Analyse the exact track, or XFAIL while analyze is not implemented."""
    try:
        return _analysis(name, view, follow)
    except NotImplementedError:
        pytest.xfail("armcarriage.analysis.analyze is not implemented yet (issue 4)")


def scored(name: str, view: str, follow: bool = True) -> Score:
    return score(run(name, view, follow), _trial(name), _truth(name))


def _describe(name: str, view: str, s: Score) -> str:
    return f"{name} {view}: status={s.status!r} ({s.message}); {s.summary()}"


# ------------------------------------------------------------------ elbow
@pytest.mark.parametrize("view", SIDE_VIEWS)
@pytest.mark.parametrize("name", RUNS)
def test_elbow_angle_within_1_degree_near_arm_side_view(name: str, view: str) -> None:
    s = scored(name, view)
    assert s.status == "ok", _describe(name, view, s)
    near = "left" if view == "side_left" else "right"
    e = s.elbow[near]
    assert e.n_strides >= 1, f"{name} {view}: no stride rows for the near ({near}) arm"
    assert e.n_measured == e.n_strides, (
        f"{name} {view}: near arm elbow measured in {e.n_measured}/{e.n_strides} strides; "
        f"reasons {e.reasons}"
    )
    worst = e.rows.loc[e.rows["error_deg"].abs().idxmax()]
    assert e.max_error_deg <= 1.0, (
        f"{name} {view} {near} arm: worst elbow error {e.max_error_deg:.2f} deg "
        f"(stride {worst['stride']}, {worst['stat']}: measured {worst['measured']:.2f}, "
        f"3D truth {worst['truth']:.2f})"
    )


@pytest.mark.parametrize("view", SIDE_VIEWS)
@pytest.mark.parametrize("name", RUNS)
def test_far_arm_is_excluded_with_a_reason_or_right(name: str, view: str) -> None:
    s = scored(name, view)
    far = "right" if view == "side_left" else "left"
    e = s.elbow[far]
    if e.n_measured == 0:
        assert e.n_strides == 0 or e.reasons, f"{name} {view}: far arm NaN without a reason"
    else:
        assert e.max_error_deg <= 1.0, (
            f"{name} {view}: far ({far}) arm measured with error {e.max_error_deg:.2f} deg"
        )


@pytest.mark.parametrize("view", SIDE_VIEWS)
@pytest.mark.parametrize("name", RUNS)
def test_elbow_series_within_1_degree_per_frame(name: str, view: str) -> None:
    a = run(name, view)
    near = "left" if view == "side_left" else "right"
    if f"{near}_elbow_angle" not in a.series.columns:
        pytest.skip(f"Analysis.series has no {near}_elbow_angle column: {list(a.series.columns)}")
    s = score(a, _trial(name), _truth(name))
    err = s.elbow[near].series_max_error_deg
    assert np.isfinite(err), f"{name} {view}: {near}_elbow_angle has no value inside the strides"
    assert err <= 1.0, f"{name} {view}: per-frame {near} elbow error up to {err:.2f} deg"


# ---------------------------------------------------------------- strikes
# Where the target is not met yet (measured with the default settings; strict,
# so a fix that meets it turns these into failures until the mark is removed).
# Measured now: strikes within 1 frame side_left 27/27, side_right 26/27 (following;
# 27/27 with a fixed camera), front 26/27, rear 27/27; cadence within 1 % in 15 of 16
# trial x view cases, worst -0.86 % (bandai2_run_normal_002 side_right). The 'active'
# trial runs at 128.6 steps/min, below the 130 floor that applies without a duty factor;
# from the front it passes on its hip bounce (0.49 torso lengths per step, walking 0.07).
STRIKES_SHORT: dict[str, str] = {}
CADENCE_SHORT: dict[tuple[str, str], str] = {}


def _strike_params() -> list:
    cases = [(v, True, v) for v in STRIKE_VIEWS] + [("side_right", False, "side_right-fixed")]
    return [
        pytest.param(
            view,
            follow,
            id=ident,
            marks=[pytest.mark.xfail(strict=True, reason=STRIKES_SHORT[ident])]
            if ident in STRIKES_SHORT
            else [],
        )
        for view, follow, ident in cases
    ]


def _cadence_params() -> list:
    return [
        pytest.param(
            name,
            view,
            id=f"{name}-{view}",
            marks=[
                pytest.mark.xfail(
                    strict=True,
                    reason=f"cadence {CADENCE_SHORT[name, view]}",
                )
            ]
            if (name, view) in CADENCE_SHORT
            else [],
        )
        for name in RUNS
        for view in STRIKE_VIEWS
    ]


@pytest.mark.parametrize(("view", "follow"), _strike_params())
def test_foot_strikes_within_1_frame(view: str, follow: bool) -> None:
    found = total = correct = reported = 0
    misses = []
    for name in RUNS:
        s = scored(name, view, follow)
        found += s.strikes.n_found
        total += s.strikes.n_truth
        correct += s.strikes.n_correct
        reported += s.strikes.n_reported
        bad = s.strikes.errors[~(s.strikes.errors["error_s"].abs() <= 1 / 30 + 1e-9)]
        misses += [
            f"{name} {r.foot} touchdown {r.truth_time:.3f} s (frame {r.truth_frame}): "
            f"nearest reported {1000 * r.error_s:+.0f} ms (frame {r.nearest_frame})"
            for r in bad.itertuples()
        ]
    assert total >= 20
    assert found / total >= 0.95, f"{view}: {found}/{total} strikes within 1 frame; {misses}"
    assert reported and correct / reported >= 0.95, (
        f"{view}: {correct}/{reported} reported strikes within 1 frame of a true one"
    )


# ---------------------------------------------------------------- cadence
@pytest.mark.parametrize(("name", "view"), _cadence_params())
def test_cadence_within_1_percent(name: str, view: str) -> None:
    s = scored(name, view)
    assert s.status == "ok", _describe(name, view, s)
    assert abs(s.cadence_error_pct) <= 1.0, (
        f"{name} {view}: cadence {s.cadence_spm:.2f} vs truth {s.cadence_truth_spm:.2f} "
        f"steps/min ({s.cadence_error_pct:+.2f} %)"
    )


# ------------------------------------------------------------ view, status
@pytest.mark.parametrize("view", STRIKE_VIEWS)
@pytest.mark.parametrize("name", RUNS)
def test_view_is_recognised(name: str, view: str) -> None:
    a = run(name, view)
    assert a.view["label"] == view, f"{name}: {view} classified as {a.view}"
    if view in SIDE_VIEWS:
        assert a.view["treadmill"] is True or a.view["treadmill"] == 1, (
            f"{name} {view}: the camera follows the runner, expected treadmill, got {a.view}"
        )


def test_fixed_side_camera_is_not_treadmill() -> None:
    a = run("bandai2_run_normal_001.bvh", "side_right", follow=False)
    assert a.view["label"] == "side_right"
    assert not a.view["treadmill"], f"runner crosses the frame, got {a.view}"


@pytest.mark.parametrize("view", ("side_left", "front", "rear"))
def test_walking_is_not_running(view: str) -> None:
    a = run(WALK, view)
    assert a.status == "no_running", f"walking {view}: status {a.status!r} ({a.message})"
    assert a.message
    values = a.strides.get("elbow_angle_mean")
    assert values is None or not np.isfinite(values.to_numpy(float)).any(), (
        "walking gave per-stride running metrics"
    )
