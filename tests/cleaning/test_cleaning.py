"""Cleaning: masking, uneven time, swap repair, spikes, gaps, zero-lag filtering."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_fixture import Runner, side_runner

from armcarriage.cleaning import (
    clean,
    fill_gaps,
    hampel,
    is_uneven,
    local_trend,
    lowpass,
    runs,
)
from armcarriage.config import CleaningConfig
from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.track import PoseTrack

K = KEYPOINT_INDEX


def test_clean_track_is_left_nearly_unchanged():
    tr = side_runner(Runner())
    res = clean(tr)
    err = np.abs(res.track.ds["position"].values - tr.ds["position"].values)
    assert np.nanmedian(err) < 0.05
    assert res.report["swaps"] == 0
    assert res.report["resampled"] is False
    assert res.report["cutoff_hz"] == pytest.approx(8.0)
    assert res.report["arm_cutoff_hz"] == pytest.approx(12.0)


def test_low_visibility_is_masked():
    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    ds["visibility"].values[:, K["left_knee"]] = 0.1
    out = clean(PoseTrack(ds)).track
    assert np.isnan(out.xy("left_knee")).all()
    assert np.isfinite(out.xy("right_knee")).all()


def test_low_score_wrist_is_kept_where_its_position_fits_the_arm():
    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    ds["visibility"].values[:, K["left_wrist"]] = 0.1
    pos = ds["position"].values
    # frames 30-32: the model puts the wrist on the other side of the frame
    pos[30:33, K["left_wrist"]] += np.array([150.0, 0.0])
    res = clean(PoseTrack(ds))
    out = res.track.xy("left_wrist")
    good = np.r_[0:28, 35 : tr.n_frames]
    assert np.isfinite(out[good]).all()
    assert np.abs(out[good] - tr.xy("left_wrist")[good]).max() < 3.0
    assert res.report["wrists_kept"] >= tr.n_frames - 10
    # the wrist thrown off its arm is not kept
    assert np.isnan(out[30:33]).all()
    off = clean(PoseTrack(ds), CleaningConfig(wrist_by_position=False)).track
    assert np.isnan(off.xy("left_wrist")).all()


def test_swapped_arms_are_repaired():
    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    arm = [
        K[f"{s}_{p}"]
        for p in ("elbow", "wrist", "pinky", "index", "thumb")
        for s in ("left", "right")
    ]
    li, ri = arm[0::2], arm[1::2]
    bad = slice(40, 46)
    pos[bad, li], pos[bad, ri] = pos[bad, ri].copy(), pos[bad, li].copy()
    res = clean(PoseTrack(ds))
    assert res.report["swaps"] >= 6
    err = np.abs(res.track.xy("left_wrist")[40:46] - tr.xy("left_wrist")[40:46])
    assert err.max() < 2.0


def test_spike_is_removed_and_gap_filled():
    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    ds["position"].values[50, K["right_elbow"], 1] += 80.0  # a spike
    ds["position"].values[60:62, K["right_wrist"]] = np.nan  # a short gap
    ds["position"].values[100:130, K["right_knee"]] = np.nan  # a long gap
    res = clean(PoseTrack(ds))
    out = res.track
    assert abs(out.xy("right_elbow")[50, 1] - tr.xy("right_elbow")[50, 1]) < 3.0
    assert np.isfinite(out.xy("right_wrist")[60:62]).all()
    assert np.isnan(out.xy("right_knee")[100:130]).all()
    assert res.report["outliers"] >= 1 and res.report["filled"] >= 4


def test_uneven_timestamps_are_resampled_to_uniform_time():
    tr = side_runner(Runner(fps=60.0, seconds=2.0))
    rng = np.random.default_rng(0)
    keep = np.sort(rng.choice(tr.n_frames, size=80, replace=False))
    uneven = PoseTrack(tr.ds.isel(time=keep))
    assert is_uneven(uneven.time)
    res = clean(uneven, CleaningConfig(resample_fps=30.0))
    t = res.track.time
    assert res.report["resampled"] is True
    np.testing.assert_allclose(np.diff(t), 1 / 30.0, atol=1e-9)
    # the resampled wrist follows the true motion on the new grid
    truth = side_runner(Runner(fps=60.0, seconds=2.0))
    idx = np.round(t * 60.0).astype(int)
    err = np.abs(res.track.xy("right_wrist") - truth.xy("right_wrist")[idx])
    assert np.nanmedian(err) < 1.5


def test_helpers():
    y = np.array([0.0, 1.0, np.nan, np.nan, 4.0, np.nan, np.nan, np.nan, np.nan, 9.0])
    filled, n = fill_gaps(y, 2)
    np.testing.assert_allclose(filled[:5], [0, 1, 2, 3, 4])
    assert np.isnan(filled[5:9]).all() and n == 2
    assert runs(np.array([True, True, False, True])) == [(0, 2), (3, 4)]
    spike = np.sin(np.linspace(0, 6, 60))
    spike[30] += 5
    assert np.flatnonzero(hampel(spike, 3, 3.0)).tolist() == [30]
    assert not hampel(np.ones(20), 3, 3.0).any()
    assert not hampel(np.linspace(0, 1, 20), 3, 3.0).any()
    # A wrist's swing extreme at 30 frames/s: 0.35 m amplitude at 1.45 Hz is a
    # sharp but smooth turn; it lies 3.5 cm outside the median of its 7-sample
    # window, so a running-median Hampel filter took it for a spike.
    t = np.arange(90) / 30.0
    swing = 0.35 * np.sin(2 * np.pi * 1.45 * t) ** 3
    assert not hampel(swing, 3, 3.0, min_dev=0.025).any()
    glitch = swing.copy()
    glitch[45] += 0.1
    assert np.flatnonzero(hampel(glitch, 3, 3.0, min_dev=0.025)).tolist() == [45]
    np.testing.assert_allclose(local_trend(t**2, 3)[[0, 40, 89]], (t**2)[[0, 40, 89]], atol=1e-12)
    gappy = np.r_[np.ones(4), np.nan, np.arange(10.0)]
    lt = local_trend(gappy, 3)
    assert np.isnan(lt[:5]).all() and np.allclose(lt[5:], np.arange(10.0))
    from scipy import signal

    sos = signal.butter(4, 8.0, fs=30.0, output="sos")
    x = np.sin(2 * np.pi * 1.4 * np.arange(90) / 30)
    out = lowpass(x, sos)
    assert np.max(np.abs(out - x)[10:-10]) < 0.01  # zero lag, passband untouched
    short = lowpass(np.array([1.0, 2.0, np.nan, 3.0]), sos)
    np.testing.assert_array_equal(short[:2], [1.0, 2.0])


def test_a_glitch_frame_does_not_carry_a_leg_swap_to_the_clip_end():
    from armcarriage.analysis import analyze
    from armcarriage.cleaning import repair_swaps

    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    li, ri = (
        [KEYPOINT_INDEX[f"{s}_{p}"] for p in ("knee", "ankle", "heel", "foot_index")]
        for s in ("left", "right")
    )
    # the model blends both legs in frame 39 and swaps their labels in frame 40
    pos[39, li] = pos[39, ri] = 0.5 * (pos[39, li] + pos[39, ri])
    pos[40, li], pos[40, ri] = pos[40, ri].copy(), pos[40, li].copy()
    fixed = pos.copy()
    n = repair_swaps(
        fixed,
        ds["depth"].values.copy(),
        ds["world"].values.copy(),
        ds["visibility"].values.copy(),
        list(tr.keypoints),
    )
    truth = tr.ds["position"].values
    assert n == 1  # frame 40 only (a frame-by-frame repair swapped frames 40-179)
    np.testing.assert_allclose(fixed[41:], truth[41:])
    a, b = analyze(PoseTrack(ds)), analyze(tr)
    assert a.status == b.status == "ok"
    assert a.cadence_spm == pytest.approx(b.cadence_spm, rel=0.005)


def test_collapsed_poses_are_masked_whole():
    tr = side_runner(Runner())
    ds = tr.ds.copy(deep=True)
    pos = ds["position"].values
    # the model squeezes the whole pose towards the hips in frames 30-33 (torso 10-30 %)
    hips = 0.5 * (pos[30:34, K["left_hip"]] + pos[30:34, K["right_hip"]])
    pos[30:34] = hips[:, None] + np.array([0.1, 0.2, 0.3, 0.15])[:, None, None] * (
        pos[30:34] - hips[:, None]
    )
    res = clean(PoseTrack(ds), CleaningConfig(max_gap_s=0.0))
    assert res.report["collapsed"] == 4
    out = res.track.ds["position"].values
    assert np.isnan(out[30:34]).all()
    wrist = out[:, K["left_wrist"]]
    assert np.isfinite(wrist[:30]).all() and np.isfinite(wrist[34:]).all()
    # a clean track loses nothing
    assert clean(tr).report["collapsed"] == 0


def test_a_lone_blended_frame_is_left_out_of_the_swap_repair_and_a_run_is_not():
    from armcarriage.cleaning.swaps import _blended

    # two legs 2 torso lengths apart, moving steadily; the model blends them half way in
    # frame 10 alone, and in frames 20-22
    t = np.arange(40, dtype=float)
    pos = np.zeros((40, 2, 2))
    pos[:, 0, 0] = 100.0 + 2.0 * t
    pos[:, 1, 0] = 300.0 + 2.0 * t
    pos[:, :, 1] = 400.0
    for f in (10, 20, 21, 22):
        pos[f, :, 0] = pos[f, :, 0].mean()
    ok = np.ones(40, dtype=bool)
    flagged = np.flatnonzero(_blended(pos, [0], [1], ok, 100.0, 0.5))
    assert flagged.tolist() == [10]
