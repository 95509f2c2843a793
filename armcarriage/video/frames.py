"""Streaming a clip's frames one at a time, upright, with their true timestamps."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from armcarriage.config import Config
from armcarriage.errors import VideoError
from armcarriage.video.probe import VideoInfo, _open, probe_video

log = logging.getLogger(__name__)


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
    max_side: int | Callable[[], int] = 0,
    interpolation: str | None = None,
    stats: DecodeStats | None = None,
    threads: bool = True,
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
        pixels (aspect ratio kept; see :func:`scaled_size`). A callable is asked
        before each frame (the pose stage shrinks frames once it knows how tall
        the runner is).
    interpolation
        swscale algorithm used when scaling (``"AREA"``, ``"BILINEAR"``, ...);
        None keeps PyAV's default (bilinear). Area averaging is the cheaper
        and sharper choice for a large reduction.
    stats
        If given, filled in with decode counts, dropped frames and errors.
    threads
        Let the decoder and the scaling use threads. A caller that already keeps
        every core busy with one process per core turns them off: each thread then
        only adds hand-over costs (and the decoder's frame buffers, tens of MB).

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
    side_now = max_side if callable(max_side) else lambda: max_side
    with closing(
        decode_frames(
            path,
            config,
            info=info,
            target_fps=target_fps,
            start_s=start_s,
            stop_s=stop_s,
            stats=stats,
            threads=threads,
        )
    ) as frames:
        for index, t, frame in frames:
            try:
                size = scaled_size(info.coded_width, info.coded_height, side_now())
                image = _rgb(frame, size, interpolation, threads)
            except av.error.FFmpegError as exc:
                stats.errors += 1
                stats.error_message = str(exc)
                break
            stats.yielded += 1
            yield Frame(index=index, time=t, image=upright(image, info.rotation))


_FULL_RANGE = 2
"""``AVCOL_RANGE_JPEG``: a frame whose levels span 0-255."""


def _rgb(
    frame: av.VideoFrame, size: tuple[int, int], interpolation: str | None, threads: bool = True
) -> np.ndarray:
    """Convert a decoded frame to RGB at ``size`` (width, height).

    Scaling down, OpenCV resizes (bilinear below a factor of 2, pixel-area averaging
    from 2 on), several times cheaper than swscale's scaling. A yuv420p frame (what
    phones and most encoders store) is resized plane by plane and converted to RGB at
    the small size, a fraction of the cost of converting at full size
    (benchmarks/results/throughput.json); other pixel formats are converted first.
    ``interpolation`` names a swscale method instead. Without ``threads`` OpenCV
    works in the calling thread (its thread count is put back).
    """
    if (frame.width, frame.height) == size or interpolation is not None:
        return frame.to_ndarray(
            format="rgb24", width=size[0], height=size[1], interpolation=interpolation
        )
    import cv2

    shrink = frame.width / max(size[0], 1)
    method = cv2.INTER_AREA if shrink >= 2.0 else cv2.INTER_LINEAR
    was = cv2.getNumThreads()
    if not threads:
        cv2.setNumThreads(1)
    try:
        if _planar_420(frame, size):
            return _rgb_from_planes(frame, size, method)
        return np.asarray(cv2.resize(frame.to_ndarray(format="rgb24"), size, interpolation=method))
    finally:
        if not threads:
            cv2.setNumThreads(was)


def _planar_420(frame: av.VideoFrame, size: tuple[int, int]) -> bool:
    """Whether the frame can be scaled plane by plane: 8-bit yuv420p, even sizes.

    Not a frame flagged full range (JPEG levels), which swscale converts with its own
    levels.
    """
    return (
        frame.format.name == "yuv420p"
        and frame.color_range != _FULL_RANGE
        and frame.width % 2 == 0
        and frame.height % 2 == 0
        and size[0] % 2 == 0
        and size[1] % 2 == 0
    )


def _rgb_from_planes(frame: av.VideoFrame, size: tuple[int, int], method: int) -> np.ndarray:
    """Scale a yuv420p frame's three planes to ``size`` and convert them to RGB there.

    The conversion is OpenCV's BT.601 limited-range one, as PyAV's conversion to rgb24
    (which does not follow a frame's colour-space tag either).
    """
    import cv2

    w, h = size
    fw, fh = frame.width, frame.height
    flat = frame.to_ndarray(format="yuv420p").ravel()  # Y, then U and V, each packed
    n, c = fw * fh, (fw // 2) * (fh // 2)
    y = cv2.resize(flat[:n].reshape(fh, fw), (w, h), interpolation=method)
    u, v = (
        cv2.resize(
            flat[a : a + c].reshape(fh // 2, fw // 2), (w // 2, h // 2), interpolation=method
        )
        for a in (n, n + c)
    )
    i420 = np.concatenate((y.ravel(), u.ravel(), v.ravel())).reshape(h * 3 // 2, w)
    return np.asarray(cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420))


def decode_frames(
    path: str | Path,
    config: Config | None = None,
    *,
    info: VideoInfo | None = None,
    target_fps: float = 0.0,
    start_s: float = 0.0,
    stop_s: float | None = None,
    stats: DecodeStats | None = None,
    threads: bool = True,
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
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO" if threads else "NONE"
        start_pts = int(stream.start_time or 0)
        seeked = bool(start_s > 0 and stream.time_base)
        if seeked:
            target = start_pts + int(start_s / stream.time_base)
            container.seek(target, stream=stream, backward=True)
        clock = _Clock(path, info.fps, start_pts, seeked, start_s, stop_s, target_fps, stats)
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
                    t = clock.place(frame)
                    if t is None:
                        continue
                    if t == math.inf:
                        return
                    yield clock.index, t, frame
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


class _Clock:
    """Indices and times of decoded frames: increasing times, the span asked for, decimation."""

    def __init__(
        self,
        path: Path,
        fps: float,
        start_pts: int,
        seeked: bool,
        start_s: float,
        stop_s: float | None,
        target_fps: float,
        stats: DecodeStats,
    ) -> None:
        self.path, self.fps, self.start_pts, self.seeked = path, fps, start_pts, seeked
        self.start_s, self.stop_s, self.target_fps, self.stats = start_s, stop_s, target_fps, stats
        self.decimating = bool(target_fps and target_fps < fps * 0.999)
        self.index = -1
        self.last_time = -math.inf
        self.last_cell = -math.inf

    def place(self, frame: av.VideoFrame) -> float | None:
        """Count a decoded frame; return its time to keep it, None to skip it, inf to stop."""
        if self.index < 0 and self.seeked:
            # After a seek the decode count restarts at a key frame: its
            # index is the number of the stream's frames shown before it.
            self.index = _frames_before(self.path, frame.pts) - 1
        self.index += 1
        self.stats.decoded += 1
        t = frame_time(frame.pts, frame.time_base, self.start_pts, self.index, self.fps)
        if t <= self.last_time:
            self.stats.dropped_non_increasing += 1
            return None
        self.last_time = t
        if t < self.start_s - 1e-9:
            return None
        if self.stop_s is not None and t >= self.stop_s:
            return math.inf
        if self.decimating:
            cell = time_cell(t, self.target_fps)
            if cell <= self.last_cell:
                return None
            self.last_cell = cell
        return t


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
