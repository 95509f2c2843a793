"""The analysis stage: cleaning, view, strides and metrics put together."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.analysis.reasons import add_neck_series, measurement_reasons, validity_summary
from armcarriage.analysis.result import Analysis, empty_strides
from armcarriage.analysis.table import stride_table
from armcarriage.cleaning import clean
from armcarriage.config import Config, MetricsConfig
from armcarriage.metrics import METRICS
from armcarriage.metrics.arm3d import Arm3DSettings
from armcarriage.metrics.series import frame_series
from armcarriage.metrics.summary import summarize
from armcarriage.metrics.validity import (
    view_reason,
)
from armcarriage.status import Status
from armcarriage.strides import StrideResult, analyze_strides, real_time_track
from armcarriage.track import PoseTrack
from armcarriage.view import View, classify_view


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
        return _without_strides(track, Status.NO_RUNNER, msg, View.unknown(), settings)
    cleaned = clean(track, cfg.cleaning)
    ct = cleaned.track
    settings["cleaning"] = cleaned.report
    msg = _torso_missing(ct, cfg.pose.min_detection_rate)
    if msg:
        return _without_strides(ct, Status.NO_RUNNER, msg, View.unknown(), settings)
    view = classify_view(ct, cfg.view)
    sr = analyze_strides(ct, view, cfg.strides)
    settings["strides"] = sr.checks
    series, norms = frame_series(
        ct, view["label"], cfg.metrics.elbow_source, arm3d_settings(cfg.metrics, ct.fps)
    )
    add_neck_series(series, ct, view, norms["torso_length_px"])
    settings["normalisers"] = norms
    if sr.status != Status.OK:
        settings["observed_cadence_spm"] = sr.cadence_spm
        out = _without_strides(ct, sr.status, sr.message, view, settings, sr)
        out.series = series
        if sr.status == Status.TOO_FEW_STRIDES:
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
        status=Status.OK,
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


def _torso_missing(ct: PoseTrack, min_rate: float) -> str:
    """Return why the cleaned track shows too little of a runner's torso, else ''."""
    torso = np.isfinite(
        ct.ds["position"]
        .sel(keypoint=["left_shoulder", "right_shoulder", "left_hip", "right_hip"])
        .values
    ).all(axis=(1, 2))
    if torso.mean() >= min_rate:
        return ""
    return (
        f"no runner found: shoulders and hips visible in {100 * torso.mean():.0f}% "
        f"of frames (need {100 * min_rate:.0f}%)"
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
        upper_medial=(mc.arm3d_upper_medial, mc.arm3d_upper_medial_sd),
        fore_medial=(mc.arm3d_fore_medial, mc.arm3d_fore_medial_sd),
        body_plane=mc.arm3d_body_plane,
        plane_prior_spread=mc.arm3d_plane_prior_spread,
        fore_world_sd=mc.arm3d_fore_world_sd,
        scale_window_frames=window,
        swing_smooth_frames=max(int(round(mc.swing_elbow_smooth_s * fps)) | 1, 1),
        swing_min_fore_ratio=mc.swing_elbow_min_forearm_ratio,
    )


def _without_strides(
    track: PoseTrack,
    status: Status,
    message: str,
    view: View,
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
        view=view,
        events=events,
        strides=table,
        summary=summarize(table, 0.0, 0.0, 0.0, reasons),
        validity=validity_summary(table, reasons),
        cadence_spm=float("nan"),
        series=pd.DataFrame({"time": track.time}),
        track=track,
        settings=settings,
    )
