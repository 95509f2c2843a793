"""Sessions and comparisons in the web app: the data behind ``routes_sessions``.

An upload marked as one session (several clips of one run, ``session`` field) queues one
job per clip as usual and records which jobs belong together in
``DATA/teams/TEAM/sessions/SID.json``. Once every job has finished, the session page
merges them (:func:`armcarriage.sessions.merge_session`) from the jobs' saved pose tracks,
with the settings each job ran with. Comparing two of an athlete's jobs reads their
output folders (:func:`armcarriage.history.compare.load_session`).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.jsonio import dumps
from armcarriage.web.store import Job, JobStore
from armcarriage.web.worker import job_config

SESSION_ID = re.compile(r"^[0-9a-f]{24}$")
FINISHED = ("done", "failed")


def _folder(data: Path, team: str) -> Path:
    return Path(data) / "teams" / team / "sessions"


def create_session(data: Path, team: str, jobs: list[Job]) -> str:
    """Record that ``jobs`` are the clips of one run; return the session's id."""
    sid = secrets.token_hex(12)
    record = {
        "id": sid,
        "athlete": jobs[0].athlete,
        "date": jobs[0].session_date,
        "jobs": [j.id for j in jobs],
        "created": time.time(),
    }
    folder = _folder(data, team)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / f"{sid}.json", json.dumps(record))
    return sid


def load_session_record(data: Path, team: str, sid: str) -> dict[str, Any] | None:
    """Return the team's session ``sid`` (None when unknown or another team's)."""
    if not SESSION_ID.match(sid):
        return None
    path = _folder(data, team) / f"{sid}.json"
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record


def athlete_sessions(data: Path, team: str, athlete: str) -> list[dict[str, Any]]:
    """Return the team's session records of one athlete, newest first."""
    records = []
    for path in _folder(data, team).glob("*.json"):
        if not SESSION_ID.match(path.stem):
            continue  # the merges kept beside the records
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("athlete") == athlete:
            records.append({**record, "url": f"/sessions/{record['id']}"})
    return sorted(records, key=lambda r: -float(r.get("created", 0)))


def output_folder(data: Path, job: Job) -> Path | None:
    """Return the folder of a finished job's report and tables (None when it has none)."""
    rel = next((r for r in job.outputs.values() if r.endswith("report.html")), None)
    if job.status != "done" or not job.result_dir or rel is None:
        return None
    base = (Path(data) / job.result_dir).resolve()
    folder = (base / rel).resolve().parent
    return folder if folder.is_relative_to(base) else None


def files_url(data: Path, job: Job) -> str:
    """Return the URL prefix of the job's files in its output folder (ends in ``/``)."""
    folder = output_folder(data, job)
    base = (Path(data) / job.result_dir).resolve()
    rel = folder.relative_to(base).as_posix() if folder is not None else "."
    return f"/jobs/{job.id}/files/" + ("" if rel == "." else f"{rel}/")


@dataclass
class SessionView:
    """What the session page shows: the jobs, and the merged page once all are finished."""

    record: dict[str, Any]
    jobs: list[Job]
    sections: tuple[str, str, str] | None = None
    """Title, header and sections of the merged page (None while jobs are running)."""
    merged: dict[str, Any] | None = None
    """The merged session as JSON (:meth:`armcarriage.sessions.merge.SessionResult.to_dict`)."""

    @property
    def pending(self) -> list[Job]:
        """Jobs not finished yet."""
        return [j for j in self.jobs if j.status not in FINISHED]


def session_view(
    data: Path, store: JobStore, config: Config, team: str, sid: str
) -> SessionView | None:
    """Load a session and, once every job has finished, merge its analysed clips."""
    from armcarriage.analysis import analyze
    from armcarriage.sessions.merge import SessionClip, merge_session
    from armcarriage.sessions.page import Place, session_sections
    from armcarriage.track import PoseTrack

    record = load_session_record(data, team, sid)
    if record is None:
        return None
    jobs = [j for j in (store.get(i, team) for i in record["jobs"]) if j is not None]
    view = SessionView(record, jobs)
    if view.pending:
        return view
    cache = _folder(data, team) / f"{sid}.merged.json"
    try:  # a job finishes once, so the merge of finished jobs never changes
        cached = json.loads(cache.read_text(encoding="utf-8"))
        view.sections, view.merged = tuple(cached["sections"]), cached["session"]
        return view
    except (OSError, ValueError, KeyError, TypeError):
        pass
    clips: list[SessionClip] = []
    where: list[Place] = []
    links: list[str] = []
    for job in jobs:
        pose = job.outputs.get("pose")
        folder = output_folder(data, job)
        if pose is None or folder is None:
            continue  # a failed job, or one refused before its pose track was saved
        track = PoseTrack.load((Path(data) / job.result_dir / pose).resolve())
        clips.append(SessionClip(job.original_name, analyze(track, job_config(config, job))))
        where.append((folder / "report.html", files_url(data, job)))
        links.append(f"/jobs/{job.id}")
    if len(clips) >= 2:
        merged = merge_session(clips, config)
        view.merged = merged.to_dict()
        view.sections = session_sections(merged, config, where, links)
        write_text(cache, dumps({"sections": list(view.sections), "session": view.merged}))
    return view


def compare_jobs(data: Path, config: Config, a: Job, b: Job) -> tuple[str, str, str]:
    """Compare two finished jobs; return the compare page's title, header and sections.

    Raises
    ------
    armcarriage.errors.InputError
        When a job has no output folder with tables to compare.

    """
    from armcarriage.errors import InputError
    from armcarriage.history.compare import compare_sessions, load_session
    from armcarriage.history.compare_page import compare_sections

    folders = [output_folder(data, j) for j in (a, b)]
    for job, folder in zip((a, b), folders, strict=True):
        if folder is None:
            raise InputError(f"job {job.id} ({job.original_name}): no finished analysis")
    sa, sb = (load_session(f) for f in folders if f is not None)
    for session, job in ((sa, a), (sb, b)):  # the name the coach gave, not the stored one
        session.summary["clip"] = {**(session.summary.get("clip") or {}), "file": job.original_name}
    comp = compare_sessions(sa, sb, config)
    return compare_sections(comp, (files_url(data, a), files_url(data, b)))
