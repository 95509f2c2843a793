"""Hostile inputs found by benchmarks/fuzz_videos.py: each must be refused with exit 2."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from armcarriage.cli import main
from armcarriage.errors import VideoError
from armcarriage.video import probe_video


def _still(path: Path, codec: str) -> Path:
    ctx = av.CodecContext.create(codec, "w")
    ctx.width, ctx.height = 64, 48
    ctx.pix_fmt = {"png": "rgb24", "mjpeg": "yuvj420p"}[codec]
    ctx.time_base = Fraction(1, 1)
    image = np.zeros((48, 64, 3), np.uint8)
    image[10:30, 20:40] = 200
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=ctx.pix_fmt)
    path.write_bytes(b"".join(bytes(p) for p in [*ctx.encode(frame), *ctx.encode()]))
    return path


def _clip(path: Path, codec: str, frames: int, pix_fmt: str = "yuv420p") -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=12)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = pix_fmt
        for i in range(frames):
            image = np.full((48, 64, 3), 10 * i, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.mark.parametrize("codec, label", [("png", "png"), ("mjpeg", "jpeg")])
def test_still_image_named_mp4_is_refused(tmp_path, codec, label):
    path = _still(tmp_path / f"{label}_photo.mp4", codec)
    with pytest.raises(VideoError, match=r"_photo\.mp4: a still image \(.*\), not a video"):
        probe_video(path)


def test_still_image_exits_2_naming_the_file(tmp_path, capsys):
    path = _still(tmp_path / "holiday.mp4", "png")
    code = main(["analyze", str(path), "-o", str(tmp_path / "out"), "--max-seconds", "2"])
    err = capsys.readouterr().err
    assert code == 2
    assert "holiday.mp4: a still image (png_pipe, png), not a video" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "summary.json").exists()


def test_one_frame_clip_and_mjpeg_clip_are_still_videos(tmp_path):
    one = probe_video(_clip(tmp_path / "one.mp4", "libx264", 1))
    assert (one.frames, one.codec) == (1, "h264")
    mjpeg = probe_video(_clip(tmp_path / "m.avi", "mjpeg", 6, "yuvj420p"))
    assert (mjpeg.frames, mjpeg.codec, mjpeg.width) == (6, "mjpeg", 64)


def test_mp4_without_sample_description_is_refused(tmp_path, capsys):
    data = _clip(tmp_path / "ok.mp4", "libx264", 6).read_bytes()
    at = data.index(b"stsd")
    path = tmp_path / "no_stsd.mp4"
    path.write_bytes(data[:at] + b"free" + data[at + 4 :])  # the 'stsd' box dropped
    with pytest.raises(VideoError, match=r"no_stsd\.mp4: the video stream names no codec"):
        probe_video(path)
    code = main(["analyze", str(path), "-o", str(tmp_path / "out"), "--max-seconds", "2"])
    assert code == 2
    assert "internal error" not in capsys.readouterr().err
