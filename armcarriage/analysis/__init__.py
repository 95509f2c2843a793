"""Analysis of a pose track: the public result type and entry point.

``analyze(track, config) -> Analysis``: cleaning -> view -> strides -> metrics
-> summary. Metric functions live in :mod:`armcarriage.metrics`; this module
puts their results together.

CONTRACT (shared by metrics, cues, reports, batch and web; keep it stable)
--------------------------------------------------------------------------
``Analysis.status``: a :class:`armcarriage.status.Status` (a string enum: ``"ok"``,
``"no_runner"``, ``"no_running"``, ``"too_few_strides"``, ``"slow_motion"``,
``"speed_change"``, ``"no_rhythm"``); ``Analysis.message`` explains any status but ``"ok"``.

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

Additions (schema_version 1): ``summary[m]`` also has ``symmetry_index`` and
``difference`` at its top level, ``asymmetry_flag``, ``drift_flag`` and
``unit``; ``validity[m]`` also has ``views`` (where the metric is measured);
``settings`` holds the cleaning report (filter and cut-off), the stride checks
(event method, wrist-swing cross-check, duty factor) and the normalisers.

Confidence of a value (0-1) = view confidence (oblique views scaled down) x
mean visibility factor of the landmarks used over the stride
(:func:`visibility_factor`: the pose model's visibility score mapped by its
measured error, 1 from ``metrics.visibility_full``) x fraction of the
stride's frames with those landmarks x stride-to-stride consistency
``1 / (1 + (|v - median| / 3 s)^2)`` with ``s`` the robust spread (1.4826 MAD,
floored per unit) x far-arm factor (side views); for elbow values rebuilt in
3D the factor of their expected error (a floor and the geometry's part,
:func:`armcarriage.metrics.elbow.elbow_geometry_factor`) replaces the view and visibility
factors, which did not predict their errors on rendered runners; x 0.6 for timing values
when the wrist-swing period disagrees with the stride period. A value is finite if
and only if its reason is empty.
"""

from __future__ import annotations

from armcarriage.analysis.reasons import (
    EXACT_DEPTH,
    NECK_HIDDEN_REASON,
    NO_SILHOUETTE_REASON,
    POSE_DEPTH_ROTATION_REASON,
    add_neck_series,
    measurement_reasons,
    validity_summary,
)
from armcarriage.analysis.result import (
    ANALYSIS_SCHEMA_VERSION,
    BASE_COLUMNS,
    Analysis,
    empty_strides,
    stride_columns,
)
from armcarriage.analysis.stage import analyze, arm3d_settings
from armcarriage.analysis.table import (
    FIRST_STRIDE_NUMBER,
    FRONT_HIDDEN_REASON,
    family_of,
    stride_table,
    visibility_factor,
)

__all__ = [
    "ANALYSIS_SCHEMA_VERSION",
    "BASE_COLUMNS",
    "EXACT_DEPTH",
    "FIRST_STRIDE_NUMBER",
    "FRONT_HIDDEN_REASON",
    "NECK_HIDDEN_REASON",
    "NO_SILHOUETTE_REASON",
    "POSE_DEPTH_ROTATION_REASON",
    "Analysis",
    "add_neck_series",
    "analyze",
    "arm3d_settings",
    "empty_strides",
    "family_of",
    "measurement_reasons",
    "stride_columns",
    "stride_table",
    "validity_summary",
    "visibility_factor",
]
