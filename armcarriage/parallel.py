"""Pose estimation of one clip across worker processes.

The clip is cut into time chunks that overlap by ``pose.chunk_overlap_seconds``.
With ``pose.workers`` = N, N - 1 pool processes (``spawn``) and the calling
process each take the next chunk in time order. Each loads the pose model once
and streams its chunk's frames from the decoder to the model (the clip is never
held in memory; the parent keeps only the detections). Every chunk
starts cold, so the tracker re-acquires the people in view during the first
part of the overlap; the parent then stitches consecutive chunks at the overlap
frame where the two runs agree best (same people, same left/right labels, the
smallest landmark distance), so every frame comes from exactly one chunk. The
runner is chosen afterwards over the whole stitched clip with the
single-process :class:`~armcarriage.pose.RunnerSelector`, so the same person is
followed across chunks.

Frame decimation (``pose.target_fps``) keeps the first frame of each
``1 / target_fps`` time cell, with the cell grid anchored at t = 0 so chunks
agree on which frames are kept; kept frames keep their true timestamps.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import math
import multiprocessing as mp
import os
import queue as queue_mod
import time as time_mod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from armcarriage.config import Config
from armcarriage.memory import release_free_memory
from armcarriage.pose import _centre_and_torso
from armcarriage.silhouette import SILHOUETTE_FEATURES
from armcarriage.skeleton import KEYPOINTS, MIRROR_INDEX
from armcarriage.video import (
    DecodeStats,
    Frame,
    VideoInfo,
    iter_frames,
    probe_video,
    time_cell,
)

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

N_CHANNELS = 8
"""Per landmark: x, y (px), depth (px), visibility, presence, world x, y, z (m)."""

_PROGRESS_EVERY = 8


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


def resolve_workers(workers: int) -> int:
    """Return the number of worker processes: ``workers``, or the core count if 0.

    Parameters
    ----------
    workers
        Requested processes; 0 (or less) means one per core.

    Returns
    -------
    int
        At least 1.

    """
    if workers > 0:
        return workers
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


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


# ------------------------------------------------------------------ workers
@dataclass
class ChunkResult:
    """What a worker found in one chunk: every person, every frame."""

    index: int
    time: np.ndarray
    """(n,) seconds."""
    frame: np.ndarray
    """(n,) source frame indices."""
    cands: np.ndarray
    """(n, P, 33, 8) float32, NaN where fewer than P people were found; the
    channels are those of :data:`N_CHANNELS`."""
    present: np.ndarray
    """(n, P) bool."""
    decode: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    asked: int = 1
    """Poses per frame the model was asked for (``cands`` keeps as many slots as
    people were found in the chunk, at least one)."""
    sil: np.ndarray | None = None
    """(n, P, F) float32 silhouette numbers of each person
    (:data:`armcarriage.silhouette.SILHOUETTE_FEATURES`), or None without the mask."""

    def trimmed(self, start: float | None = None, stop: float | None = None) -> ChunkResult:
        """Return the frames with ``start <= time < stop``."""
        keep = np.ones(self.time.shape, bool)
        if start is not None:
            keep &= self.time >= start
        if stop is not None:
            keep &= self.time < stop
        return ChunkResult(
            self.index,
            self.time[keep],
            self.frame[keep],
            self.cands[keep],
            self.present[keep],
            self.decode,
            self.seconds,
            self.asked,
            None if self.sil is None else self.sil[keep],
        )


_WORKER: dict[str, Any] = {}


def _init_worker(progress_queue: Any, stop: Any) -> None:
    """Worker initializer: end with the parent; keep the progress queue and stop flag.

    Ctrl-C reaches the whole process group: the parent alone handles it and stops
    the chunks through the stop flag, so workers ignore it. The model loads on
    first use.
    """
    import signal

    from armcarriage.lifeline import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["queue"] = progress_queue
    _WORKER["stop"] = stop


def _estimator(config: Config, one_person: bool) -> Any:
    """Return this process's pose model, created once (again only if the settings change)."""
    est = _WORKER.get("estimator")
    if est is not None and (est.config.pose != config.pose or est.one_person != one_person):
        _close(_WORKER.pop("estimator"))
        est = None
    if est is None:
        from multiprocessing import util

        from armcarriage.pose import PoseEstimator

        est = PoseEstimator(config, one_person=one_person).__enter__()
        if mp.parent_process() is not None:  # a worker: close the model before exit
            util.Finalize(est, _close, args=(est,), exitpriority=10)
        _WORKER["estimator"] = est
    return est


def _close(est: Any) -> None:
    try:
        est.__exit__(None, None, None)
    except RuntimeError as exc:  # the model's runtime already shut down at exit
        log.debug("pose model closed at exit: %s", exc)


def _report(chunk: int, n: int) -> None:
    if not n:
        return
    hook = _WORKER.get("hook")
    if hook is not None:  # a chunk run in the parent process
        hook(chunk, n)
        return
    q = _WORKER.get("queue")
    if q is not None:
        q.put((chunk, n))


class Stopped(Exception):  # noqa: N818 - a request, not an error
    """The run this chunk belongs to was stopped (another chunk saw more people)."""


def run_chunk(
    video: str, info: VideoInfo, config: Config, chunk: Chunk, one_person: bool = False
) -> ChunkResult:
    """Run the pose model over one chunk (in a worker, or in-process).

    The model restarts at each chunk (:meth:`~armcarriage.pose.PoseEstimator.restart`),
    so it re-acquires the people in view from the chunk's first frame.

    Parameters
    ----------
    video
        The clip.
    info
        Its probed :class:`VideoInfo`.
    config
        Settings (``config.pose``).
    chunk
        The time range.
    one_person
        Track one pose and count the people in view (see :mod:`armcarriage.pose`).

    Returns
    -------
    ChunkResult

    Raises
    ------
    armcarriage.pose.MorePeopleInView
        In one-person tracking, when a count finds more than one person.
    Stopped
        When the run's stop flag is set (checked between frames).

    """
    t0 = time_mod.perf_counter()
    pc = config.pose
    est = _estimator(config, one_person)
    est.restart()
    # the closed landmarker's heap back to the OS: without it each process grew by
    # ~15 MB every few chunks (about 40 MB over a 10-minute clip)
    release_free_memory()
    stop = _WORKER.get("stop")
    stats = DecodeStats()
    raw = iter_frames(
        video,
        config,
        info=info,
        start_s=chunk.start_s,
        stop_s=chunk.stop_s,
        max_side=pc.max_side,
        stats=stats,
    )
    owned = 0
    times: list[float] = []
    index: list[int] = []
    rows: list[np.ndarray] = []
    pres: list[np.ndarray] = []
    sils: list[np.ndarray] = []
    n_poses = est.num_poses
    pending = 0

    def count_owned(frames: Iterable[Frame]) -> Iterator[Frame]:
        nonlocal owned
        for f in frames:
            if f.time >= chunk.own_start_s - 1e-9:
                owned += 1
            yield f

    for frame in decimate(count_owned(raw), pc.target_fps, info.fps):
        if stop is not None and stop.is_set():
            raise Stopped(f"chunk {chunk.index} stopped at {frame.time:.2f} s")
        found = est.detect(frame.image, frame.time, info.width, info.height)
        block = np.full((n_poses, len(KEYPOINTS), N_CHANNELS), np.nan, np.float32)
        here = np.zeros(n_poses, bool)
        sil = np.full((n_poses, len(SILHOUETTE_FEATURES)), np.nan, np.float32)
        for j, c in enumerate(found[:n_poses]):
            block[j, :, :5] = c.landmarks
            block[j, :, 5:] = c.world
            if c.silhouette is not None:
                sil[j] = c.silhouette
            here[j] = True
        rows.append(block)
        sils.append(sil)
        pres.append(here)
        times.append(frame.time)
        index.append(frame.index)
        pending += 1
        if pending >= _PROGRESS_EVERY:
            _report(chunk.index, pending)
            pending = 0
    _report(chunk.index, pending)
    cands, present, order = _compact(rows, pres, n_poses)
    return ChunkResult(
        chunk.index,
        np.asarray(times, float),
        np.asarray(index, np.int64),
        cands,
        present,
        decode={
            "decoded": owned,
            "dropped_non_increasing": stats.dropped_non_increasing,
            "errors": stats.errors,
            "error": stats.error_message,
        },
        seconds=time_mod.perf_counter() - t0,
        asked=n_poses,
        sil=(
            np.take_along_axis(np.stack(sils), order[:, :, None], axis=1)
            if sils and pc.silhouette
            else None
        ),
    )


def _compact(
    rows: list[np.ndarray], pres: list[np.ndarray], n_poses: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack a chunk's detections, keeping only as many slots as people were ever found.

    Asked for two people, a single runner's chunk holds one: half the memory the
    parent keeps for the whole clip (19 instead of 38 MB for 10 minutes at 30 fps).
    Also returns the slot order used, ``(n, kept)``, for the per-person extras.
    """
    if not rows:
        return (
            np.zeros((0, n_poses, len(KEYPOINTS), N_CHANNELS), np.float32),
            np.zeros((0, n_poses), bool),
            np.zeros((0, n_poses), np.int64),
        )
    present = np.stack(pres)
    keep = max(1, int(present.sum(axis=1).max()))
    order = np.argsort(~present, axis=1, kind="stable")[:, :keep]  # found people first
    cands = np.take_along_axis(np.stack(rows), order[:, :, None, None], axis=1)
    return cands, np.take_along_axis(present, order, axis=1), order


# ---------------------------------------------------------------- stitching
@dataclass
class Seam:
    """Where two chunks were joined and how well they agreed there."""

    chunk: int
    """Index of the later chunk."""
    cut_s: float
    """First frame taken from the later chunk."""
    overlap_frames: int
    disagreement: float
    """At the cut: mean landmark distance between the matched people of both
    chunks, in torso lengths (0 = identical)."""
    flipped: bool
    """True if the later chunk's left/right labels were swapped at the cut (a
    cut is only put there when no frame of the overlap agrees)."""


def frame_disagreement(
    a: np.ndarray, a_present: np.ndarray, b: np.ndarray, b_present: np.ndarray
) -> tuple[float, bool]:
    """How far one frame's detections in two runs are apart.

    People are matched by torso centre; the score is the largest, over matched
    people, of the mean landmark distance in torso lengths. A different number
    of people scores ``inf``.

    Parameters
    ----------
    a, b
        (P, 33, C) detections of the same frame from two runs.
    a_present, b_present
        (P,) which slots hold a person.

    Returns
    -------
    score : float
        0 when identical; ``inf`` when the people do not correspond.
    flipped : bool
        True when ``b`` matches ``a`` better with its left/right labels swapped.

    """
    ia, ib = np.flatnonzero(a_present), np.flatnonzero(b_present)
    if ia.size != ib.size:
        return math.inf, False
    if ia.size == 0:
        return 0.0, False
    ca = [_centre_and_torso(a[i]) for i in ia]
    cb = [_centre_and_torso(b[j]) for j in ib]
    if ia.size == 1:  # one person each: no matching (and no scipy beside the workers, 37 MB)
        rows, cols = np.zeros(1, int), np.zeros(1, int)
    else:
        from scipy.optimize import linear_sum_assignment

        cost = np.array([[np.linalg.norm(x[0] - y[0]) for y in cb] for x in ca])
        rows, cols = linear_sum_assignment(cost)
    worst, flips = 0.0, 0
    mirror = list(MIRROR_INDEX)
    for r, c in zip(rows, cols, strict=True):
        pa = a[ia[r], :, :2].astype(float)
        pb = b[ib[c], :, :2].astype(float)
        torso = ca[r][1]
        d = float(np.linalg.norm(pa - pb, axis=1).mean()) / torso
        dm = float(np.linalg.norm(pa - pb[mirror], axis=1).mean()) / torso
        worst = max(worst, d)
        flips += dm < d
    return worst, flips > 0


def choose_cut(prev: ChunkResult, nxt: ChunkResult, settle_s: float) -> Seam:
    """Pick the frame where ``nxt`` takes over from ``prev``.

    Candidates are the frames both chunks hold, at least ``settle_s`` after
    ``nxt`` started (its tracker has re-acquired by then). The cut goes to the
    frame of least disagreement without a left/right swap; ties go to the
    earliest such frame.

    Parameters
    ----------
    prev, nxt
        Consecutive chunks.
    settle_s
        Time the later chunk needs to re-acquire the people in view.

    Returns
    -------
    Seam

    """
    start = float(nxt.time[0]) if nxt.time.size else math.inf
    common, ia, ib = np.intersect1d(prev.time, nxt.time, return_indices=True)
    scores: list[tuple[float, bool, float]] = []
    for t, i, j in zip(common, ia, ib, strict=True):
        if t < start + settle_s - 1e-9:
            continue
        s, flipped = frame_disagreement(
            prev.cands[i], prev.present[i], nxt.cands[j], nxt.present[j]
        )
        scores.append((s, flipped, float(t)))
    if not scores:
        # No usable overlap: the later chunk takes over after the earlier one's last frame.
        cut = float(prev.time[-1]) + 1e-9 if prev.time.size else start
        return Seam(nxt.index, cut, int(common.size), math.inf, False)
    ok = [s for s in scores if not s[1]]
    pool = ok or scores
    best = min(pool, key=lambda s: (s[0], s[2]))
    if best[1] or not math.isfinite(best[0]):
        log.warning(
            "chunk %d: no overlap frame where both chunks agree (best disagreement %.3g "
            "torso lengths%s); cut at %.3f s",
            nxt.index,
            best[0],
            ", left/right swapped" if best[1] else "",
            best[2],
        )
    return Seam(nxt.index, best[2], int(common.size), best[0], best[1])


class Stitcher:
    """Join chunk results in time order; each frame comes from one chunk.

    Parameters
    ----------
    settle_s
        See :func:`choose_cut`.

    """

    def __init__(self, settle_s: float) -> None:
        self.settle_s = settle_s
        self.parts: list[ChunkResult] = []
        self.seams: list[Seam] = []

    def add(self, result: ChunkResult) -> None:
        """Append the next chunk (chunks must arrive in time order)."""
        if not self.parts:
            self.parts.append(result)
            return
        prev = self.parts[-1]
        seam = choose_cut(prev, result, self.settle_s)
        self.seams.append(seam)
        self.parts[-1] = prev.trimmed(stop=seam.cut_s)
        self.parts.append(result.trimmed(start=seam.cut_s))

    @property
    def num_poses(self) -> int:
        """Poses per frame the chunks were run with (0 before the first chunk)."""
        return self.parts[0].asked if self.parts else 0

    @property
    def n_frames(self) -> int:
        """Frames stitched so far."""
        return sum(p.time.size for p in self.parts)

    def time(self) -> np.ndarray:
        """Timestamps of the stitched frames."""
        return np.concatenate([p.time for p in self.parts]) if self.parts else np.zeros(0)

    def frame(self) -> np.ndarray:
        """Source frame indices of the stitched frames."""
        if not self.parts:
            return np.zeros(0, np.int64)
        return np.concatenate([p.frame for p in self.parts])

    def iter_candidates(self) -> Iterator[list[Any]]:
        """Per stitched frame, the detections as pose-stage candidates (views, no copies)."""
        from armcarriage.pose import _Candidate

        for part in self.parts:
            for f in range(part.time.size):
                yield [
                    _Candidate(
                        part.cands[f, j, :, :5],
                        part.cands[f, j, :, 5:],
                        None if part.sil is None else part.sil[f, j],
                    )
                    for j in np.flatnonzero(part.present[f])
                ]


# ------------------------------------------------------------------ driver
def analysed_span(info: VideoInfo, config: Config) -> float:
    """Seconds of the clip the pose stage covers."""
    span = info.duration_s if info.duration_s > 0 else info.frames / max(info.fps, 1e-6)
    if config.pose.max_seconds > 0:
        span = min(span, config.pose.max_seconds)
    return span


def estimate_pose_parallel(
    video: str | os.PathLike[str],
    config: Config | None = None,
    *,
    info: VideoInfo | None = None,
    progress: Progress | None = None,
) -> PoseTrack:
    """Run the pose model over a clip in overlapping chunks across processes.

    Clips too short to split (fewer than two chunks of
    ``pose.min_chunk_seconds``), or ``pose.workers`` = 1, run in this process
    with :func:`armcarriage.pose.estimate_pose`.

    Parameters
    ----------
    video
        The clip.
    config
        Settings: ``pose.workers`` (0 = one per core), ``pose.chunk_seconds``,
        ``pose.chunk_overlap_seconds``, ``pose.target_fps``, ``pose.max_side``.
    info
        The probed clip.
    progress
        Called as ``progress(done, total)`` in frames, summed over workers.

    Returns
    -------
    PoseTrack
        The runner's track, equal to the single-process one within the
        landmark noise; ``attrs["parallel"]`` records the chunks and seams.

    """
    from armcarriage.pose import (
        MorePeopleInView,
        PoseEstimator,
        estimate_pose,
        resolve_model_path,
    )

    config = config or Config()
    path = Path(video)
    info = info or probe_video(path, config)
    pc = config.pose
    workers = resolve_workers(pc.workers)
    decimating = pc.target_fps > 0 and pc.target_fps < info.fps * 0.999
    chunks = plan_chunks(
        analysed_span(info, config),
        workers=workers,
        chunk_s=pc.chunk_seconds,
        overlap_s=pc.chunk_overlap_seconds,
        min_chunk_s=pc.min_chunk_seconds,
        grid_s=1.0 / pc.target_fps if decimating else 0.0,
    )
    if workers > 1 and mp.current_process().daemon:
        log.info("pose: running in one process (a daemonic process cannot start workers)")
        workers = 1
    if workers <= 1 or len(chunks) <= 1:
        return estimate_pose(path, config, info=info, progress=progress)
    resolve_model_path(pc.model_path or None)  # fail here, not in every worker
    if pc.max_seconds > 0:
        last = chunks[-1]
        chunks[-1] = Chunk(last.index, last.start_s, last.own_start_s, None, pc.max_seconds)
    t0 = time_mod.perf_counter()
    n_workers = min(workers, len(chunks))
    one_person = PoseEstimator.starts_one_person(config)
    try:
        results, stitcher = _run_pool(path, info, config, chunks, n_workers, progress, one_person)
    except MorePeopleInView as seen:
        if not one_person:  # pragma: no cover - only one-person tracking counts people
            raise
        log.info("pose: %s; running again with %d poses per frame", seen, pc.num_poses)
        results, stitcher = _run_pool(path, info, config, chunks, n_workers, progress, False)
    track = _assemble(stitcher, info, config, results)
    track.ds.attrs["parallel"] = json.dumps(
        {
            "workers": min(workers, len(chunks)),
            "chunks": [asdict(c) for c in chunks],
            "seams": [asdict(s) for s in stitcher.seams],
            "chunk_seconds": [round(r["seconds"], 3) for r in results],
            "wall_seconds": round(time_mod.perf_counter() - t0, 3),
        }
    )
    return track


def _context() -> Any:
    # 'spawn': workers start from a clean interpreter (no copied threads or
    # decoder state) and no server process lingers after the pool.
    return mp.get_context("spawn")


def _run_pool(
    path: Path,
    info: VideoInfo,
    config: Config,
    chunks: list[Chunk],
    workers: int,
    progress: Progress | None,
    one_person: bool,
) -> tuple[list[dict[str, Any]], Stitcher]:
    """Run the chunks on ``workers - 1`` pool processes plus this one; stitch in order.

    This process is one of the workers: it already holds the decoder and the
    numeric libraries, so running the model here saves a whole interpreter
    (about 150 MB) and one start-up compared with a pool of ``workers``.
    """
    run = _Schedule(path, info, config, chunks, progress, one_person)
    ctx = _context()
    stop = ctx.Event()
    pool = cf.ProcessPoolExecutor(
        workers - 1, mp_context=ctx, initializer=_init_worker, initargs=(run.queue, stop)
    )
    run.pool, run.lookahead = pool, workers - 1
    try:
        run.top_up()
        while run.todo or run.in_flight:
            if run.todo:
                run.run_here(run.todo.popleft())
            else:
                run.collect(timeout=0.25)
        run.collect(timeout=0)
    except BaseException:
        stop.set()  # running chunks stop at their next frame
        raise
    finally:
        # On an error, queued chunks are dropped; running ones stop first.
        pool.shutdown(wait=True, cancel_futures=True)
        run.close()
    if progress is not None:
        progress(run.stitcher.n_frames, max(run.total, run.stitcher.n_frames))
    return run.summary, run.stitcher


class _Schedule:
    """Book-keeping of one parallel run: what is queued, running, done and stitched."""

    def __init__(
        self,
        path: Path,
        info: VideoInfo,
        config: Config,
        chunks: list[Chunk],
        progress: Progress | None,
        one_person: bool,
    ) -> None:
        from armcarriage.pose import expected_frames

        self.args = (str(path), info, config)
        self.one_person = one_person
        self.progress = progress
        self.queue = _context().Queue()
        self.todo = deque(chunks)
        self.in_flight: set[cf.Future[ChunkResult]] = set()
        self.pool: cf.ProcessPoolExecutor | None = None
        self.lookahead = 1
        self.finished: dict[int, ChunkResult] = {}
        self.summary: list[dict[str, Any]] = []
        self.stitcher = Stitcher(settle_s=config.pose.chunk_overlap_seconds / 2)
        self.next_index = 0
        span = analysed_span(info, config)
        overlap = sum(c.own_start_s - c.start_s for c in chunks)
        self.total = expected_frames(info, config)
        self.work = max(1, int(round(self.total * (span + overlap) / max(span, 1e-6))))
        self.done = 0

    def top_up(self) -> None:
        """Give each idle pool process the next chunk (this process takes the rest)."""
        while self.pool is not None and self.todo and len(self.in_flight) < self.lookahead:
            chunk = self.todo.popleft()
            self.in_flight.add(self.pool.submit(run_chunk, *self.args, chunk, self.one_person))

    def run_here(self, chunk: Chunk) -> None:
        """Run one chunk in this process, serving the pool between frames."""
        _WORKER["hook"] = self.tick
        try:
            res = run_chunk(*self.args, chunk, self.one_person)
        finally:
            _WORKER.pop("hook", None)
        self.finished[res.index] = res
        self.collect(timeout=0)

    def tick(self, _chunk: int, n: int) -> None:
        """Progress from this process's own chunk: also collect and refill the pool."""
        self.done += n
        self.collect(timeout=0)

    def collect(self, timeout: float) -> None:
        """Gather finished chunks, stitch those next in line, report progress."""
        if self.in_flight:
            done, self.in_flight = cf.wait(
                self.in_flight, timeout=timeout, return_when=cf.FIRST_COMPLETED
            )
            for fut in done:
                res = fut.result()
                self.finished[res.index] = res
        while self.next_index in self.finished:
            res = self.finished.pop(self.next_index)
            self.summary.append({"seconds": res.seconds, **res.decode})
            self.stitcher.add(res)
            self.next_index += 1
        self.done += _drain(self.queue)
        self.top_up()
        if self.progress is not None:
            self.progress(min(self.total, self.done * self.total // self.work), self.total)

    def close(self) -> None:
        """Release the queue and this process's model."""
        self.queue.close()
        est = _WORKER.pop("estimator", None)
        if est is not None:
            _close(est)


def _drain(q: Any) -> int:
    n = 0
    while True:
        try:
            _, k = q.get_nowait()
        except queue_mod.Empty:
            return n
        n += k


def _assemble(
    stitcher: Stitcher, info: VideoInfo, config: Config, results: list[dict[str, Any]]
) -> PoseTrack:
    """Choose the runner over the stitched clip and build the track."""
    from armcarriage.pose import (
        RunnerSelector,
        candidate_silhouettes,
        default_model_path,
        people_note,
        resolve_model_path,
    )

    selector = RunnerSelector.for_clip(info, config)
    for cands in stitcher.iter_candidates():
        selector.add(cands)
    picks = selector.resolve()
    n = len(picks)
    k = len(KEYPOINTS)
    lm = np.full((n, k, 5), np.nan)
    world = np.full((n, k, 3), np.nan)
    for i, c in enumerate(picks):
        if c is not None:
            lm[i] = c.landmarks
            world[i] = c.world
    decoded = sum(r["decoded"] for r in results)
    errors = sum(r["errors"] for r in results)
    whole = config.pose.max_seconds <= 0
    lost = max(0, info.frames - decoded) if (errors or whole) else 0
    try:
        model = resolve_model_path(config.pose.model_path or None).name
    except OSError:  # pragma: no cover - resolved before the pool started
        model = default_model_path().name
    attrs = {
        "source": info.path,
        "model": model,
        "person": f"{selector.describe()}; {people_note(stitcher.num_poses, config)}",
        "video": json.dumps(info.to_dict()),
        "decode": json.dumps(
            {
                "decoded": decoded,
                "lost": lost,
                "dropped_non_increasing": sum(r["dropped_non_increasing"] for r in results),
                "error": next((r["error"] for r in results if r["error"]), ""),
            }
        ),
    }
    from armcarriage.track import PoseTrack

    return PoseTrack.from_arrays(
        stitcher.time(),
        lm[:, :, :2],
        fps=info.fps,
        width=info.width,
        height=info.height,
        visibility=lm[:, :, 3],
        depth=lm[:, :, 2],
        world=world,
        frame=stitcher.frame(),
        attrs=attrs,
        silhouette=candidate_silhouettes(picks) if config.pose.silhouette else None,
    )


__all__ = [
    "Chunk",
    "ChunkResult",
    "Seam",
    "Stitcher",
    "Stopped",
    "choose_cut",
    "decimate",
    "estimate_pose_parallel",
    "frame_disagreement",
    "plan_chunks",
    "resolve_workers",
    "run_chunk",
]
