"""Worker processes of the web server, their supervisor and the data-folder lock."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.concurrency import run_in_threadpool

from armcarriage.errors import InputError
from armcarriage.web.store import JobStore
from armcarriage.web.worker import WorkerSettings, worker_main

log = logging.getLogger(__name__)


@dataclass
class Workers:
    """The worker processes of one server and their lease owners."""

    count: int
    settings: WorkerSettings
    procs: list[Any] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    quick_deaths: list[int] = field(default_factory=list)
    restarts: int = 0

    def start(self, slot: int) -> None:
        """Start (or restart) the worker in ``slot`` under a fresh lease owner."""
        owner = f"{os.getpid()}-w{slot}-{uuid.uuid4().hex[:8]}"
        ctx = multiprocessing.get_context("spawn")
        settings = WorkerSettings(**{**self.settings.__dict__, "owner": owner})
        proc = ctx.Process(target=worker_main, args=(settings,), name=f"armcarriage-worker-{slot}")
        # not a daemon: the analysis may start its own process pool for the pose stage
        proc.daemon = False
        proc.start()
        if slot < len(self.procs):
            self.procs[slot], self.owners[slot] = proc, owner
            self.started[slot] = time.monotonic()
        else:
            self.procs.append(proc)
            self.owners.append(owner)
            self.started.append(time.monotonic())
            self.quick_deaths.append(0)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate every worker (killing those that do not end within ``timeout``)."""
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)


class DataLock:
    """An exclusive lock on the data folder: one server per folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`InputError` when another server holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"data folder {self.path.parent}: another armcarriage server is using it "
                "(expected exactly one server per data folder)"
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Release the lock (no-op when not held)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


async def supervise(pool: Workers, store: JobStore, period: float = 1.0) -> None:
    """Restart dead worker processes and requeue the job each was running.

    A worker that keeps dying right after its start is restarted with a
    growing delay (up to a minute), so a broken installation does not spin.
    """
    while True:
        await asyncio.sleep(period)
        now = time.monotonic()
        for slot, proc in enumerate(list(pool.procs)):
            if proc.is_alive():
                continue
            lived = now - pool.started[slot]
            if lived < 10.0:
                backoff = min(60.0, 2.0 ** pool.quick_deaths[slot])
                if lived < backoff:
                    continue  # wait before restarting a worker that died at once
                pool.quick_deaths[slot] += 1
            else:
                pool.quick_deaths[slot] = 0
            owner = pool.owners[slot]
            requeued, failed = await run_in_threadpool(store.requeue_expired, None, False, owner)
            log.warning(
                "worker %s exited (code %s); %d job(s) requeued, %d failed; restarting it",
                owner,
                proc.exitcode,
                requeued,
                failed,
            )
            pool.restarts += 1
            await run_in_threadpool(pool.start, slot)
