"""Start the pose worker processes while this process is still getting ready.

A spawned pose worker spends about a second importing its libraries before its first
frame, and the command spends as long importing its own and probing the clip before
the pose stage asks for workers. Started at the top of the command, the worker's
start-up runs beside this process's on the other core instead of after it. The module
imports nothing heavy, so starting costs this process nothing noticeable.

The pose stage adopts the early pool (:func:`take`); a run that ends without using it
(a short clip run in one process, a bad input) shuts it down (:func:`discard`).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class EarlyPool:
    """A started pool of pose workers with the progress queue and stop flag they share."""

    pool: cf.ProcessPoolExecutor
    queue: Any
    stop: Any
    processes: int


_EARLY: dict[str, EarlyPool] = {}


def context() -> Any:
    """Return the start method of every pose pool.

    'spawn': workers start from a clean interpreter (no copied threads or decoder
    state) and no server process lingers after the pool.
    """
    return mp.get_context("spawn")


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


def start(processes: int) -> None:
    """Spawn ``processes`` pose workers now; they import their libraries and wait.

    Does nothing for fewer than one process, in a daemonic process (which cannot
    start any) or when a pool was started already.
    """
    if processes < 1 or mp.current_process().daemon or _EARLY:
        return
    ctx = context()
    queue, stop = ctx.Queue(), ctx.Event()
    pool = cf.ProcessPoolExecutor(
        processes, mp_context=ctx, initializer=_init_worker, initargs=(queue, stop)
    )
    for _ in range(processes):
        pool.submit(_warm_up)
    _EARLY["pool"] = EarlyPool(pool, queue, stop, processes)


def take(processes: int) -> EarlyPool | None:
    """Hand the early pool to the pose stage if it has ``processes`` workers, else None."""
    early = _EARLY.pop("pool", None)
    if early is None:
        return None
    if early.processes != processes:
        _shut(early)
        return None
    return early


def discard() -> None:
    """Shut down an early pool that no pose stage took."""
    early = _EARLY.pop("pool", None)
    if early is not None:
        _shut(early)


def _shut(early: EarlyPool) -> None:
    # No wait: a worker still importing finishes that, finds no work and exits by itself
    # while this process goes on (its model, a one-process run, or the exit).
    early.pool.shutdown(wait=False, cancel_futures=True)
    early.queue.close()


def _init_worker(progress_queue: Any, stop: Any) -> None:
    """Set up a pose worker (:func:`armcarriage.parallel.chunks._init_worker`)."""
    from armcarriage.parallel.chunks import _init_worker as init

    init(progress_queue, stop)


def _warm_up() -> None:
    """Import what a chunk needs (the decoder, OpenCV, MediaPipe) before the first chunk."""
    from armcarriage.parallel import chunks  # noqa: F401 - imported for its side effect
    from armcarriage.pose.model import mediapipe_tasks

    mediapipe_tasks()


__all__ = ["EarlyPool", "context", "discard", "resolve_workers", "start", "take"]
