"""Shared fixtures: the shared data folder and small videos made on the fly."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHARED_VIDEOS = SHARED / "videos"


def shared_file(*parts: str) -> Path:
    """Return a file of ../shared/data, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found: {path} (CI provides ../shared/data)")
    return path


def write_video(
    path: Path,
    frames: Sequence[np.ndarray] | None = None,
    *,
    n: int = 20,
    size: tuple[int, int] = (64, 48),
    codec: str = "libx264",
    fps: int = 30,
    pts_ms: Sequence[int] | None = None,
    rotation: float | None = None,
    faststart: bool = False,
    gop: int = 10,
    fmt: str | None = None,
) -> Path:
    """Encode a small test video.

    Each default frame is black with a white block in the top-left quarter, so
    orientation can be checked after decoding.
    """
    w, h = size
    if frames is None:
        frames = []
        for i in range(n):
            img = np.zeros((h, w, 3), np.uint8)
            img[: h // 4, : w // 4] = 255
            img[-2:, : (i * w) // max(n, 1)] = 128  # changes every frame
            frames.append(img)
    opts = {"movflags": "+faststart"} if faststart else {}
    container = av.open(str(path), "w", format=fmt, options=opts)
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
    stream.options = {"g": str(gop)}
    if pts_ms is not None:
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
    if rotation is not None:
        stream.set_display_rotation(rotation)
    for i, img in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        if pts_ms is not None:
            frame.pts = int(pts_ms[i])
            frame.time_base = Fraction(1, 1000)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Return ``make(name, **kwargs)`` writing a small video under tmp_path."""

    def make(name: str = "clip.mp4", **kwargs: object) -> Path:
        return write_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real Chromium for the module's browser tests (:mod:`chromium`)."""
    from chromium import chromium

    with chromium() as b:
        yield b
