"""The web app's view of athlete history (one history database per team).

Finished jobs are written to ``DATA/teams/TEAM/history.sqlite`` through
:mod:`armcarriage.history`, the same database format ``armcarriage history``
reads, so a team's web uploads and its batch runs can share one history.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

from armcarriage.config import Config
from armcarriage.web.store import Job

PLOT_METRICS = (
    ("elbow_angle_mean", "Elbow angle, mean (deg)"),
    ("swing_arc_deg", "Swing arc (deg)"),
    ("crossing_max_sw", "Crossing (shoulder widths)"),
    ("shrug_rise_tl", "Shrug rise (torso lengths)"),
    ("trunk_rotation_deg", "Trunk rotation (deg)"),
    ("cadence_spm", "Cadence (steps/min)"),
)
"""Metrics drawn on the athlete page, in order."""


def history_path(data_dir: Path, team: str) -> Path:
    """Return the team's history database file."""
    return Path(data_dir) / "teams" / team / "history.sqlite"


def available() -> str:
    """Return '' if the history module can be used, else why not."""
    try:
        import armcarriage.history.db
        import armcarriage.history.store  # noqa: F401
    except ImportError as exc:
        return f"the history module is not available in this installation ({exc})"
    return ""


def record_job(data_dir: Path, job: Job, result: Any, config: Config, outdir: Path) -> None:
    """Write a finished job's session and strides to its team's history.

    Writing is idempotent: the same athlete, clip content and settings replace
    the earlier session, so a job re-run after an interruption never
    duplicates a session.
    """
    analysis = getattr(result, "analysis", None)
    if analysis is None:
        return
    from armcarriage import __version__
    from armcarriage.cues import cue_texts
    from armcarriage.history.db import get_engine
    from armcarriage.history.hashing import content_hash, settings_hash, settings_json
    from armcarriage.history.store import SessionRecord, record_session, strides_long

    cues = cue_texts(getattr(result, "cues", []) or [])
    view = getattr(analysis, "view", None) or {}
    conf = view.get("confidence")
    record = SessionRecord(
        athlete=job.athlete,
        clip=job.original_name,
        clip_key=f"web:{job.id}",
        content_hash=content_hash(job.stored_path),
        settings_hash=settings_hash(config),
        settings_json=settings_json(config),
        software_version=str(__version__),
        status="done",
        date=dt.date.fromisoformat(job.session_date) if job.session_date else None,
        date_source=str(job.video_info.get("date_source", "")),
        view_hint=job.view_hint,
        view=str(view.get("label", "")),
        view_confidence=float(conf) if conf is not None and math.isfinite(float(conf)) else None,
        analysis_status=str(getattr(analysis, "status", "")),
        error=str(getattr(analysis, "message", "") or ""),
        cues=cues,
        summary=getattr(analysis, "summary", None) or {},
        output_dir=str(outdir),
    )
    strides = getattr(analysis, "strides", None)
    engine = get_engine(history_path(data_dir, job.team))
    record_session(engine, record, strides_long(strides) if strides is not None else None)


def job_references(data_dir: Path, job: Job, config: Config) -> tuple[Any, ...]:
    """Return the athlete's relaxed references from sessions dated before the job's.

    See :func:`armcarriage.history.reference.history_references`; empty when the team has
    no history yet.
    """
    path = history_path(data_dir, job.team)
    if not path.is_file():
        return ()
    from armcarriage.history.db import get_engine
    from armcarriage.history.hashing import content_hash
    from armcarriage.history.reference import history_references

    date = dt.date.fromisoformat(job.session_date) if job.session_date else None
    return tuple(
        history_references(
            get_engine(path),
            job.athlete,
            before=date,
            exclude_content_hash=content_hash(job.stored_path),
            min_strides=config.cues.reference_min_strides,
        )
    )


def athlete_history(data_dir: Path, team: str, athlete: str) -> dict[str, Any]:
    """Sessions and per-session metric medians of one athlete of one team.

    Returns
    -------
    dict
        ``{"available": str ('' if usable, else why not), "sessions": [...],
        "metrics": DataFrame or None}``.

    """
    why = available()
    path = history_path(data_dir, team)
    if why or not path.is_file():
        return {"available": why, "sessions": [], "metrics": None}
    from armcarriage.history.db import get_engine
    from armcarriage.history.store import athlete_metrics, athlete_sessions

    engine = get_engine(path)
    sessions = athlete_sessions(engine, athlete)
    metrics = athlete_metrics(engine, athlete, min_conf=config_min_conf())
    rows = []
    if not sessions.empty:
        for rec in sessions.to_dict("records"):
            rows.append(
                {
                    "date": str(rec.get("date") or ""),
                    "clip": rec.get("clip", ""),
                    "view": rec.get("view", ""),
                    "status": rec.get("analysis_status") or rec.get("status", ""),
                    "strides": int(rec.get("n_strides") or 0),
                    "cues": list(rec.get("cues") or []),
                    "job": _web_job_id(str(rec.get("clip_key", ""))),
                }
            )
    return {"available": "", "sessions": rows, "metrics": metrics}


def config_min_conf() -> float:
    """Confidence below which stride values are left out of the plotted medians."""
    return Config().metrics.min_confidence


def plot_png(metrics: Any, athlete: str) -> bytes:
    """Draw the athlete's metrics over dates (left and right arm) as a PNG."""
    import pandas as pd
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 7), dpi=90, layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    for ax, (metric, label) in zip(axes, PLOT_METRICS, strict=True):
        ax.set_title(label, fontsize=10)
        part = metrics[metrics["metric"] == metric] if metrics is not None else None
        if part is None or part.empty:
            ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        dates = pd.to_datetime(part["date"])
        for side, style in (("left", "o-"), ("right", "s--"), ("both", "d-")):
            mask = (part["side"] == side).to_numpy()
            if mask.any():
                order = dates[mask].argsort().to_numpy()
                ax.plot(dates[mask].iloc[order], part["median"][mask].iloc[order], style,
                        label=side, markersize=4)  # fmt: skip
        if dates.nunique() == 1:  # one session: a fortnight around it, not years
            day = dates.iloc[0]
            ax.set_xlim(day - pd.Timedelta(days=7), day + pd.Timedelta(days=7))
        locator = AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.tick_params(axis="x", labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle(f"{athlete}: session medians over dates")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _web_job_id(clip_key: str) -> str:
    """Return the web job id of a session key ``web:JOBID`` ('' for batch sessions)."""
    return clip_key[4:] if clip_key.startswith("web:") else ""


def job_link(session: Any) -> str | None:
    """Return the web page of a session's job (None for a session recorded by a batch)."""
    job = _web_job_id(str(session.get("clip_key", "")))
    return f"/jobs/{job}" if job else None


def team_dashboard(data_dir: Path, team: str) -> Any:
    """Return the team's :class:`~armcarriage.dashboard.model.Dashboard` (None without history)."""
    path = history_path(data_dir, team)
    if available() or not path.is_file():
        return None
    from armcarriage.dashboard.model import load_dashboard
    from armcarriage.history.db import get_engine

    return load_dashboard(get_engine(path), job_link, None, config_min_conf())


def athlete_view(data_dir: Path, team: str, name: str) -> tuple[Any, list[str], set[str]]:
    """Return the athlete (or None), the team's other athletes and the athlete's name keys.

    The athlete is an :class:`~armcarriage.dashboard.model.Athlete`; the others are the
    display names it can be merged into; the keys are those of every name it goes by
    (:func:`armcarriage.history.identity.name_keys`), to find its uploads.
    """
    from armcarriage.names import athlete_key

    path = history_path(data_dir, team)
    if available() or not path.is_file():
        return None, [], {athlete_key(name)}
    from armcarriage.dashboard.model import load_athlete
    from armcarriage.history.db import get_engine
    from armcarriage.history.identity import name_keys
    from armcarriage.history.store import list_athletes

    engine = get_engine(path)
    athlete = load_athlete(engine, name, job_link, config_min_conf())
    others = [a for a in list_athletes(engine) if athlete is None or a != athlete.name]
    return athlete, others, name_keys(engine, name)


def merge(data_dir: Path, team: str, source: str, target: str) -> Any:
    """Merge athlete ``source`` into ``target`` in the team's history.

    See :func:`armcarriage.history.identity.merge_athletes`.
    """
    from armcarriage.errors import InputError

    path = history_path(data_dir, team)
    why = available()
    if why or not path.is_file():
        raise InputError(f"merge: your team has no athlete history yet{f' ({why})' if why else ''}")
    from armcarriage.history.db import get_engine
    from armcarriage.history.identity import merge_athletes

    return merge_athletes(get_engine(path), source, target)
