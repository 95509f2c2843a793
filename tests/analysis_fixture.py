"""A hand-built Analysis of a synthetic stick-figure runner, for cue and report tests.

The runner is seen from the side (facing image-right by default), runs in place
at 168 steps/min and swings both arms; per-stride metric values are set
directly so a test can inject any fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.analysis import Analysis
from armcarriage.cues import ARM_METRICS, STRIDE_METRICS
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.track import PoseTrack

FPS = 30.0
STRIDE_HZ = 1.4
WIDTH, HEIGHT = 320, 240

NORMAL: dict[str, float] = {
    "elbow_angle_mean": 90.0,
    "elbow_angle_min": 70.0,
    "elbow_angle_max": 110.0,
    "elbow_angle_range": 40.0,
    "elbow_angle_forward": 75.0,
    "elbow_angle_backward": 105.0,
    "swing_forward_deg": 22.0,
    "swing_backward_deg": 30.0,
    "swing_arc_deg": 52.0,
    "wrist_forward_tl": 0.35,
    "wrist_backward_tl": 0.30,
    "wrist_arc_tl": 0.65,
    "wrist_lift_tl": 0.5,
    "crossing_max_sw": -0.25,
    "crossing_fraction_pct": 0.0,
    "shrug_neck_tl": 0.4,
    "shrug_level_tl": 0.01,
    "shrug_rise_tl": 0.02,
    "trunk_rotation_deg": 25.0,
    "arm_leg_phase_deg": 180.0,
    "stride_time_s": 1 / STRIDE_HZ,
    "cadence_spm": 168.0,
    "contact_time_s": 0.24,
    "flight_time_s": 0.12,
}

SIDE_ONLY = {"crossing_max_sw", "crossing_fraction_pct", "trunk_rotation_deg", "wrist_lift_tl"}
"""Metrics a side view cannot measure."""


def _arm_points(shoulder: np.ndarray, theta: np.ndarray, elbow_deg: float, facing: float):
    """Elbow and wrist for upper-arm angle theta (rad, + = forward) and elbow angle."""
    up_len, fore_len = 30.0, 28.0
    ux, uy = facing * np.sin(theta), np.cos(theta)
    elbow = shoulder + np.stack([ux, uy], -1) * up_len
    bend = np.deg2rad(180.0 - elbow_deg)
    phi = theta + bend
    wrist = elbow + np.stack([facing * np.sin(phi), np.cos(phi)], -1) * fore_len
    return elbow, wrist


def make_track(
    seconds: float = 4.0, elbow_deg: float = 90.0, swing_deg: float = 26.0, facing: float = 1.0
) -> PoseTrack:
    """Positions of a stick-figure runner running in place."""
    n = int(round(seconds * FPS))
    t = np.arange(n) / FPS
    pos = np.full((n, len(KEYPOINTS), 2), np.nan)
    phase = 2 * np.pi * STRIDE_HZ * t
    hip = np.stack([np.full(n, 160.0), 150.0 + 2 * np.cos(2 * phase)], -1)
    shoulder = hip + np.array([facing * 6.0, -60.0])

    def put(name: str, xy: np.ndarray) -> None:
        pos[:, KEYPOINT_INDEX[name]] = xy

    for side, sign in (("left", 1.0), ("right", -1.0)):
        theta = np.deg2rad(swing_deg) * sign * np.sin(phase)
        put(f"{side}_shoulder", shoulder + np.array([0.0, sign * 0.5]))
        put(f"{side}_hip", hip)
        elbow, wrist = _arm_points(shoulder, theta, elbow_deg, facing)
        put(f"{side}_elbow", elbow)
        put(f"{side}_wrist", wrist)
        for name in ("pinky", "index", "thumb"):
            put(f"{side}_{name}", wrist + np.array([facing * 3.0, 3.0]))
        leg = -np.deg2rad(30.0) * sign * np.sin(phase)
        knee = hip + np.stack([facing * np.sin(leg), np.cos(leg)], -1) * 38
        ankle = knee + np.stack([facing * np.sin(leg - 0.6), np.cos(leg - 0.6)], -1) * 36
        put(f"{side}_knee", knee)
        put(f"{side}_ankle", ankle)
        put(f"{side}_heel", ankle + np.array([-facing * 5.0, 3.0]))
        put(f"{side}_foot_index", ankle + np.array([facing * 10.0, 3.0]))
    head = shoulder + np.array([facing * 4.0, -22.0])
    for name in KEYPOINTS[:11]:
        put(name, head + np.array([facing * (5.0 if name == "nose" else 0.0), 0.0]))
    return PoseTrack.from_arrays(
        t,
        pos,
        fps=FPS,
        width=WIDTH,
        height=HEIGHT,
        attrs={"source": "synthetic.mp4", "model": "synthetic"},
    )


def _series(track: PoseTrack) -> pd.DataFrame:
    out: dict[str, np.ndarray] = {"time": track.time}
    for side in ("left", "right"):
        s, e, w = (track.xy(f"{side}_{k}") for k in ("shoulder", "elbow", "wrist"))
        a, b = s - e, w - e
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        out[f"{side}_elbow_angle"] = np.degrees(np.arccos(np.clip(cos, -1, 1)))
        hip = track.xy(f"{side}_hip")
        up = e - s
        trunk = s - hip
        ang = np.degrees(np.arctan2(up[:, 0], up[:, 1]) - np.arctan2(-trunk[:, 0], -trunk[:, 1]))
        out[f"{side}_swing_deg"] = ang
    return pd.DataFrame(out)


def make_strides(
    n_strides: int,
    view: str = "side_right",
    values: dict[str, float] | None = None,
    side_values: dict[str, dict[str, float]] | None = None,
    per_stride: dict[int, dict[str, float]] | None = None,
    seed: int = 0,
    both_arms: bool = False,
) -> pd.DataFrame:
    """Stride x arm table with NORMAL values plus overrides and small noise."""
    rng = np.random.default_rng(seed)
    base = {**NORMAL, **(values or {})}
    rows: list[dict[str, Any]] = []
    far = None if both_arms else {"side_right": "left", "side_left": "right"}.get(view)
    period = 1 / STRIDE_HZ
    for k in range(n_strides):
        for side in ("left", "right"):
            row: dict[str, Any] = {
                "stride": k,
                "side": side,
                "t_start": k * period,
                "t_end": (k + 1) * period,
                "frame_start": int(round(k * period * FPS)),
                "frame_end": int(round((k + 1) * period * FPS)),
            }
            vals = {**base, **(side_values or {}).get(side, {}), **(per_stride or {}).get(k, {})}
            for m in ARM_METRICS + STRIDE_METRICS:
                v = vals[m] * (1 + 0.02 * rng.standard_normal())
                reason = ""
                if m in ARM_METRICS and side == far:
                    v, reason = np.nan, "far arm hidden from a side view"
                elif m in SIDE_ONLY and view.startswith("side"):
                    v, reason = np.nan, "needs a front or rear view"
                row[m] = v
                row[f"{m}_conf"] = 0.0 if reason else 0.9
                row[f"{m}_reason"] = reason
            rows.append(row)
    return pd.DataFrame(rows)


def summarize(strides: pd.DataFrame) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Summary and validity dicts following the Analysis contract."""
    summary: dict[str, Any] = {}
    validity: dict[str, dict[str, Any]] = {}
    for m in ARM_METRICS + STRIDE_METRICS:
        entry: dict[str, Any] = {}
        for key, sub in (
            ("left", strides[strides.side == "left"]),
            ("right", strides[strides.side == "right"]),
            ("both", strides),
        ):
            v = sub[m].dropna()
            n = len(v)
            third = max(1, n // 3)
            entry[key] = {
                "median": float(v.median()) if n else np.nan,
                "iqr": float(v.quantile(0.75) - v.quantile(0.25)) if n else np.nan,
                "n": n,
                "confidence": float(sub[f"{m}_conf"].median()),
                "first_third": float(v.iloc[:third].median()) if n else np.nan,
                "last_third": float(v.iloc[-third:].median()) if n else np.nan,
            }
            entry[key]["drift"] = entry[key]["last_third"] - entry[key]["first_third"]
        lm, rm = entry["left"]["median"], entry["right"]["median"]
        entry["difference"] = lm - rm
        mean = (abs(lm) + abs(rm)) / 2
        entry["symmetry_index"] = abs(lm - rm) / mean * 100 if mean > 0 else np.nan
        measured = bool(strides[m].notna().any())
        reasons = [r for r in strides[f"{m}_reason"] if r]
        entry["measured"] = measured
        entry["reason"] = "" if measured else (reasons[0] if reasons else "not measured")
        summary[m] = entry
        validity[m] = {
            "measured": measured,
            "reason": entry["reason"],
            "confidence": entry["both"]["confidence"],
            "better_view": "" if measured else "front or rear",
        }
    return summary, validity


def make_analysis(
    view: str = "side_right",
    seconds: float = 4.0,
    values: dict[str, float] | None = None,
    side_values: dict[str, dict[str, float]] | None = None,
    per_stride: dict[int, dict[str, float]] | None = None,
    status: str = "ok",
    elbow_deg: float = 90.0,
    both_arms: bool = False,
) -> Analysis:
    """A complete Analysis of the synthetic runner."""
    facing = -1.0 if view == "side_left" else 1.0
    track = make_track(seconds, elbow_deg=elbow_deg, facing=facing)
    n_strides = int(seconds * STRIDE_HZ)
    strides = make_strides(n_strides, view, values, side_values, per_stride, both_arms=both_arms)
    if status != "ok":
        strides = strides.iloc[0:0]
    summary, validity = summarize(strides) if len(strides) else ({}, {})
    period = 1 / STRIDE_HZ
    ev = []
    for k in range(n_strides):
        for foot, off in (("left", 0.0), ("right", 0.5)):
            t = (k + off) * period
            ev.append({"foot": foot, "kind": "strike", "time": t, "frame": int(round(t * FPS))})
    return Analysis(
        status=status,
        message="" if status == "ok" else "fewer than 3 strides found",
        view={
            "label": view,
            "confidence": 0.9,
            "treadmill": True,
            "segments": [{"t_start": 0.0, "t_end": seconds, "label": view, "confidence": 0.9}],
        },
        events=pd.DataFrame(ev),
        strides=strides,
        summary=summary,
        validity=validity,
        cadence_spm=168.0,
        series=_series(track),
        track=track,
        settings={"cleaning.cutoff_hz": 10.0},
    )


def write_video(path: Path, track: PoseTrack, codec: str = "mpeg4") -> Path:
    """Render the stick figure to a small video file (one frame per track sample)."""
    import av
    from PIL import Image, ImageDraw

    from armcarriage.skeleton import BONES

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=int(FPS))
        stream.width, stream.height, stream.pix_fmt = track.width, track.height, "yuv420p"
        pos = track.ds["position"].values
        for i in range(track.n_frames):
            img = Image.new("RGB", (track.width, track.height), (40, 110, 60))
            draw = ImageDraw.Draw(img)
            for a, b in BONES:
                pa, pb = pos[i, KEYPOINT_INDEX[a]], pos[i, KEYPOINT_INDEX[b]]
                if np.isfinite(pa).all() and np.isfinite(pb).all():
                    draw.line([tuple(pa), tuple(pb)], fill=(230, 200, 170), width=5)
            frame = av.VideoFrame.from_ndarray(np.asarray(img), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
