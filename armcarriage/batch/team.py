"""Team overview of a batch: ``team.csv`` and a sortable ``team.html``.

One row per athlete and clip with the top cues, elbow angle, swing symmetry,
crossing, shrug, trunk rotation, cadence and confidence. The page flags the
largest left/right asymmetries and the clips whose form drifts most between
the first and last third of the clip.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.atomic import atomic_path, write_text
from armcarriage.config import Config

TEAM_COLUMNS: tuple[str, ...] = (
    "athlete",
    "date",
    "date_source",
    "clip",
    "state",
    "analysis_status",
    "view",
    "top_cues",
    "elbow_angle_left",
    "elbow_angle_right",
    "elbow_symmetry_pct",
    "swing_arc_left",
    "swing_arc_right",
    "swing_symmetry_pct",
    "crossing_max_sw",
    "shrug_rise_tl",
    "trunk_rotation_deg",
    "cadence_spm",
    "confidence",
    "drift_metric",
    "drift_pct",
    "error",
    "warnings",
)
"""Columns of ``team.csv`` and ``team.html``, in order."""

NUMERIC_COLUMNS: tuple[str, ...] = tuple(
    c
    for c in TEAM_COLUMNS[TEAM_COLUMNS.index("elbow_angle_left") :]
    if c not in ("drift_metric", "error", "warnings")
)
"""Columns holding numbers (NaN when not measured)."""

DRIFT_METRICS: tuple[str, ...] = (
    "elbow_angle_mean",
    "swing_arc_deg",
    "wrist_arc_tl",
    "trunk_rotation_deg",
)
"""Metrics whose first-third to last-third change measures drift (all far from zero,
so a relative change is meaningful)."""

CONFIDENCE_METRICS: tuple[str, ...] = (
    "elbow_angle_mean",
    "swing_arc_deg",
    "crossing_max_sw",
    "shrug_rise_tl",
    "trunk_rotation_deg",
)
"""Metrics whose mean confidence is the row's ``confidence``."""

FLAG_COUNT = 3
"""How many rows each flag list names at most."""

NAN = float("nan")


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return NAN
    return out if math.isfinite(out) else NAN


def _stat(summary: Mapping[str, Any], metric: str, side: str, key: str) -> float:
    entry = summary.get(metric, {})
    inner = entry.get(side, {}) if isinstance(entry, Mapping) else {}
    return _num(inner.get(key)) if isinstance(inner, Mapping) else NAN


def symmetry_index(summary: Mapping[str, Any], metric: str) -> float:
    """Return the signed symmetry index (%) of a metric between the arms.

    ``100 * (L - R) / mean(|L|, |R|)`` from the arm medians, so its size is the
    summary's ``symmetry_index`` and its sign says which arm is larger. When
    an arm median is missing, the summary's own (unsigned) value is used.

    Parameters
    ----------
    summary
        :attr:`Analysis.summary`.
    metric
        Metric name.

    Returns
    -------
    float
        Percent, positive when the left arm's value is larger; NaN when not measured.

    """
    left = _stat(summary, metric, "left", "median")
    right = _stat(summary, metric, "right", "median")
    scale = (abs(left) + abs(right)) / 2
    if math.isfinite(scale) and scale > 0:
        return 100.0 * (left - right) / scale
    entry = summary.get(metric, {})
    if isinstance(entry, Mapping):
        for source in (entry, entry.get("both", {})):
            if isinstance(source, Mapping) and "symmetry_index" in source:
                return _num(source["symmetry_index"])
    return NAN


def _both(summary: Mapping[str, Any], metric: str, key: str = "median") -> float:
    value = _stat(summary, metric, "both", key)
    if math.isfinite(value):
        return value
    sides = [_stat(summary, metric, s, key) for s in ("left", "right")]
    sides = [v for v in sides if math.isfinite(v)]
    return sum(sides) / len(sides) if sides else NAN


def _drift(summary: Mapping[str, Any]) -> tuple[str, float]:
    """Largest relative first-third to last-third change over the drift metrics and arms."""
    best, best_pct = "", NAN
    for metric in DRIFT_METRICS:
        for side in ("left", "right"):
            first = _stat(summary, metric, side, "first_third")
            last = _stat(summary, metric, side, "last_third")
            if not (math.isfinite(first) and math.isfinite(last)) or abs(first) < 1e-9:
                continue
            pct = 100.0 * (last - first) / abs(first)
            if not math.isfinite(best_pct) or abs(pct) > abs(best_pct):
                best, best_pct = f"{metric} ({side})", pct
    return best, best_pct


def clip_row(analysis: Any, cues: Sequence[str], config: Config) -> dict[str, Any]:
    """Summarise one analysis as the measured columns of a team row.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    cues
        Cue texts, most important first.
    config
        Settings (``cues.max_cues`` limits the cues shown).

    Returns
    -------
    dict
        The keys of :data:`TEAM_COLUMNS` that come from the analysis.

    """
    summary = analysis.summary or {}
    drift_metric, drift_pct = _drift(summary)
    confs = [_both(summary, m, "confidence") for m in CONFIDENCE_METRICS]
    confs = [c for c in confs if math.isfinite(c)]
    crossing = [_stat(summary, "crossing_max_sw", s, "median") for s in ("left", "right")]
    crossing = [c for c in crossing if math.isfinite(c)]
    return {
        "analysis_status": analysis.status,
        "view": str((analysis.view or {}).get("label", "")),
        "top_cues": " | ".join(list(cues)[: config.cues.max_cues]),
        "elbow_angle_left": _stat(summary, "elbow_angle_mean", "left", "median"),
        "elbow_angle_right": _stat(summary, "elbow_angle_mean", "right", "median"),
        "elbow_symmetry_pct": symmetry_index(summary, "elbow_angle_mean"),
        "swing_arc_left": _stat(summary, "swing_arc_deg", "left", "median"),
        "swing_arc_right": _stat(summary, "swing_arc_deg", "right", "median"),
        "swing_symmetry_pct": symmetry_index(summary, "swing_arc_deg"),
        "crossing_max_sw": max(crossing) if crossing else NAN,
        "shrug_rise_tl": _both(summary, "shrug_rise_tl"),
        "trunk_rotation_deg": _both(summary, "trunk_rotation_deg"),
        "cadence_spm": _num(analysis.cadence_spm),
        "confidence": sum(confs) / len(confs) if confs else NAN,
        "drift_metric": drift_metric,
        "drift_pct": drift_pct,
    }


def team_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return the team table (columns :data:`TEAM_COLUMNS`) sorted by athlete, date, clip."""
    frame = pd.DataFrame([{c: row.get(c, "") for c in TEAM_COLUMNS} for row in rows])
    if frame.empty:
        return pd.DataFrame(columns=list(TEAM_COLUMNS))
    frame["date"] = frame["date"].astype(str)
    for col in NUMERIC_COLUMNS:
        frame[col] = pd.to_numeric(frame[col].replace("", None), errors="coerce").astype(float)
    return frame.sort_values(["athlete", "date", "clip"], kind="stable").reset_index(drop=True)


def flags(frame: pd.DataFrame, config: Config) -> dict[str, pd.DataFrame]:
    """Pick the rows to flag.

    Parameters
    ----------
    frame
        From :func:`team_frame`.
    config
        ``metrics.symmetry_flag_percent`` and ``metrics.drift_flag_fraction`` set the limits.

    Returns
    -------
    dict
        ``"asymmetry"``: rows whose larger of the elbow and swing symmetry indices
        exceeds the limit, largest first; ``"drift"``: rows whose drift exceeds
        the limit, largest first. At most :data:`FLAG_COUNT` rows each.

    """
    if frame.empty:
        return {"asymmetry": frame, "drift": frame}
    sym = pd.concat(
        [
            pd.to_numeric(frame["elbow_symmetry_pct"], errors="coerce").abs(),
            pd.to_numeric(frame["swing_symmetry_pct"], errors="coerce").abs(),
        ],
        axis=1,
    ).max(axis=1)
    drift = pd.to_numeric(frame["drift_pct"], errors="coerce").abs()
    limit_sym = config.metrics.symmetry_flag_percent
    limit_drift = 100.0 * config.metrics.drift_flag_fraction
    asym = frame.assign(_score=sym)[sym > limit_sym].sort_values("_score", ascending=False)
    drifting = frame.assign(_score=drift)[drift > limit_drift].sort_values(
        "_score", ascending=False
    )
    return {"asymmetry": asym.head(FLAG_COUNT), "drift": drifting.head(FLAG_COUNT)}


def write_team_report(
    rows: Sequence[Mapping[str, Any]],
    outdir: str | Path,
    config: Config,
    engine: Any = None,
) -> dict[str, Path]:
    """Write ``team.csv`` and ``team.html`` into ``outdir`` (atomically).

    Parameters
    ----------
    rows
        One mapping per clip with the keys of :data:`TEAM_COLUMNS` (missing keys are blank).
    outdir
        Batch output folder.
    config
        Settings for the flags.
    engine
        The history database: with it, ``team.html`` shows a card per athlete with the
        trends of the key metrics, and ``athletes/NAME.html`` each athlete's history.

    Returns
    -------
    dict
        ``{"team_csv": path, "team_html": path}``.

    """
    from armcarriage.dashboard.team_page import (
        batch_dashboard,
        report_link,
        team_page,
        write_history_pages,
    )

    outdir = Path(outdir)
    frame = team_frame(rows)
    csv_path = outdir / "team.csv"
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.3f")
    dashboard = None
    if engine is not None:
        names = list(dict.fromkeys(str(a) for a in frame["athlete"]))
        dashboard = batch_dashboard(engine, outdir, names, config.metrics.min_confidence)
        write_history_pages(dashboard, outdir)
    links = {
        str(c): link
        for c in frame["clip"]
        if (link := report_link(outdir, str(outdir / str(c)))) is not None
    }
    page = team_page(frame, TEAM_COLUMNS, flags_html(frame, config), dashboard, links)
    html_path = write_text(outdir / "team.html", page)
    return {"team_csv": csv_path, "team_html": html_path}


def _flag_list(title: str, rows: pd.DataFrame, what: str) -> str:
    if rows.empty:
        return f"<section><h2>{html.escape(title)}</h2><p>None above the limit.</p></section>"
    items = "".join(
        f"<li><b>{html.escape(str(r['athlete']))}</b> – {html.escape(str(r['clip']))}: "
        f"{html.escape(what.format(**r))}</li>"
        for _, r in rows.iterrows()
    )
    return f"<section><h2>{html.escape(title)}</h2><ol>{items}</ol></section>"


def flags_html(frame: pd.DataFrame, config: Config) -> str:
    """Return the flag lists: largest asymmetries and most drift within a clip."""
    flagged = flags(frame, config)
    asym = _flag_list(
        f"Largest asymmetries (above {config.metrics.symmetry_flag_percent:g} %)",
        flagged["asymmetry"],
        "symmetry index elbow {elbow_symmetry_pct:.1f} %, swing {swing_symmetry_pct:.1f} %",
    )
    drift = _flag_list(
        f"Most form drift within a clip (above {100 * config.metrics.drift_flag_fraction:g} %)",
        flagged["drift"],
        "{drift_metric} changes {drift_pct:+.1f} % from the first to the last third",
    )
    return asym + drift
