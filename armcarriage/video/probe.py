"""Probing a clip: its metadata, rotation and capture rate, checked against the limits."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av

from armcarriage.config import Config, VideoConfig
from armcarriage.errors import VideoError

_IMAGE_CODECS = frozenset(
    {"png", "mjpeg", "jpegls", "bmp", "tiff", "webp", "gif", "jpeg2000", "qoi"}
)
"""Codecs of still pictures: one frame of these is a photo, not a clip."""


def is_still_image(container_format: str, codec: str, frames: int) -> bool:
    """Return True for a still picture given as a video.

    An image demuxer, or one frame of a picture codec: the video reader and the web upload
    refuse it alike.
    """
    image_demuxer = container_format.endswith("_pipe") or container_format in (
        "image2",
        "gif",
        "webp",
    )
    return image_demuxer or (codec in _IMAGE_CODECS and frames <= 1)


@dataclass(frozen=True)
class VideoInfo:
    """What a clip is, as read from its container before decoding.

    ``width`` and ``height`` are those of the upright frame (after rotation).
    """

    path: str
    width: int
    height: int
    fps: float
    """Nominal frame rate (the stream's average rate)."""
    duration_s: float
    frames: int
    """Frame count declared by the container, or estimated from duration x fps."""
    rotation: int
    """Clockwise rotation (0, 90, 180, 270) applied to display the frame upright."""
    codec: str
    container: str
    coded_width: int
    coded_height: int
    capture_fps: float = 0.0
    """Capture rate from the container's tags (``video.capture_fps_tags``), 0 when none
    differs from ``fps``: a slow-motion clip filmed at 240 fps and played at 30 says 240."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict."""
        return asdict(self)


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise VideoError(f"{path}: file not found")
    if not path.is_file():
        raise VideoError(f"{path}: expected a video file, got a directory or special file")
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: the file is empty (0 bytes), expected a video")
    try:
        return av.open(str(path), mode="r")
    except av.error.EOFError:
        raise VideoError(
            f"{path}: zero frames: the file ends before its first video frame "
            f"(expected at least 1 frame; the file is empty or truncated)"
        ) from None
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        boxes = _mp4_top_boxes(path)
        if boxes and boxes[0] == "ftyp" and "moov" not in boxes:
            raise VideoError(
                f"{path}: truncated MP4/MOV: the file has no index ('moov' box; found "
                f"{', '.join(boxes)}), so no frame can be located; the recording or copy was "
                f"probably interrupted"
            ) from None
        raise VideoError(
            f"{path}: not a readable video (expected a container such as mp4/mov/mkv/webm; "
            f"the decoder said: {exc})"
        ) from None


def _mp4_top_boxes(path: Path, limit: int = 64) -> list[str]:
    """Names of the top-level boxes of an MP4/MOV file (empty if not one)."""
    names: list[str] = []
    size_total = path.stat().st_size
    with path.open("rb") as fh:
        pos = 0
        while pos + 8 <= size_total and len(names) < limit:
            fh.seek(pos)
            head = fh.read(16)
            size = int.from_bytes(head[:4], "big")
            kind = head[4:8]
            if not kind.isascii() or not kind.decode("ascii", "replace").isprintable():
                break
            if size == 1 and len(head) >= 16:
                size = int.from_bytes(head[8:16], "big")
            elif size == 0:
                size = size_total - pos
            if size < 8:
                break
            names.append(kind.decode("ascii"))
            pos += size
    return names


def _rotation(stream: av.video.stream.VideoStream) -> int:
    """Clockwise rotation from a legacy ``rotate`` tag (0 if none)."""
    tag = stream.metadata.get("rotate")
    if tag is not None:
        try:
            return int(float(tag)) % 360
        except ValueError:
            return 0
    return 0


def _frame_rotation(frame: av.VideoFrame) -> int:
    """Clockwise degrees to rotate ``frame`` upright, from its display matrix."""
    # PyAV reports the display matrix angle counter-clockwise, as FFmpeg does.
    angle = getattr(frame, "rotation", 0) or 0
    return int(round(-angle)) % 360


def probe_video(path: str | os.PathLike[str], config: Config | None = None) -> VideoInfo:
    """Read a clip's metadata and check it against the configured limits.

    The first frame is decoded to read the display rotation, which phones
    store as a display matrix.

    Parameters
    ----------
    path
        The video file.
    config
        Limits come from ``config.video``.

    Returns
    -------
    VideoInfo

    Raises
    ------
    VideoError
        Naming the file and what was wrong: missing, not a video, no video
        stream, no decodable frame, or dimensions/frames/duration beyond the
        limits.

    """
    path = Path(path)
    limits = (config or Config()).video
    with _open(path) as container:
        if not container.streams.video:
            raise VideoError(
                f"{path}: no video stream with frames (expected a video; the container holds "
                f"{len(container.streams)} other stream(s) and 0 video frames)"
            )
        stream = container.streams.video[0]
        cc = stream.codec_context
        fps, duration, frames = _timing(container, stream)
        if cc is None:  # no sample description, or a codec FFmpeg does not know
            raise VideoError(
                f"{path}: the video stream names no codec that can be decoded (expected e.g. "
                f"H.264/HEVC/VP9; the header describing the stream is missing or damaged)"
            )
        kind, codec = container.format.name, cc.name
        if is_still_image(kind, codec, frames):
            raise VideoError(
                f"{path}: a still image ({kind}, {codec}), not a video (expected a clip "
                f"of many frames in a container such as mp4/mov/mkv/webm)"
            )
        rotation = _first_rotation(path, container, stream)
        w, h = int(cc.width), int(cc.height)
        dw, dh = (h, w) if rotation in (90, 270) else (w, h)
        capture = tagged_capture_fps(
            {**dict(container.metadata), **dict(stream.metadata)}, fps, limits
        )
        info = VideoInfo(
            path=str(path),
            width=dw,
            height=dh,
            fps=fps,
            duration_s=duration,
            frames=frames,
            rotation=rotation,
            codec=cc.name,
            container=container.format.name,
            coded_width=w,
            coded_height=h,
            capture_fps=capture,
        )
    check_limits(info, limits)
    return info


def _timing(container: Any, stream: Any) -> tuple[float, float, int]:
    """Return a stream's frame rate, duration (s) and frame count from its headers."""
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    else:
        duration = 0.0
    frames = int(stream.frames or 0) or (int(round(duration * fps)) if fps else 0)
    return fps, duration, frames


def _first_rotation(path: Path, container: Any, stream: Any) -> int:
    """Decode the first frame and return its rotation (else the stream's), clockwise degrees."""
    rotation = None
    try:
        for frame in container.decode(stream):
            rotation = _frame_rotation(frame)
            break
    except av.error.FFmpegError as exc:
        raise VideoError(f"{path}: the video stream cannot be decoded ({exc})") from None
    if rotation is None:
        raise VideoError(f"{path}: zero frames could be decoded (expected at least 1)")
    return rotation or _rotation(stream)


def tagged_capture_fps(tags: dict[str, str], fps: float, limits: VideoConfig) -> float:
    """Return the capture rate a clip's metadata declares, 0 when none or equal to ``fps``.

    Keys ending (any case) in one of ``limits.capture_fps_tags`` count: Android's
    ``com.android.capture.fps`` (240 on a slow-motion clip played at 30 fps). A
    tag within ``limits.capture_fps_tolerance`` of the playback rate means real
    time. Phones that keep the high rate in the stream itself (an iPhone's
    slow-motion original: 240 fps timestamps, slowed only by the player, as
    ``com.apple.quicktime.full-frame-rate-playback-intent`` = 0 says) need no
    rescaling: their timestamps are real time.
    """
    ends = [e.strip().lower() for e in limits.capture_fps_tags.split(",") if e.strip()]
    for key, value in tags.items():
        if not any(str(key).lower().endswith(e) for e in ends):
            continue
        try:
            rate = float(str(value).strip())
        except ValueError:
            continue
        if (
            math.isfinite(rate)
            and 0 < rate <= 10_000
            and (fps <= 0 or abs(rate / fps - 1.0) > limits.capture_fps_tolerance)
        ):
            return rate
    return 0.0


def check_limits(info: VideoInfo, limits: VideoConfig) -> None:
    """Raise :class:`VideoError` if ``info`` exceeds the configured limits."""
    p = info.path
    if info.width <= 0 or info.height <= 0:
        raise VideoError(f"{p}: frame size {info.width}x{info.height} is not a valid picture size")
    if info.width > limits.max_width or info.height > limits.max_height:
        raise VideoError(
            f"{p}: frame size {info.width}x{info.height} exceeds the limit "
            f"{limits.max_width}x{limits.max_height} (video.max_width / video.max_height)"
        )
    if info.frames > limits.max_frames:
        raise VideoError(
            f"{p}: {info.frames} frames exceed the limit of {limits.max_frames} (video.max_frames)"
        )
    if info.duration_s > limits.max_duration_s:
        raise VideoError(
            f"{p}: duration {info.duration_s:.1f} s exceeds the limit of "
            f"{limits.max_duration_s:.1f} s (video.max_duration_s)"
        )
    if not math.isfinite(info.fps) or info.fps <= 0 or info.fps > 1000:
        raise VideoError(f"{p}: frame rate {info.fps!r} is not usable (expected 1-1000 fps)")
