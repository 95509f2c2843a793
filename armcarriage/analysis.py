"""Analysis of a pose track: the public result type and entry point.

``analyze(track, config) -> Analysis``: cleaning -> view -> strides -> metrics
-> summary. Metric functions live in :mod:`armcarriage.metrics`; this module
puts their results together.

CONTRACT (shared by metrics, cues, reports, batch and web; keep it stable)
--------------------------------------------------------------------------
``Analysis.status``: ``"ok"``, ``"no_runner"``, ``"no_running"`` or
``"too_few_strides"``; ``Analysis.message`` explains any status but ``"ok"``.

``Analysis.strides``: pandas DataFrame, one row per stride x arm, columns
``stride`` (int, 0-based), ``side`` (``"left"``/``"right"``: the arm),
``t_start``, ``t_end`` (s), ``frame_start``, ``frame_end``, then for each
metric name ``m`` in :data:`armcarriage.metrics.METRICS`: ``m`` (value, NaN
when not measured), ``m_conf`` (confidence 0-1), ``m_reason`` (empty when
measured, else why not).

``Analysis.summary``: dict ``{metric: {"left": {...}, "right": {...},
"both": {...}}}`` where each inner dict has ``median``, ``iqr``, ``n``,
``confidence``, ``first_third``, ``last_third``, ``drift``, plus for the pair
``symmetry_index`` and ``difference`` (left - right), and ``measured``/``reason``.

``Analysis.validity``: dict ``{metric: {"measured": bool, "reason": str,
"confidence": float, "better_view": str}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from armcarriage.config import Config
from armcarriage.track import PoseTrack

ANALYSIS_SCHEMA_VERSION = 1


@dataclass
class Analysis:
    """Result of :func:`analyze`; see the module docstring for the contract."""

    status: str
    message: str
    view: dict[str, Any]
    """``label`` (side_left, side_right, front, rear, oblique), ``confidence``,
    ``treadmill`` (bool), ``segments`` (list of dicts with t_start, t_end,
    label, confidence)."""
    events: pd.DataFrame
    """Foot events: columns ``foot``, ``kind`` (strike/toe_off), ``time``, ``frame``."""
    strides: pd.DataFrame
    summary: dict[str, Any]
    validity: dict[str, dict[str, Any]]
    cadence_spm: float
    series: pd.DataFrame
    """Per-frame cleaned metric series for plots: ``time`` plus one column per
    series (e.g. ``left_elbow_angle``)."""
    track: PoseTrack
    """The cleaned track the metrics were computed on."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings that shape the numbers (filter cut-off, thresholds...)."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with ``schema_version``."""
        raise NotImplementedError


def analyze(track: PoseTrack, config: Config | None = None) -> Analysis:
    """Analyse a pose track.

    Parameters
    ----------
    track
        A pose track (from :func:`armcarriage.estimate_pose` or a file).
    config
        Settings; defaults to :class:`armcarriage.config.Config`.

    Returns
    -------
    Analysis
    """
    raise NotImplementedError
