"""What the dashboard shows, read from the history database.

Every number here comes from the history database, so the dashboard's trends are
the database's per-session medians (:func:`armcarriage.history.trends.session_medians`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from armcarriage.metrics import METRICS, unit_words

KEY_METRICS: tuple[str, ...] = (
    "elbow_angle_mean",
    "swing_arc_deg",
    "crossing_max_sw",
    "shrug_rise_tl",
    "trunk_rotation_deg",
    "cadence_spm",
)
"""Metrics with a trend on each athlete's dashboard card, in order."""

SHORT_LABELS: dict[str, str] = {
    "elbow_angle_mean": "Elbow angle",
    "swing_arc_deg": "Swing arc",
    "crossing_max_sw": "Crossing",
    "shrug_rise_tl": "Shrug rise",
    "trunk_rotation_deg": "Trunk rotation",
    "cadence_spm": "Cadence",
}
"""Card captions of the key metrics (the registry's description is the long name)."""

SessionLink = Callable[[Mapping[str, Any]], "str | None"]
"""Returns the URL of a session's report (relative to the page), or None when there is none."""


@dataclass
class Point:
    """One session's median of one metric."""

    session_id: int
    date: str
    value: float


@dataclass
class Trend:
    """A metric over an athlete's sessions, with its measurement noise."""

    metric: str
    label: str
    unit: str
    noise: float
    points: list[Point] = field(default_factory=list)

    @property
    def latest(self) -> float:
        """The latest session's median (NaN when never measured)."""
        return self.points[-1].value if self.points else math.nan

    @property
    def change(self) -> float:
        """Latest minus first median (NaN with fewer than two sessions)."""
        return self.points[-1].value - self.points[0].value if len(self.points) > 1 else math.nan


@dataclass
class Session:
    """One analysed clip of an athlete."""

    id: int
    date: str
    date_source: str
    clip: str
    view: str
    status: str
    strides: int
    cues: list[str]
    link: str | None


@dataclass
class Athlete:
    """An athlete: display name, sessions oldest first, and trends per metric."""

    name: str
    sessions: list[Session]
    trends: dict[str, Trend]

    @property
    def latest(self) -> Session | None:
        """The latest session (by date, then by when it was written)."""
        return self.sessions[-1] if self.sessions else None

    def key_trends(self) -> list[Trend]:
        """Return the trends of :data:`KEY_METRICS` (empty ones included, in order)."""
        return [self.trends.get(m) or _empty_trend(m) for m in KEY_METRICS]


@dataclass
class Dashboard:
    """Athletes of a team and every cue that fired for them."""

    athletes: list[Athlete]

    @property
    def cues(self) -> list[str]:
        """Every cue of any session, sorted."""
        return sorted({c for a in self.athletes for s in a.sessions for c in s.cues})


def _empty_trend(metric: str) -> Trend:
    spec = METRICS.get(metric)
    return Trend(
        metric=metric,
        label=SHORT_LABELS.get(metric) or (spec.description if spec else metric),
        unit=unit_words(metric),
        noise=spec.noise if spec else math.nan,
    )


def load_athlete(
    engine: Engine, name: str, link: SessionLink, min_conf: float = 0.0
) -> Athlete | None:
    """Return an athlete's sessions and trends (None when the database has no such athlete)."""
    from armcarriage.history.db import READONLY
    from armcarriage.history.identity import find_athlete
    from armcarriage.history.store import athlete_sessions
    from armcarriage.history.trends import session_medians

    with engine.connect().execution_options(**{READONLY: True}) as conn:
        found = find_athlete(conn, name)
    if found is None:
        return None
    frame = athlete_sessions(engine, name)
    if not frame.empty:  # a clip analysed again under other settings: its latest analysis
        frame = frame[frame["id"] == frame.groupby("content_hash")["id"].transform("max")]
    rows = frame.to_dict("records") if not frame.empty else []
    sessions = [_session(r, link) for r in rows]
    trends: dict[str, Trend] = {}
    for r in session_medians(engine, name, min_conf).to_dict("records"):
        trend = trends.setdefault(r["metric"], _empty_trend(r["metric"]))
        trend.points.append(Point(int(r["session_id"]), _date(r["date"]), float(r["median"])))
    return Athlete(name=found[1], sessions=sessions, trends=trends)


def load_dashboard(
    engine: Engine, link: SessionLink, names: Iterable[str] | None = None, min_conf: float = 0.0
) -> Dashboard:
    """Return the dashboard of the athletes ``names`` (default: every athlete), by name."""
    from armcarriage.history.store import list_athletes

    wanted = list(names) if names is not None else list_athletes(engine)
    seen: dict[str, Athlete] = {}
    for name in wanted:
        athlete = load_athlete(engine, name, link, min_conf)
        if athlete is not None:
            seen.setdefault(athlete.name, athlete)  # two spellings of one athlete: one card
    return Dashboard(athletes=sorted(seen.values(), key=lambda a: a.name.casefold()))


def _date(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _clip_label(row: Mapping[str, Any]) -> str:
    """Return the batch's clip folder name, or a web upload's file name."""
    key = str(row.get("clip_key") or "")
    if key and not key.startswith("web:"):
        return key
    return str(row.get("clip") or key)


def _session(row: Mapping[str, Any], link: SessionLink) -> Session:
    status = str(row.get("status") or "")
    if status == "done":
        status = str(row.get("analysis_status") or "done")
    return Session(
        id=int(row["id"]),
        date=_date(row.get("date")),
        date_source=str(row.get("date_source") or ""),
        clip=_clip_label(row),
        view=str(row.get("view") or ""),
        status=status,
        strides=int(row.get("n_strides") or 0),
        cues=[str(c) for c in row.get("cues") or []],
        link=link(row),
    )
