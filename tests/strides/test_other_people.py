"""The runner's strides come from the runner: never a second person, never swapped legs."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_fixture import Runner, side_runner, strike_times

from armcarriage import pose
from armcarriage.analysis import analyze
from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.track import PoseTrack

WIDTH = 1280
RUNNER = Runner(width=WIDTH, stride_hz=1.4, seconds=6.0)  # 168 steps/min
# the runner on the next treadmill: smaller in the image (farther away), 144 steps/min
NEIGHBOUR = Runner(width=WIDTH, stride_hz=1.2, seconds=6.0, strike_offset=0.27, torso=80.0)
LEGS = [
    [KEYPOINT_INDEX[f"{s}_{p}"] for p in ("knee", "ankle", "heel", "foot_index")]
    for s in ("left", "right")
]


def _candidates(track: PoseTrack, dx: float) -> list[pose._Candidate]:
    """One detection per frame of ``track``, moved ``dx`` px across the image."""
    xy = track.ds["position"].values.copy()
    xy[..., 0] += dx
    lm = np.concatenate(
        [xy, track.ds["depth"].values[..., None], track.ds["visibility"].values[..., None]],
        axis=-1,
    )
    lm = np.concatenate([lm, np.ones((*lm.shape[:2], 1))], axis=-1)
    return [pose._Candidate(f, np.zeros((f.shape[0], 3))) for f in lm]


def _followed(hidden: slice) -> tuple[PoseTrack, list[pose._Candidate | None]]:
    """The track the selector assembles; the runner unseen (occluded) in ``hidden``."""
    runner = _candidates(side_runner(RUNNER), -200.0)
    neighbour = _candidates(side_runner(NEIGHBOUR), 420.0)
    sel = pose.RunnerSelector(width=WIDTH, fps=RUNNER.fps, height=RUNNER.height)
    for f, (a, b) in enumerate(zip(runner, neighbour, strict=True)):
        sel.add([b] if hidden.start <= f < hidden.stop else [a, b])
    picks = sel.resolve()
    empty = np.full((len(KEYPOINT_INDEX), 5), np.nan)
    lm = np.stack([c.landmarks if c is not None else empty for c in picks])
    t = np.arange(lm.shape[0]) / RUNNER.fps
    track = PoseTrack.from_arrays(
        t,
        lm[..., :2],
        fps=RUNNER.fps,
        width=WIDTH,
        height=RUNNER.height,
        visibility=lm[..., 3],
        depth=lm[..., 2],
    )
    return track, picks


def _strike_errors_frames(a, r: Runner) -> np.ndarray:
    out = []
    for foot in ("left", "right"):
        got = a.events.loc[(a.events.foot == foot) & (a.events.kind == "strike"), "time"]
        for x in got.to_numpy(float):
            truth = strike_times(r, foot)
            out.append((x - truth[np.argmin(np.abs(truth - x))]) * r.fps)
    return np.asarray(out)


def test_a_runner_on_the_next_treadmill_never_feeds_the_runner_s_strides():
    # the runner is hidden for half a second (frames 80-94) while the neighbour stays in view
    track, picks = _followed(slice(80, 95))
    assert all(p is None for p in picks[80:95])  # nobody is substituted for the runner
    assert all(p is not None and p.centre[0] < 640 for p in picks[:80] + picks[95:])
    a = analyze(track)
    assert a.status == "ok", a.message
    assert a.cadence_spm == pytest.approx(120 * RUNNER.stride_hz, rel=0.01)
    errors = _strike_errors_frames(a, RUNNER)
    assert errors.size >= 12
    assert np.abs(errors).max() <= 1.0  # every strike reported is one of the runner's
    # the strides' own cadence agrees with the clip's
    per = a.strides.drop_duplicates("stride")["cadence_spm"].to_numpy(float)
    assert np.mean(per) == pytest.approx(a.cadence_spm, rel=0.01)


def test_legs_swapped_by_the_model_for_a_few_frames_keep_the_strikes_in_place():
    tr = side_runner(RUNNER)
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    li, ri = LEGS
    # the model swaps the legs' labels around a right-foot strike (frames 50-55), and
    # for a single frame in the stance of the left foot
    right = strike_times(RUNNER, "right")
    s = int(np.ceil(right[np.argmin(np.abs(right - 1.8))] * RUNNER.fps))
    left = strike_times(RUNNER, "left")
    single = int(np.ceil(left[np.argmin(np.abs(left - 3.0))] * RUNNER.fps)) + 1
    for bad in (slice(s - 2, s + 4), slice(single, single + 1)):
        pos[bad, li], pos[bad, ri] = pos[bad, ri].copy(), pos[bad, li].copy()
    a, b = analyze(PoseTrack(ds)), analyze(tr)
    assert a.settings["cleaning"]["swaps"] >= 7
    assert a.status == b.status == "ok"
    errors = _strike_errors_frames(a, RUNNER)
    assert np.abs(errors).max() <= 1.0
    assert len(a.events) == len(b.events)
    assert a.cadence_spm == pytest.approx(b.cadence_spm, rel=0.002)
