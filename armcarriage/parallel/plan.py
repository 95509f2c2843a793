"""Planning: the worker count, the overlapping time chunks and the decimation grid."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from armcarriage.config import Config
from armcarriage.parallel.early import resolve_workers as resolve_workers
from armcarriage.video import (
    Frame,
    VideoInfo,
    time_cell,
)


# ---------------------------------------------------------------- planning
@dataclass(frozen=True)
class Chunk:
    """One piece of the clip given to a worker.

    The worker decodes ``[start_s, stop_s)``; it owns ``[own_start_s,
    own_stop_s)`` (a partition of the clip used for decode counts); the part
    ``[start_s, own_start_s)`` is the overlap with the previous chunk.
    """

    index: int
    start_s: float
    own_start_s: float
    own_stop_s: float | None
    stop_s: float | None


def plan_chunks(
    span_s: float,
    *,
    workers: int,
    chunk_s: float,
    overlap_s: float,
    min_chunk_s: float,
    grid_s: float = 0.0,
) -> list[Chunk]:
    """Split ``[0, span_s)`` into overlapping chunks.

    Chunks are at most ``chunk_s`` long; a clip that would give fewer chunks
    than workers is split into as many chunks of at least ``min_chunk_s`` as
    there are workers, and the count is rounded up to a multiple of the worker
    count so that no worker idles in the last round.

    Parameters
    ----------
    span_s
        Duration to analyse, seconds.
    workers
        Worker processes.
    chunk_s
        Longest chunk, seconds.
    overlap_s
        Overlap with the previous chunk, seconds.
    min_chunk_s
        Shortest chunk worth a process of its own, seconds.
    grid_s
        If > 0, chunk boundaries are put on multiples of this (the decimation
        grid), so every chunk keeps the same frames as one pass would.

    Returns
    -------
    list of Chunk
        One chunk (the whole span) when splitting does not pay.

    """
    if span_s <= 0 or not math.isfinite(span_s):
        return [Chunk(0, 0.0, 0.0, None, None)]
    n = max(1, math.ceil(span_s / max(chunk_s, 1e-3)))
    if workers > 1:
        n = max(n, min(workers, int(span_s // max(min_chunk_s, 1e-3))))
        if n > 1:
            n = workers * math.ceil(n / workers)
            n = min(n, max(1, int(span_s // max(min_chunk_s, 1e-3))))
    if n <= 1:
        return [Chunk(0, 0.0, 0.0, None, None)]
    bounds = [span_s * k / n for k in range(n + 1)]
    if grid_s > 0:
        bounds = [math.floor(b / grid_s) * grid_s for b in bounds]
    chunks = []
    for k in range(n):
        own_start = bounds[k]
        start = 0.0 if k == 0 else max(0.0, own_start - overlap_s)
        if grid_s > 0:
            start = math.floor(start / grid_s + 1e-9) * grid_s
        own_stop = None if k == n - 1 else bounds[k + 1]
        chunks.append(Chunk(k, start, own_start, own_stop, own_stop))
    return chunks


def decimate(frames: Iterable[Frame], target_fps: float, fps: float) -> Iterator[Frame]:
    """Keep the first frame of each ``1 / target_fps`` cell of the time axis.

    The cells are those of :func:`armcarriage.video.time_cell` (anchored at
    t = 0), the rule :func:`armcarriage.video.iter_frames` decimates by, so a
    chunk keeps the same frames as a pass over the whole clip and as the
    sequential reader, at any frame rate.

    Parameters
    ----------
    frames
        Frames with increasing timestamps.
    target_fps
        Frames kept per second at most; 0, or not below ``fps``, keeps all.
    fps
        The clip's nominal frame rate.

    Yields
    ------
    Frame

    """
    if not target_fps or target_fps >= fps * 0.999:
        yield from frames
        return
    last_cell = -math.inf
    for frame in frames:
        cell = time_cell(frame.time, target_fps)
        if cell > last_cell:
            last_cell = cell
            yield frame


# ------------------------------------------------------------------ driver
def analysed_span(info: VideoInfo, config: Config) -> float:
    """Seconds of the clip the pose stage covers."""
    span = info.duration_s if info.duration_s > 0 else info.frames / max(info.fps, 1e-6)
    if config.pose.max_seconds > 0:
        span = min(span, config.pose.max_seconds)
    return span
