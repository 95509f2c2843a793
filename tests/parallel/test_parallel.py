"""Chunked pose estimation: planning, decimation, stitching, and equality with one pass."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_file

from armcarriage import parallel
from armcarriage.config import Config
from armcarriage.parallel import (
    Chunk,
    ChunkResult,
    Stitcher,
    choose_cut,
    decimate,
    frame_disagreement,
    plan_chunks,
)
from armcarriage.parallel import chunks as chunks_mod
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS, MIRROR_INDEX
from armcarriage.video import Frame, VideoInfo, iter_frames

K = len(KEYPOINTS)


# ------------------------------------------------------------------ planning
def test_plan_partitions_the_clip_with_overlap():
    chunks = plan_chunks(100.0, workers=2, chunk_s=20.0, overlap_s=1.0, min_chunk_s=4.0)
    assert len(chunks) == 6  # ceil(100 / 20) = 5, rounded up to a multiple of 2 workers
    assert chunks[0].start_s == 0.0 and chunks[0].own_start_s == 0.0
    for a, b in itertools.pairwise(chunks):
        assert a.own_stop_s == pytest.approx(b.own_start_s)
        assert b.own_start_s - b.start_s == pytest.approx(1.0)
    assert chunks[-1].stop_s is None
    assert chunks[2].own_start_s == pytest.approx(100 / 3)


def test_plan_short_clips():
    one = plan_chunks(7.0, workers=2, chunk_s=20.0, overlap_s=1.0, min_chunk_s=4.0)
    assert one == [Chunk(0, 0.0, 0.0, None, None)]
    two = plan_chunks(10.0, workers=2, chunk_s=20.0, overlap_s=1.0, min_chunk_s=4.0)
    assert [(c.start_s, c.own_start_s) for c in two] == [(0.0, 0.0), (4.0, 5.0)]
    assert (
        plan_chunks(100.0, workers=1, chunk_s=20, overlap_s=1, min_chunk_s=4)[4].own_start_s == 80
    )
    # 11 s on 4 workers: only two chunks of >= 4 s fit
    assert len(plan_chunks(11.0, workers=4, chunk_s=20.0, overlap_s=1.0, min_chunk_s=4.0)) == 2


def test_plan_puts_boundaries_on_the_decimation_grid():
    grid = 1 / 60
    for c in plan_chunks(
        50.0, workers=2, chunk_s=7.0, overlap_s=0.77, min_chunk_s=4.0, grid_s=grid
    ):
        for t in (c.start_s, c.own_start_s):
            assert t / grid == pytest.approx(round(t / grid), abs=1e-6)


def test_resolve_workers_defaults_to_the_cores():
    assert parallel.resolve_workers(3) == 3
    assert parallel.resolve_workers(0) >= 1


# ---------------------------------------------------------------- decimation
def test_decimate_matches_the_reader_for_240_to_60(make_video):
    path = make_video("f240.mp4", n=96, fps=240, size=(32, 32))
    want = [f.index for f in iter_frames(path, target_fps=60)]
    got = [f.index for f in decimate(iter_frames(path), 60, 240)]
    assert got == want == list(range(0, 96, 4))


def test_decimate_from_a_chunk_start_keeps_the_one_pass_frames():
    # A 100 fps clip to 60 fps: not a multiple, so which frames are kept depends on the rule.
    frames = [Frame(i, i / 100, np.zeros((1, 1, 3), np.uint8)) for i in range(300)]
    whole = [f.index for f in decimate(frames, 60, 100)]
    assert len(whole) == 180
    for c in plan_chunks(
        3.0, workers=2, chunk_s=1.0, overlap_s=0.3, min_chunk_s=0.5, grid_s=1 / 60
    ):
        part = [f for f in frames if f.time >= c.start_s - 1e-9]
        got = [f.index for f in decimate(part, 60, 100)]
        assert got == [i for i in whole if i >= got[0]]


def test_decimate_keeps_everything_without_a_lower_target():
    frames = [Frame(i, i / 30, np.zeros((1, 1, 3), np.uint8)) for i in range(10)]
    assert len(list(decimate(frames, 60, 30))) == 10
    assert len(list(decimate(frames, 0, 30))) == 10


# ------------------------------------------------------------------ stitching
def person(cx: float, cy: float = 500.0, scale: float = 100.0, phase: float = 0.0) -> np.ndarray:
    """A (33, 8) detection: a fixed body layout around (cx, cy), limbs swinging with phase."""
    rng = np.random.default_rng(1)
    base = rng.uniform(-1, 1, (K, 2)) * scale
    for name, sign in (
        ("left_wrist", 1),
        ("right_wrist", -1),
        ("left_ankle", -1),
        ("right_ankle", 1),
    ):
        base[KEYPOINT_INDEX[name], 0] += sign * scale * np.sin(phase) + sign * scale
    for i, name in enumerate(("left_shoulder", "right_shoulder", "left_hip", "right_hip")):
        base[KEYPOINT_INDEX[name]] = [(-1) ** i * 0.1 * scale, (-scale if i < 2 else scale)]
    out = np.full((K, 8), 0.9, np.float32)
    out[:, 0] = cx + base[:, 0]
    out[:, 1] = cy + base[:, 1]
    return out


def chunk_result(index: int, times: np.ndarray, people: list[list[np.ndarray]]) -> ChunkResult:
    n, p = len(times), 2
    cands = np.full((n, p, K, 8), np.nan, np.float32)
    present = np.zeros((n, p), bool)
    for f, found in enumerate(people):
        for j, c in enumerate(found):
            cands[f, j] = c
            present[f, j] = True
    return ChunkResult(
        index, np.asarray(times, float), np.arange(n) + int(times[0] * 30), cands, present
    )


def test_frame_disagreement_scores_identity_flips_and_missing_people():
    a = person(300)
    pa = np.array([True, False])
    both = np.stack([a, np.full_like(a, np.nan)])
    assert frame_disagreement(both, pa, both, pa) == (0.0, False)
    flipped = both.copy()
    flipped[0] = a[list(MIRROR_INDEX)]
    score, was_flipped = frame_disagreement(both, pa, flipped, pa)
    assert was_flipped and score > 0.5
    assert frame_disagreement(both, pa, both, np.array([False, False]))[0] == math.inf


def test_frame_disagreement_matches_people_in_any_slot_order():
    a, b = person(300), person(900, scale=60)
    first = np.stack([a, b])
    second = np.stack([b, a])
    both = np.array([True, True])
    assert frame_disagreement(first, both, second, both) == (0.0, False)


def test_cut_skips_the_warm_up_and_left_right_swaps():
    t = np.arange(60) / 30  # 2 s at 30 fps
    truth = [[person(300, phase=0.3 * i)] for i in range(60)]
    prev = chunk_result(0, t[:40], truth[:40])
    # The later chunk starts at frame 25: wrong for 3 frames, then left/right swapped for 6,
    # then right.
    later = [list(x) for x in truth[25:]]
    for f in range(3):
        later[f] = [person(300 + 40 * (3 - f), phase=0.3 * (25 + f))]
    for f in range(3, 9):
        later[f] = [later[f][0][list(MIRROR_INDEX)]]
    nxt = chunk_result(1, t[25:], later)
    seam = choose_cut(prev, nxt, settle_s=2 / 30)
    assert seam.cut_s == pytest.approx(t[34])  # the first frame that agrees, after the swap
    assert seam.disagreement == 0.0 and not seam.flipped
    st = Stitcher(settle_s=2 / 30)
    st.add(prev)
    st.add(nxt)
    assert np.array_equal(st.time(), t)  # every frame once, none lost
    picked = np.array([c[0].landmarks[:, :2] for c in st.iter_candidates()])
    want = np.array([x[0][:, :2] for x in truth])
    np.testing.assert_array_equal(picked, want)


def test_cut_without_agreement_falls_back_and_says_so(caplog):
    t = np.arange(40) / 30
    prev = chunk_result(0, t[:30], [[person(300)] for _ in range(30)])
    nxt = chunk_result(1, t[20:], [[person(300)[list(MIRROR_INDEX)]] for _ in range(20)])
    seam = choose_cut(prev, nxt, settle_s=0.1)
    assert seam.flipped
    assert "left/right swapped" in caplog.text


def test_the_same_person_is_followed_across_chunks():
    """Slot order changes between chunks; the runner (the larger person) is kept."""
    t = np.arange(90) / 30
    runner = [person(300 + 2 * i, scale=120, phase=0.3 * i) for i in range(90)]
    other = [person(1200 - 2 * i, scale=40) for i in range(90)]
    a = chunk_result(0, t[:50], [[runner[i], other[i]] for i in range(50)])
    b = chunk_result(1, t[40:], [[other[i], runner[i]] for i in range(40, 90)])
    st = Stitcher(settle_s=0.1)
    st.add(a)
    st.add(b)
    info = VideoInfo("x.mp4", 1600, 1000, 30.0, 3.0, 90, 0, "h264", "mp4", 1600, 1000)
    track = parallel._assemble(
        st, info, Config(), [{"decoded": 90, "errors": 0, "dropped_non_increasing": 0, "error": ""}]
    )
    assert track.n_frames == 90
    np.testing.assert_allclose(
        track.ds["position"].values, np.array([r[:, :2] for r in runner]), atol=1e-3
    )
    assert json.loads(track.attrs["decode"])["lost"] == 0


def test_short_clip_runs_in_one_process(monkeypatch, make_video):
    path = make_video("short.mp4", n=30, fps=30)
    calls = []
    import armcarriage.pose as pose

    monkeypatch.setattr(pose, "estimate_pose", lambda *a, **k: calls.append(a) or "single")
    assert parallel.estimate_pose_parallel(path, Config()) == "single"
    assert len(calls) == 1


# ------------------------------------------------------ real clip, real model
CHUNKED = {
    "pose.max_seconds": 4.0,
    "pose.chunk_seconds": 1.0,
    "pose.min_chunk_seconds": 0.5,
    "pose.chunk_overlap_seconds": 0.5,
    "pose.workers": 2,
}


def _per_frame_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean landmark distance (px) per frame between two (T, K, 2) position arrays."""
    return np.nanmean(np.linalg.norm(a - b, axis=2), axis=1)


def _wrist_swaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per frame: whether ``b``'s wrists lie nearer ``a``'s opposite wrists than their own."""
    lw, rw = KEYPOINT_INDEX["left_wrist"], KEYPOINT_INDEX["right_wrist"]
    own = np.linalg.norm(b[:, lw] - a[:, lw], axis=1) + np.linalg.norm(b[:, rw] - a[:, rw], axis=1)
    opp = np.linalg.norm(b[:, lw] - a[:, rw], axis=1) + np.linalg.norm(b[:, rw] - a[:, lw], axis=1)
    return opp < own


def _assert_seams_clean(single, chunked, seen, *, check_swaps: bool = True) -> dict:
    """Same frames and timestamps, same gaps, no left/right flip at a seam, progress in order."""
    meta = json.loads(chunked.attrs["parallel"])
    assert len(meta["seams"]) == 3
    # Same frames, same true timestamps: nothing duplicated or lost at the seams.
    assert np.array_equal(chunked.time, single.time)
    assert np.array_equal(chunked.ds["frame"].values, single.ds["frame"].values)
    assert chunked.n_frames == 120
    a, b = single.ds["position"].values, chunked.ds["position"].values
    assert np.array_equal(np.isnan(a), np.isnan(b))
    # No left/right flips: around every seam each wrist stays nearer its own single-pass
    # position than the opposite wrist's.
    lw, rw = KEYPOINT_INDEX["left_wrist"], KEYPOINT_INDEX["right_wrist"]
    for seam in meta["seams"] if check_swaps else []:
        i = int(np.searchsorted(chunked.time, seam["cut_s"]))
        for f in range(max(0, i - 3), min(chunked.n_frames, i + 3)):
            for own, opp in ((lw, rw), (rw, lw)):
                if np.isnan(a[f, [own, opp]]).any():
                    continue  # missing in both runs (checked above): nothing to swap
                assert np.linalg.norm(b[f, own] - a[f, own]) < np.linalg.norm(b[f, own] - a[f, opp])
    # Progress counted across workers, ending at the frame count.
    assert seen[-1] == (120, 120)
    assert all(x[0] <= y[0] for x, y in itertools.pairwise(seen))
    return meta


@pytest.mark.slow
def test_chunked_equals_single_process_when_looking_for_several_people():
    """Looking for several people, the model re-detects in every frame: runs are repeatable."""
    from armcarriage.pose import estimate_pose

    path = shared_file("videos", "treadmill_side_portrait.mp4")
    cfg = Config().override({**CHUNKED, "pose.track_one_person": False})
    single = estimate_pose(path, cfg)
    seen: list[tuple[int, int]] = []
    waits: list[object] = []  # this process's model when it waits for the workers
    chunked = parallel.estimate_pose_parallel(
        path,
        cfg,
        progress=lambda d, n: seen.append((d, n)),
        while_waiting=lambda: waits.append(chunks_mod._WORKER.get("estimator", "none")),
    )
    _assert_seams_clean(single, chunked, seen)
    assert waits in ([], ["none"])  # at most once, with this process's model closed
    # Landmarks: within the landmark noise. The noise floor is the model's frame-to-frame
    # jitter on this clip (median |second difference| of the positions, ~1-3 px); a frame
    # shifted by one at a seam would differ by the arm's motion per frame (tens of px).
    a, b = single.ds["position"].values, chunked.ds["position"].values
    diff = np.linalg.norm(a - b, axis=2)
    jitter = float(np.nanmedian(np.linalg.norm(np.diff(a, 2, axis=0), axis=2)))
    assert np.nanmax(np.nanmean(diff, axis=1)) <= max(1.0, jitter)
    assert np.nanpercentile(diff, 99) <= 2 * max(1.0, jitter)


@pytest.mark.slow
def test_chunked_one_person_tracking_is_as_accurate_as_one_pass():
    """Tracking one person, each run follows its own path from where it started.

    The landmarker carries each frame's pose to the next, so two runs that start at
    different frames differ by a few pixels and now and then label the wrists the
    other way round where they pass each other; chunks start cold at every seam. So
    the chunked track is held to the truth of a synthetic sample clip: as accurate as
    the one-pass track, with no frame lost or doubled at a seam.
    """
    from armcarriage_eval.synthetic.truth import landmark_errors

    from armcarriage.pose import estimate_pose
    from armcarriage.track import PoseTrack

    samples = Path(__file__).resolve().parents[2] / "sample_videos"
    path = samples / "side_left_tight_elbows.mp4"
    truth = PoseTrack.load(samples / "side_left_tight_elbows.truth.parquet")
    cfg = Config().override({**CHUNKED, "pose.track_one_person": True})
    single = estimate_pose(path, cfg)
    assert "the model tracked one pose" in single.attrs["person"]
    seen: list[tuple[int, int]] = []
    chunked = parallel.estimate_pose_parallel(path, cfg, progress=lambda d, n: seen.append((d, n)))
    assert "the model tracked one pose" in chunked.attrs["person"]
    _assert_seams_clean(single, chunked, seen, check_swaps=False)
    one, many = landmark_errors(single, truth), landmark_errors(chunked, truth)
    for joint in ("shoulder", "elbow", "wrist", "hip"):
        assert many[joint]["median"] <= 1.15 * one[joint]["median"] + 0.5, joint
        assert many[joint]["p95"] <= 1.15 * one[joint]["p95"] + 1.0, joint
    t = truth.ds["position"].values[: single.n_frames]
    swaps = _wrist_swaps(t, chunked.ds["position"].values).sum()
    assert swaps <= _wrist_swaps(t, single.ds["position"].values).sum() + 2


def test_pose_workers_do_not_load_the_table_libraries():
    # each worker process imports these modules; xarray, pandas and pyarrow would
    # add about 80 MB to every worker's memory for nothing
    import subprocess
    import sys

    code = (
        "import sys, armcarriage.parallel, armcarriage.pose; "
        "print(sorted({'xarray', 'pandas', 'pyarrow'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_chunk_keeps_only_the_slots_people_were_found_in():
    a, b = person(300, 100), person(900, 100)
    empty = np.full_like(a, np.nan)
    rows = [np.stack([a, empty]), np.stack([empty, b]), np.stack([empty, empty])]
    pres = [np.array([True, False]), np.array([False, True]), np.array([False, False])]
    cands, present, _ = parallel._compact(rows, pres, 2)
    assert cands.shape == (3, 1, K, parallel.N_CHANNELS)
    assert present.tolist() == [[True], [True], [False]]
    np.testing.assert_array_equal(cands[0, 0], a)
    np.testing.assert_array_equal(cands[1, 0], b)
    # two people in one frame keep both slots
    cands, present, _ = parallel._compact([*rows, np.stack([a, b])], [*pres, np.ones(2, bool)], 2)
    assert cands.shape[1] == 2 and present[-1].all()


def test_final_parts_wait_on_disk_and_read_back_the_same(tmp_path):
    """Only the last part stays in memory while chunks arrive; the track is the same."""
    t = np.arange(90) / 30
    people = [[person(300 + 2 * i, phase=0.3 * i)] for i in range(90)]
    parts = [chunk_result(0, t[:35], people[:35]), chunk_result(1, t[25:65], people[25:65])]
    parts.append(chunk_result(2, t[55:], people[55:]))
    kept = Stitcher(settle_s=0.1, spill=False)
    st = Stitcher(settle_s=0.1)
    for p in parts:
        kept.add(p)
        st.add(p)
    on_disk = [type(p).__name__ for p in st.parts]
    assert on_disk == ["_OnDisk", "_OnDisk", "ChunkResult"]
    folder = Path(st.parts[0].stem).parent
    assert sorted(f.name for f in folder.iterdir())[:2] == [
        "part0000.cands.npy",
        "part0000.present.npy",
    ]
    assert [s.cut_s for s in st.seams] == [s.cut_s for s in kept.seams]
    np.testing.assert_array_equal(st.time(), t)
    a = [[c.landmarks for c in f] for f in st.iter_candidates()]
    b = [[c.landmarks for c in f] for f in kept.iter_candidates()]
    assert len(a) == len(b) == 90
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(np.array(x), np.array(y))
    st.close()
    assert not folder.exists()


def test_parts_stay_in_memory_when_the_temporary_folder_cannot_take_them(monkeypatch, caplog):
    t = np.arange(60) / 30
    people = [[person(300 + 2 * i, phase=0.3 * i)] for i in range(60)]
    parts = [chunk_result(0, t[:35], people[:35]), chunk_result(1, t[25:], people[25:])]

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    st = Stitcher(settle_s=0.1)
    for p in parts:
        st.add(p)
    assert [type(p).__name__ for p in st.parts] == ["ChunkResult", "ChunkResult"]
    assert "kept in memory" in caplog.text and "No space left" in caplog.text
    np.testing.assert_array_equal(st.time(), t)
    assert len(list(st.iter_candidates())) == 60
    st.close()
