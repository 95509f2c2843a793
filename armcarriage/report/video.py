"""``annotated.mp4``: the clip with skeleton, elbow angles, midline, stride counter and cue.

Frames stream through one at a time (constant memory), decoded straight to
the output size (at most ``report.video_max_side`` on the longer side, 720p for
a 1080p clip). The output is H.264 in yuv420p with the moov atom first
(``movflags=+faststart``), so it plays in every browser and on phones, and it
has exactly as many frames as the input yields.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar, cast

import av
import numpy as np

from armcarriage.atomic import atomic_path
from armcarriage.config import Config
from armcarriage.cues import Cue
from armcarriage.report.overlay import Overlay
from armcarriage.video import (
    DecodeStats,
    VideoInfo,
    decode_frames,
    probe_video,
    scaled_size,
    upright,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

_PROGRESS_EVERY = 10
"""Frames between two progress reports of the annotated video."""


def rgb_view(frame: av.VideoFrame) -> np.ndarray:
    """Writable (H, W, 3) view of an ``rgb24`` frame's pixels (no copy).

    Parameters
    ----------
    frame
        A frame in ``rgb24``.

    Returns
    -------
    numpy.ndarray
        Shares memory with ``frame``: drawing on it draws on the frame.

    """
    if frame.format.name != "rgb24":
        raise ValueError(f"expected an rgb24 frame, got {frame.format.name}")
    plane = frame.planes[0]
    return np.ndarray(
        (plane.height, plane.width, 3),
        dtype=np.uint8,
        buffer=memoryview(plane),
        strides=(plane.line_size, 3, 1),
    )


def _rgb_frames(
    video_path: Path,
    config: Config,
    info: VideoInfo,
    size: tuple[int, int],
    stats: DecodeStats,
    start_s: float = 0.0,
    stop_s: float | None = None,
) -> Generator[tuple[float, av.VideoFrame], None, None]:
    """Decode a clip to upright ``rgb24`` frames of ``size`` (area-averaged when scaled).

    Yields ``(time, frame)``; the frames are the clip's, as :func:`decode_frames`
    keeps them (from ``start_s`` to ``stop_s`` when given).
    """
    width, height = size
    with closing(
        decode_frames(video_path, config, info=info, stats=stats, start_s=start_s, stop_s=stop_s)
    ) as frames:
        for _, t, decoded in frames:
            if info.rotation:
                coded = (height, width) if info.rotation in (90, 270) else (width, height)
                image = decoded.to_ndarray(
                    format="rgb24", width=coded[0], height=coded[1], interpolation="AREA"
                )
                yield t, av.VideoFrame.from_ndarray(upright(image, info.rotation), format="rgb24")
            else:
                # scaling and conversion in one swscale pass, into a frame the overlay
                # draws in and the encoder takes as it is
                yield (
                    t,
                    decoded.reformat(
                        width=width, height=height, format="rgb24", interpolation="AREA"
                    ),
                )


class _Failed:
    """An exception raised in :func:`prefetched`'s worker, passed to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def prefetched(items: Generator[T, None, None], depth: int) -> Generator[T, None, None]:
    """Yield the items of ``items``, produced up to ``depth`` ahead in a worker thread.

    Decoding and colour conversion run outside the GIL, so a worker thread keeps
    them going while the caller draws and encodes; on two cores this cut the
    annotated video's wall time by a fifth. An exception in the worker is raised
    in the caller; closing the generator (or an exception in the caller) stops
    the worker and closes ``items``.

    Parameters
    ----------
    items
        A generator; it is advanced and closed only in the worker thread.
    depth
        Items waiting at most (0 = no thread: ``items`` is iterated in the caller).

    Yields
    ------
    object
        The items of ``items``, in order.

    """
    if depth <= 0:
        with closing(items):
            yield from items
        return
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    quit = threading.Event()

    def put(item: object) -> bool:
        while not quit.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, which raises it)
            put(_Failed(exc))
        finally:
            items.close()

    worker = threading.Thread(target=work, name="annotated-video-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast("T", item)
    finally:
        quit.set()
        worker.join()


def _even(n: int) -> int:
    return max(2, n - n % 2)


def annotated_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Size of ``annotated.mp4`` for an upright clip of ``width`` x ``height``.

    Parameters
    ----------
    width, height
        Upright frame size of the clip.
    max_side
        ``report.video_max_side``: longest side allowed (0 = no limit).

    Returns
    -------
    tuple of int
        Even ``(width, height)`` (yuv420p needs even sizes), scaled down as
        :func:`armcarriage.video.scaled_size` scales the decoded frames.

    """
    w, h = scaled_size(width, height, max_side)
    return _even(w), _even(h)


def write_annotated_video(
    analysis: Any,
    video_path: Path,
    out_path: Path,
    config: Config,
    cues: Sequence[Cue],
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the annotated clip.

    Frames are decoded straight to the output size (``report.video_max_side``,
    area-averaged) in a second thread (``report.video_prefetch_frames`` ahead),
    annotated in place and encoded with x264 (``report.video_preset``,
    ``video_x264_params``, ``video_crf``, ``video_threads``).

    Parameters
    ----------
    analysis
        The analysis of ``video_path``.
    video_path
        The source clip.
    out_path
        Target ``.mp4``; written atomically.
    config
        Settings (video limits, ``config.report``).
    cues
        Cues shown, best first; the one whose fault is seen in the current
        stride is highlighted.
    progress
        Called as ``progress(frames_done, frames_expected)`` as frames are written.

    Returns
    -------
    Path
        ``out_path``.

    """
    rc = config.report
    info = probe_video(video_path, config)
    width, height = annotated_size(info.width, info.height, rc.video_max_side)
    overlay = Overlay(analysis, cues, width, height)
    rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    options = {"crf": str(rc.video_crf), "preset": rc.video_preset}
    if rc.video_x264_params:
        options["x264-params"] = rc.video_x264_params
    stats = DecodeStats()
    frames = _rgb_frames(video_path, config, info, (width, height), stats)
    with (
        atomic_path(out_path) as tmp,
        av.open(tmp, mode="w", format="mp4", options={"movflags": "+faststart"}) as out,
        closing(prefetched(frames, rc.video_prefetch_frames)) as ready,
    ):
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = options
        stream.codec_context.thread_count = rc.video_threads
        count = 0
        expected = max(1, info.frames)
        for t, vf in ready:
            if progress is not None and count % _PROGRESS_EVERY == 0:
                progress(count, max(expected, count))
            overlay.draw(rgb_view(vf), t)
            stats.yielded += 1
            vf.pts = count
            vf.time_base = 1 / rate
            # the encoder converts to yuv420p, with one swscale context for the clip
            for packet in stream.encode(vf):
                out.mux(packet)
            count += 1
        for packet in stream.encode():
            out.mux(packet)
    if progress is not None:
        progress(count, count)
    log.info("%s: %d frames annotated at %dx%d", out_path, count, width, height)
    return Path(out_path)
