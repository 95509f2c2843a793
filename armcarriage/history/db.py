"""Database engine, schema and migrations of the athlete history.

SQLite is the embedded default; any SQLAlchemy URL (e.g. PostgreSQL) works as
well. SQLite files are opened in WAL mode with a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE`` so that parallel writers wait for
one another instead of failing or losing rows.

The schema version is kept in table ``schema_version``; :data:`MIGRATIONS`
lists the ordered steps and :func:`migrate` applies the missing ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from armcarriage.errors import ArmcarriageError, InputError

log = logging.getLogger(__name__)

DEFAULT_FILENAME = "history.sqlite"
"""Name of the SQLite file created in a batch's output folder."""

BUSY_TIMEOUT_S = 60.0
"""How long a SQLite writer waits for another writer's lock before failing."""

READONLY = "armcarriage_readonly"
"""Execution option marking a connection that only reads (SQLite: plain ``BEGIN``)."""

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

athletes = Table(
    "athletes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("name_key", String(200)),
)
"""``name`` is the display name as first written; ``name_key`` (schema step 2, unique) is
:func:`armcarriage.history.identity.athlete_key` of it, by which athletes are found."""

athlete_aliases = Table(
    "athlete_aliases",
    metadata,
    Column("name_key", String(200), primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("merged_at", DateTime, nullable=False),
)
"""Names merged into another athlete (schema step 2): a later session written under such a
name goes to the athlete it was merged into."""

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    Column("clip", Text, nullable=False),
    Column("clip_key", String(300), nullable=False),
    Column("content_hash", String(80), nullable=False),
    Column("settings_hash", String(64), nullable=False),
    Column("settings_json", Text, nullable=False),
    Column("date", Date),
    Column("date_source", String(20), nullable=False, default=""),
    Column("view_hint", String(20), nullable=False, default=""),
    Column("view", String(20), nullable=False, default=""),
    Column("view_confidence", Float),
    Column("software_version", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("analysis_status", String(40), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
    Column("warnings", Text, nullable=False, default=""),
    Column("cues_json", Text, nullable=False, default="[]"),
    Column("summary_json", Text, nullable=False, default="{}"),
    Column("notes", Text, nullable=False, default=""),
    Column("output_dir", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("athlete_id", "content_hash", "settings_hash", name="uq_session_clip"),
)
"""One analysed (or failed) clip. ``status`` is ``done`` or ``failed``;
``analysis_status`` is :attr:`armcarriage.analysis.Analysis.status`; ``date_source``
(schema step 2) says where ``date`` came from (:data:`armcarriage.recorded.DATE_SOURCES`)."""

stride_metrics = Table(
    "stride_metrics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("stride", Integer, nullable=False),
    Column("side", String(8), nullable=False),
    Column("metric", String(64), nullable=False),
    Column("value", Float),
    Column("conf", Float),
    Column("reason", Text, nullable=False, default=""),
    Index("ix_stride_metrics_session", "session_id"),
    Index("ix_stride_metrics_metric", "metric"),
)
"""Long format: one row per stride x arm x metric (NULL value when not measured)."""


class HistoryError(ArmcarriageError):
    """The history database cannot be used (newer schema, unreachable server...)."""


def _create_v1(conn: Connection) -> None:
    """Step 1: athletes, sessions and stride_metrics.

    The tables are created as defined above (the latest schema); the later steps
    add only what an older database lacks, so they are no-ops on a new one.
    """
    for table in (athletes, sessions, stride_metrics):
        table.create(conn, checkfirst=True)


def _add_missing_column(conn: Connection, table: str, column: str, ddl: str) -> None:
    """Add ``column`` (SQL type and default ``ddl``) to ``table`` unless it is there."""
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))


def _athlete_identity_v2(conn: Connection) -> None:
    """Step 2: athletes found by a case- and accent-insensitive key; aliases; date sources.

    Athletes of an older database whose names share a key (``Ana``, ``ana``, ``Ána``)
    become one, under the name written first.
    """
    from armcarriage.history.identity import fill_name_keys

    _add_missing_column(conn, "athletes", "name_key", "VARCHAR(200)")
    _add_missing_column(conn, "sessions", "date_source", "VARCHAR(20) NOT NULL DEFAULT ''")
    athlete_aliases.create(conn, checkfirst=True)
    fill_name_keys(conn)
    conn.execute(
        text("CREATE UNIQUE INDEX IF NOT EXISTS ux_athletes_name_key ON athletes (name_key)")
    )


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "athletes, sessions, stride_metrics", _create_v1),
    (2, "athlete identity: name_key, athlete_aliases", _athlete_identity_v2),
]
"""Ordered schema steps ``(version, description, apply)``; append, never edit."""

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def resolve_url(target: str | Path) -> str:
    """Turn a URL, a SQLite file or a folder into a SQLAlchemy URL.

    Parameters
    ----------
    target
        ``"postgresql+psycopg://..."`` or ``"sqlite:///x.sqlite"`` (used as
        is), a folder (``FOLDER/history.sqlite``) or a file path.

    Returns
    -------
    str
        A database URL.

    Raises
    ------
    InputError
        If ``target`` is empty or looks like a URL that SQLAlchemy cannot parse.

    """
    raw = str(target).strip()
    if not raw:
        raise InputError("history database: expected a URL, a .sqlite file or a folder, got ''")
    if "://" in raw:
        try:
            make_url(raw)
        except ArgumentError as exc:
            raise InputError(f"history database URL {raw!r}: not a valid URL ({exc})") from None
        return raw
    path = Path(raw).expanduser()
    if path.is_dir():
        path = path / DEFAULT_FILENAME
    return f"sqlite:///{path.resolve()}"


def get_engine(target: str | Path) -> Engine:
    """Return a migrated engine for ``target`` (cached per process).

    Parameters
    ----------
    target
        See :func:`resolve_url`.

    Returns
    -------
    Engine
        Ready to use; the schema is at the latest version.

    """
    url = resolve_url(target)
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _make_engine(url)
            migrate(engine)
            _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every cached engine (call before forking, or at the end of tests)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def current_version(conn: Connection) -> int:
    """Return the schema version of the database (0 when empty)."""
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def migrate(engine: Engine) -> int:
    """Apply the missing steps of :data:`MIGRATIONS` in one transaction.

    Concurrent callers are serialised (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL:
    an advisory lock), so each step runs exactly once.

    Parameters
    ----------
    engine
        The database.

    Returns
    -------
    int
        The schema version after migration.

    Raises
    ------
    HistoryError
        If the database was written by a newer armcarriage (unknown version).

    """
    latest = MIGRATIONS[-1][0]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        schema_version.create(conn, checkfirst=True)
        current = current_version(conn)
        if current > latest:
            raise HistoryError(
                f"history database {engine.url!r}: schema version {current} is newer than "
                f"this armcarriage supports ({latest}); upgrade armcarriage"
            )
        for version, description, step in MIGRATIONS:
            if version <= current:
                continue
            log.info("history database: applying schema step %d (%s)", version, description)
            step(conn)
            conn.execute(
                insert(schema_version).values(
                    version=version, description=description, applied_at=_now()
                )
            )
    return latest


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
