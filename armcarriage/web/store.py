"""The web app's job queue, persisted in SQLite (WAL).

A job row is written only after its upload is fully on disk, so an accepted
job is never lost. Workers claim a job with one atomic ``UPDATE ... WHERE
status='queued'`` that also sets a lease; a worker renews its lease with a
heartbeat while it runs. A job whose lease expired (its worker was killed) is
put back in the queue, and after ``max_attempts`` interruptions it is marked
failed. Only the worker holding the current lease can finish a job, so a job
completes exactly once even if a presumed-dead worker wakes up.

Job states: ``queued`` -> ``running`` -> ``done`` | ``failed``.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armcarriage.jsonio import dumps

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_jobs (
    id TEXT PRIMARY KEY,
    team TEXT NOT NULL,
    athlete TEXT NOT NULL DEFAULT '',
    session_date TEXT NOT NULL DEFAULT '',
    view_hint TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    stored_path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    video_info TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_expires REAL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    error TEXT NOT NULL DEFAULT '',
    result_status TEXT NOT NULL DEFAULT '',
    result_dir TEXT NOT NULL DEFAULT '',
    outputs TEXT NOT NULL DEFAULT '{}',
    completions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS web_jobs_status ON web_jobs (status, created);
CREATE INDEX IF NOT EXISTS web_jobs_team ON web_jobs (team, created);
CREATE TABLE IF NOT EXISTS web_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = (
    "id, team, athlete, session_date, view_hint, original_name, stored_path, size_bytes, "
    "video_info, status, progress, stage, attempts, lease_owner, lease_expires, created, "
    "started, finished, error, result_status, result_dir, outputs, completions"
)


@dataclass(frozen=True)
class Job:
    """One row of the job table."""

    id: str
    team: str
    athlete: str
    session_date: str
    view_hint: str
    original_name: str
    stored_path: str
    size_bytes: int
    video_info: dict[str, Any]
    status: str
    progress: float
    stage: str
    attempts: int
    lease_owner: str | None
    lease_expires: float | None
    created: float
    started: float | None
    finished: float | None
    error: str
    result_status: str
    result_dir: str
    outputs: dict[str, str]
    completions: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        """Build a job from a database row."""
        data = dict(row)
        data["video_info"] = json.loads(data["video_info"] or "{}")
        data["outputs"] = json.loads(data["outputs"] or "{}")
        return cls(**data)

    def public(self) -> dict[str, Any]:
        """Fields shown to the job's team (no server paths, no lease details)."""
        return {
            "id": self.id,
            "athlete": self.athlete,
            "date": self.session_date,
            "view_hint": self.view_hint,
            "name": self.original_name,
            "size_bytes": self.size_bytes,
            "video": {
                k: self.video_info.get(k)
                for k in ("width", "height", "fps", "duration_s", "frames", "codec")
            },
            "status": self.status,
            "progress": round(self.progress, 3),
            "stage": self.stage,
            "attempts": self.attempts,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "error": self.error,
            "result_status": self.result_status,
            "outputs": sorted(self.outputs),
        }


class JobStore:
    """SQLite job queue shared by the web server and its worker processes.

    Parameters
    ----------
    path
        The database file; created with its folder if missing.
    lease_s
        Seconds a claimed job stays leased without a heartbeat.
    max_attempts
        Claims after which an interrupted job is failed instead of requeued.

    """

    def __init__(self, path: str | Path, lease_s: float = 60.0, max_attempts: int = 3) -> None:
        self.path = Path(path)
        self.lease_s = float(lease_s)
        self.max_attempts = int(max_attempts)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)
            con.execute(
                "INSERT OR IGNORE INTO web_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    # -- connections -----------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """Open a short-lived connection; commit on success, roll back on error."""
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA busy_timeout=30000")
            yield con
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Open a write transaction with ``BEGIN IMMEDIATE`` (no lock upgrade races)."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- producer side ---------------------------------------------------
    @staticmethod
    def new_id() -> str:
        """Return a fresh job id (server-chosen, 32 hex characters)."""
        return uuid.uuid4().hex

    def team_bytes(self, team: str) -> int:
        """Bytes of the clips stored for ``team`` (what its disk quota counts)."""
        with self._connect() as con:
            row = con.execute(
                "SELECT COALESCE(SUM(size_bytes), 0) FROM web_jobs WHERE team = ?", (team,)
            ).fetchone()
        return int(row[0])

    def add(
        self,
        job_id: str,
        *,
        team: str,
        stored_path: str | Path,
        athlete: str = "",
        session_date: str = "",
        view_hint: str = "",
        original_name: str = "",
        size_bytes: int = 0,
        video_info: dict[str, Any] | None = None,
    ) -> Job:
        """Queue a job whose upload is already complete on disk."""
        with self._write() as con:
            con.execute(
                "INSERT INTO web_jobs (id, team, athlete, session_date, view_hint, original_name, "
                "stored_path, size_bytes, video_info, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    job_id,
                    team,
                    athlete,
                    session_date,
                    view_hint,
                    original_name,
                    str(stored_path),
                    int(size_bytes),
                    dumps(video_info or {}),
                    time.time(),
                ),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    # -- reading ----------------------------------------------------------
    def get(self, job_id: str, team: str | None = None) -> Job | None:
        """Return a job, or None if absent or (when ``team`` is given) another team's."""
        with self._connect() as con:
            if team is None:
                row = con.execute(
                    f"SELECT {_COLUMNS} FROM web_jobs WHERE id=?", (job_id,)
                ).fetchone()
            else:
                row = con.execute(
                    f"SELECT {_COLUMNS} FROM web_jobs WHERE id=? AND team=?", (job_id, team)
                ).fetchone()
        return Job.from_row(row) if row else None

    def list_jobs(
        self, team: str | None = None, athlete: str | None = None, limit: int = 500
    ) -> list[Job]:
        """Jobs, newest first, optionally of one team and athlete."""
        where, args = [], []
        if team is not None:
            where.append("team=?")
            args.append(team)
        if athlete is not None:
            where.append("athlete=?")
            args.append(athlete)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM web_jobs {clause} ORDER BY created DESC LIMIT ?",
                (*args, int(limit)),
            ).fetchall()
        return [Job.from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Return the number of jobs in each state."""
        with self._connect() as con:
            rows = con.execute("SELECT status, COUNT(*) FROM web_jobs GROUP BY status").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    # -- worker side ------------------------------------------------------
    def claim(self, owner: str) -> Job | None:
        """Atomically take the oldest queued job and lease it to ``owner``."""
        now = time.time()
        with self._write() as con:
            row = con.execute(
                "UPDATE web_jobs SET status='running', lease_owner=?, lease_expires=?, "
                "attempts=attempts+1, started=?, progress=0, stage='starting' "
                "WHERE id=(SELECT id FROM web_jobs WHERE status='queued' ORDER BY created, id "
                "LIMIT 1) AND status='queued' RETURNING id",
                (owner, now + self.lease_s, now),
            ).fetchone()
        return self.get(row[0]) if row else None

    def heartbeat(
        self, job_id: str, owner: str, progress: float | None = None, stage: str | None = None
    ) -> bool:
        """Renew the lease (and record progress); False if the lease was lost."""
        sets: list[str] = ["lease_expires=?"]
        args: list[Any] = [time.time() + self.lease_s]
        if progress is not None:
            sets.append("progress=?")
            args.append(max(0.0, min(1.0, float(progress))))
        if stage is not None:
            sets.append("stage=?")
            args.append(stage[:200])
        with self._write() as con:
            cur = con.execute(
                f"UPDATE web_jobs SET {', '.join(sets)} "
                "WHERE id=? AND lease_owner=? AND status='running'",
                (*args, job_id, owner),
            )
            return cur.rowcount == 1

    def finish(
        self,
        job_id: str,
        owner: str,
        *,
        ok: bool,
        error: str = "",
        result_status: str = "",
        result_dir: str = "",
        outputs: dict[str, str] | None = None,
    ) -> bool:
        """Record a job's end; only the current lease holder can. Returns True if recorded."""
        with self._write() as con:
            cur = con.execute(
                "UPDATE web_jobs SET status=?, error=?, result_status=?, result_dir=?, outputs=?, "
                "finished=?, progress=CASE WHEN ? THEN 1.0 ELSE progress END, "
                "stage=?, lease_owner=NULL, lease_expires=NULL, completions=completions+1 "
                "WHERE id=? AND lease_owner=? AND status='running'",
                (
                    "done" if ok else "failed",
                    error,
                    result_status,
                    result_dir,
                    dumps(outputs or {}),
                    time.time(),
                    1 if ok else 0,
                    "finished" if ok else "failed",
                    job_id,
                    owner,
                ),
            )
            return cur.rowcount == 1

    def set_result(
        self,
        job_id: str,
        *,
        result_dir: str,
        outputs: dict[str, str],
        result_status: str,
        error: str,
    ) -> bool:
        """Point a finished job at new outputs (a correction recomputed them). True if done."""
        with self._write() as con:
            cur = con.execute(
                "UPDATE web_jobs SET result_dir=?, outputs=?, result_status=?, error=? "
                "WHERE id=? AND status='done'",
                (result_dir, dumps(outputs), result_status, error, job_id),
            )
            return cur.rowcount == 1

    def release(self, owner: str) -> int:
        """Put every job leased to ``owner`` back in the queue (graceful shutdown)."""
        with self._write() as con:
            cur = con.execute(
                "UPDATE web_jobs SET status='queued', lease_owner=NULL, lease_expires=NULL, "
                "attempts=MAX(attempts-1, 0), progress=0, stage='requeued (server stopped)' "
                "WHERE status='running' AND lease_owner=?",
                (owner,),
            )
            return cur.rowcount

    def requeue_expired(
        self, now: float | None = None, everything: bool = False, owner: str | None = None
    ) -> tuple[int, int]:
        """Requeue running jobs whose lease expired; fail those out of attempts.

        Parameters
        ----------
        now
            Time to compare leases against (default: now).
        everything
            Treat every running job as expired: used at start-up, when the
            server holds the data-folder lock and so no worker of a previous
            run can still be alive.
        owner
            Treat the running jobs of this worker as expired (the server saw
            the worker process die).

        Returns
        -------
        tuple of int
            ``(requeued, failed)``.

        """
        now = time.time() if now is None else now
        expired = "status='running'"
        args: tuple[Any, ...] = ()
        if owner is not None:
            expired += " AND lease_owner = ?"
            args = (owner,)
        elif not everything:
            expired += " AND lease_expires < ?"
            args = (now,)
        with self._write() as con:
            failed = con.execute(
                "UPDATE web_jobs SET status='failed', lease_owner=NULL, lease_expires=NULL, "
                "finished=?, stage='failed', error=? "
                f"WHERE {expired} AND attempts >= ?",
                (
                    now,
                    f"the analysis was interrupted {self.max_attempts} times (worker killed "
                    "or server restarted); giving up (serve.max_attempts)",
                    *args,
                    self.max_attempts,
                ),
            ).rowcount
            requeued = con.execute(
                "UPDATE web_jobs SET status='queued', lease_owner=NULL, lease_expires=NULL, "
                "progress=0, stage='requeued after an interruption' "
                f"WHERE {expired}",
                args,
            ).rowcount
        return requeued, failed
