"""Who an athlete is: one person however their name is typed, and merging duplicates.

``Ana``, ``ana`` and ``Ána`` are one athlete: athletes are found by
:func:`athlete_key` (accents dropped, case folded, spaces collapsed) and keep
the display name first written. Two athletes that are one person under names
the key cannot join (``Annie`` and ``Ana``) are merged with :func:`merge_athletes`;
the merged name is kept as an alias, so later sessions under it go to the same
athlete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from armcarriage.errors import InputError
from armcarriage.names import athlete_key

__all__ = ["athlete_key", "find_athlete", "merge_athletes", "name_keys"]


def find_athlete(conn: Connection, name: str) -> tuple[int, str] | None:
    """Return ``(id, display name)`` of the athlete called ``name`` (or merged from it)."""
    from armcarriage.history.db import athlete_aliases, athletes

    key = athlete_key(name)
    row = conn.execute(select(athletes.c.id, athletes.c.name).where(athletes.c.name_key == key))
    found = row.first()
    if found is None:
        alias = select(athlete_aliases.c.athlete_id).where(athlete_aliases.c.name_key == key)
        row = conn.execute(
            select(athletes.c.id, athletes.c.name).where(athletes.c.id == alias.scalar_subquery())
        )
        found = row.first()
    return (int(found[0]), str(found[1])) if found is not None else None


@dataclass
class MergeResult:
    """What :func:`merge_athletes` did."""

    source: str
    target: str
    moved: int
    """Sessions moved to the target."""
    duplicates: int
    """Sessions the target already had (same clip content and settings), dropped."""


def merge_athletes(engine: Engine, source: str, target: str) -> MergeResult:
    """Merge athlete ``source`` into ``target``: its sessions move, its name becomes an alias.

    A session of the same clip content analysed with the same settings that both
    athletes have is kept once (the target's).

    Raises
    ------
    InputError
        When either athlete is unknown, or both names are one athlete.

    """
    with engine.begin() as conn:
        src, dst = find_athlete(conn, source), find_athlete(conn, target)
        missing = [n for n, a in ((source, src), (target, dst)) if a is None]
        if missing or src is None or dst is None:
            from armcarriage.history.store import list_athletes_conn

            known = ", ".join(list_athletes_conn(conn)) or "none"
            raise InputError(f"history merge: no athlete {missing[0]!r}; athletes: {known}")
        if src[0] == dst[0]:
            raise InputError(
                f"history merge: {source!r} and {target!r} are already one athlete ({dst[1]!r})"
            )
        moved, dropped = _move_sessions(conn, src[0], dst[0])
        _retire(conn, src, dst[0])
    return MergeResult(source=src[1], target=dst[1], moved=moved, duplicates=dropped)


def _move_sessions(conn: Connection, src_id: int, dst_id: int) -> tuple[int, int]:
    """Give the source's sessions to the target, dropping those the target already has."""
    from armcarriage.history.db import sessions, stride_metrics

    have = {
        (r[0], r[1])
        for r in conn.execute(
            select(sessions.c.content_hash, sessions.c.settings_hash).where(
                sessions.c.athlete_id == dst_id
            )
        )
    }
    rows = conn.execute(
        select(sessions.c.id, sessions.c.content_hash, sessions.c.settings_hash).where(
            sessions.c.athlete_id == src_id
        )
    ).all()
    dup = [int(r[0]) for r in rows if (r[1], r[2]) in have]
    if dup:
        conn.execute(delete(stride_metrics).where(stride_metrics.c.session_id.in_(dup)))
        conn.execute(delete(sessions).where(sessions.c.id.in_(dup)))
    conn.execute(update(sessions).where(sessions.c.athlete_id == src_id).values(athlete_id=dst_id))
    return len(rows) - len(dup), len(dup)


def _retire(conn: Connection, src: tuple[int, str], dst_id: int) -> None:
    """Delete the merged athlete, keeping its names as aliases of the target."""
    from armcarriage.history.db import athlete_aliases, athletes

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    conn.execute(
        update(athlete_aliases)
        .where(athlete_aliases.c.athlete_id == src[0])
        .values(athlete_id=dst_id)
    )
    conn.execute(delete(athletes).where(athletes.c.id == src[0]))
    conn.execute(
        athlete_aliases.insert().values(
            name_key=athlete_key(src[1]), athlete_id=dst_id, name=src[1], merged_at=now
        )
    )


def fill_name_keys(conn: Connection) -> None:
    """Give every athlete its key, merging athletes whose names share one (schema step 2).

    The athlete created first keeps its display name; the others' sessions move to it.
    """
    from armcarriage.history.db import athletes

    rows = conn.execute(
        select(athletes.c.id, athletes.c.name).order_by(athletes.c.created_at, athletes.c.id)
    ).all()
    first: dict[str, int] = {}
    for athlete_id, name in rows:
        key = athlete_key(str(name))
        if key in first:
            _move_sessions(conn, int(athlete_id), first[key])
            conn.execute(delete(athletes).where(athletes.c.id == int(athlete_id)))
            continue
        first[key] = int(athlete_id)
        conn.execute(update(athletes).where(athletes.c.id == athlete_id).values(name_key=key))


def name_keys(engine: Engine, name: str) -> set[str]:
    """Return every key the athlete called ``name`` goes by: its own and its merged names'."""
    from armcarriage.history.db import READONLY, athlete_aliases, athletes

    with engine.connect().execution_options(**{READONLY: True}) as conn:
        found = find_athlete(conn, name)
        if found is None:
            return {athlete_key(name)}
        own = conn.execute(select(athletes.c.name_key).where(athletes.c.id == found[0])).scalar()
        merged = conn.execute(
            select(athlete_aliases.c.name_key).where(athlete_aliases.c.athlete_id == found[0])
        ).scalars()
        return {str(own), *(str(k) for k in merged)}


def display_names(conn: Any) -> dict[str, str]:
    """Return ``{key: display name}`` of every athlete."""
    from armcarriage.history.db import athletes

    return {str(k): str(n) for k, n in conn.execute(select(athletes.c.name_key, athletes.c.name))}
