"""Analyse a folder or manifest of clips in parallel, resumably, into one output folder.

Layout of the output folder::

    OUTDIR/
      history.sqlite          sessions and stride metrics (unless --db points elsewhere)
      team.csv, team.html     one row per athlete and clip
      <athlete>__<clip>/      the clip's reports, and batch.json (written last)
      .staging/               work in progress; never read, removed at the start and end

A clip is analysed into ``.staging`` by a worker. The coordinating process then
writes its session to the database (one transaction with its strides), writes
``batch.json`` and renames the folder into place, with SIGINT/SIGTERM held off
for those few steps; so a clip folder is either complete or absent. A re-run
skips clips whose folder and session match the content and settings hashes.

Examples
--------
>>> result = run_batch("squad.csv", "out/week12", workers=2)     # doctest: +SKIP
>>> result.exit_code                                              # doctest: +SKIP
0

"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from armcarriage.atomic import write_text
from armcarriage.batch.display import BatchDisplay
from armcarriage.batch.manifest import ClipSpec, load_manifest
from armcarriage.batch.sessions import write_batch_sessions
from armcarriage.batch.signals import deferred_interrupts, sigterm_as_interrupt
from armcarriage.batch.team import write_team_report
from armcarriage.batch.worker import AnalyseFn, ClipJob, ClipOutcome
from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.history.hashing import content_hash, settings_hash, settings_json
from armcarriage.jsonio import dumps
from armcarriage.person import parse_person

log = logging.getLogger(__name__)

STAGING_DIR = ".staging"
"""Folder under the output folder where workers write unfinished clips."""

MARKER = "batch.json"
"""Written last into a clip folder: identity, hashes, state, team row."""

MARKER_SCHEMA = 1

LOCK_FILE = ".batch.lock"
"""Held (advisory lock) by the batch writing into an output folder."""


class BatchBusyError(InputError):
    """Another batch is writing into the same output folder."""


@dataclass
class BatchResult:
    """What :func:`run_batch` did."""

    outdir: Path
    database_url: str
    outcomes: list[ClipOutcome] = field(default_factory=list)
    """One per clip finished in this run, in input order (skipped clips included)."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """``team_csv`` and ``team_html``."""

    def count(self, state: str) -> int:
        """Return how many clips ended in ``state`` (done, failed, skipped)."""
        return sum(o.state == state for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when every clip was analysed or skipped, 1 when any clip failed."""
        return 1 if self.count("failed") else 0


def run_batch(
    source: str | Path,
    outdir: str | Path,
    config: Config | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    force: bool = False,
    db: str | Path | None = None,
    analyse: AnalyseFn | None = None,
    console: Console | None = None,
) -> BatchResult:
    """Analyse every clip of a folder or manifest.

    Parameters
    ----------
    source
        Folder of videos or CSV manifest (:func:`~armcarriage.batch.manifest.load_manifest`).
    outdir
        Output folder (created if missing).
    config
        Settings; ``config.batch`` gives the defaults of ``workers``, ``scheduler`` and ``db``.
    workers
        Clips analysed at once (0/None: ``config.batch.workers``, then one per core).
    scheduler
        Dask scheduler address, ``"local"`` (a LocalCluster) or a
        :class:`distributed.Client`; None/'' means a local process pool.
    force
        Analyse again clips already analysed with the same content and settings.
    db
        History database: URL, SQLite file or folder (default: ``OUTDIR/history.sqlite``).
    analyse
        Replacement for :func:`armcarriage.pipeline.run_analysis` (tests); it
        must be importable by worker processes.
    console
        Where progress bars are drawn; None draws none.

    Returns
    -------
    BatchResult
        Per-clip outcomes and the team report paths.

    Raises
    ------
    ManifestError
        If the input cannot be read.
    KeyboardInterrupt
        On Ctrl-C or SIGTERM, after stopping the workers; committed clips stay,
        unfinished ones leave nothing behind.

    """
    config = config or Config()
    clips = load_manifest(source)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    staging_root = outdir / STAGING_DIR
    url, engine = _history(db or config.batch.database_url or outdir, [c.athlete for c in clips])
    scheduler = scheduler if scheduler is not None else (config.batch.scheduler or None)
    committer = _Committer(outdir, staging_root, engine, config)
    result = BatchResult(outdir=outdir, database_url=url)
    done: dict[str, ClipOutcome] = {}
    display = BatchDisplay(len(clips), console)
    with _outdir_lock(outdir):
        shutil.rmtree(staging_root, ignore_errors=True)
        try:
            with sigterm_as_interrupt(), display:
                jobs = _plan(clips, committer, config, force, analyse, done)
                display.advance(len(done))
                for outcome in done.values():
                    display.log(_describe(outcome))
                n_workers = _worker_count(workers or config.batch.workers, len(jobs))
                _run_jobs(jobs, scheduler, n_workers, analyse, config, display, committer, done)
        finally:
            result.outcomes = [done[c.key] for c in clips if c.key in done]
            shutil.rmtree(staging_root, ignore_errors=True)
        result.outputs = write_team_report(committer.team_rows(clips), outdir, config, engine)
        result.outputs.update(write_batch_sessions(clips, result.outcomes, outdir, config))
    return result


def _history(db: str | Path, athletes: list[str]) -> tuple[str, Any]:
    """Open the history database (URL, SQLite file or folder) with the manifest's athletes.

    Returns its URL and engine; display names are the manifest's first spelling.
    """
    from armcarriage.history.db import get_engine, resolve_url
    from armcarriage.history.store import ensure_athletes

    url = resolve_url(db)
    engine = get_engine(url)
    ensure_athletes(engine, athletes)
    return url, engine


def _run_jobs(
    jobs: list[ClipJob],
    scheduler: Any,
    n_workers: int,
    analyse: AnalyseFn | None,
    config: Config,
    display: BatchDisplay,
    committer: _Committer,
    done: dict[str, ClipOutcome],
) -> None:
    """Run the jobs and commit each clip as it finishes."""
    if jobs:
        with _backend(scheduler, n_workers, analyse, config, display) as backend:
            for job, outcome in backend.run(jobs):
                committer.commit(job.spec, outcome, job.content_hash, Path(job.staging))
                done[job.spec.key] = outcome
                display.advance()
                display.log(_describe(outcome))


@contextlib.contextmanager
def _outdir_lock(outdir: Path) -> Iterator[None]:
    """Refuse a second batch writing into the same output folder at the same time."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, no check
        yield
        return
    with open(outdir / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchBusyError(
                f"batch output {outdir}: another batch is writing into it "
                f"(expected it to be free; wait for that batch or choose another -o)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _worker_count(requested: int | None, n_clips: int) -> int:
    n = requested if requested and requested > 0 else (os.cpu_count() or 1)
    return max(1, min(n, n_clips))


def _plan(
    clips: list[ClipSpec],
    committer: _Committer,
    config: Config,
    force: bool,
    analyse: AnalyseFn | None,
    done: dict[str, ClipOutcome],
) -> list[ClipJob]:
    """Hash every clip; return the jobs to run and put skipped and missing clips in ``done``."""
    job_config = _job_config(config)
    jobs = []
    for spec in clips:
        shash = committer.hash_for(spec)
        if not spec.path.is_file():
            outcome = ClipOutcome(
                key=spec.key,
                state="failed",
                error=f"{spec.source}: video not found: {spec.path}",
                error_type="FileNotFoundError",
            )
            committer.commit(spec, outcome, _missing_hash(spec.path), None)
            done[spec.key] = outcome
            continue
        chash = content_hash(spec.path)
        if not force and committer.is_complete(spec, chash, shash):
            done[spec.key] = ClipOutcome(key=spec.key, state="skipped")
            continue
        staging = committer.staging_root / f"{spec.key}-{uuid.uuid4().hex[:8]}"
        cfg = clip_config(job_config, spec)
        refs = _references(committer.engine, spec, chash, cfg)
        jobs.append(ClipJob(spec, chash, shash, str(staging), cfg, analyse, refs))
    return jobs


def _references(engine: Any, spec: ClipSpec, chash: str, config: Config) -> tuple[Any, ...]:
    """Return the athlete's relaxed references from history sessions dated before the clip."""
    from armcarriage.history.reference import history_references

    return tuple(
        history_references(
            engine,
            spec.athlete,
            before=spec.date,
            exclude_content_hash=chash,
            min_strides=config.cues.reference_min_strides,
        )
    )


def clip_config(config: Config, spec: ClipSpec) -> Config:
    """Return the settings of one clip: the batch's, with the manifest's capture rate and person."""
    values: dict[str, Any] = {}
    if spec.capture_fps > 0:
        values["video.capture_fps"] = spec.capture_fps
    if spec.person:
        values.update(parse_person(spec.person, spec.source).overrides())
    return config.override(values) if values else config


def _job_config(config: Config) -> Config:
    """Run each clip's pose stage in its worker process (``pose.workers = 1``).

    Parallelism comes from analysing several clips at once; one process per
    clip also makes the pose track (and so every number) independent of the
    worker count and of the backend. An explicit ``pose.workers`` is kept.
    """
    if config.pose.workers > 0:
        return config
    return config.override({"pose.workers": 1})


def _missing_hash(path: Path) -> str:
    return "missing:" + hashlib.sha256(str(path).encode()).hexdigest()[:32]


@contextlib.contextmanager
def _backend(
    scheduler: Any,
    n_workers: int,
    analyse: AnalyseFn | None,
    config: Config,
    display: BatchDisplay,
) -> Iterator[Any]:
    """Open the local pool or the Dask client; always stop it on the way out."""
    from armcarriage.batch.backends import DaskBackend, LocalBackend

    warm = analyse is None
    model = config.pose.model_path
    backend: LocalBackend | DaskBackend
    if scheduler:
        backend = DaskBackend(scheduler, n_workers, warm, model, display.message)
    else:
        backend = LocalBackend(n_workers, warm, model, display.message)
    try:
        yield backend
    finally:
        backend.shutdown()


def _describe(outcome: ClipOutcome) -> str:
    if outcome.state == "skipped":
        return f"skipped {outcome.key} (already analysed with these settings)"
    if outcome.state == "failed":
        return f"[red]failed[/] {outcome.key}: {outcome.error_type}: {outcome.error}"
    extra = f" ({outcome.analysis_status})" if outcome.analysis_status != "ok" else ""
    if outcome.warnings:
        extra += f" [yellow]warning[/]: {outcome.warnings[0]}"
    return f"[green]done[/] {outcome.key}{extra} in {outcome.elapsed_s:.1f} s"


class _Committer:
    """Writes finished clips: database session, then ``batch.json``, then the folder rename."""

    def __init__(self, outdir: Path, staging_root: Path, engine: Any, config: Config) -> None:
        import armcarriage

        self.outdir = outdir
        self.staging_root = staging_root
        self.engine = engine
        self.config = config
        self.settings_hash = settings_hash(config)
        self.settings_json = settings_json(config)
        self.version = armcarriage.__version__

    def hash_for(self, spec: ClipSpec) -> str:
        """Return the settings hash a clip is analysed (and found again) under."""
        if spec.capture_fps > 0 or spec.person:
            return settings_hash(clip_config(self.config, spec))
        return self.settings_hash

    def marker(self, spec: ClipSpec) -> dict[str, Any] | None:
        path = self.outdir / spec.key / MARKER
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def is_complete(self, spec: ClipSpec, chash: str, shash: str) -> bool:
        from armcarriage.history.store import find_session

        mark = self.marker(spec)
        if not mark or mark.get("state") != "done":
            return False
        if mark.get("content_hash") != chash or mark.get("settings_hash") != shash:
            return False
        session = find_session(self.engine, spec.athlete, chash, shash)
        return session is not None and session["status"] == "done"

    def commit(self, spec: ClipSpec, outcome: ClipOutcome, chash: str, source: Path | None) -> None:
        """Record the session, then move the clip folder into place (signals held off)."""
        from armcarriage.history.store import SessionRecord, record_session

        staging = self.staging_root / f"{spec.key}-{uuid.uuid4().hex[:8]}-commit"
        record = SessionRecord(
            athlete=spec.athlete,
            clip=str(spec.path),
            clip_key=spec.key,
            content_hash=chash,
            settings_hash=self.hash_for(spec),
            settings_json=self.settings_json,
            software_version=self.version,
            status=outcome.state,
            date=spec.date,
            date_source=spec.date_source,
            view_hint=spec.view_hint,
            view=outcome.view,
            view_confidence=outcome.view_confidence,
            analysis_status=outcome.analysis_status,
            error=f"{outcome.error_type}: {outcome.error}" if outcome.error else "",
            warnings="\n".join(outcome.warnings),
            cues=outcome.cues,
            summary=outcome.summary,
            notes=spec.notes,
            output_dir=str(self.outdir / spec.key),
        )
        if source is not None and not source.is_dir():
            source = None
        with deferred_interrupts():
            record_session(self.engine, record, outcome.strides)
            if source is not None and outcome.state == "done":
                source.rename(staging)
            else:
                staging.mkdir(parents=True)
                if source is not None:
                    shutil.rmtree(source, ignore_errors=True)
            write_text(staging / MARKER, dumps(self._marker(spec, outcome, chash), indent=2))
            _swap_into_place(staging, self.outdir / spec.key, self.staging_root)

    def _marker(self, spec: ClipSpec, outcome: ClipOutcome, chash: str) -> dict[str, Any]:
        return {
            "schema": MARKER_SCHEMA,
            "key": spec.key,
            "clip": str(spec.path),
            "athlete": spec.athlete,
            "date": spec.date.isoformat() if spec.date else "",
            "date_source": spec.date_source,
            "view_hint": spec.view_hint,
            "notes": spec.notes,
            "content_hash": chash,
            "settings_hash": self.hash_for(spec),
            "software_version": self.version,
            "state": outcome.state,
            "analysis_status": outcome.analysis_status,
            "message": outcome.message,
            "error": outcome.error,
            "error_type": outcome.error_type,
            "warnings": outcome.warnings,
            "cues": outcome.cues,
            "row": outcome.row,
            "outputs": outcome.outputs,
            "video_info": outcome.video_info,
            "elapsed_s": round(outcome.elapsed_s, 3),
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }

    def team_rows(self, clips: list[ClipSpec]) -> list[dict[str, Any]]:
        rows = []
        for spec in clips:
            mark = self.marker(spec)
            if mark is None:
                continue
            error = f"{mark['error_type']}: {mark['error']}" if mark.get("error") else ""
            rows.append(
                {
                    **mark.get("row", {}),
                    "athlete": mark["athlete"],
                    "date": mark["date"],
                    "date_source": mark.get("date_source", ""),
                    "clip": mark["key"],
                    "state": mark["state"],
                    "analysis_status": mark.get("analysis_status", ""),
                    "error": error,
                    "warnings": " | ".join(mark.get("warnings", [])),
                }
            )
        return rows


def _swap_into_place(staging: Path, final: Path, staging_root: Path) -> None:
    """Rename ``staging`` to ``final``, replacing an older clip folder."""
    old = None
    if final.exists():
        old = staging_root / f"old-{final.name}-{uuid.uuid4().hex[:8]}"
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
