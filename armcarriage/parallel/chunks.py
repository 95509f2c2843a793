"""One chunk in a worker: the pose model over its frames, detections kept compact."""

from __future__ import annotations

import logging
import multiprocessing as mp
import time as time_mod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.memory import release_free_memory
from armcarriage.parallel.plan import Chunk, decimate
from armcarriage.silhouette import SILHOUETTE_FEATURES
from armcarriage.skeleton import KEYPOINTS
from armcarriage.video import (
    DecodeStats,
    Frame,
    VideoInfo,
    iter_frames,
)

log = logging.getLogger(__name__)


N_CHANNELS = 8
"""Per landmark: x, y (px), depth (px), visibility, presence, world x, y, z (m)."""


_PROGRESS_EVERY = 8


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
    release_free_memory(collect=False)
    stop = _WORKER.get("stop")
    stats = DecodeStats()
    raw = iter_frames(
        video,
        config,
        info=info,
        start_s=chunk.start_s,
        stop_s=chunk.stop_s,
        max_side=lambda: est.side,
        stats=stats,
        threads=False,  # one process per core already
    )
    owned = 0
    got = _Collected(est.num_poses)
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
        got.add(frame, est.detect(frame.image, frame.time, info.width, info.height))
        pending += 1
        if pending >= _PROGRESS_EVERY:
            _report(chunk.index, pending)
            pending = 0
    _report(chunk.index, pending)
    decode = {
        "decoded": owned,
        "dropped_non_increasing": stats.dropped_non_increasing,
        "errors": stats.errors,
        "error": stats.error_message,
    }
    return got.result(chunk.index, decode, time_mod.perf_counter() - t0, pc.silhouette)


class _Collected:
    """The detections of a chunk's frames, as they come (``num_poses`` slots a frame)."""

    def __init__(self, num_poses: int) -> None:
        self.n_poses = num_poses
        self.times: list[float] = []
        self.index: list[int] = []
        self.rows: list[np.ndarray] = []
        self.pres: list[np.ndarray] = []
        self.sils: list[np.ndarray] = []

    def add(self, frame: Frame, found: list[Any]) -> None:
        """Keep one frame's detections: landmarks and world points, silhouettes, presence."""
        n_poses = self.n_poses
        block = np.full((n_poses, len(KEYPOINTS), N_CHANNELS), np.nan, np.float32)
        here = np.zeros(n_poses, bool)
        sil = np.full((n_poses, len(SILHOUETTE_FEATURES)), np.nan, np.float32)
        for j, c in enumerate(found[:n_poses]):
            block[j, :, :5] = c.landmarks
            block[j, :, 5:] = c.world
            if c.silhouette is not None:
                sil[j] = c.silhouette
            here[j] = True
        self.rows.append(block)
        self.sils.append(sil)
        self.pres.append(here)
        self.times.append(frame.time)
        self.index.append(frame.index)

    def result(
        self, chunk: int, decode: dict[str, Any], seconds: float, silhouette: bool
    ) -> ChunkResult:
        """Return the chunk's result, its candidates compacted."""
        cands, present, order = _compact(self.rows, self.pres, self.n_poses)
        sils = self.sils
        return ChunkResult(
            chunk,
            np.asarray(self.times, float),
            np.asarray(self.index, np.int64),
            cands,
            present,
            decode=decode,
            seconds=seconds,
            asked=self.n_poses,
            sil=(
                np.take_along_axis(np.stack(sils), order[:, :, None], axis=1)
                if sils and silhouette
                else None
            ),
        )


def _compact(
    rows: list[np.ndarray], pres: list[np.ndarray], n_poses: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack a chunk's detections, keeping only as many slots as people were ever found.

    Asked for two people, a single runner's chunk holds one: half the memory the
    parent keeps for the whole clip.
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
