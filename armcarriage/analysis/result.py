"""The result of an analysis and the columns of its stride table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.jsonio import jsonable
from armcarriage.metrics import METRICS
from armcarriage.status import Status
from armcarriage.track import PoseTrack
from armcarriage.view import View

ANALYSIS_SCHEMA_VERSION = 1


BASE_COLUMNS = ["stride", "side", "t_start", "t_end", "frame_start", "frame_end"]


@dataclass
class Analysis:
    """What :func:`armcarriage.analysis.analyze` returns (:mod:`armcarriage.analysis`: contract)."""

    status: Status
    message: str
    view: View
    """The camera view (:class:`armcarriage.view.View`; reads as a mapping)."""
    events: pd.DataFrame
    """Foot events: columns ``foot``, ``kind`` (strike/toe_off), ``time``, ``frame``."""
    strides: pd.DataFrame
    summary: dict[str, dict[str, Any]]
    """Per metric: ``left``, ``right`` and ``both`` statistics, flags and unit."""
    validity: dict[str, dict[str, Any]]
    """Per metric: ``measured``, ``reason``, ``confidence``, ``better_view``, ``views``."""
    cadence_spm: float
    series: pd.DataFrame
    """Per-frame cleaned metric series for plots: ``time`` plus one column per
    series (e.g. ``left_elbow_angle``)."""
    track: PoseTrack
    """The cleaned track the metrics were computed on."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings that shape the numbers (filter cut-off, thresholds...)."""

    def to_dict(self, include_series: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dict with ``schema_version``.

        Parameters
        ----------
        include_series
            Also export the per-frame series (large for long clips).

        Returns
        -------
        dict
            Plain Python values only; NaN and inf become None.

        """
        out: dict[str, Any] = {
            "schema_version": ANALYSIS_SCHEMA_VERSION,
            "status": self.status,
            "message": self.message,
            "cadence_spm": self.cadence_spm,
            "view": self.view.to_dict(),
            "events": self.events.to_dict(orient="records"),
            "strides": self.strides.to_dict(orient="records"),
            "summary": self.summary,
            "validity": self.validity,
            "settings": self.settings,
            "metrics": {
                m: {
                    "unit": s.unit,
                    "description": s.description,
                    "definition": s.definition,
                    "views": list(s.views),
                }
                for m, s in METRICS.items()
            },
        }
        if include_series:
            out["series"] = self.series.to_dict(orient="list")
        return jsonable(out)


def stride_columns() -> list[str]:
    """Return the columns of :attr:`Analysis.strides`, in order."""
    cols = list(BASE_COLUMNS)
    for m in METRICS:
        cols += [m, f"{m}_conf", f"{m}_reason"]
    return cols


def empty_strides() -> pd.DataFrame:
    """Return a stride table with no rows and every column."""
    df = pd.DataFrame({c: pd.Series(dtype=float) for c in stride_columns()})
    for c in ("stride", "frame_start", "frame_end"):
        df[c] = df[c].astype(np.int64)
    for c in ["side", *[f"{m}_reason" for m in METRICS]]:
        df[c] = df[c].astype(object)
    return df
