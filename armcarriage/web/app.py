"""The coach web app: upload clips, follow the queue, read reports in the browser.

:func:`create_app` builds the FastAPI application. Its lifespan takes a lock
on the data folder (one server per folder), requeues jobs left running by a
previous server, starts the worker processes and restarts any that die.

Data folder layout (all names chosen by the server)::

    DATA/jobs.sqlite            job queue (WAL)
    DATA/tmp/                   uploads being received (cleared at start-up)
    DATA/uploads/JOBID.EXT      accepted clips
    DATA/results/JOBID/attempt-N/   analysis outputs
    DATA/teams/TEAM/history.sqlite  athlete history per team

Browser security: every request must name an allowed host (``serve.allowed_hosts``,
against DNS rebinding); every state-changing request from a browser must come
from this server's own pages (its ``Origin`` or ``Referer`` names the requested
host; cross-site requests are refused, and token-less scripts may send neither);
every response carries a Content-Security-Policy; failed sign-ins are throttled
per client address; malformed paths are answered 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.memory import release_free_memory
from armcarriage.web import history as web_history
from armcarriage.web.auth import TokenTable, load_tokens
from armcarriage.web.store import Job, JobStore
from armcarriage.web.uploads import (
    VIEW_HINTS,
    QuotaMeter,
    ReceivedFile,
    ReceivedForm,
    UploadError,
    check_fields,
    fsync_dir,
    probe_headers,
    probe_upload,
    receive_multipart,
)
from armcarriage.web.worker import AnalyzeFn, WorkerSettings, worker_main

log = logging.getLogger(__name__)

COOKIE = "armcarriage_token"
HERE = Path(__file__).parent
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
"""Hash of the empty string: plotly.js (the report's charts) adds empty ``<style>`` elements
and fills them through the CSS object model, which CSP does not govern; this hash lets an
empty style element in and nothing else."""
_PAGE_CSP = (
    f"default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' {_EMPTY_STYLE}; "
    "script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'"
)
_FILE_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self' "
    "'unsafe-inline'; font-src 'self' data:; frame-ancestors 'self'; form-action 'none'"
)
"""Served job outputs (``report.html``, plots): no script at all, framed only by our pages."""
_DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOGIN_TABLE_MAX = 10_000
"""Client addresses remembered by the sign-in throttle (the oldest are forgotten)."""


def allowed_hosts(setting: str) -> frozenset[str] | None:
    """Parse ``serve.allowed_hosts`` into lower-case host names (None = any host)."""
    names = {h.strip().lower().strip("[]").rstrip(".") for h in setting.split(",")}
    names.discard("")
    return None if "*" in names else frozenset(names)


def host_name(header: str) -> str:
    """Return the host name of a ``Host`` header value, without port or IPv6 brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def _bad_path(path: str) -> bool:
    """Return True for a decoded path with control characters or bytes that are not UTF-8."""
    return any(unicodedata.category(ch) == "Cc" or ch == "\ufffd" for ch in path)


class LoginRequiredError(Exception):
    """A page was requested without a valid token: send the browser to sign in."""


@dataclass
class _Workers:
    """The worker processes of one server and their lease owners."""

    count: int
    settings: WorkerSettings
    procs: list[Any] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    quick_deaths: list[int] = field(default_factory=list)
    restarts: int = 0

    def start(self, slot: int) -> None:
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
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)


class _DataLock:
    """An exclusive lock on the data folder: one server per folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
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
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


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
    pool = _Workers(
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
    lock = _DataLock(data / "server.lock")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lock.acquire()
        requeued, failed = store.requeue_expired(everything=True)
        if requeued or failed:
            log.warning("start-up: %d interrupted jobs requeued, %d failed", requeued, failed)
        shutil.rmtree(data / "tmp", ignore_errors=True)
        (data / "tmp").mkdir(exist_ok=True)
        pool.settings.parent_pid = os.getpid()
        for slot in range(n_workers):
            pool.start(slot)
        supervisor = asyncio.create_task(_supervise(pool, store))
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

    app = FastAPI(title="armcarriage", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.store = store
    app.state.data = data
    app.state.config = config
    app.state.tokens = table
    app.state.workers = pool
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def team_of(request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        return table.team_of(token or request.cookies.get(COOKIE))

    def api_team(request: Request) -> str:
        team = team_of(request)
        if team is None:
            raise HTTPException(
                401,
                "missing or unknown access token: send 'Authorization: Bearer TOKEN' "
                "or sign in at /login",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return team

    def page_team(request: Request) -> str:
        team = team_of(request)
        if team is None:
            raise LoginRequiredError()
        return team

    def team_job(job_id: str, team: str) -> Job:
        job = store.get(job_id, team) if _JOB_ID.match(job_id) else None
        if job is None:  # absent and another team's look the same
            raise HTTPException(404, f"no job {job_id[:40]!r} for your team")
        return job

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("team", team_of(request))
        context.setdefault("open_mode", table.open_mode)
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Content-Security-Policy"] = _PAGE_CSP
        return response

    @app.exception_handler(LoginRequiredError)
    async def _to_login(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    hosts = allowed_hosts(serve.allowed_hosts)

    def refuse(request: Request) -> Response | None:
        """Answer requests with a bad path, a foreign Host or a cross-site origin."""
        if _bad_path(request.scope.get("path", "")) or _bad_path(unquote(request.url.query)):
            return JSONResponse(
                {"detail": "bad request path: control characters or bytes that are not UTF-8"},
                status_code=400,
            )
        host_header = request.headers.get("host", "")
        if hosts is not None and host_name(host_header) not in hosts:
            return JSONResponse(
                {
                    "detail": f"Host {host_header[:80]!r} is not served here; allowed: "
                    f"{', '.join(sorted(hosts))} (serve.allowed_hosts)"
                },
                status_code=400,
            )
        if request.method in _SAFE_METHODS:
            return None
        site = request.headers.get("sec-fetch-site", "")
        origin = request.headers.get("origin")
        referer = request.headers.get("referer")
        source = origin if origin is not None else referer
        why = ""
        if site and site not in ("same-origin", "none"):
            why = f"Sec-Fetch-Site is {site[:20]!r}"
        elif source is not None:
            try:
                netloc = urlsplit(source.strip()).netloc if source.strip() != "null" else None
            except ValueError:  # not a URL at all, e.g. an unclosed IPv6 bracket
                netloc = None
            if netloc is None or netloc.lower() != host_header.strip().lower():
                kind = "Origin" if origin is not None else "Referer"
                why = f"{kind} {source[:80]!r} is not this server ({host_header[:80]!r})"
        if why:
            return JSONResponse(
                {"detail": f"cross-site request refused: {why}; send it from this server's pages"},
                status_code=403,
            )
        return None

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = refuse(request) or await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _DEFAULT_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the
        # app's own form posts, which the origin check must refuse
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    # -- sign-in ---------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        return render(request, "login.html", error="")

    failures: dict[str, deque[float]] = {}

    def throttled(client: str) -> float:
        """Seconds ``client`` must wait before its next sign-in attempt (0 = none)."""
        seen = failures.get(client)
        if not seen:
            return 0.0
        now = time.monotonic()
        while seen and now - seen[0] > serve.login_window_s:
            seen.popleft()
        if len(seen) < serve.login_attempts:
            return 0.0
        return max(1.0, serve.login_window_s - (now - seen[0]))

    def failed(client: str) -> None:
        if client not in failures and len(failures) >= _LOGIN_TABLE_MAX:
            failures.pop(next(iter(failures)))
        failures.setdefault(client, deque(maxlen=serve.login_attempts)).append(time.monotonic())

    @app.post("/login")
    async def login(request: Request) -> Response:
        client = request.client.host if request.client else ""
        wait = throttled(client)
        if wait:
            page = render(
                request,
                "login.html",
                status=429,
                error=f"Too many failed sign-ins from your address; try again in {wait:.0f} s.",
            )
            page.headers["Retry-After"] = str(int(wait + 0.999))
            return page
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > serve.max_field_bytes:
                return JSONResponse(
                    {
                        "detail": f"sign-in form larger than {serve.max_field_bytes} bytes "
                        "(serve.max_field_bytes)"
                    },
                    status_code=413,
                )
        try:
            values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
        except ValueError:
            return JSONResponse(
                {"detail": "sign-in form: expected one field 'token', got more than 4 fields"},
                status_code=400,
            )
        token = (values.get("token") or [""])[0].strip()
        if table.team_of(token) is None:
            failed(client)
            return render(request, "login.html", status=401, error="Unknown access token.")
        failures.pop(client, None)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
        return response

    @app.post("/logout")
    async def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    # -- API -------------------------------------------------------------
    active: dict[str, int] = {}
    inflight: dict[str, int] = {}
    decoding = threading.BoundedSemaphore(serve.max_concurrent_decodes)

    async def check_headers(received: ReceivedFile) -> None:
        received.info = await run_in_threadpool(
            probe_headers, received.tmp_path, received.original_name, serve, decoding
        )

    def full_probe(received: ReceivedFile) -> dict[str, Any]:
        with decoding:
            try:
                return probe_upload(received.tmp_path, received.original_name, config)
            finally:
                release_free_memory()  # a 4K first frame's buffers, kept by the thread's arena

    @app.post("/api/jobs", status_code=201)
    async def upload(request: Request) -> Response:
        team = api_team(request)
        if active.get(team, 0) >= serve.max_concurrent_uploads:
            return JSONResponse(
                {
                    "detail": f"your team already has {active[team]} uploads in progress; the "
                    f"limit is {serve.max_concurrent_uploads} (serve.max_concurrent_uploads); "
                    "send this one when one of them has finished"
                },
                status_code=429,
                headers={"Retry-After": "10"},
            )
        active[team] = active.get(team, 0) + 1
        form = ReceivedForm()
        meter = QuotaMeter(serve.team_quota_mb, inflight, team)
        try:
            meter.stored_bytes = await run_in_threadpool(store.team_bytes, team)
            form = await receive_multipart(
                request.headers.get("content-type", ""),
                request.headers.get("content-length"),
                request.stream(),
                data / "tmp",
                serve,
                quota=meter,
                check_file=check_headers,
            )
            fields = check_fields(form.fields)
            infos = [await run_in_threadpool(full_probe, f) for f in form.files]
            jobs = await run_in_threadpool(_accept, store, data, team, fields, form, infos)
        except UploadError as exc:
            form.discard()
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        except BaseException:
            form.discard()
            raise
        finally:
            meter.release()
            active[team] -= 1
            if not active[team]:
                del active[team]
        if "text/html" in request.headers.get("accept", "") and "json" not in request.headers.get(
            "accept", ""
        ):
            return RedirectResponse("/", status_code=303)
        return JSONResponse({"jobs": [_job_json(j) for j in jobs]}, status_code=201)

    @app.get("/api/jobs")
    async def list_jobs(request: Request, athlete: str | None = None) -> dict[str, Any]:
        team = api_team(request)
        jobs = await run_in_threadpool(store.list_jobs, team, athlete)
        return {"jobs": [_job_json(j) for j in jobs]}

    @app.get("/api/jobs/{job_id}")
    async def get_job(request: Request, job_id: str) -> dict[str, Any]:
        return _job_json(team_job(job_id, api_team(request)))

    @app.get("/jobs/{job_id}/files/{name:path}")
    async def job_file(request: Request, job_id: str, name: str, download: int = 0) -> Response:
        job = team_job(job_id, api_team(request))
        if job.status != "done" or not job.result_dir:
            raise HTTPException(404, f"job {job_id}: no results yet (status {job.status})")
        base = (data / job.result_dir).resolve()
        target = (base / name).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise HTTPException(404, f"job {job_id}: no output file {name[:80]!r}")
        return FileResponse(
            target,
            filename=target.name if download else None,
            content_disposition_type="attachment" if download else "inline",
            headers={"Content-Security-Policy": _FILE_CSP},
        )

    # -- pages -----------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        team = page_team(request)
        jobs = await run_in_threadpool(store.list_jobs, team, None, 200)
        return render(
            request,
            "index.html",
            team=team,
            jobs=[_job_json(j) for j in jobs],
            views=[v for v in VIEW_HINTS if v],
            max_mb=serve.max_upload_mb,
            limits=serve,
        )

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    async def job_page(request: Request, job_id: str) -> Response:
        team = page_team(request)
        job = team_job(job_id, team)
        report = await run_in_threadpool(_report_fragment, data, job)
        skip: tuple[str, ...] = ()
        if report is not None:
            from armcarriage.report.html import injected_style_ids

            skip = await run_in_threadpool(injected_style_ids)
        return render(
            request,
            "job.html",
            job=_job_json(job),
            files=_files(job),
            report=report,
            skip_styles=skip,
        )

    @app.get("/report-assets/{name}")
    async def report_asset(name: str) -> Response:
        # the report's style and scripts as files, so the job page runs no inline script
        from armcarriage.report.html import ASSET_TYPES, asset

        if name not in ASSET_TYPES:
            raise HTTPException(404, f"no report asset {name[:80]!r}")
        content, media_type = await run_in_threadpool(asset, name)
        return Response(
            content, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"}
        )

    @app.get("/athletes/{name}", response_class=HTMLResponse)
    async def athlete_page(request: Request, name: str) -> Response:
        team = page_team(request)
        hist = await run_in_threadpool(web_history.athlete_history, data, team, name)
        jobs = await run_in_threadpool(store.list_jobs, team, name)
        has_plot = hist["metrics"] is not None and not hist["metrics"].empty
        return render(
            request,
            "athlete.html",
            athlete=name,
            history=hist,
            has_plot=has_plot,
            jobs=[_job_json(j) for j in jobs],
        )

    @app.get("/athletes/{name}/history.png")
    async def athlete_plot(request: Request, name: str) -> Response:
        team = api_team(request)
        hist = await run_in_threadpool(web_history.athlete_history, data, team, name)
        if hist["metrics"] is None or hist["metrics"].empty:
            raise HTTPException(404, f"no history for athlete {name[:80]!r} in your team")
        png = await run_in_threadpool(web_history.plot_png, hist["metrics"], name)
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    return app


async def _supervise(pool: _Workers, store: JobStore, period: float = 1.0) -> None:
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


def _accept(
    store: JobStore,
    data: Path,
    team: str,
    fields: dict[str, str],
    form: ReceivedForm,
    infos: list[dict[str, Any]],
) -> list[Job]:
    """Move checked uploads to their final names and queue one job per file."""
    jobs = []
    for received, info in zip(list(form.files), infos, strict=True):
        job_id = store.new_id()
        final = data / "uploads" / f"{job_id}.{info['ext']}"
        os.link(received.tmp_path, final)  # fails rather than overwrite an existing file
        received.tmp_path.unlink()
        received.tmp_path = final
        fsync_dir(final.parent)
        jobs.append(
            store.add(
                job_id,
                team=team,
                stored_path=final,
                athlete=fields["athlete"],
                session_date=fields["date"],
                view_hint=fields["view_hint"],
                original_name=received.original_name,
                size_bytes=received.size,
                video_info={**info, "capture_fps_given": fields.get("capture_fps", 0.0)},
            )
        )
        form.files.remove(received)  # accepted: no longer the request's to discard
    return jobs


def _job_json(job: Job) -> dict[str, Any]:
    out = job.public()
    out["url"] = f"/jobs/{job.id}"
    return out


def _report_fragment(data: Path, job: Job) -> str | None:
    """Return the report of a finished job, to show within the job page (None if there is none).

    The report's clip and other files are fetched from the job's file route.
    """
    from armcarriage.report.html import embedded_report

    rel = next((r for r in job.outputs.values() if r.endswith(".html")), None)
    if job.status != "done" or not job.result_dir or rel is None:
        return None
    base = (data / job.result_dir).resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        return None
    fragment = embedded_report(path)
    if fragment is None:
        return None
    folder = Path(rel).parent.as_posix()
    prefix = f"/jobs/{job.id}/files/" + ("" if folder == "." else folder + "/")
    return fragment.replace('class="acr" data-base=""', f'class="acr" data-base="{prefix}"', 1)


def _files(job: Job) -> dict[str, Any]:
    """Sort a finished job's outputs into report, video and downloads."""
    report = video = None
    downloads = []
    for name, rel in sorted(job.outputs.items()):
        url = f"/jobs/{job.id}/files/{rel}"
        if rel.endswith(".html") and report is None:
            report = url
        elif rel.endswith(".mp4") and video is None and name != "player":
            video = url
        else:
            downloads.append({"name": name, "file": Path(rel).name, "url": url + "?download=1"})
    return {"report": report, "video": video, "downloads": downloads}
