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

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.cleaning import clean
from armcarriage.config import Config, MetricsConfig
from armcarriage.jsonio import jsonable
from armcarriage.metrics import METRICS
from armcarriage.metrics.arm3d import Arm3DSettings
from armcarriage.metrics.coordination import phase_stride
from armcarriage.metrics.crossing import crossing_stride
from armcarriage.metrics.elbow import ElbowErrorModel, elbow_geometry_factor, elbow_stride
from armcarriage.metrics.geometry import midpoint, trunk_up
from armcarriage.metrics.rotation import rotation_stride
from armcarriage.metrics.series import frame_series
from armcarriage.metrics.shrug import (
    neck_gap,
    neck_stride,
    shoulder_tops,
    shrug_baseline,
    shrug_stride,
)
from armcarriage.metrics.summary import summarize
from armcarriage.metrics.swing import lift_stride, swing_stride, wrist_stride
from armcarriage.metrics.timing import timing_stride
from armcarriage.metrics.validity import (
    arm_rule,
    coverage_reason,
    hide_rear_crossing,
    validity_matrix,
    view_reason,
)
from armcarriage.strides import StrideResult, analyze_strides, real_time_track
from armcarriage.track import PoseTrack
from armcarriage.view import classify_view

ANALYSIS_SCHEMA_VERSION = 1

BASE_COLUMNS = ["stride", "side", "t_start", "t_end", "frame_start", "frame_end"]

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
            "view": self.view,
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


def analyze(track: PoseTrack, config: Config | None = None) -> Analysis:
    """Analyse a pose track: cleaning -> view -> strides -> metrics -> summary.

    Parameters
    ----------
    track
        A pose track (from :func:`armcarriage.estimate_pose` or a file).
    config
        Settings; defaults to :class:`armcarriage.config.Config`.

    Returns
    -------
    Analysis
        ``status`` is ``no_runner`` (too few frames with a body),
        ``no_running`` (walking, standing, no stride rhythm),
        ``too_few_strides`` or ``ok``; only ``ok`` has per-stride rows.

    """
    cfg = config or Config()
    settings: dict[str, Any] = {
        "config": {
            k: dataclasses.asdict(getattr(cfg, k))
            for k in ("cleaning", "view", "strides", "metrics")
        },
    }
    # slow motion (or time-lapse): analyse on the time the clip was filmed on
    track, settings["time"] = real_time_track(
        track, cfg.video.capture_fps, cfg.video.capture_fps_tolerance
    )
    rate = track.detection_rate()
    if track.n_frames == 0 or rate < cfg.pose.min_detection_rate:
        msg = (
            f"no runner found: a body was detected in {100 * rate:.0f}% of "
            f"{track.n_frames} frames (need {100 * cfg.pose.min_detection_rate:.0f}%)"
        )
        return _without_strides(track, "no_runner", msg, {"label": "unknown"}, settings)
    cleaned = clean(track, cfg.cleaning)
    ct = cleaned.track
    settings["cleaning"] = cleaned.report
    torso = np.isfinite(
        ct.ds["position"]
        .sel(keypoint=["left_shoulder", "right_shoulder", "left_hip", "right_hip"])
        .values
    ).all(axis=(1, 2))
    if torso.mean() < cfg.pose.min_detection_rate:
        msg = (
            f"no runner found: shoulders and hips visible in {100 * torso.mean():.0f}% "
            f"of frames (need {100 * cfg.pose.min_detection_rate:.0f}%)"
        )
        return _without_strides(ct, "no_runner", msg, {"label": "unknown"}, settings)
    view = classify_view(ct, cfg.view)
    sr = analyze_strides(ct, view, cfg.strides)
    settings["strides"] = sr.checks
    series, norms = frame_series(
        ct, view["label"], cfg.metrics.elbow_source, arm3d_settings(cfg.metrics, ct.fps)
    )
    add_neck_series(series, ct, view, norms["torso_length_px"])
    settings["normalisers"] = norms
    if sr.status != "ok":
        settings["observed_cadence_spm"] = sr.cadence_spm
        out = _without_strides(ct, sr.status, sr.message, view, settings, sr)
        out.series = series
        if sr.status == "too_few_strides":
            out.cadence_spm = sr.cadence_spm
        return out
    source_reasons = measurement_reasons(ct, cfg, view["label"])
    table = stride_table(ct, view, sr, series, cfg, source_reasons)
    reasons = {m: view_reason(m, view["label"]) or source_reasons.get(m, "") for m in METRICS}
    summary = summarize(
        table,
        cfg.metrics.min_confidence,
        cfg.metrics.symmetry_flag_percent,
        cfg.metrics.drift_flag_fraction,
        reasons,
    )
    return Analysis(
        status="ok",
        message="",
        view=view,
        events=sr.events,
        strides=table,
        summary=summary,
        validity=validity_summary(table, reasons),
        cadence_spm=sr.cadence_spm,
        series=series,
        track=ct,
        settings=settings,
    )


def arm3d_settings(mc: MetricsConfig, fps: float) -> Arm3DSettings:
    """Return the 3D-arm settings of ``metrics`` for a clip at ``fps`` frames/s."""
    window = max(int(round(mc.arm3d_scale_window_s * fps)) | 1, 1)
    return Arm3DSettings(
        length_percentile=mc.arm3d_length_percentile,
        forearm_min_ratio=mc.arm3d_forearm_min_ratio,
        length_noise=mc.arm3d_length_noise,
        hint_noise=mc.arm3d_hint_noise,
        prior_spread=mc.arm3d_prior_spread,
        motion_noise=mc.arm3d_motion_noise,
        hint_gain=mc.arm3d_hint_gain,
        outward_strength=mc.arm3d_outward_strength,
        grid=mc.arm3d_grid,
        scale_window_frames=window,
        swing_smooth_frames=max(int(round(mc.swing_elbow_smooth_s * fps)) | 1, 1),
    )


def _without_strides(
    track: PoseTrack,
    status: str,
    message: str,
    view: dict[str, Any],
    settings: dict[str, Any],
    sr: StrideResult | None = None,
) -> Analysis:
    """Return an Analysis that reports ``status`` with no per-stride rows."""
    reasons = dict.fromkeys(METRICS, message)
    table = empty_strides()
    events = (
        sr.events
        if sr is not None
        else pd.DataFrame(
            {
                "foot": pd.Series(dtype=object),
                "kind": pd.Series(dtype=object),
                "time": pd.Series(dtype=float),
                "frame": pd.Series(dtype=np.int64),
            }
        )
    )
    return Analysis(
        status=status,
        message=message,
        view={"confidence": 0.0, "treadmill": None, "segments": [], **view},
        events=events,
        strides=table,
        summary=summarize(table, 0.0, 0.0, 0.0, reasons),
        validity=validity_summary(table, reasons),
        cadence_spm=float("nan"),
        series=pd.DataFrame({"time": track.time}),
        track=track,
        settings=settings,
    )


def validity_summary(table: pd.DataFrame, reasons: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Return the per-metric validity of this clip (see the contract)."""
    matrix = validity_matrix()
    out: dict[str, dict[str, Any]] = {}
    for m, spec in METRICS.items():
        rows = table[table[f"{m}_reason"] == ""] if len(table) else table
        measured = bool(len(rows))
        reason = ""
        if not measured:
            reason = reasons.get(m) or (
                str(table[f"{m}_reason"].mode().iloc[0]) if len(table) else "not measured"
            )
        conf = float(np.median(rows[f"{m}_conf"])) if measured else 0.0
        out[m] = {
            "measured": measured,
            "reason": reason,
            "confidence": round(conf, 3),
            "better_view": spec.better_view,
            "views": [v for v, ok in matrix[m].items() if ok],
        }
    return out


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
    series: pd.DataFrame,
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
    cov = min(float(np.isfinite(series[c].to_numpy()[idx]).mean()) for c in cols)
    vis = visibility_factor(
        ct.ds["visibility"].sel(keypoint=marks).values[idx], mc.visibility_full, mc.visibility_floor
    )
    if family == "crossing" and seen_visibility is not None:
        seen = ct.ds["visibility"].sel(keypoint=marks).values[idx] >= seen_visibility
        cov = min(cov, float(seen.mean()))
    return cov, float(np.nanmean(vis)) if np.isfinite(vis).any() else 0.0


FRONT_HIDDEN_REASON = (
    "the pose model scored this wrist as hidden in front of the body in much of the stride, "
    "and there it draws a crossing hand on its own side (on motion-capture renders it put "
    "crossing wrists 25 px, about 0.45 shoulder widths, short of the truth), so a reading "
    "short of the midline cannot tell that the hand did not cross; a reading across it is "
    "reported"
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
    seen = ct.ds["visibility"].sel(keypoint=f"{side}_wrist").values[idx]
    if float(np.mean(seen >= cfg.cleaning.min_visibility)) >= cfg.metrics.min_coverage:
        return ""
    return FRONT_HIDDEN_REASON


def _stride_values(
    series: pd.DataFrame,
    idx: np.ndarray,
    side: str,
    row: dict[str, Any],
    baseline: float,
) -> dict[str, float]:
    """Compute every metric of one arm over one stride."""

    def col(name: str) -> np.ndarray:
        return series[name].to_numpy()[idx]

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


def add_neck_series(
    series: pd.DataFrame, ct: PoseTrack, view: dict[str, Any], torso_px: float
) -> None:
    """Add ``{side}_neck_gap`` (:func:`armcarriage.metrics.shrug.neck_gap`) to ``series``.

    One figure for the runner, repeated in both sides' columns: from the front the
    mean of the two shoulders' gaps (each alone where the other is missing): the two
    outlines read apart on renders whose true shoulders were level, so the mean halves
    an error the runner does not have. From the side the near shoulder's. NaN
    throughout on a front-view track without silhouette numbers.
    """
    label = str(view.get("label", ""))
    ls, rs = ct.xy("left_shoulder"), ct.xy("right_shoulder")
    up = trunk_up(ls, rs, ct.xy("left_hip"), ct.xy("right_hip"))
    ear = midpoint(ct.xy("left_ear"), ct.xy("right_ear"))
    gaps = {}
    for side in ("left", "right"):
        top = shoulder_tops(ct, side, label)
        gaps[side] = (
            np.full(ct.n_frames, np.nan) if top is None else neck_gap(top, ear, up, torso_px)
        )
    near = view.get("near_side")
    if near in gaps and label not in ("front", "rear"):
        both = gaps[near]
    else:
        with np.errstate(invalid="ignore"):
            both = np.where(
                np.isfinite(gaps["left"]) & np.isfinite(gaps["right"]),
                0.5 * (gaps["left"] + gaps["right"]),
                np.where(np.isfinite(gaps["left"]), gaps["left"], gaps["right"]),
            )
    for side in ("left", "right"):
        series[f"{side}_neck_gap"] = both


NO_SILHOUETTE_REASON = (
    "the pose track holds no silhouette numbers (made without the segmentation mask, "
    "pose.silhouette); analyse the video again to measure it"
)


EXACT_DEPTH = "exact"
"""Track attribute ``depth`` of a track whose landmark depth is exact (a projection of known 3D
points), not a pose model's guess."""

POSE_DEPTH_ROTATION_REASON = (
    "the pose model's landmark depth does not measure trunk rotation (median error 20 deg "
    "from the front and 64 deg from the rear on the synthetic runner, "
    "benchmarks/accuracy.py); set metrics.rotation_from_pose_depth to report it anyway"
)


def measurement_reasons(track: PoseTrack, cfg: Config, view: str = "") -> dict[str, str]:
    """Return ``{metric: reason}`` for metrics this track's source cannot measure.

    Trunk rotation is read from the landmarks' depth, which a pose model only
    guesses from one image: unless ``metrics.rotation_from_pose_depth`` is set,
    it is measured only on tracks whose ``depth`` attribute says it is exact
    (:data:`EXACT_DEPTH`: projections of known 3D points, as the evaluation package makes).
    """
    out: dict[str, str] = {}
    if "silhouette" not in track.ds and view in ("", "front", "rear"):
        out["shrug_neck_tl"] = NO_SILHOUETTE_REASON
    if cfg.metrics.rotation_from_pose_depth or track.ds.attrs.get("depth") == EXACT_DEPTH:
        return out
    out["trunk_rotation_deg"] = POSE_DEPTH_ROTATION_REASON
    return out


def stride_table(
    ct: PoseTrack,
    view: dict[str, Any],
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
    elbow_model = ElbowErrorModel.from_settings(mc)
    t = series["time"].to_numpy()
    baselines = {
        s: shrug_baseline(
            series[f"{s}_shoulder_elevation"].to_numpy(), mc.shrug_baseline_percentile
        )
        for s in ("left", "right")
    }
    if source_reasons is None:
        source_reasons = measurement_reasons(ct, cfg, label)
    rows: list[dict[str, Any]] = []
    for row in sr.strides.to_dict(orient="records"):
        idx = np.flatnonzero((t >= row["t_start"]) & (t < row["t_end"]))
        geo_error = {
            s: series[f"{s}_elbow_error"].to_numpy()[idx]
            if f"{s}_elbow_error" in series
            else np.full(idx.size, np.nan)
            for s in ("left", "right")
        }
        for side in ("left", "right"):
            vals = _stride_values(series, idx, side, row, baselines[side])
            out: dict[str, Any] = {
                "stride": int(row["stride"]),
                "side": side,
                "t_start": row["t_start"],
                "t_end": row["t_end"],
                "frame_start": int(row["frame_start"]),
                "frame_end": int(row["frame_end"]),
            }
            stats: dict[str, tuple[float, float]] = {}
            for m in METRICS:
                fam = family_of(m)
                if fam not in stats:
                    stats[fam] = _window_stats(
                        ct,
                        idx,
                        series,
                        side,
                        fam,
                        mc,
                        cfg.cleaning.min_visibility if label == "rear" else None,
                    )
                cov, vis = stats[fam]
                reason, factor = arm_rule(
                    m, label, side, view.get("near_side"), mc.far_arm_policy, mc.far_arm_confidence
                )
                reason = reason or source_reasons.get(m, "")
                value = vals.get(m, float("nan"))
                if not reason and fam != "timing":
                    reason = coverage_reason(
                        m, label, cov, mc.min_coverage, mc.crossing_rear_min_coverage
                    )
                if not reason and not np.isfinite(value):
                    reason = "could not be computed: landmarks or foot events missing"
                if not reason and fam == "crossing" and label == "front":
                    reason = _hidden_short(ct, idx, side, vals["crossing_max_sw"], cfg)
                conf = factor * view_factor * vis * cov
                if fam == "elbow" and np.isfinite(geo_error[side]).any():
                    # rebuilt in 3D: the error model was fitted over the views and
                    # visibilities of rendered runners, which did not predict its errors
                    conf = factor * cov * elbow_geometry_factor(geo_error[side], m, elbow_model)
                if fam == "timing":
                    conf *= timing_factor
                out[m] = float(value) if not reason else float("nan")
                out[f"{m}_conf"] = float(np.clip(conf, 0.0, 1.0)) if not reason else 0.0
                out[f"{m}_reason"] = reason
            rows.append(out)
    table = pd.DataFrame(rows, columns=stride_columns()) if rows else empty_strides()
    hide_rear_crossing(table)
    _apply_consistency(table)
    return table


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
            spread = max(
                1.4826 * float(np.median(np.abs(v - med))), _SPREAD_FLOOR.get(spec.unit, 0.0)
            )
            factor = 1.0 / (1.0 + (np.abs(v - med) / (3.0 * spread)) ** 2)
            table.loc[sel, f"{m}_conf"] = np.round(table.loc[sel, f"{m}_conf"] * factor, 3)
