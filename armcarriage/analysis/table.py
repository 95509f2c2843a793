"""The stride table: every metric per stride and arm, with its confidence and reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.analysis.reasons import measurement_reasons
from armcarriage.analysis.result import empty_strides, stride_columns
from armcarriage.config import Config, MetricsConfig
from armcarriage.metrics import METRICS
from armcarriage.metrics.coordination import phase_stride
from armcarriage.metrics.crossing import crossing_stride
from armcarriage.metrics.elbow import ElbowErrorModel, elbow_geometry_factor, elbow_stride
from armcarriage.metrics.rotation import rotation_stride
from armcarriage.metrics.shrug import (
    neck_stride,
    shrug_baseline,
    shrug_stride,
)
from armcarriage.metrics.swing import lift_stride, swing_stride, wrist_stride
from armcarriage.metrics.timing import timing_stride
from armcarriage.metrics.validity import (
    arm_rule,
    coverage_reason,
    hide_rear_crossing,
)
from armcarriage.strides import StrideResult
from armcarriage.track import PoseTrack

_FAMILY: dict[str, tuple[str, tuple[str, ...]]] = {
    "elbow": ("elbow_angle", ("shoulder", "elbow", "wrist")),
    "swing": ("upper_arm_angle", ("shoulder", "elbow")),
    "wrist": ("wrist_forward", ("wrist",)),
    "crossing": ("crossing", ("wrist",)),
    "shrug": ("shoulder_elevation", ("shoulder",)),
    "neck": ("neck_gap", ("shoulder",)),
    "phase": ("wrist_forward", ("wrist",)),
}
"""Per-arm family: the series its coverage is read from and the landmarks of its visibility."""


_SPREAD_FLOOR = {"deg": 1.0, "tl": 0.01, "sw": 0.01, "%": 2.0, "s": 0.005, "steps/min": 1.0}


def family_of(metric: str) -> str:
    """Return the metric family (elbow, swing, wrist, crossing, neck, shrug, ..., timing)."""
    if metric.startswith("elbow_angle"):
        return "elbow"
    if metric.startswith("swing_"):
        return "swing"
    if metric.startswith("wrist_"):
        return "wrist"
    if metric.startswith("crossing_"):
        return "crossing"
    if metric == "shrug_neck_tl":
        return "neck"
    if metric.startswith("shrug_"):
        return "shrug"
    if metric == "trunk_rotation_deg":
        return "rotation"
    if metric == "arm_leg_phase_deg":
        return "phase"
    return "timing"


def visibility_factor(visibility: np.ndarray, full: float, floor: float) -> np.ndarray:
    """Return the confidence factor of landmark visibilities (NaN stays NaN).

    ``floor`` at visibility 0, rising linearly to 1 at ``full`` and above (see
    :attr:`armcarriage.config.MetricsConfig.visibility_full` for the measurement).
    """
    v = np.asarray(visibility, dtype=float)
    return floor + (1.0 - floor) * np.clip(v / full, 0.0, 1.0)


def _window_stats(
    ct: PoseTrack,
    idx: np.ndarray,
    series: Mapping[str, np.ndarray],
    side: str,
    family: str,
    mc: MetricsConfig,
    seen_visibility: float | None = None,
) -> tuple[float, float]:
    """Return (coverage, mean visibility factor) of one family for one arm over ``idx``.

    ``seen_visibility``: for midline crossing from behind, the coverage counts only
    frames whose wrist scores at least this (seen, not guessed): a wrist hidden behind
    the body is placed by the model's guess, which reads a crossing hand short of the
    midline, so only the visibility score tells a seen wrist from a hidden one there.
    """
    if family == "rotation":
        cols, marks = (
            ["trunk_rotation"],
            [f"{s}_{p}" for s in ("left", "right") for p in ("shoulder", "hip")],
        )
    elif family == "timing":
        return 1.0, 1.0
    else:
        col, parts = _FAMILY[family]
        cols, marks = [f"{side}_{col}"], [f"{side}_{p}" for p in parts]
        if family == "phase":
            other = "right" if side == "left" else "left"
            cols.append(f"{other}_ankle_forward")
    if idx.size == 0:
        return 0.0, 0.0
    cov = min(float(np.isfinite(series[c][idx]).mean()) for c in cols)
    raw = ct.visibility_at(marks, idx)
    vis = visibility_factor(raw, mc.visibility_full, mc.visibility_floor)
    if family == "crossing" and seen_visibility is not None:
        seen = raw >= seen_visibility
        cov = min(cov, float(seen.mean()))
    return cov, float(np.nanmean(vis)) if np.isfinite(vis).any() else 0.0


FRONT_HIDDEN_REASON = (
    "the pose model scored this wrist as hidden in much of the stride, and it draws a hidden "
    "wrist on the hand's own side (on renders whose crossing hand was hidden inside the chest "
    "it put the wrist 0.3-0.5 shoulder widths short of the truth), so a reading short of the "
    "midline cannot tell that the hand did not cross; a reading across it is reported"
)
"""Why crossing is missing for a front-view stride whose wrist was mostly hidden and reads short."""


def _hidden_short(
    ct: PoseTrack, idx: np.ndarray, side: str, crossing_max: float, cfg: Config
) -> str:
    """Return :data:`FRONT_HIDDEN_REASON` for a stride whose low-score wrist reads no crossing.

    Cleaning keeps a low-score wrist whose position fits the arm
    (:func:`armcarriage.cleaning.usable_wrists`); its error runs one way, towards the
    hand's own side, so it can show a crossing but not rule one out. When fewer than
    ``metrics.min_coverage`` of the stride's frames score the wrist as seen and the
    stride reads short of the midline, the stride is not measured.
    """
    if idx.size == 0 or not np.isfinite(crossing_max) or crossing_max > 0:
        return ""
    seen = ct.visibility_at([f"{side}_wrist"], idx)[:, 0]
    if float(np.mean(seen >= cfg.cleaning.min_visibility)) >= cfg.metrics.min_coverage:
        return ""
    return FRONT_HIDDEN_REASON


def _stride_values(
    series: Mapping[str, np.ndarray],
    idx: np.ndarray,
    side: str,
    row: dict[str, Any],
    baseline: float,
) -> dict[str, float]:
    """Compute every metric of one arm over one stride."""

    def col(name: str) -> np.ndarray:
        return series[name][idx]

    other = "right" if side == "left" else "left"
    arm = col(f"{side}_upper_arm_angle")
    vals: dict[str, float] = {}
    vals.update(elbow_stride(col(f"{side}_elbow_angle"), arm))
    vals.update(swing_stride(arm))
    vals.update(wrist_stride(col(f"{side}_wrist_forward")))
    vals.update(lift_stride(col(f"{side}_wrist_height"), col("time"), float(row["stride_time_s"])))
    vals.update(crossing_stride(col(f"{side}_crossing")))
    vals.update(shrug_stride(col(f"{side}_shoulder_elevation"), baseline))
    vals.update(neck_stride(col(f"{side}_neck_gap")))
    vals.update(rotation_stride(col("trunk_rotation")))
    vals.update(
        phase_stride(
            col(f"{side}_wrist_forward"),
            col(f"{other}_ankle_forward"),
            col("time"),
            float(row["stride_time_s"]),
        )
    )
    vals.update(timing_stride(row))
    return vals


FIRST_STRIDE_NUMBER = 1
"""The number people read for the first stride (``Analysis.strides["stride"]`` is 0-based);
strides.csv, the report, the cues and every command that takes a stride number use it."""


def stride_table(
    ct: PoseTrack,
    view: Mapping[str, Any],
    sr: StrideResult,
    series: pd.DataFrame,
    cfg: Config,
    source_reasons: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Build the stride x arm table with values, confidences and reasons.

    ``source_reasons`` (:func:`measurement_reasons`) marks metrics the track's
    source cannot measure; computed from ``ct`` when not given.
    """
    label = str(view["label"])
    mc = cfg.metrics
    view_factor = max(0.3, float(view.get("confidence", 0.0)))
    if label == "oblique":
        view_factor *= mc.oblique_confidence
    timing_factor = 1.0 if sr.checks.get("wrist_check_ok") else 0.6
    # one array per column: a DataFrame's column lookup costs ~40 us, and the rows
    # below read 20-odd columns for every stride and arm
    columns = {str(name): series[name].to_numpy() for name in series.columns}
    t = columns["time"]
    baselines = {
        s: shrug_baseline(columns[f"{s}_shoulder_elevation"], mc.shrug_baseline_percentile)
        for s in ("left", "right")
    }
    if source_reasons is None:
        source_reasons = measurement_reasons(ct, cfg, label)
    c = _Context(ct, columns, cfg, label, view.get("near_side"), view_factor, timing_factor,
                 source_reasons)  # fmt: skip
    rows: list[dict[str, Any]] = []
    for row in sr.strides.to_dict(orient="records"):
        idx = np.flatnonzero((t >= row["t_start"]) & (t < row["t_end"]))
        geo_error = {
            s: columns[f"{s}_elbow_error"][idx]
            if f"{s}_elbow_error" in columns
            else np.full(idx.size, np.nan)
            for s in ("left", "right")
        }
        for side in ("left", "right"):
            vals = _stride_values(columns, idx, side, row, baselines[side])
            out: dict[str, Any] = {
                "stride": int(row["stride"]),
                "side": side,
                "t_start": row["t_start"],
                "t_end": row["t_end"],
                "frame_start": int(row["frame_start"]),
                "frame_end": int(row["frame_end"]),
            }
            out.update(_arm_values(c, idx, side, vals, geo_error[side]))
            rows.append(out)
    table = pd.DataFrame(rows, columns=stride_columns()) if rows else empty_strides()
    hide_rear_crossing(table)
    _apply_consistency(table)
    return table


@dataclass
class _Context:
    """What every stride x arm row of one clip's table is computed with."""

    ct: PoseTrack
    series: Mapping[str, np.ndarray]
    cfg: Config
    label: str
    near: Any
    view_factor: float
    timing_factor: float
    source_reasons: dict[str, str]


def _arm_values(
    c: _Context, idx: np.ndarray, side: str, vals: dict[str, float], geo_error: np.ndarray
) -> dict[str, Any]:
    """Return each metric's value, confidence and reason for one arm over one stride."""
    mc = c.cfg.metrics
    elbow_model = ElbowErrorModel.from_settings(mc)
    out: dict[str, Any] = {}
    stats: dict[str, tuple[float, float]] = {}
    for m in METRICS:
        fam = family_of(m)
        if fam not in stats:
            stats[fam] = _window_stats(
                c.ct,
                idx,
                c.series,
                side,
                fam,
                mc,
                c.cfg.cleaning.min_visibility if c.label == "rear" else None,
            )
        cov, vis = stats[fam]
        reason, factor = arm_rule(
            m, c.label, side, c.near, mc.far_arm_policy, mc.far_arm_confidence
        )
        reason = reason or c.source_reasons.get(m, "")
        value = vals.get(m, float("nan"))
        if not reason and fam != "timing":
            reason = coverage_reason(
                m, c.label, cov, mc.min_coverage, mc.crossing_rear_min_coverage
            )
        if not reason and not np.isfinite(value):
            reason = "could not be computed: landmarks or foot events missing"
        if not reason and fam == "crossing" and c.label == "front":
            reason = _hidden_short(c.ct, idx, side, vals["crossing_max_sw"], c.cfg)
        conf = factor * c.view_factor * vis * cov
        if fam == "elbow" and np.isfinite(geo_error).any():
            # rebuilt in 3D: the error model was fitted over the views and visibilities
            # of rendered runners, which did not predict its errors
            conf = factor * cov * elbow_geometry_factor(geo_error, m, elbow_model)
        if fam == "timing":
            conf *= c.timing_factor
        out[m] = float(value) if not reason else float("nan")
        out[f"{m}_conf"] = float(np.clip(conf, 0.0, 1.0)) if not reason else 0.0
        out[f"{m}_reason"] = reason
    return out


def _apply_consistency(table: pd.DataFrame) -> None:
    """Scale each value's confidence by its agreement with the arm's other strides (in place)."""
    if not len(table):
        return
    for m, spec in METRICS.items():
        for side in ("left", "right"):
            sel = (table["side"] == side) & (table[f"{m}_reason"] == "")
            v = table.loc[sel, m].to_numpy(float)
            if v.size < 3:
                continue
            med = float(np.median(v))
            # strides that differ by no more than the metric's own noise (about half its
            # per-stride p95 error) agree: with few strides their spread alone is no scale
            spread = max(
                1.4826 * float(np.median(np.abs(v - med))),
                _SPREAD_FLOOR.get(spec.unit, 0.0),
                0.5 * spec.noise,
            )
            factor = 1.0 / (1.0 + (np.abs(v - med) / (3.0 * spread)) ** 2)
            table.loc[sel, f"{m}_conf"] = np.round(table.loc[sel, f"{m}_conf"] * factor, 3)
