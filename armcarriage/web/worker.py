"""Worker processes: take queued jobs, run the analysis, record the result.

Each worker is a separate process (``spawn``), so a crash in the pose model
cannot take the web server down. It dies with the server (Linux parent-death
signal, plus a parent check in its heartbeat thread), so a ``kill -9`` of the
server leaves no orphan still working on a job; the job's lease then lets the
next server start requeue it.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armcarriage.config import Config
from armcarriage.errors import ArmcarriageError
from armcarriage.lifeline import die_with_parent
from armcarriage.person import parse_person
from armcarriage.progress import StageClock, StageProgress
from armcarriage.shell import accepts_keyword
from armcarriage.web.store import Job, JobStore

log = logging.getLogger(__name__)

AnalyzeFn = Callable[..., Any]
"""``fn(video, outdir, config=..., progress=...) -> RunResult``-like object."""

DEFAULT_ANALYZE = "armcarriage.pipeline:run_analysis"
WORK_SHARE = 0.95
"""Share of a job's progress bar given to the analysis (the rest: recording history)."""


class LeaseLostError(Exception):
    """The job was taken away from this worker (its lease expired)."""


def resolve_analyze(ref: AnalyzeFn | str | None) -> AnalyzeFn:
    """Turn ``"module:function"`` (or None for the real pipeline) into a callable."""
    if ref is None:
        ref = DEFAULT_ANALYZE
    if callable(ref):
        return ref
    module, sep, attr = ref.partition(":")
    if not sep:
        raise ValueError(f"analysis function {ref!r}: expected 'module:function'")
    return getattr(importlib.import_module(module), attr)


@dataclass
class WorkerSettings:
    """What a worker process needs (picklable for ``spawn``)."""

    data_dir: str
    config: Config
    owner: str
    analyze: AnalyzeFn | str | None = None
    parent_pid: int = 0
    record_history: bool = True


class _Heartbeat(threading.Thread):
    """Renew the job's lease and push progress to the database."""

    def __init__(
        self, store: JobStore, job: Job, owner: str, parent_pid: int, timeout_s: float = 0.0
    ) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job.id[:8]}")
        self.store, self.job, self.owner, self.parent_pid = store, job, owner, parent_pid
        self.timeout_s = timeout_s
        self.started = time.monotonic()
        self.progress: float | None = None
        self.stage: str | None = None
        self.lost = False
        self._stop_event = threading.Event()

    def update(self, progress: float, stage: str) -> None:
        self.progress, self.stage = progress, stage
        if self.lost:
            raise LeaseLostError(f"job {self.job.id}: lease lost, another worker took it over")

    def run(self) -> None:
        period = max(0.2, min(1.0, self.store.lease_s / 4))
        sent: tuple[float | None, str | None] = (None, None)
        last_renew = time.monotonic()
        while not self._stop_event.wait(period):
            if self.parent_pid and os.getppid() != self.parent_pid:
                os._exit(3)  # the server died: stop at once, the lease will expire
            now = time.monotonic()
            if self.timeout_s and now - self.started > self.timeout_s:
                self._give_up()
            current = (self.progress, self.stage)
            if current != sent or now - last_renew > self.store.lease_s / 3:
                try:
                    ok = self.store.heartbeat(self.job.id, self.owner, *current)
                except sqlite3.Error as exc:  # database busy: retry at the next beat
                    log.warning("heartbeat for job %s failed: %s", self.job.id, exc)
                    continue
                sent, last_renew = current, now
                if not ok:
                    self.lost = True

    def stop(self) -> None:
        self._stop_event.set()

    def _give_up(self) -> None:
        """Fail a job whose analysis ran past the time limit, then end this worker.

        The analysis may be stuck in native code, so the process exits; the
        server starts a fresh worker.
        """
        with contextlib.suppress(sqlite3.Error):
            self.store.finish(
                self.job.id,
                self.owner,
                ok=False,
                error=f"the analysis took longer than {self.timeout_s:g} s and was stopped "
                "(serve.job_timeout_s)",
            )
        log.error("job %s: time limit of %g s reached; worker exits", self.job.id, self.timeout_s)
        os._exit(4)


def _relative_outputs(outputs: Any, outdir: Path) -> dict[str, str]:
    """``{name: file path relative to the job's result folder}`` for files inside it."""
    found: dict[str, str] = {}
    for name, path in dict(outputs or {}).items():
        p = Path(path)
        p = p if p.is_absolute() else outdir / p
        with contextlib.suppress(ValueError, OSError):
            rel = p.resolve().relative_to(outdir.resolve())
            if p.is_file():
                found[str(name)] = rel.as_posix()
    return found


def _progress_callbacks(beat: _Heartbeat) -> tuple[Callable[..., None], StageProgress]:
    """Return a run's ``progress`` and ``stage`` callbacks, which report its stages.

    The job's stage text names them as the terminal does, with the time left
    (:class:`armcarriage.progress.StageClock`).
    """
    clock = StageClock()

    def progress(done: float, total: float | None = None, *_: Any) -> None:
        clock.frames(int(done), int(total or 0))
        beat.update(WORK_SHARE * clock.fraction(), clock.text())

    def stage(name: str, done: int = 0, total: int = 0) -> None:
        clock.stage(name, done, total)
        beat.update(WORK_SHARE * clock.fraction(), clock.text())

    return progress, stage


def run_job(
    store: JobStore,
    job: Job,
    settings: WorkerSettings,
    analyze: AnalyzeFn,
) -> bool:
    """Run one claimed job to its end and record the outcome.

    Returns
    -------
    bool
        True if this worker recorded the outcome (it still held the lease).

    """
    data = Path(settings.data_dir)
    outdir = data / "results" / job.id / f"attempt-{job.attempts}"
    beat = _Heartbeat(
        store, job, settings.owner, settings.parent_pid, settings.config.serve.job_timeout_s
    )
    beat.start()

    progress, stage = _progress_callbacks(beat)

    clip = Path(job.stored_path)
    config = job_config(settings.config, job)
    try:
        clip = _named_clip(data, job)
        extra: dict[str, Any] = {"stage": stage} if accepts_keyword(analyze, "stage") else {}
        takes = settings.record_history and accepts_keyword(analyze, "references")
        refs = _references(data, job, config) if takes else ()
        if refs:  # the athlete's relaxed sessions, for a held shrug
            extra["references"] = refs
        result = analyze(clip, outdir, config=config, progress=progress, **extra)
    except LeaseLostError as exc:
        log.warning("%s", exc)
        beat.stop()
        return False
    except ArmcarriageError as exc:
        beat.stop()
        return store.finish(
            job.id,
            settings.owner,
            ok=False,
            error=str(exc).replace(str(clip), job.original_name),
        )
    except Exception as exc:  # noqa: BLE001 (a bug must not kill the worker: show the error)
        log.error("job %s failed:\n%s", job.id, traceback.format_exc())
        beat.stop()
        return store.finish(
            job.id,
            settings.owner,
            ok=False,
            error=f"internal error ({type(exc).__name__}): {exc}",
        )
    beat.update(0.95, "recording history")
    status = str(getattr(result, "status", "ok") or "ok")
    message = str(getattr(result, "message", "") or "")
    note = ""
    if settings.record_history:
        note = _record_history(data, job, result, settings.config, outdir)
    beat.stop()
    outputs = _relative_outputs(getattr(result, "outputs", {}), outdir)
    return store.finish(
        job.id,
        settings.owner,
        ok=True,
        error=" ".join(x for x in (message if status != "ok" else "", note) if x),
        result_status=status,
        result_dir=str(outdir.relative_to(data)),
        outputs=outputs,
    )


def job_config(config: Config, job: Job) -> Config:
    """Return the settings a job is analysed with: the server's and the upload's choices."""
    capture = float(job.video_info.get("capture_fps_given") or 0.0)
    if capture > 0:  # the upload's capture rate (slow motion)
        config = config.override({"video.capture_fps": capture})
    person = str(job.video_info.get("person_given") or "")
    if person:  # the person clicked on the first frame before upload
        config = config.override(parse_person(person, "the upload's person").overrides())
    return config


def _named_clip(data: Path, job: Job) -> Path:
    """Hard-link the upload under its display name, so reports show that name.

    The link lives in the job's own folder, ``results/JOBID/clip/`` (a folder
    named by the id); the name was reduced to a single harmless path component
    when the upload arrived and is cut here to what a file name can hold. Any
    file-system refusal falls back to the stored name, derived from the id.
    """
    from armcarriage.web.uploads import file_label

    stored = Path(job.stored_path)
    name = file_label(Path(job.original_name).name or "upload")
    if name in (".", ".."):
        name = "upload"
    link = data / "results" / job.id / "clip" / name
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            os.link(stored, link)
    except OSError as exc:  # long name, another file system, no hard links
        log.warning("job %s: clip linked under its stored name (%s)", job.id, exc.strerror)
        return stored
    return link


def _record_history(data: Path, job: Job, result: Any, config: Config, outdir: Path) -> str:
    """Add the session to the team's history database; returns a note if that failed."""
    from armcarriage.web.history import record_job

    try:
        record_job(data, job, result, config, outdir)
    except ImportError as exc:
        return f"(history not recorded: {exc})"
    except Exception as exc:  # noqa: BLE001 (history must not fail a finished analysis)
        log.warning("job %s: history not recorded: %s", job.id, exc)
        return f"(history not recorded: {exc})"
    return ""


def _references(data: Path, job: Job, config: Config) -> tuple[Any, ...]:
    """Return the athlete's relaxed references from the team's history (none if unreadable)."""
    from armcarriage.web.history import job_references

    try:
        return job_references(data, job, config)
    except Exception as exc:  # noqa: BLE001 (history must not fail an analysis)
        log.warning("job %s: no reference from the history: %s", job.id, exc)
        return ()


def _die_with_parent(parent_pid: int) -> None:
    """End this process when the server dies (:func:`armcarriage.lifeline.die_with_parent`)."""
    die_with_parent()
    if parent_pid and os.getppid() != parent_pid:
        os._exit(3)


def worker_main(settings: WorkerSettings) -> None:
    """Entry point of a worker process: claim and run jobs until terminated."""
    _die_with_parent(settings.parent_pid)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    serve = settings.config.serve
    store = JobStore(Path(settings.data_dir) / "jobs.sqlite", serve.lease_s, serve.max_attempts)
    analyze = resolve_analyze(settings.analyze)
    next_reap = 0.0
    while True:
        if settings.parent_pid and os.getppid() != settings.parent_pid:
            os._exit(3)
        now = time.monotonic()
        if now >= next_reap:
            with contextlib.suppress(Exception):
                store.requeue_expired()
            next_reap = now + max(1.0, serve.lease_s / 4)
        try:
            job = store.claim(settings.owner)
        except sqlite3.Error as exc:  # database busy beyond the timeout: try again shortly
            log.warning("claiming a job failed: %s", exc)
            job = None
        if job is None:
            time.sleep(serve.poll_s)
            continue
        try:
            run_job(store, job, settings, analyze)
        except (OSError, sqlite3.Error) as exc:  # the job's lease expires and it is retried
            log.error("job %s: the worker could not record it: %s", job.id, exc)
