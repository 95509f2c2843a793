"""Per-session medians of an athlete's metrics over dates, both arms pooled, with noise.

What the team dashboard's sparklines and the athlete history page draw: for each
session, the median of every stride value of a metric (both arms; a per-stride
metric counts once per stride and arm, which leaves its median unchanged), with
the metric's measurement noise from :data:`armcarriage.metrics.METRICS`. A
change between two sessions smaller than the noise cannot be told from the
measurement. A clip analysed again under other settings (a newer armcarriage) is
one session, not two: only its latest analysis counts (:func:`latest_sessions`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from armcarriage.history.db import READONLY, athletes, sessions, stride_metrics
from armcarriage.history.store import _athlete_filter
from armcarriage.metrics import METRICS

TREND_COLUMNS = ("session_id", "date", "metric", "median", "n", "noise")
"""Columns of :func:`session_medians`."""


def latest_sessions() -> Any:
    """Return a subquery of the ids of each athlete's latest analysis of each clip content."""
    return (
        select(func.max(sessions.c.id))
        .group_by(sessions.c.athlete_id, sessions.c.content_hash)
        .scalar_subquery()
    )


def session_medians(engine: Engine, athlete: str, min_conf: float = 0.0) -> pd.DataFrame:
    """Return each session's median of every metric, both arms pooled, oldest first.

    Parameters
    ----------
    engine
        The history database.
    athlete
        Athlete name (any case or accents, or a merged name).
    min_conf
        Stride values with a lower confidence are left out.

    Returns
    -------
    DataFrame
        Columns :data:`TREND_COLUMNS`; ``n`` counts the stride values, ``noise`` is the
        metric's measurement noise (NaN for a metric outside the registry).

    """
    query = (
        select(
            sessions.c.id.label("session_id"),
            sessions.c.date,
            stride_metrics.c.metric,
            stride_metrics.c.value,
            stride_metrics.c.conf,
        )
        .join(athletes, athletes.c.id == sessions.c.athlete_id)
        .join(stride_metrics, stride_metrics.c.session_id == sessions.c.id)
        .where(
            _athlete_filter(athlete),
            stride_metrics.c.value.is_not(None),
            sessions.c.id.in_(latest_sessions()),
        )
    )
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=list(TREND_COLUMNS))
    frame = frame[frame["conf"].fillna(0.0) >= min_conf]
    grouped = frame.groupby(["session_id", "date", "metric"], dropna=False)["value"]
    out = grouped.agg(median="median", n="size").reset_index()
    out["noise"] = [METRICS[m].noise if m in METRICS else float("nan") for m in out["metric"]]
    out = out.sort_values(["metric", "date", "session_id"], na_position="first")
    return out[list(TREND_COLUMNS)].reset_index(drop=True)
