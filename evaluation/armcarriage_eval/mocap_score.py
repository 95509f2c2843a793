"""Score an analysis of an exact mocap track against the mocap ground truth.

:func:`score` compares what :func:`armcarriage.analysis.analyze` found on a
track from :func:`armcarriage_eval.mocap.project_trial` with
:func:`armcarriage_eval.mocap.truth`: cadence, foot strikes and elbow angles. The
validation tests and ``benchmarks/mocap_truth.py`` share it.

Scoring rules
-------------
Foot strikes
    Matched on time, not on frame numbers: the truth's touchdown time lies
    between two frames (``time_subframe`` of
    :func:`armcarriage_eval.mocap.foot_events`) and the analysis reports a
    ``time`` refined between frames too, so comparing rounded frame numbers
    would add up to a frame of rounding to every error. A truth strike counts
    when it lies at least ``edge_frames`` frames from either end of the clip
    (an event at the very edge cannot be seen whole by any method). It is
    *found* when the analysis reports a strike of the same foot within
    ``tolerance_frames / fps`` seconds. Conversely a reported strike away from
    the edges is *correct* when a truth strike of the same foot lies within
    the tolerance. Recall and precision are the two fractions.
Elbow angle
    Per stride row of the analysis and per arm, ``elbow_angle_min``,
    ``elbow_angle_max`` and ``elbow_angle_mean`` are compared with the 3D truth
    over the stride's frames: the frames whose time lies in ``[t_start,
    t_end)``, the window the analysis itself takes (``frame_start`` and
    ``frame_end`` are the nearest frames of the sub-frame event times, so a
    window built from them can hold one frame more or less). When the
    analysis has a per-frame series
    ``{side}_elbow_angle``, it is compared frame by frame inside the strides.
Cadence
    Relative error of ``Analysis.cadence_spm`` against the truth cadence
    (strike times refined between frames, :func:`armcarriage_eval.mocap.foot_events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from armcarriage_eval.mocap import MocapTrial, Truth

from armcarriage.skeleton import SIDES

ELBOW_STATS: tuple[str, ...] = ("elbow_angle_min", "elbow_angle_max", "elbow_angle_mean")
"""Per-stride elbow columns that have a frame-window truth."""


@dataclass
class StrikeScore:
    """Foot strikes found by the analysis against the truth.

    Attributes
    ----------
    n_truth, n_found
        Scored truth strikes, and those with a reported strike within tolerance.
    n_reported, n_correct
        Scored reported strikes, and those with a truth strike within tolerance.
    errors
        Per scored truth strike: ``foot``, ``truth_frame`` (first frame in
        contact), ``truth_time`` (touchdown between frames, s), and for the
        reported strike of that foot nearest in time: ``nearest_frame`` (NaN
        when there is none), ``error_frames`` (reported - truth frame) and
        ``error_s`` (reported ``time`` - ``truth_time``), the scored error.

    """

    n_truth: int
    n_found: int
    n_reported: int
    n_correct: int
    errors: pd.DataFrame

    @property
    def recall(self) -> float:
        """Fraction of truth strikes found (NaN with none to find)."""
        return self.n_found / self.n_truth if self.n_truth else float("nan")

    @property
    def precision(self) -> float:
        """Fraction of reported strikes that are right (NaN with none reported)."""
        return self.n_correct / self.n_reported if self.n_reported else float("nan")


@dataclass
class ElbowScore:
    """Elbow angles of one arm against the 3D truth.

    Attributes
    ----------
    side
        The arm.
    n_strides
        Stride rows of that arm.
    n_measured
        Rows whose ``elbow_angle_mean`` is a number.
    reasons
        Distinct non-empty ``elbow_angle_mean_reason`` values.
    max_error_deg
        Largest absolute error over the measured min/max/mean values (NaN when
        nothing was measured).
    series_max_error_deg
        Largest absolute per-frame error of the series inside the strides
        (NaN when the analysis has no such series).
    rows
        One row per stride and statistic: ``stride``, ``stat``, ``measured``,
        ``truth``, ``error_deg``.

    """

    side: str
    n_strides: int
    n_measured: int
    reasons: list[str]
    max_error_deg: float
    series_max_error_deg: float
    rows: pd.DataFrame


@dataclass
class Score:
    """How one analysis compares with the truth of its trial.

    Attributes
    ----------
    status, message
        ``Analysis.status`` and ``Analysis.message``.
    view_label
        ``Analysis.view["label"]``.
    treadmill
        ``Analysis.view["treadmill"]``.
    cadence_spm, cadence_truth_spm, cadence_error_pct
        Measured and true cadence and the relative error (%).
    strikes
        Foot strike score.
    elbow
        Per arm, the elbow score.

    """

    status: str
    message: str
    view_label: Any
    treadmill: Any
    cadence_spm: float
    cadence_truth_spm: float
    cadence_error_pct: float
    strikes: StrikeScore
    elbow: dict[str, ElbowScore] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Return the headline figures as a flat dict."""
        out: dict[str, Any] = {
            "status": self.status,
            "view": self.view_label,
            "cadence_err_pct": round(self.cadence_error_pct, 2),
            "strikes_found": f"{self.strikes.n_found}/{self.strikes.n_truth}",
            "strikes_correct": f"{self.strikes.n_correct}/{self.strikes.n_reported}",
        }
        for side, e in self.elbow.items():
            out[f"{side}_elbow_max_err"] = round(e.max_error_deg, 2)
            out[f"{side}_elbow_measured"] = f"{e.n_measured}/{e.n_strides}"
        return out


def score(
    analysis: Any,
    trial: MocapTrial,
    truth: Truth,
    *,
    tolerance_frames: float = 1.0,
    edge_frames: int = 2,
) -> Score:
    """Compare an :class:`~armcarriage.analysis.Analysis` with the mocap truth.

    Parameters
    ----------
    analysis
        The result of ``analyze`` on a track projected from ``trial``.
    trial
        The mocap trial.
    truth
        Its ground truth (:func:`armcarriage_eval.mocap.truth`).
    tolerance_frames
        Largest strike timing error that counts as right, frames.
    edge_frames
        Events closer than this to either end of the clip are not scored.

    Returns
    -------
    Score

    """
    cadence = float(analysis.cadence_spm)
    true_cadence = float(truth.cadence_spm)
    view = analysis.view if isinstance(analysis.view, Mapping) else {}
    return Score(
        status=str(analysis.status),
        message=str(analysis.message),
        view_label=view.get("label"),
        treadmill=view.get("treadmill"),
        cadence_spm=cadence,
        cadence_truth_spm=true_cadence,
        cadence_error_pct=100.0 * (cadence - true_cadence) / true_cadence,
        strikes=score_strikes(
            analysis.events,
            truth.events,
            trial.n_frames,
            trial.fps,
            tolerance_frames,
            edge_frames,
        ),
        elbow={
            side: score_elbow(analysis.strides, analysis.series, truth.elbow, side, trial.fps)
            for side in SIDES
        },
    )


def score_strikes(
    reported: pd.DataFrame,
    true_events: pd.DataFrame,
    n_frames: int,
    fps: float = 30.0,
    tolerance_frames: float = 1.0,
    edge_frames: int = 2,
) -> StrikeScore:
    """Match reported foot strikes with the true ones, foot by foot, on time.

    Parameters
    ----------
    reported
        ``Analysis.events`` (columns ``foot``, ``kind``, ``time``, ``frame``).
    true_events
        Truth events (same columns plus ``time_subframe``, used when present).
    n_frames
        Frames in the clip.
    fps
        Frame rate: the tolerance is ``tolerance_frames / fps`` seconds.
    tolerance_frames, edge_frames
        See :func:`score`.

    Returns
    -------
    StrikeScore

    """
    tol = tolerance_frames / fps + 1e-9
    lo, hi = edge_frames / fps, (n_frames - 1 - edge_frames) / fps

    def strikes(ev: pd.DataFrame, foot: str) -> tuple[np.ndarray, np.ndarray]:
        if ev is None or len(ev) == 0:
            return np.array([], dtype=float), np.array([], dtype=float)
        sel = (ev["kind"] == "strike") & (ev["foot"] == foot)
        column = "time_subframe" if "time_subframe" in ev.columns else "time"
        return (
            np.asarray(ev.loc[sel, "frame"], dtype=float),
            np.asarray(ev.loc[sel, column], dtype=float),
        )

    rows = []
    n_rep = n_corr = 0
    for foot in SIDES:
        (rep_f, rep_t), (tru_f, tru_t) = strikes(reported, foot), strikes(true_events, foot)
        for f, t in zip(tru_f, tru_t, strict=True):
            if not lo <= t <= hi:
                continue
            i = int(np.argmin(np.abs(rep_t - t))) if rep_t.size else -1
            rows.append(
                (
                    foot,
                    int(f),
                    t,
                    rep_f[i] if i >= 0 else np.nan,
                    rep_f[i] - f if i >= 0 else np.nan,
                    rep_t[i] - t if i >= 0 else np.nan,
                )
            )
        scored = rep_t[(rep_t >= lo) & (rep_t <= hi)]
        n_rep += scored.size
        n_corr += sum(bool(tru_t.size and np.min(np.abs(tru_t - t)) <= tol) for t in scored)
    errors = pd.DataFrame(
        rows,
        columns=["foot", "truth_frame", "truth_time", "nearest_frame", "error_frames", "error_s"],
    )
    found = int((errors["error_s"].abs() <= tol).sum())
    return StrikeScore(len(errors), found, int(n_rep), int(n_corr), errors)


def score_elbow(
    strides: pd.DataFrame,
    series: pd.DataFrame | None,
    truth_elbow: pd.DataFrame,
    side: str,
    fps: float,
) -> ElbowScore:
    """Compare per-stride elbow statistics (and the series) of one arm with the truth.

    Parameters
    ----------
    strides
        ``Analysis.strides``.
    series
        ``Analysis.series`` (may lack the elbow column).
    truth_elbow
        :func:`armcarriage_eval.mocap.elbow_angles` of the trial.
    side
        ``"left"`` or ``"right"``.
    fps
        Frame rate, to turn series times into frames.

    Returns
    -------
    ElbowScore

    """
    true = truth_elbow[f"{side}_elbow_angle"].to_numpy(float)
    arm = strides[strides["side"] == side] if len(strides) else strides
    rows = []
    inside = np.zeros(true.size, dtype=bool)
    times = np.arange(true.size) / fps
    for r in arm.itertuples(index=False):
        sel = (times >= float(r.t_start) - 1e-9) & (times < float(r.t_end) - 1e-9)
        inside |= sel
        window = true[sel]
        for stat in ELBOW_STATS:
            value = float(getattr(r, stat))
            fn = {"elbow_angle_min": np.min, "elbow_angle_max": np.max}.get(stat, np.mean)
            best = float(fn(window)) if window.size else float("nan")
            rows.append((int(r.stride), stat, value, best, value - best))
    table = pd.DataFrame(rows, columns=["stride", "stat", "measured", "truth", "error_deg"])
    measured = table[np.isfinite(table["measured"].to_numpy(float))]
    reasons = sorted({str(x) for x in arm.get("elbow_angle_mean_reason", pd.Series()) if x})
    return ElbowScore(
        side=side,
        n_strides=len(arm),
        n_measured=int(
            np.isfinite(
                table.loc[table["stat"] == "elbow_angle_mean", "measured"].to_numpy(float)
            ).sum()
        ),
        reasons=reasons,
        max_error_deg=float(measured["error_deg"].abs().max()) if len(measured) else np.nan,
        series_max_error_deg=_series_error(series, true, inside, side, fps),
        rows=table,
    )


def _series_error(
    series: pd.DataFrame | None, true: np.ndarray, inside: np.ndarray, side: str, fps: float
) -> float:
    """Largest per-frame error of ``{side}_elbow_angle`` over the stride frames."""
    column = f"{side}_elbow_angle"
    if series is None or column not in series.columns or "time" not in series.columns:
        return float("nan")
    frames = np.rint(series["time"].to_numpy(float) * fps).astype(int)
    values = series[column].to_numpy(float)
    ok = (frames >= 0) & (frames < true.size) & np.isfinite(values)
    ok[ok] &= inside[frames[ok]]
    if not ok.any():
        return float("nan")
    return float(np.max(np.abs(values[ok] - true[frames[ok]])))


__all__ = [
    "ELBOW_STATS",
    "ElbowScore",
    "Score",
    "StrikeScore",
    "score",
    "score_elbow",
    "score_strikes",
]
