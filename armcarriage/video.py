"""Video input on PyAV: probe a clip, then stream its frames one at a time.

Frames come out upright (rotation metadata applied), as RGB ``uint8`` arrays,
each with its true timestamp from the container's pts, strictly increasing.
Memory does not grow with the clip: one decoded frame is held at a time.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from armcarriage.config import Config, VideoConfig
from armcarriage.errors import VideoError

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame."""

    index: int
    """Position of the frame in the clip (0-based, counting every frame). After a
    seek (``start_s > 0``) it is recovered from the timestamp and the nominal fps."""
    time: float
    """Presentation time in seconds from the container's pts."""
    image: np.ndarray
    """RGB image, shape (height, width, 3), ``uint8``."""


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
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        frames = int(stream.frames or 0) or (int(round(duration * fps)) if fps else 0)
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
        rotation = None
        try:
            for frame in container.decode(stream):
                rotation = _frame_rotation(frame)
                break
        except av.error.FFmpegError as exc:
            raise VideoError(f"{path}: the video stream cannot be decoded ({exc})") from None
        if rotation is None:
            raise VideoError(f"{path}: zero frames could be decoded (expected at least 1)")
        if not rotation:
            rotation = _rotation(stream)
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


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate an image (H, W, ...) clockwise by ``rotation`` degrees (0, 90, 180, 270)."""
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(image, k=-1))
    if rotation == 180:
        return np.ascontiguousarray(image[::-1, ::-1])
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(image, k=1))
    return image


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Frame size after scaling down so the longer side is at most ``max_side``.

    Parameters
    ----------
    width, height
        Frame size in pixels.
    max_side
        Longest side allowed; 0 or less (or a frame already small enough) keeps the size.

    Returns
    -------
    tuple of int
        ``(width, height)``; a scaled size is rounded to even numbers (as
        yuv420p needs) and keeps the aspect ratio. The rule is symmetric, so
        the scaled size of a rotated frame is the rotated scaled size.

    """
    if max_side > 0 and max(width, height) > max_side:
        scale = max_side / max(width, height)
        width = max(2, int(round(width * scale / 2)) * 2)
        height = max(2, int(round(height * scale / 2)) * 2)
    return width, height


@dataclass
class DecodeStats:
    """What happened while decoding: filled in as frames stream out."""

    decoded: int = 0
    yielded: int = 0
    dropped_non_increasing: int = 0
    errors: int = 0
    error_message: str = ""
    expected: int = 0
    whole_clip: bool = False
    """True when the whole clip was read, so a short count means lost frames."""

    @property
    def lost(self) -> int:
        """Frames the container declared but that could not be decoded."""
        if self.errors or self.whole_clip:
            return max(0, self.expected - self.decoded)
        return 0


def iter_frames(
    path: str | Path,
    config: Config | None = None,
    *,
    info: VideoInfo | None = None,
    target_fps: float = 0.0,
    start_s: float = 0.0,
    stop_s: float | None = None,
    max_side: int = 0,
    interpolation: str | None = None,
    stats: DecodeStats | None = None,
) -> Iterator[Frame]:
    """Stream the upright frames of a clip with their true timestamps.

    Parameters
    ----------
    path
        The video file.
    config
        Limits come from ``config.video``.
    info
        The clip's :class:`VideoInfo` if already probed.
    target_fps
        Keep at most this many frames per second of video (0 = every frame);
        kept frames keep their own timestamps.
    start_s, stop_s
        Yield only frames with ``start_s <= time < stop_s``. Decoding seeks to
        the key frame before ``start_s``.
    max_side
        If > 0, scale frames down so their longer side is at most this many
        pixels (aspect ratio kept; see :func:`scaled_size`).
    interpolation
        swscale algorithm used when scaling (``"AREA"``, ``"BILINEAR"``, ...);
        None keeps PyAV's default (bilinear). Area averaging is the cheaper
        and sharper choice for a large reduction.
    stats
        If given, filled in with decode counts, dropped frames and errors.

    Yields
    ------
    Frame
        Timestamps strictly increase; a frame whose pts does not advance is
        dropped (counted in ``stats``).

    Raises
    ------
    VideoError
        If the file cannot be opened or no frame at all can be decoded. A
        stream that breaks part-way yields what was readable and logs a
        warning with how much was lost.

    """
    path = Path(path)
    info = info or probe_video(path, config)
    stats = stats if stats is not None else DecodeStats()
    out_w, out_h = scaled_size(info.coded_width, info.coded_height, max_side)
    with closing(
        decode_frames(
            path,
            config,
            info=info,
            target_fps=target_fps,
            start_s=start_s,
            stop_s=stop_s,
            stats=stats,
        )
    ) as frames:
        for index, t, frame in frames:
            try:
                image = frame.to_ndarray(
                    format="rgb24", width=out_w, height=out_h, interpolation=interpolation
                )
            except av.error.FFmpegError as exc:
                stats.errors += 1
                stats.error_message = str(exc)
                break
            stats.yielded += 1
            yield Frame(index=index, time=t, image=upright(image, info.rotation))


def decode_frames(
    path: str | Path,
    config: Config | None = None,
    *,
    info: VideoInfo | None = None,
    target_fps: float = 0.0,
    start_s: float = 0.0,
    stop_s: float | None = None,
    stats: DecodeStats | None = None,
) -> Generator[tuple[int, float, av.VideoFrame], None, None]:
    """Stream the decoded frames of a clip as they come from the decoder.

    The frames that :func:`iter_frames` yields, before conversion: for callers
    that convert (or scale) frames themselves, e.g. straight to the pixel format
    of an encoder. The parameters are those of :func:`iter_frames`.

    Yields
    ------
    index, time, frame
        Frame position in the clip, presentation time (s, strictly increasing)
        and the decoded :class:`av.VideoFrame`, as stored (not rotated upright:
        ``info.rotation`` says how). ``stats.yielded`` is left to the caller.

    Raises
    ------
    VideoError
        As :func:`iter_frames`.

    """
    path = Path(path)
    info = info or probe_video(path, config)
    stats = stats if stats is not None else DecodeStats()
    stats.expected = info.frames
    stats.whole_clip = start_s <= 0 and stop_s is None
    decimating = bool(target_fps and target_fps < info.fps * 0.999)
    last_cell = -math.inf
    last_time = -math.inf
    index = -1
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start_pts = int(stream.start_time or 0)
        seeked = bool(start_s > 0 and stream.time_base)
        if seeked:
            target = start_pts + int(start_s / stream.time_base)
            container.seek(target, stream=stream, backward=True)
        abandoned = False
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError as exc:
                    stats.errors += 1
                    stats.error_message = str(exc)
                    continue
                for frame in frames:
                    if index < 0 and seeked:
                        # After a seek the decode count restarts at a key frame: its
                        # index is the number of the stream's frames shown before it.
                        index = _frames_before(path, frame.pts) - 1
                    index += 1
                    stats.decoded += 1
                    t = frame_time(frame.pts, frame.time_base, start_pts, index, info.fps)
                    if t <= last_time:
                        stats.dropped_non_increasing += 1
                        continue
                    last_time = t
                    if t < start_s - 1e-9:
                        continue
                    if stop_s is not None and t >= stop_s:
                        return
                    if decimating:
                        cell = time_cell(t, target_fps)
                        if cell <= last_cell:
                            continue
                        last_cell = cell
                    yield index, t, frame
        except GeneratorExit:  # the caller stopped reading: nothing to report
            abandoned = True
            raise
        except av.error.FFmpegError as exc:
            stats.errors += 1
            stats.error_message = str(exc)
        finally:
            if not abandoned:
                _report(path, stats)
    if stats.decoded == 0:
        raise VideoError(
            f"{path}: zero frames could be decoded (expected at least 1; "
            f"decoder said: {stats.error_message or 'nothing'})"
        )


def frame_time(
    pts: int | None, time_base: Fraction | None, start_pts: int, index: int, fps: float
) -> float:
    """Return a frame's time (s): the one rule of every path that reads frames.

    The presentation timestamp less the stream's ``start_time`` (both in
    ``time_base`` units), so the first frame is at 0 whatever offset the
    container gives the stream; without a timestamp, ``index / fps``. The
    sequential reader, a read that seeks, the parallel pose chunks and the
    annotated video all time frames by it, and :func:`time_cell` decimates them
    on the same axis.
    """
    if pts is not None and time_base is not None:
        return float(Fraction(pts - start_pts) * time_base)
    return index / fps if fps else float(index)


def time_cell(t: float, target_fps: float) -> int:
    """Return the ``1 / target_fps`` cell of the time axis (anchored at 0) holding ``t``.

    Decimation keeps the first frame of each cell, so which frames are kept
    depends only on their own times: a read that starts part way (a seek, a
    parallel chunk) keeps the same frames as one pass over the clip.
    """
    return math.floor(t * target_fps + 1e-6)


def _frames_before(path: Path, pts: int | None) -> int:
    """Return how many of the stream's frames have a timestamp before ``pts`` (no decoding)."""
    if pts is None:
        return 0
    with _open(path) as container:
        stream = container.streams.video[0]
        return sum(
            1 for packet in container.demux(stream) if packet.pts is not None and packet.pts < pts
        )


def _report(path: Path, stats: DecodeStats) -> None:
    # One or two frames short of the declared count is normal rounding.
    if stats.errors or stats.lost > max(2, 0.01 * stats.expected):
        log.warning(
            "%s: the stream is damaged or truncated; decoded %d of %d declared frames (%d lost)%s",
            path,
            stats.decoded,
            stats.expected,
            stats.lost,
            f": {stats.error_message}" if stats.error_message else "",
        )
    if stats.dropped_non_increasing:
        log.warning(
            "%s: dropped %d frames whose timestamp did not advance",
            path,
            stats.dropped_non_increasing,
        )
