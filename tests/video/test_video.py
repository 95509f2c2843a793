"""Video reader: metadata, rotation, true timestamps, codecs and bad input."""

from __future__ import annotations

import logging
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import SHARED_VIDEOS, shared_file

from armcarriage.config import Config
from armcarriage.errors import VideoError
from armcarriage.video import DecodeStats, decode_frames, iter_frames, probe_video, scaled_size


def corner_is_white(img: np.ndarray) -> tuple[bool, bool, bool, bool]:
    """Which corners (tl, tr, bl, br) hold the white block."""
    h, w = img.shape[:2]
    k = 3
    return tuple(  # type: ignore[return-value]
        bool(img[ys, xs].mean() > 200)
        for ys, xs in (
            (slice(0, k), slice(0, k)),
            (slice(0, k), slice(w - k, w)),
            (slice(h - k - 2, h - 2), slice(0, k)),
            (slice(h - k - 2, h - 2), slice(w - k, w)),
        )
    )


def test_probe_reports_size_fps_codec(make_video):
    path = make_video("a.mp4", n=15, size=(64, 48), fps=30)
    info = probe_video(path)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == pytest.approx(30.0)
    assert info.frames == 15
    assert info.codec == "h264"
    assert info.rotation == 0
    assert info.duration_s == pytest.approx(0.5, abs=0.04)


@pytest.mark.parametrize(
    ("display_rotation", "clockwise", "corner"),
    [
        # A display matrix of -90 (counter-clockwise) is what phones write for a
        # portrait clip recorded in landscape sensor orientation: turn 90 clockwise.
        (-90, 90, (False, True, False, False)),
        (90, 270, (False, False, True, False)),
        (180, 180, (False, False, False, True)),
    ],
)
def test_rotation_metadata_gives_upright_frames(make_video, display_rotation, clockwise, corner):
    path = make_video("rot.mp4", size=(64, 48), rotation=display_rotation)
    info = probe_video(path)
    assert info.rotation == clockwise
    frame = next(iter_frames(path))
    if clockwise in (90, 270):
        assert (info.width, info.height) == (48, 64)
        assert frame.image.shape == (64, 48, 3)
    else:
        assert frame.image.shape == (48, 64, 3)
    assert corner_is_white(frame.image) == corner


def test_variable_frame_rate_timestamps_match_pts(make_video):
    pts = [0, 30, 70, 100, 150, 170, 200, 260, 290, 300, 340, 380, 400, 450, 470]
    path = make_video("vfr.mp4", n=len(pts), pts_ms=pts)
    times = [f.time for f in iter_frames(path)]
    assert times == pytest.approx([p / 1000 for p in pts], abs=1e-9)
    with av.open(str(path)) as c:
        container_pts = sorted(
            float(p.pts * p.time_base) for p in c.demux(video=0) if p.pts is not None
        )
    assert times == pytest.approx(container_pts, abs=1e-9)
    assert np.all(np.diff(times) > 0)


@pytest.mark.parametrize(
    ("codec", "name", "expect"),
    [("libx264", "h.mp4", "h264"), ("hevc", "h.mov", "hevc"), ("libvpx-vp9", "v.webm", "vp9")],
)
def test_decodes_h264_hevc_vp9(make_video, codec, name, expect):
    path = make_video(name, n=12, codec=codec)
    info = probe_video(path)
    assert info.codec == expect
    assert sum(1 for _ in iter_frames(path)) == 12


def test_target_fps_keeps_true_timestamps(make_video):
    path = make_video("f120.mp4", n=48, fps=120)
    times = [f.time for f in iter_frames(path, target_fps=30)]
    assert len(times) == 12
    assert times == pytest.approx([i / 30 for i in range(12)], abs=1e-6)


def test_time_window_and_downscale(make_video):
    path = make_video("w.mp4", n=30, size=(128, 96))
    frames = list(iter_frames(path, start_s=0.5, stop_s=0.8, max_side=64))
    assert [f.index for f in frames] == [15, 16, 17, 18, 19, 20, 21, 22, 23]
    assert frames[0].image.shape == (48, 64, 3)


# ----------------------------------------------------------------- bad input
def test_not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is a text file, not a video\n")
    with pytest.raises(VideoError) as err:
        probe_video(path)
    assert str(err.value).startswith(
        f"{path}: not a readable video (expected a container such as mp4/mov/mkv/webm;"
    )


def test_missing_and_empty_file(tmp_path):
    with pytest.raises(VideoError, match=r"nope\.mp4: file not found$"):
        probe_video(tmp_path / "nope.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError) as err:
        probe_video(empty)
    assert str(err.value) == f"{empty}: the file is empty (0 bytes), expected a video"


def test_truncated_mp4_without_index(make_video):
    path = make_video("t.mp4", n=60, size=(64, 48))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoError) as err:
        probe_video(path)
    assert str(err.value) == (
        f"{path}: truncated MP4/MOV: the file has no index ('moov' box; found ftyp, free, mdat), "
        "so no frame can be located; the recording or copy was probably interrupted"
    )


def test_truncated_stream_decodes_what_is_readable_and_warns(make_video, caplog):
    rng = np.random.default_rng(0)
    frames = [(rng.random((48, 64, 3)) * 255).astype(np.uint8) for _ in range(60)]
    path = make_video("t.mp4", frames=frames, faststart=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    stats = DecodeStats()
    with caplog.at_level(logging.WARNING, logger="armcarriage.video"):
        n = sum(1 for _ in iter_frames(path, stats=stats))
    assert 10 < n < 60
    assert stats.lost == 60 - n
    assert f"decoded {n} of 60 declared frames ({60 - n} lost)" in caplog.text


def test_zero_frames(tmp_path):
    path = tmp_path / "zero.mkv"
    c = av.open(str(path), "w", format="matroska")
    s = c.add_stream("libx264", rate=30)
    s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
    c.start_encoding()
    c.close()
    with pytest.raises(VideoError) as err:
        probe_video(path)
    assert str(err.value) == (
        f"{path}: zero frames: the file ends before its first video frame "
        "(expected at least 1 frame; the file is empty or truncated)"
    )


def test_audio_only_file(tmp_path):
    path = tmp_path / "sound.m4a"
    c = av.open(str(path), "w")
    s = c.add_stream("aac", rate=44100)
    frame = av.AudioFrame.from_ndarray(
        np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
    )
    frame.sample_rate = 44100
    for p in s.encode(frame):
        c.mux(p)
    for p in s.encode():
        c.mux(p)
    c.close()
    with pytest.raises(VideoError) as err:
        probe_video(path)
    assert str(err.value) == (
        f"{path}: no video stream with frames (expected a video; the container holds "
        "1 other stream(s) and 0 video frames)"
    )


def test_limits_on_size_frames_and_duration(make_video):
    path = make_video("big.mp4", n=20, size=(64, 48))
    small = Config().override({"video.max_width": 32})
    with pytest.raises(VideoError) as err:
        probe_video(path, small)
    assert str(err.value) == (
        f"{path}: frame size 64x48 exceeds the limit 32x7680 (video.max_width / video.max_height)"
    )
    with pytest.raises(VideoError) as err:
        probe_video(path, Config().override({"video.max_frames": 10}))
    assert str(err.value) == f"{path}: 20 frames exceed the limit of 10 (video.max_frames)"
    with pytest.raises(VideoError) as err:
        probe_video(path, Config().override({"video.max_duration_s": 0.25}))
    assert str(err.value) == (
        f"{path}: duration 0.7 s exceeds the limit of 0.2 s (video.max_duration_s)"
    )


# -------------------------------------------------------------- shared clips
@pytest.mark.parametrize(
    ("name", "size", "codec", "frames"),
    [
        ("treadmill_side_portrait.mp4", (720, 1280), "h264", 360),
        ("walk_outdoor_twopeople.mp4", (1768, 994), "vp9", 230),
        ("lab_balance_twopeople_portrait.mp4", (1088, 1920), "h264", 100),
        ("walk_rear.mp4", (960, 540), "h264", 178),
    ],
)
def test_shared_clips_probe_and_decode(name, size, codec, frames):
    path = shared_file("videos", name)
    info = probe_video(path)
    assert (info.width, info.height) == size
    assert info.codec == codec
    stats = DecodeStats()
    times = [f.time for f in iter_frames(path, stats=stats, max_side=320)]
    assert len(times) == frames
    assert stats.lost == 0
    assert np.all(np.diff(times) > 0)


def test_shared_dir_constant_points_beside_project():
    assert SHARED_VIDEOS.parent.name == "data"
    assert SHARED_VIDEOS.parents[2] == Path(__file__).resolve().parents[3]


def test_scaled_size_caps_the_long_side_and_keeps_even_sizes():
    assert scaled_size(1080, 1920, 1280) == (720, 1280)
    assert scaled_size(1920, 1080, 1280) == (1280, 720)
    assert scaled_size(1081, 1921, 1280) == (720, 1280)
    assert scaled_size(321, 241, 0) == (321, 241)  # 0 = no limit; small sizes pass unchanged
    assert scaled_size(321, 241, 1280) == (321, 241)


def test_decode_frames_yields_what_iter_frames_converts(make_video):
    path = make_video("clip.mp4", n=12, size=(64, 48), rotation=-90)
    raw = list(decode_frames(path, target_fps=15))
    frames = list(iter_frames(path, target_fps=15))
    assert [(i, t) for i, t, _ in raw] == [(f.index, f.time) for f in frames]
    # raw frames keep the stored 64 x 48; iter_frames turns them upright to 48 x 64
    assert (raw[0][2].width, raw[0][2].height) == (64, 48)
    assert frames[0].image.shape == (64, 48, 3)


# ------------------------------------------------- one frame-time rule, every path


def _paths_agree(path, target_fps: float) -> list[tuple[int, float]]:
    """Frames (index, time) read whole, after seeks, and by the parallel chunks; all equal."""
    from armcarriage.parallel import decimate, plan_chunks

    info = probe_video(path)
    whole = [(f.index, f.time) for f in iter_frames(path, target_fps=target_fps)]
    # the parallel path: overlapping chunks read after a seek, decimated on the shared grid
    chunks = plan_chunks(
        info.duration_s,
        workers=3,
        chunk_s=0.4,
        overlap_s=0.1,
        min_chunk_s=0.2,
        grid_s=1.0 / target_fps if target_fps else 0.0,
    )
    assert len(chunks) > 2
    joined: list[tuple[int, float]] = []
    for c in chunks:
        part = decimate(iter_frames(path, start_s=c.start_s, stop_s=c.stop_s), target_fps, info.fps)
        joined += [
            (f.index, f.time)
            for f in part
            if f.time >= c.own_start_s and (c.own_stop_s is None or f.time < c.own_stop_s)
        ]
    assert joined == whole
    # a read that seeks part way gives the frames of the whole read from there on (with
    # decimation, from a start on the decimation grid, as the parallel chunks start)
    for start in (0.25, 0.5, 0.7) if target_fps else (0.25, 0.5, 0.71):
        seeked = [
            (f.index, f.time) for f in iter_frames(path, start_s=start, target_fps=target_fps)
        ]
        assert seeked == [w for w in whole if w[1] >= start - 1e-9]
    return whole


@pytest.mark.parametrize("fmt", ["mp4", "matroska"])
def test_a_stream_that_starts_late_is_timed_from_its_first_frame_on_every_path(make_video, fmt):
    # the stream's start_time is 0.1 s: the frame index after a seek came out 3 too high
    pts = [100 + 25 * i for i in range(40)]  # 40 fps from 0.1 s
    path = make_video(
        f"late.{'mkv' if fmt == 'matroska' else 'mp4'}", n=40, pts_ms=pts, fmt=fmt, gop=8, fps=40
    )
    whole = _paths_agree(path, 0.0)
    assert [w[0] for w in whole] == list(range(40))
    assert [w[1] for w in whole] == pytest.approx([0.025 * i for i in range(40)], abs=1e-9)
    # decimated to 20 fps: every other frame, the same on every path
    half = _paths_agree(path, 20.0)
    assert [w[0] for w in half] == list(range(0, 40, 2))


def test_a_variable_frame_rate_clip_keeps_its_frames_on_every_path(make_video):
    pts = np.cumsum([0] + [20, 40, 30, 20, 50, 30, 40, 20, 30, 40] * 4).tolist()
    path = make_video("vfr_paths.mkv", n=len(pts), pts_ms=pts, fmt="matroska", gop=6)
    whole = _paths_agree(path, 0.0)
    assert [w[1] for w in whole] == pytest.approx([p / 1000 for p in pts], abs=1e-9)
    assert [w[0] for w in whole] == list(range(len(pts)))
    kept = _paths_agree(path, 20.0)
    # the first frame of each 50 ms cell of the time axis
    cells = np.floor(np.asarray(pts) / 50 + 1e-6)
    first = [i for i in range(len(pts)) if i == 0 or cells[i] > cells[i - 1]]
    assert [w[0] for w in kept] == first


def test_frames_follow_a_changing_size_and_decode_alike_without_threads(make_video):
    path = make_video("s.mp4", n=12, size=(128, 96))
    sides = iter([128, 128, 64, 64, 64, 32] + [32] * 6)
    sized = [f.image.shape for f in iter_frames(path, max_side=lambda: next(sides))]
    assert sized[:2] == [(96, 128, 3)] * 2
    assert sized[2:5] == [(48, 64, 3)] * 3
    assert sized[5] == (24, 32, 3)
    threaded = [f.image for f in iter_frames(path, max_side=64)]
    single = [f.image for f in iter_frames(path, max_side=64, threads=False)]
    assert all(np.array_equal(a, b) for a, b in zip(threaded, single, strict=True))


@pytest.mark.parametrize("shrink", [2, 1.5])
def test_a_yuv420p_frame_scaled_plane_by_plane_matches_converting_at_full_size(shrink):
    import cv2

    from armcarriage.video.frames import _rgb

    rng = np.random.default_rng(3)
    rgb = cv2.GaussianBlur((rng.random((480, 640, 3)) * 255).astype(np.uint8), (21, 21), 6)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    size = (int(640 / shrink), int(480 / shrink))
    method = cv2.INTER_AREA if shrink >= 2 else cv2.INTER_LINEAR
    full = cv2.resize(frame.to_ndarray(format="rgb24"), size, interpolation=method).astype(int)
    fast = _rgb(frame, size, None, threads=False)
    assert fast.shape == (size[1], size[0], 3) and fast.dtype == np.uint8
    diff = np.abs(fast.astype(int) - full)
    assert diff.mean() < 1.5 and np.percentile(diff, 99) <= 4, (diff.mean(), diff.max())
    # a full-range frame is converted by swscale first, as before
    frame.color_range = 2
    ref = cv2.resize(frame.to_ndarray(format="rgb24"), size, interpolation=method)
    assert np.array_equal(_rgb(frame, size, None, threads=False), ref)
