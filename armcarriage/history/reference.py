"""The athlete's relaxed references from the history database.

Every earlier session of the athlete that measured the neck from the side or the front
(``shrug_neck_tl`` in ``stride_metrics``) offers a reference; the cue engine picks the
most relaxed one (longest neck) of the clip's view class and framing
(:func:`armcarriage.cues.reference.choose_reference`). The framing of a session is read
from the ``summary.json`` in its output folder where that is still there; without it the
reference is not filtered by framing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from armcarriage.cues.reference import (
    NECK_METRIC,
    NeckReference,
    reference_from_summary,
    view_class,
)
from armcarriage.history.db import READONLY, stride_metrics
from armcarriage.history.store import athlete_sessions


def history_references(
    engine: Engine,
    athlete: str,
    *,
    before: dt.date | None = None,
    exclude_content_hash: str = "",
    min_conf: float = 0.5,
    min_strides: int = 3,
) -> list[NeckReference]:
    """Return the relaxed references the athlete's earlier sessions offer.

    Parameters
    ----------
    engine
        The history database.
    athlete
        Athlete name.
    before
        Only sessions dated before this day (None: every dated or undated session).
    exclude_content_hash
        The clip being analysed (a re-analysis is not its own reference).
    min_conf
        Strides whose neck has a lower confidence are left out (the rules' ``min_confidence``).
    min_strides
        Sessions with fewer measured strides are left out (``cues.reference_min_strides``).

    Returns
    -------
    list of NeckReference
        One per usable session, ``source`` ``history``, ``session`` its clip key.

    """
    frame = athlete_sessions(engine, athlete)
    if frame.empty:
        return []
    keep = (frame["status"] == "done") & (frame["analysis_status"] == "ok")
    keep &= frame["view"].map(lambda v: bool(view_class(str(v)))).astype(bool)
    if exclude_content_hash:
        keep &= frame["content_hash"] != exclude_content_hash
    if before is not None:
        keep &= frame["date"].map(lambda d: d is None or pd.isna(d) or d < before).astype(bool)
    frame = frame.loc[keep]
    if frame.empty:
        return []
    necks = _session_necks(engine, [int(i) for i in frame["id"]], min_conf)
    out = []
    for row in frame.itertuples():
        values = necks.get(int(row.id), [])
        if len(values) < min_strides:
            continue
        date = row.date
        out.append(
            NeckReference(
                neck_tl=float(pd.Series(values).median()),
                strides=len(values),
                view=str(row.view),
                source="history",
                session=str(row.clip_key),
                date=date.isoformat() if isinstance(date, dt.date) else "",
                fill=_framing(str(row.output_dir or "")),
            )
        )
    return out


def _session_necks(engine: Engine, ids: list[int], min_conf: float) -> dict[int, list[float]]:
    """Per session, the neck of each stride measured with enough confidence."""
    query = select(
        stride_metrics.c.session_id, stride_metrics.c.stride, stride_metrics.c.value
    ).where(
        stride_metrics.c.session_id.in_(ids),
        stride_metrics.c.metric == NECK_METRIC,
        stride_metrics.c.value.is_not(None),
        stride_metrics.c.conf >= min_conf,
    )
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        rows = conn.execute(query).all()
    seen: dict[int, dict[int, float]] = {}
    for session_id, stride, value in rows:  # one figure per stride, on both arm rows
        seen.setdefault(int(session_id), {})[int(stride)] = float(value)
    return {k: list(v.values()) for k, v in seen.items()}


def _framing(output_dir: str) -> float:
    """Return a session's framing from its output folder's summary.json (NaN if unreadable)."""
    if not output_dir:
        return math.nan
    try:
        doc = json.loads((Path(output_dir) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return math.nan
    ref = reference_from_summary(doc, output_dir) if isinstance(doc, dict) else None
    return ref.fill if ref is not None else math.nan
