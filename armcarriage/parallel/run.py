"""The parallel run: the pool, its schedule and progress, and the stitched track."""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import threading
import time as time_mod
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armcarriage.config import Config
from armcarriage.memory import release_free_memory
from armcarriage.parallel import early
from armcarriage.parallel.chunks import _WORKER, ChunkResult, _close, _init_worker, run_chunk
from armcarriage.parallel.plan import Chunk, analysed_span, plan_chunks, resolve_workers
from armcarriage.parallel.stitch import Stitcher, _assemble
from armcarriage.video import (
    VideoInfo,
    probe_video,
)

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def estimate_pose_parallel(
    video: str | os.PathLike[str],
    config: Config | None = None,
    *,
    info: VideoInfo | None = None,
    progress: Progress | None = None,
    while_waiting: Callable[[], None] | None = None,
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
    while_waiting
        Called once, in this process, when it has no chunk left to run and waits
        for the workers' last ones: a caller's later work that needs no pose
        (a read of the clip) fills the core that would idle.

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
    from armcarriage.pose.run import rerun_config

    config = config or Config()
    path = Path(video)
    info = info or probe_video(path, config)
    pc = config.pose
    workers = resolve_workers(pc.workers)
    chunks = _chunks(info, config, workers)
    if workers > 1 and mp.current_process().daemon:
        log.info("pose: running in one process (a daemonic process cannot start workers)")
        workers = 1
    if workers <= 1 or len(chunks) <= 1:
        early.discard()  # a pool started for this run: its memory back before the model loads
        return estimate_pose(path, config, info=info, progress=progress)
    resolve_model_path(pc.model_path or None)  # fail here, not in every worker
    if pc.max_seconds > 0:
        last = chunks[-1]
        chunks[-1] = Chunk(last.index, last.start_s, last.own_start_s, None, pc.max_seconds)
    t0 = time_mod.perf_counter()
    n_workers = min(workers, len(chunks))
    one_person = PoseEstimator.starts_one_person(config)
    try:
        results, stitcher = _run_pool(
            path, info, config, chunks, n_workers, (progress, while_waiting), one_person
        )
    except MorePeopleInView as seen:
        if not one_person:  # pragma: no cover - only one-person tracking counts people
            raise
        log.info("pose: %s; running again with %d poses per frame", seen, pc.num_poses)
        config = rerun_config(config, seen)
        results, stitcher = _run_pool(
            path, info, config, chunks, n_workers, (progress, while_waiting), False
        )
    try:
        track = _assemble(stitcher, info, config, results)
    finally:
        stitcher.close()
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


def _chunks(info: VideoInfo, config: Config, workers: int) -> list[Chunk]:
    """Return the chunks of the analysed span, on the decimation grid when decimating."""
    pc = config.pose
    decimating = pc.target_fps > 0 and pc.target_fps < info.fps * 0.999
    return plan_chunks(
        analysed_span(info, config),
        workers=workers,
        chunk_s=pc.chunk_seconds,
        overlap_s=pc.chunk_overlap_seconds,
        min_chunk_s=pc.min_chunk_seconds,
        grid_s=1.0 / pc.target_fps if decimating else 0.0,
    )


def _context() -> Any:
    return early.context()


def _run_pool(
    path: Path,
    info: VideoInfo,
    config: Config,
    chunks: list[Chunk],
    workers: int,
    hooks: tuple[Progress | None, Callable[[], None] | None],
    one_person: bool,
) -> tuple[list[dict[str, Any]], Stitcher]:
    """Run the chunks on ``workers - 1`` pool processes plus this one; stitch in order.

    This process is one of the workers: it already holds the decoder and the
    numeric libraries, so running the model here saves a whole interpreter's memory
    and one start-up compared with a pool of ``workers``. ``hooks`` are the progress
    callback and the work to do once while waiting for the last chunks.
    """
    progress, while_waiting = hooks
    started = early.take(workers - 1)
    if started is None:
        ctx = _context()
        queue, stop = ctx.Queue(), ctx.Event()
        pool = cf.ProcessPoolExecutor(
            workers - 1, mp_context=ctx, initializer=_init_worker, initargs=(queue, stop)
        )
    else:  # started by the command before it loaded the decoder and the model
        pool, queue, stop = started.pool, started.queue, started.stop
    run = _Schedule(path, info, config, chunks, progress, one_person, queue)
    run.pool, run.lookahead = pool, workers - 1
    with _keep_ctrl_c():
        try:
            # this process takes the first chunk (no overlap to re-run) while the pool
            # processes start: it then finishes first and fills the wait (``while_waiting``)
            first = run.todo.popleft()
            run.top_up()
            run.run_here(first)
            while run.todo or run.in_flight:
                if run.todo:
                    run.run_here(run.todo.popleft())
                elif while_waiting is not None:
                    run.release_model()  # no chunk left here: its memory for the caller's work
                    while_waiting()
                    while_waiting = None
                    run.collect(timeout=0)
                else:
                    run.collect(timeout=0.25)
            run.collect(timeout=0)
        except BaseException:
            stop.set()  # running chunks stop at their next frame
            run.stitcher.close()
            raise
        finally:
            # On an error, queued chunks are dropped; running ones stop first.
            pool.shutdown(wait=True, cancel_futures=True)
            run.close()
    if progress is not None:
        progress(run.stitcher.n_frames, max(run.total, run.stitcher.n_frames))
    return run.summary, run.stitcher


@contextmanager
def _keep_ctrl_c() -> Iterator[None]:
    """Make an error that ends the block after a Ctrl-C a KeyboardInterrupt.

    Ctrl-C reaches the whole process group: a pool process still starting dies of
    it, so the pool reports itself broken, and this process's own KeyboardInterrupt
    can be lost when it lands in a finaliser. The run then ended as an internal
    error (exit 1) instead of an interruption (130). Only where Python's own
    handler is in place, in the main thread: a process that ignores SIGINT (a
    batch or web worker) keeps ignoring it.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    seen: list[int] = []

    def note(signum: int, frame: Any) -> None:
        seen.append(signum)
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        if seen:
            raise KeyboardInterrupt(f"interrupted ({type(exc).__name__})") from exc
        raise
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
        queue: Any,
    ) -> None:
        from armcarriage.pose import expected_frames

        self.args = (str(path), info, config)
        self.one_person = one_person
        self.progress = progress
        self.queue = queue
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
        self.release_model()

    @staticmethod
    def release_model() -> None:
        """Close this process's model and hand its memory back."""
        est = _WORKER.pop("estimator", None)
        if est is not None:
            _close(est)
            release_free_memory(collect=False)


def _drain(q: Any) -> int:
    n = 0
    while True:
        try:
            _, k = q.get_nowait()
        except queue_mod.Empty:
            return n
        n += k
