"""Write sessions with their strides, and read an athlete's history.

A session is written in one transaction together with its stride metrics, so
no reader ever sees a session without its strides. Writing the same athlete,
content hash and settings hash again replaces the earlier session (a forced
re-analysis), so sessions are never duplicated.

Examples
--------
>>> engine = get_engine("out/history.sqlite")                     # doctest: +SKIP
>>> record_session(engine, SessionRecord(athlete="alice", ...), strides)  # doctest: +SKIP
>>> athlete_metrics(engine, "alice").head()                       # doctest: +SKIP

"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from armcarriage.history.db import READONLY, athlete_aliases, athletes, sessions, stride_metrics
from armcarriage.history.identity import athlete_key, find_athlete
from armcarriage.jsonio import dumps

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 8
"""Attempts at a write transaction that fails because the database is busy."""

STRIDE_COLUMNS = ("stride", "side", "metric", "value", "conf", "reason")
"""Columns of the long stride table given to :func:`record_session`."""


@dataclass
class SessionRecord:
    """What is stored about one clip (see :data:`armcarriage.history.db.sessions`)."""

    athlete: str
    clip: str
    clip_key: str
    content_hash: str
    settings_hash: str
    settings_json: str
    software_version: str
    status: str
    date: dt.date | None = None
    date_source: str = ""
    view_hint: str = ""
    view: str = ""
    view_confidence: float | None = None
    analysis_status: str = ""
    error: str = ""
    warnings: str = ""
    cues: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    output_dir: str = ""


def strides_long(strides: pd.DataFrame) -> pd.DataFrame:
    """Reshape an :attr:`Analysis.strides` table to one row per stride x arm x metric.

    Parameters
    ----------
    strides
        Columns ``stride``, ``side`` and, per metric ``m``, ``m``, ``m_conf``, ``m_reason``.

    Returns
    -------
    DataFrame
        Columns :data:`STRIDE_COLUMNS`; ``value`` is NaN where not measured.

    """
    metrics = [
        c[: -len("_conf")]
        for c in strides.columns
        if c.endswith("_conf") and c[: -len("_conf")] in strides.columns
    ]
    parts = []
    for m in metrics:
        reason = strides[f"{m}_reason"] if f"{m}_reason" in strides else ""
        parts.append(
            pd.DataFrame(
                {
                    "stride": strides["stride"].astype(int),
                    "side": strides["side"].astype(str),
                    "metric": m,
                    "value": pd.to_numeric(strides[m], errors="coerce").astype(float),
                    "conf": pd.to_numeric(strides[f"{m}_conf"], errors="coerce").astype(float),
                    "reason": reason,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(STRIDE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out["reason"] = out["reason"].fillna("").astype(str)
    return out[list(STRIDE_COLUMNS)]


def _none_if_nan(value: Any) -> Any:
    if value is None:
        return None
    try:
        return None if math.isnan(value) else float(value)
    except TypeError:
        return value


def record_session(engine: Engine, record: SessionRecord, strides: pd.DataFrame | None) -> int:
    """Insert (or replace) a session and its stride metrics in one transaction.

    Parameters
    ----------
    engine
        From :func:`armcarriage.history.db.get_engine`.
    record
        The session.
    strides
        Long table (:func:`strides_long`), or None for a failed clip.

    Returns
    -------
    int
        The new session id.

    """
    rows = [] if strides is None else _stride_rows(strides)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                athlete_id = _athlete_id(conn, record.athlete)
                old = (
                    conn.execute(
                        select(sessions.c.id).where(
                            sessions.c.athlete_id == athlete_id,
                            sessions.c.content_hash == record.content_hash,
                            sessions.c.settings_hash == record.settings_hash,
                        )
                    )
                    .scalars()
                    .all()
                )
                if old:
                    conn.execute(delete(stride_metrics).where(stride_metrics.c.session_id.in_(old)))
                    conn.execute(delete(sessions).where(sessions.c.id.in_(old)))
                values = _session_values(record, athlete_id)
                inserted = conn.execute(insert(sessions).values(**values)).inserted_primary_key
                session_id = int(inserted[0]) if inserted is not None else -1
                if rows:
                    conn.execute(
                        insert(stride_metrics), [{**r, "session_id": session_id} for r in rows]
                    )
            return session_id
        except OperationalError as exc:
            if attempt == WRITE_ATTEMPTS or not _is_busy(exc):
                raise
            wait = min(2.0, 0.05 * 2**attempt) * (0.5 + random.random())
            log.warning("history database busy (%s); retrying in %.2f s", exc.orig, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _is_busy(exc: OperationalError) -> bool:
    msg = str(exc.orig).lower()
    return "locked" in msg or "busy" in msg


def _athlete_id(conn: Any, name: str) -> int:
    """Return the id of the athlete called ``name`` (any case or accents), adding it if new."""
    found = find_athlete(conn, name)
    if found is not None:
        return found[0]
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(athletes).values(name=name, name_key=athlete_key(name), created_at=_now())
            )
            return int(result.inserted_primary_key[0])
    except IntegrityError:  # another writer added it first (PostgreSQL)
        again = find_athlete(conn, name)
        if again is None:
            raise
        return again[0]


def ensure_athletes(engine: Engine, names: Iterable[str]) -> None:
    """Add the athletes not yet known, in the order given (their display names as given).

    A batch calls this with its manifest's names before any clip is analysed, so the
    name an athlete is shown under is the manifest's first spelling whatever order the
    clips finish in.
    """
    with engine.begin() as conn:
        for name in dict.fromkeys(names):
            _athlete_id(conn, name)


def _athlete_filter(athlete: str) -> Any:
    """Return a WHERE clause selecting the athlete called ``athlete`` (or merged from it)."""
    key = athlete_key(athlete)
    alias = select(athlete_aliases.c.athlete_id).where(athlete_aliases.c.name_key == key)
    return (athletes.c.name_key == key) | athletes.c.id.in_(alias)


def _session_values(record: SessionRecord, athlete_id: int) -> dict[str, Any]:
    data = asdict(record)
    data.pop("athlete")
    data["athlete_id"] = athlete_id
    data["cues_json"] = dumps(data.pop("cues"))
    data["summary_json"] = dumps(data.pop("summary"))
    data["view_confidence"] = _none_if_nan(data["view_confidence"])
    data["created_at"] = _now()
    return data


def _stride_rows(strides: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for stride, side, metric, value, conf, reason in strides[list(STRIDE_COLUMNS)].itertuples(
        index=False, name=None
    ):
        rows.append(
            {
                "stride": int(stride),
                "side": str(side),
                "metric": str(metric),
                "value": _none_if_nan(value),
                "conf": _none_if_nan(conf),
                "reason": str(reason or ""),
            }
        )
    return rows


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def find_session(
    engine: Engine, athlete: str, content_hash: str, settings_hash: str
) -> dict[str, Any] | None:
    """Return the stored session of a clip analysed with given settings, or None."""
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        row = (
            conn.execute(
                select(sessions)
                .join(athletes, athletes.c.id == sessions.c.athlete_id)
                .where(
                    _athlete_filter(athlete),
                    sessions.c.content_hash == content_hash,
                    sessions.c.settings_hash == settings_hash,
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def list_athletes(engine: Engine) -> list[str]:
    """Return every athlete's display name, sorted."""
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        return list_athletes_conn(conn)


def list_athletes_conn(conn: Any) -> list[str]:
    """Return every athlete's display name, sorted, within an open connection."""
    return list(conn.execute(select(athletes.c.name).order_by(athletes.c.name)).scalars())


def athlete_sessions(engine: Engine, athlete: str) -> pd.DataFrame:
    """Return an athlete's sessions, oldest first.

    Parameters
    ----------
    engine
        The database.
    athlete
        Athlete name (exact).

    Returns
    -------
    DataFrame
        One row per session with the columns of table ``sessions`` plus ``cues``
        (list of str) and ``n_strides``.

    """
    counts = (
        select(
            stride_metrics.c.session_id,
            func.count(func.distinct(stride_metrics.c.stride)).label("n_strides"),
        )
        .group_by(stride_metrics.c.session_id)
        .subquery()
    )
    query = (
        select(sessions, func.coalesce(counts.c.n_strides, 0).label("n_strides"))
        .join(athletes, athletes.c.id == sessions.c.athlete_id)
        .outerjoin(counts, counts.c.session_id == sessions.c.id)
        .where(_athlete_filter(athlete))
        .order_by(sessions.c.date, sessions.c.id)
    )
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return frame
    frame["cues"] = [json.loads(c or "[]") for c in frame["cues_json"]]
    return frame


def athlete_metrics(engine: Engine, athlete: str, min_conf: float = 0.0) -> pd.DataFrame:
    """Return each session's median of every metric per arm, for plotting over dates.

    Parameters
    ----------
    engine
        The database.
    athlete
        Athlete name.
    min_conf
        Stride values with a lower confidence are left out of the medians.

    Returns
    -------
    DataFrame
        Columns ``session_id``, ``date``, ``clip_key``, ``metric``, ``side``,
        ``median``, ``n`` (strides measured), ``conf`` (mean confidence).

    """
    query = (
        select(
            sessions.c.id.label("session_id"),
            sessions.c.date,
            sessions.c.clip_key,
            stride_metrics.c.metric,
            stride_metrics.c.side,
            stride_metrics.c.value,
            stride_metrics.c.conf,
        )
        .join(athletes, athletes.c.id == sessions.c.athlete_id)
        .join(stride_metrics, stride_metrics.c.session_id == sessions.c.id)
        .where(_athlete_filter(athlete), stride_metrics.c.value.is_not(None))
    )
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    columns = ["session_id", "date", "clip_key", "metric", "side", "median", "n", "conf"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[frame["conf"].fillna(0.0) >= min_conf]
    grouped = frame.groupby(["session_id", "date", "clip_key", "metric", "side"], dropna=False)
    out = grouped.agg(median=("value", "median"), n=("value", "size"), conf=("conf", "mean"))
    return out.reset_index().sort_values(["metric", "date", "session_id", "side"])[columns]


def iter_session_ids(engine: Engine) -> Iterable[int]:
    """Yield every session id (for checks and exports)."""
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        yield from conn.execute(select(sessions.c.id).order_by(sessions.c.id)).scalars()
