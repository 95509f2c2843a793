"""Whether one rule fires: the strides that break it, per arm or as an asymmetry."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from armcarriage.cues.borderline import _borderline, _near
from armcarriage.cues.breaks import _breaks, _conf, _exceedance, _symmetry_index
from armcarriage.cues.result import Cue, Evidence
from armcarriage.cues.rules import ARM_METRICS, SEVERITY_WEIGHT, CueRule, unit_of

if TYPE_CHECKING:  # the type only: the analysis stage is not imported here
    from armcarriage.analysis import Analysis

SERIES_OF = {
    "elbow_angle": "elbow_angle",
    "swing": "upper_arm_angle",
    "wrist": "wrist_forward",
    "crossing": "crossing",
    "shrug_neck": "neck_gap",
    "shrug": "shoulder_elevation",
    "trunk_rotation": "trunk_rotation",
}
"""Per-frame series (``Analysis.series``) behind each metric family, for key frames."""


def _series_column(analysis: Analysis, metric: str, side: str) -> str | None:
    series = getattr(analysis, "series", None)
    if not isinstance(series, pd.DataFrame):
        return None
    for prefix, name in SERIES_OF.items():
        if metric.startswith(prefix):
            for col in (f"{side}_{name}", name):
                if col in series.columns:
                    return col
    return None


def _key_frame(
    analysis: Analysis, rows: pd.DataFrame, worst: int, rule: CueRule, side: str
) -> tuple[int, float, int]:
    """Stride, time and frame where the fault shows most in the worst affected stride.

    The frame is the extreme of the metric's per-frame series inside the stride
    (lowest elbow angle for a tight elbow, highest shoulder for a shrug...), or
    the middle of the stride when the analysis has no such series.
    """
    row = rows.loc[rows["stride"] == worst].iloc[0]
    t0, t1 = float(row["t_start"]), float(row["t_end"])
    t = 0.5 * (t0 + t1)
    frame = int(round(0.5 * (float(row["frame_start"]) + float(row["frame_end"]))))
    col = _series_column(analysis, rule.metric, side)
    if col is None:
        return worst, t, frame
    series = analysis.series
    times = series["time"].to_numpy(float)
    inside = np.flatnonzero((times >= t0) & (times < t1))
    values = series[col].to_numpy(float)[inside]
    if not len(inside) or not np.isfinite(values).any():
        return worst, t, frame
    low = rule.comparison == "below" and not rule.metric.startswith("swing")
    i = int(inside[int(np.nanargmin(values) if low else np.nanargmax(values))])
    track = getattr(analysis, "track", None)
    if track is not None and track.n_frames == len(times):
        frame = int(np.asarray(track.ds["frame"].values)[i])
    else:
        frame = int(
            round(
                float(row["frame_start"])
                + (times[i] - t0)
                / max(t1 - t0, 1e-9)
                * (float(row["frame_end"]) - float(row["frame_start"]))
            )
        )
    return worst, float(times[i]), frame


def _stride_count(rows: pd.DataFrame) -> int:
    return int(rows["stride"].nunique()) if len(rows) else 0


def _evaluate_side(rule: CueRule, rows: pd.DataFrame) -> dict[str, Any] | None:
    """Check one arm (or the per-stride rows); return what fired or None."""
    values = pd.to_numeric(rows[rule.metric]).to_numpy(float)
    bad = _breaks(values, rule)
    n_bad, n = int(bad.sum()), len(values)
    if n == 0 or n_bad < rule.min_strides or n_bad / n < rule.min_fraction:
        return None
    bad_rows = rows.loc[bad]
    exc = np.array([_exceedance(v, rule) for v in values[bad]])
    worst = int(bad_rows["stride"].to_numpy()[int(np.argmax(exc))])
    conf_col = f"{rule.metric}_conf"
    conf = float(np.nanmedian(rows[conf_col])) if conf_col in rows.columns else 1.0
    return {
        "strides": sorted(int(s) for s in bad_rows["stride"]),
        "n": n,
        "fraction": n_bad / n,
        "median": float(np.median(values)),
        "affected": float(np.median(values[bad])),
        "exceedance": float(np.median(exc)),
        "worst": worst,
        "worst_exc": float(exc.max()),
        "confidence": conf,
    }


def _score(rule: CueRule, fraction: float, confidence: float, exceedance: float) -> float:
    """Rank: severity x share of strides x confidence x (1 + how far beyond, capped at 2)."""
    return SEVERITY_WEIGHT[rule.severity] * fraction * confidence * (1.0 + min(exceedance, 2.0))


def _check_per_arm(
    rule: CueRule, analysis: Analysis, rows: pd.DataFrame
) -> Cue | str | list[dict[str, Any]]:
    """Evaluate an above/below rule; return a cue, borderline arms or why it did not fire."""
    per_arm = "side" in rows.columns and rule.metric in ARM_METRICS
    if per_arm:
        groups = {s: rows.loc[rows["side"] == s] for s in ("left", "right")}
    else:
        groups = {"all": rows.drop_duplicates("stride")}
    fired = {}
    medians = {}
    for side, sub in groups.items():
        if len(sub):
            medians[side] = float(np.median(pd.to_numeric(sub[rule.metric]).to_numpy(float)))
        if len(sub) < rule.min_strides:
            continue
        res = _evaluate_side(rule, sub)
        if res is not None:
            fired[side] = res
    if not medians:
        return "not measured"
    if not fired:
        most = max(_stride_count(g) for g in groups.values())
        if most < rule.min_strides:
            return "too few"
        border = _borderline(rule, groups)
        if border:
            return border
        return _near(rule, groups) or "ok"
    best_side = max(fired, key=lambda s: fired[s]["fraction"] * (1 + min(fired[s]["worst_exc"], 2)))
    best = fired[best_side]
    side = "both" if len(fired) == 2 else best_side
    if side == "all":
        side = "both"
    key_side = best_side if best_side in ("left", "right") else "left"
    stride, t, frame = _key_frame(analysis, rows, best["worst"], rule, key_side)
    strides = sorted({s for r in fired.values() for s in r["strides"]})
    ev = Evidence(
        metric=rule.metric,
        comparison=rule.comparison,
        threshold=rule.threshold,
        unit=unit_of(rule.metric),
        values=medians,
        affected_values={s: r["affected"] for s, r in fired.items()},
        strides_affected=strides,
        strides_measured=max(_stride_count(g) for g in groups.values()),
        fraction=best["fraction"],
        confidence=best["confidence"],
        key_stride=stride,
        key_frame_time=t,
        key_frame=frame,
        sides=sorted(fired),
        noise=rule.noise,
    )
    score = _score(rule, best["fraction"], best["confidence"], best["exceedance"])
    return _make_cue(rule, side, score, ev)


def _check_asymmetry(
    rule: CueRule, analysis: Analysis, rows: pd.DataFrame
) -> Cue | str | list[dict[str, Any]]:
    """Evaluate an asymmetry rule on strides where both arms were measured.

    The per-stride symmetry index is held against the threshold like an ``above`` rule,
    noise included: a clip whose median index lies within the noise of the threshold, or
    that passes it only inside the noise, is borderline.
    """
    if "side" not in rows.columns:
        return "not measured"
    left = rows.loc[rows["side"] == "left", ["stride", rule.metric, *_conf(rule, rows)]]
    right = rows.loc[rows["side"] == "right", ["stride", rule.metric, *_conf(rule, rows)]]
    pair = left.merge(right, on="stride", suffixes=("_l", "_r"))
    if pair.empty:
        return "one arm only"
    lv = pair[f"{rule.metric}_l"].to_numpy(float)
    rv = pair[f"{rule.metric}_r"].to_numpy(float)
    si = _symmetry_index(lv, rv)
    frame = pd.DataFrame({"stride": pair["stride"].to_numpy(), rule.metric: si})
    if len(frame) < rule.min_strides:
        return "too few"
    conf_cols = [c for c in pair.columns if c.endswith("_conf_l") or c.endswith("_conf_r")]
    if conf_cols:
        frame[f"{rule.metric}_conf"] = pair[conf_cols].min(axis=1).to_numpy(float)
    above = replace(rule, comparison="above")
    res = _evaluate_side(above, frame)
    if res is None:
        return _borderline(above, {"all": frame}, unit="%") or "ok"
    lower = "left" if float(np.median(lv)) < float(np.median(rv)) else "right"
    stride, t, key = _key_frame(analysis, rows, res["worst"], rule, lower)
    ev = Evidence(
        metric=rule.metric,
        comparison=rule.comparison,
        threshold=rule.threshold,
        unit="%",
        values={
            "left": float(np.median(lv)),
            "right": float(np.median(rv)),
            "symmetry_index": float(np.median(si)),
        },
        affected_values={"symmetry_index": res["affected"]},
        strides_affected=res["strides"],
        strides_measured=len(frame),
        fraction=res["fraction"],
        confidence=res["confidence"],
        key_stride=stride,
        key_frame_time=t,
        key_frame=key,
        sides=[lower],
        noise=rule.noise,
    )
    score = _score(rule, res["fraction"], res["confidence"], res["exceedance"])
    return _make_cue(rule, "pair", score, ev)


def _make_cue(rule: CueRule, side: str, score: float, ev: Evidence) -> Cue:
    return Cue(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity,
        score=round(score, 4),
        cue=rule.cue,
        why=rule.why,
        drills=list(rule.drills),
        basis=rule.basis,
        side=side,
        evidence=ev,
    )
