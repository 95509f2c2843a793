"""Where batch clips run: a local process pool or a Dask distributed cluster.

Both backends take :class:`~armcarriage.batch.worker.ClipJob` objects and yield
``(job, outcome)`` pairs as clips finish, and forward per-clip progress
messages ``(kind, key, done, total)`` to a callback in the coordinating process.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing as mp
import queue as queue_mod
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from armcarriage.batch.worker import (
    PROGRESS_TOPIC,
    ClipJob,
    ClipOutcome,
    analyse_clip,
    init_local_worker,
    warm_up,
)
from armcarriage.lifeline import die_with_parent

log = logging.getLogger(__name__)

OnMessage = Callable[[tuple[Any, ...]], None]


def _failed(job: ClipJob, exc: BaseException, why: str) -> ClipOutcome:
    detail = f": {exc}" if str(exc) else ""
    return ClipOutcome(
        key=job.spec.key, state="failed", error=f"{why}{detail}", error_type=type(exc).__name__
    )


def _ignore_sigint_then_init(queue: Any, warm: bool, model_path: str) -> None:
    # Ctrl-C reaches the whole process group; the coordinator alone handles it
    # and stops the workers, so that they never die half-way through a message.
    # A coordinator killed outright (kill -9) takes them down with it.
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_local_worker(queue, warm, model_path)


class LocalBackend:
    """A :class:`concurrent.futures.ProcessPoolExecutor` (forkserver or spawn processes).

    Parameters
    ----------
    workers
        Processes.
    warm
        Load the pose model when each process starts.
    model_path
        ``config.pose.model_path``.
    on_message
        Receives progress messages (called from a reader thread).

    """

    def __init__(self, workers: int, warm: bool, model_path: str, on_message: OnMessage) -> None:
        methods = mp.get_all_start_methods()
        self._ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._workers = workers
        self._warm = warm
        self._model_path = model_path
        self._on_message = on_message
        self._queue: Any = self._ctx.Queue()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, name="batch-progress", daemon=True)
        self._reader.start()
        self._executor: cf.ProcessPoolExecutor | None = None

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._queue.get(timeout=0.2)
            except queue_mod.Empty:
                continue
            except (EOFError, OSError):  # queue closed under us at shutdown
                return
            self._on_message(message)

    def _new_executor(self, workers: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self._ctx,
            initializer=_ignore_sigint_then_init,
            initargs=(self._queue, self._warm, self._model_path),
        )

    def run(self, jobs: Sequence[ClipJob]) -> Iterator[tuple[ClipJob, ClipOutcome]]:
        """Yield ``(job, outcome)`` as clips finish.

        If a worker process dies (a crash in a decoder, the out-of-memory
        killer), every unfinished clip of the pool is run again, each alone in a
        fresh process, so that only the clip that kills its process is failed.
        """
        broken = yield from self._round(list(jobs), self._workers)
        if broken:
            log.warning("a worker process died; retrying %d clip(s) one by one", len(broken))
        for job in broken:
            again = yield from self._round([job], 1)
            for dead in again:
                yield dead, _failed(dead, BrokenProcessPool(), "the worker process died")

    def _round(
        self, jobs: list[ClipJob], workers: int
    ) -> Generator[tuple[ClipJob, ClipOutcome], None, list[ClipJob]]:
        """Run ``jobs`` in a new pool; return those lost to a dead worker process."""
        broken: list[ClipJob] = []
        self._executor = self._new_executor(workers)
        futures = {self._executor.submit(analyse_clip, job): job for job in jobs}
        for future in cf.as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
                continue
            yield futures[future], outcome
        self._executor.shutdown(wait=True)
        self._executor = None
        return broken

    def shutdown(self) -> None:
        """Stop at once: cancel queued clips and end the worker processes."""
        executor, self._executor = self._executor, None
        if executor is not None:
            processes = list(getattr(executor, "_processes", {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for proc in processes:
                with contextlib.suppress(OSError, ValueError):
                    proc.terminate()
            for proc in processes:
                with contextlib.suppress(OSError, ValueError, AssertionError):
                    proc.join(timeout=5)
        self._stop.set()
        self._reader.join(timeout=2)
        self._queue.cancel_join_thread()
        self._queue.close()


def _warm_up_plugin(model_path: str) -> Any:
    """Return a Dask worker plugin that loads the pose model once when a worker starts."""
    from distributed import WorkerPlugin

    class WarmUp(WorkerPlugin):
        name = "armcarriage-warm-up"

        def setup(self, worker: Any) -> None:
            warm_up(model_path)

    return WarmUp()


class DaskBackend:
    """Clips as tasks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler
        A scheduler address (``tcp://host:8786``), ``"local"`` for a
        :class:`distributed.LocalCluster` of ``workers`` processes, or a
        connected :class:`distributed.Client`.
    workers
        Worker processes of a ``"local"`` cluster.
    warm, model_path
        As for :class:`LocalBackend` (a worker plugin loads the model).
    on_message
        Receives progress messages sent by the workers as Dask events.

    """

    def __init__(
        self, scheduler: Any, workers: int, warm: bool, model_path: str, on_message: OnMessage
    ) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        if isinstance(scheduler, Client):
            self.client, self._own = scheduler, False
        elif scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client, self._own = Client(self._cluster), True
        else:
            self.client, self._own = Client(scheduler, timeout="30s"), True
        self._futures: list[Any] = []
        self._on_message = on_message
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            self.client.subscribe_topic(PROGRESS_TOPIC, self._event)
        if warm:
            plugin = _warm_up_plugin(model_path)
            self.client.register_plugin(plugin, name=plugin.name)

    def _event(self, event: Any) -> None:
        _, message = event
        self._on_message(tuple(message))

    def run(self, jobs: Sequence[ClipJob]) -> Iterator[tuple[ClipJob, ClipOutcome]]:
        """Yield ``(job, outcome)`` as clips finish on the cluster."""
        from distributed import as_completed

        by_key = {}
        for job in jobs:
            future = self.client.submit(
                analyse_clip, job, pure=False, key=f"armcarriage-clip-{job.spec.key}-{id(job)}"
            )
            by_key[future.key] = job
            self._futures.append(future)
        for future in as_completed(self._futures):
            job = by_key[future.key]
            try:
                yield job, future.result()
            except Exception as exc:  # noqa: BLE001  (a killed worker fails one clip, not the batch)
                yield job, _failed(job, exc, "the Dask task failed")

    def shutdown(self) -> None:
        """Cancel unfinished clips and close what this backend opened."""
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(PROGRESS_TOPIC)
        if self._futures:
            with contextlib.suppress(Exception):
                self.client.cancel(self._futures)
        if self._own:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
