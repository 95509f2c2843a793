"""Tables of an analysis: ``strides.csv`` (+ units sidecar) and ``summary.json``.

``strides.csv`` holds one row per stride x arm with the columns of
:attr:`armcarriage.analysis.Analysis.strides`; units live in the sidecar
``strides.units.json`` (``{column: unit}``) so the CSV stays a plain table
that any spreadsheet reads.

``summary.json`` is versioned by :data:`SUMMARY_SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.atomic import atomic_path, write_text
from armcarriage.config import Config
from armcarriage.cues import Cue, unit_of
from armcarriage.jsonio import dumps, jsonable
from armcarriage.report import words

SUMMARY_SCHEMA_VERSION = 1
"""Version of the ``summary.json`` layout; bumped on any breaking change."""

_FIXED_UNITS = {
    "stride": "number (1 = the first stride, as in report.html and summary.json)",
    "side": "arm (left/right)",
    "t_start": "s",
    "t_end": "s",
    "frame_start": "frame index",
    "frame_end": "frame index",
}


def column_units(columns: Sequence[str]) -> dict[str, str]:
    """Return the unit of every stride-table column.

    Parameters
    ----------
    columns
        Column names of :attr:`Analysis.strides`.

    Returns
    -------
    dict
        ``{column: unit}``; confidence columns are ``"0-1"``, reason columns
        ``"text"``.

    """
    units: dict[str, str] = {}
    for col in columns:
        if col in _FIXED_UNITS:
            units[col] = _FIXED_UNITS[col]
        elif col.endswith("_conf"):
            units[col] = "0-1"
        elif col.endswith("_reason"):
            units[col] = "text"
        else:
            units[col] = unit_of(col) or ""
    return units


def write_strides(analysis: Any, outdir: Path) -> dict[str, Path]:
    """Write ``strides.csv`` and its units sidecar ``strides.units.json``.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    outdir
        Output folder.

    Returns
    -------
    dict
        ``{"strides": csv path, "strides_units": sidecar path}``.

    """
    strides: pd.DataFrame = analysis.strides.copy()
    if "stride" in strides:  # numbered as people read them, the same as in the report
        strides["stride"] = pd.to_numeric(strides["stride"]) + 1
    for col in [c for c in strides.columns if c.endswith("_reason")]:
        strides[col] = strides[col].map(words.for_people)  # no settings names in a spreadsheet
    csv_path = outdir / "strides.csv"
    with atomic_path(csv_path) as tmp:
        strides.to_csv(tmp, index=False, float_format="%.6g", na_rep="")
    units = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "table": "strides.csv",
        "rows": "one per stride x arm; empty = not measured, see the _reason column",
        "units": column_units(list(strides.columns)),
    }
    side = write_text(outdir / "strides.units.json", dumps(units, indent=2))
    return {"strides": csv_path, "strides_units": side}


def build_summary(
    analysis: Any,
    config: Config,
    cues: Sequence[Cue],
    *,
    video_path: Path | None = None,
    good: Sequence[str] = (),
    not_assessed: Sequence[dict[str, str]] = (),
    watch: Sequence[str] = (),
    borderline: Sequence[dict[str, Any]] = (),
    advice: Sequence[Any] = (),
    reference: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Assemble the ``summary.json`` document.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        The settings used.
    cues
        The cues shown, best first.
    video_path
        The analysed clip.
    good
        What is good (shown when no cue fired).
    not_assessed
        Rules that could not be checked, with reasons.
    watch
        Faults close to their threshold without firing.
    borderline
        Figures within the measured noise of a threshold
        (:attr:`armcarriage.cues.Assessment.borderline`).
    advice
        Filming advice (:func:`armcarriage.report.advice.filming_advice`).
    reference
        The athlete's own reference used by the rules against it, with the figures
        (:attr:`armcarriage.cues.Assessment.reference`); the key is left out when empty.

    Returns
    -------
    dict
        JSON-ready: ``schema_version``, ``created``, ``clip``, ``status``,
        ``message``, ``settings``, ``model``, ``view``, ``cadence_spm``,
        ``validity``, ``metrics`` (every metric's per-arm median, spread,
        confidence and drift), ``cues``, ``good``, ``watch``, ``borderline``,
        ``not_assessed``, ``filming_advice``; ``own_reference`` when a reference was given.

    """
    track = analysis.track
    attrs = track.attrs if track is not None else {}
    strides: pd.DataFrame = analysis.strides
    n_strides = int(strides["stride"].nunique()) if "stride" in strides else 0
    drift_ok = n_strides >= config.report.drift_min_strides
    return jsonable(
        {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "clip": _clip_entry(track, attrs, video_path, n_strides),
            "status": analysis.status,
            "message": analysis.message,
            "settings": {"config": config.to_dict(), "analysis": analysis.settings},
            "model": {"name": attrs.get("model", ""), "person": attrs.get("person", "")},
            "view": analysis.view,
            "cadence_spm": analysis.cadence_spm,
            "validity": analysis.validity,
            "drift": _drift_entry(n_strides, drift_ok, config),
            "metrics": {m: _metric_entry(analysis, m, drift_ok) for m in analysis.summary},
            "cues": [_cue_entry(c) for c in cues],
            "good": list(good),
            "watch": list(watch),
            "borderline": [dict(b) for b in borderline],
            "not_assessed": list(not_assessed),
            "filming_advice": [a.to_dict() for a in advice],
            **({"own_reference": [dict(r) for r in reference]} if reference else {}),
        }
    )


def _clip_entry(track: Any, attrs: Any, video_path: Path | None, n_strides: int) -> dict[str, Any]:
    return {
        "file": video_path.name if video_path else attrs.get("source", ""),
        "frames": track.n_frames if track is not None else 0,
        "fps": attrs.get("fps"),
        "width": attrs.get("width"),
        "height": attrs.get("height"),
        "strides": n_strides,
        "stride_numbering": "1 = the first stride (strides.csv, cues, report.html)",
    }


def _drift_entry(n_strides: int, drift_ok: bool, config: Config) -> dict[str, Any]:
    need = config.report.drift_min_strides
    reason = (
        ""
        if drift_ok
        else f"{n_strides} strides; a first-third vs last-third comparison needs "
        f"{need} (report.drift_min_strides)"
    )
    return {"assessed": drift_ok, "reason": reason}


def _metric_entry(analysis: Any, metric: str, drift_ok: bool = True) -> dict[str, Any]:
    entry = dict(analysis.summary.get(metric, {}))
    entry["unit"] = unit_of(metric)
    if not drift_ok:  # too few strides for thirds that mean anything
        entry["drift_flag"] = False
        for side in ("left", "right", "both"):
            if isinstance(entry.get(side), dict):
                entry[side] = {
                    **entry[side],
                    "first_third": None,
                    "last_third": None,
                    "drift": None,
                }
    return entry


def _cue_entry(cue: Cue) -> dict[str, Any]:
    """Return a cue for ``summary.json``, strides numbered from 1 as people read them."""
    doc = cue.to_dict()
    ev = doc.get("evidence", {})
    ev["strides_affected"] = [int(s) + 1 for s in ev.get("strides_affected", [])]
    if ev.get("key_stride") is not None:
        ev["key_stride"] = int(ev["key_stride"]) + 1
    return doc


def write_summary(
    analysis: Any,
    outdir: Path,
    config: Config,
    cues: Sequence[Cue],
    **kwargs: Any,
) -> Path:
    """Write ``summary.json`` atomically; see :func:`build_summary`."""
    doc = build_summary(analysis, config, cues, **kwargs)
    return write_text(outdir / "summary.json", dumps(doc, indent=2))
