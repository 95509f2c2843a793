"""Write frames to an H.264 (yuv420p) mp4 with PyAV."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from armcarriage.atomic import atomic_path


def write_mp4(
    frames: Iterable[np.ndarray],
    path: str | Path,
    fps: float,
    *,
    crf: int = 23,
    preset: str = "medium",
) -> Path:
    """Encode RGB frames as H.264 in an mp4 container, atomically.

    Parameters
    ----------
    frames
        uint8 arrays (H, W, 3); H and W must be even (yuv420p).
    path
        Target ``.mp4`` file.
    fps
        Frame rate; non-integer rates are kept as an exact fraction (1/1000 s).
    crf
        x264 constant rate factor (lower = larger, better).
    preset
        x264 speed preset.

    Returns
    -------
    Path
        The written file.

    """
    path = Path(path)
    rate = Fraction(round(fps * 1000), 1000).limit_denominator(1001)
    with atomic_path(path) as tmp:
        with av.open(tmp, mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=rate)
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(crf), "preset": preset}
            started = False
            for img in frames:
                if not started:
                    h, w = img.shape[:2]
                    if h % 2 or w % 2:
                        raise ValueError(f"frame size {w}x{h}: expected even width and height")
                    stream.width, stream.height = w, h
                    started = True
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
            if not started:
                raise ValueError(f"{path}: expected at least one frame, got none")
            for packet in stream.encode():
                container.mux(packet)
    return path


__all__ = ["write_mp4"]
