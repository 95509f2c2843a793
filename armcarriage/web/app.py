"""The coach web app: upload clips, follow the queue, read reports in the browser.

:func:`create_app` builds the FastAPI application from focused parts:
:mod:`~armcarriage.web.security` (hosts, same-origin writes, headers, sign-in
throttle), :mod:`~armcarriage.web.context` (state shared by the routes),
:mod:`~armcarriage.web.workers` (worker processes) and one router per concern
(:data:`ROUTERS`; add a page by adding its router there). Its lifespan takes a
lock on the data folder (one server per folder), requeues jobs left running by
a previous server, starts the worker processes and restarts any that die.

Data folder layout (all names chosen by the server)::

    DATA/jobs.sqlite            job queue (WAL)
    DATA/tmp/                   uploads being received (cleared at start-up)
    DATA/uploads/JOBID.EXT      accepted clips
    DATA/results/JOBID/attempt-N/   analysis outputs
    DATA/teams/TEAM/history.sqlite  athlete history per team

See :mod:`armcarriage.web.security` for the browser security rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from armcarriage.config import Config
from armcarriage.web import (
    routes_athletes,
    routes_auth,
    routes_corrections,
    routes_jobs,
    routes_pages,
    routes_sessions,
    routes_team,
)
from armcarriage.web.auth import TokenTable, load_tokens
from armcarriage.web.context import COOKIE, HERE, LoginRequiredError, WebState
from armcarriage.web.security import LoginThrottle, allowed_hosts, host_name, install_guard
from armcarriage.web.store import JobStore
from armcarriage.web.worker import AnalyzeFn, WorkerSettings
from armcarriage.web.workers import DataLock, Workers, supervise

__all__ = ["COOKIE", "ROUTERS", "DataLock", "allowed_hosts", "create_app", "host_name"]

log = logging.getLogger(__name__)

ROUTERS: tuple[APIRouter, ...] = (
    routes_auth.router,
    routes_jobs.router,
    routes_pages.router,
    routes_athletes.router,
    routes_team.router,
    routes_corrections.router,
    routes_sessions.router,
)
"""The app's routers, included in this order."""


def create_app(
    data_dir: str | Path,
    config: Config | None = None,
    tokens: dict[str, str] | None = None,
    *,
    tokens_file: str | Path | None = None,
    analyze: AnalyzeFn | str | None = None,
    workers: int | None = None,
    record_history: bool = True,
) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    data_dir
        Folder for the job database, uploads and results (created if missing).
    config
        Settings; ``config.serve`` holds the limits. Defaults to :class:`Config`.
    tokens
        ``{token: team}``; merged with ``$ARMCARRIAGE_TOKENS`` and the tokens
        file. With none at all, the app runs in single-user mode (team ``local``).
    tokens_file
        File of ``TOKEN TEAM`` lines (default ``config.serve.tokens_file``).
    analyze
        The per-clip analysis, ``fn(video, outdir, config=, progress=)`` or
        ``"module:function"``; defaults to :func:`armcarriage.pipeline.run_analysis`.
        Must be importable by name (it runs in worker processes).
    workers
        Worker processes (default ``config.serve.workers``); 0 runs none (jobs
        stay queued, useful for API tests).
    record_history
        Write finished jobs to the team's history database.

    Returns
    -------
    FastAPI
        The application; run it with uvicorn.

    """
    config = config or Config()
    serve = config.serve
    data = Path(data_dir).expanduser().resolve()
    table = TokenTable(load_tokens(tokens, tokens_file or serve.tokens_file or None))
    n_workers = serve.workers if workers is None else workers
    for sub in ("tmp", "uploads", "results", "teams"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    store = JobStore(data / "jobs.sqlite", serve.lease_s, serve.max_attempts)
    pool = Workers(
        n_workers,
        WorkerSettings(
            data_dir=str(data),
            config=config,
            owner="",
            analyze=analyze,
            parent_pid=os.getpid(),
            record_history=record_history,
        ),
    )
    app = FastAPI(
        title="armcarriage",
        lifespan=_lifespan(data, store, pool, DataLock(data / "server.lock")),
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.data = data
    app.state.config = config
    app.state.tokens = table
    app.state.workers = pool
    app.state.web = _web_state(data, config, store, table)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(LoginRequiredError, _to_login)  # type: ignore[arg-type]
    install_guard(app, allowed_hosts(serve.allowed_hosts))
    for router in ROUTERS:
        app.include_router(router)
    return app


def _web_state(data: Path, config: Config, store: JobStore, table: TokenTable) -> WebState:
    """Build the state the routes share."""
    serve = config.serve
    return WebState(
        data=data,
        config=config,
        store=store,
        tokens=table,
        templates=Jinja2Templates(directory=str(HERE / "templates")),
        throttle=LoginThrottle(serve.login_attempts, serve.login_window_s),
        decoding=threading.BoundedSemaphore(serve.max_concurrent_decodes),
    )


async def _to_login(request: Request, exc: LoginRequiredError) -> Response:
    """Send a browser without a valid token to the sign-in page."""
    return RedirectResponse("/login", status_code=303)


def _lifespan(
    data: Path, store: JobStore, pool: Workers, lock: DataLock
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """Return the app's lifespan: lock the folder, requeue, run and supervise the workers."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lock.acquire()
        requeued, failed = store.requeue_expired(everything=True)
        if requeued or failed:
            log.warning("start-up: %d interrupted jobs requeued, %d failed", requeued, failed)
        shutil.rmtree(data / "tmp", ignore_errors=True)
        (data / "tmp").mkdir(exist_ok=True)
        pool.settings.parent_pid = os.getpid()
        for slot in range(pool.count):
            pool.start(slot)
        supervisor = asyncio.create_task(supervise(pool, store))
        try:
            yield
        finally:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
            await run_in_threadpool(pool.stop)
            for owner in pool.owners:
                store.release(owner)
            lock.release()

    return lifespan
