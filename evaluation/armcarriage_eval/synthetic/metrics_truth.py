"""True per-stride metrics of the synthetic runner, in the analyzer's definitions.

The per-frame quantities come from :mod:`armcarriage.metrics.geometry` (the
functions the analysis uses), applied to the truth landmarks in 3D (world
metres, forward = +x), so they are the runner's real values, free of
projection. Each stride's reduction follows the definition text of
:data:`armcarriage.metrics.METRICS`. The series are sampled densely
(:data:`DENSE_FPS`), so a peak is not missed between video frames; the gap
between this truth and an analysis of the exact 2D track of the clip is
therefore the error of 2D geometry plus frame sampling, and the rest of an
end-to-end error is the pose model's.

Clip-level normalisers are taken as the analysis takes them: torso length =
clip median, shoulder width = clip 90th percentile, shrug baseline = clip
10th percentile of the elevation. Midline crossing is taken against the
shoulder line seen along the running direction
(:func:`armcarriage.metrics.crossing.frontal_shoulders`), the midline a front
or rear view measures.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from armcarriage_eval.synthetic.gait import Kinematics, simulate

from armcarriage.metrics import METRICS, geometry
from armcarriage.metrics.crossing import frontal_shoulders
from armcarriage.metrics.swing import lift_stride, wrist_height
from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.track import PoseTrack

DENSE_FPS = 600.0
"""Sampling rate of the truth series (Hz)."""
FORWARD = np.array([1.0, 0.0, 0.0])
SIDES = ("left", "right")


def dense_kinematics(kin: Kinematics, fps: float = DENSE_FPS) -> Kinematics:
    """Re-simulate the runner of ``kin`` on a dense time grid over the same span."""
    t0, t1 = float(kin.time[0]), float(kin.time[-1])
    n = max(int(np.ceil((t1 - t0) * fps)) + 1, 2)
    return simulate(kin.params, np.linspace(t0, t1, n), duration=kin.duration)


def series(kin: Kinematics) -> pd.DataFrame:
    """Per-frame truth series (3D, world frame) of the runner; see :func:`series_from_points`."""
    return series_from_points(kin.time, kin.landmarks, FORWARD)


def series_from_points(time: np.ndarray, lm: np.ndarray, forward: np.ndarray) -> pd.DataFrame:
    """Per-frame series of every quantity the metrics reduce, from 3D landmarks.

    Parameters
    ----------
    time
        Times (s), shape (T,).
    lm
        The 33 landmarks in any right-handed metric frame, shape (T, 33, 3).
    forward
        The running direction in that frame, shape (3,).

    Returns
    -------
    pandas.DataFrame
        ``time`` and, per side ``s``: ``s_elbow_angle``, ``s_upper_arm_angle``,
        ``s_wrist_forward``, ``s_wrist_height``, ``s_crossing``, ``s_elevation``,
        ``s_elevation_base``, ``s_opp_ankle_forward``; plus ``trunk_rotation``.
        ``s_wrist_height`` is taken on the landmarks projected on the plane
        across the running direction (what a front camera sees), with that
        plane's trunk axis and torso length.

    """

    def p(name: str) -> np.ndarray:
        return lm[:, KEYPOINT_INDEX[name]]

    ls, rs, lh, rh = p("left_shoulder"), p("right_shoulder"), p("left_hip"), p("right_hip")
    up = geometry.trunk_up(ls, rs, lh, rh)
    tl = float(np.median(geometry.torso_length(ls, rs, lh, rh)))
    width = float(np.percentile(geometry.shoulder_width(ls, rs), 90))
    hipc = geometry.midpoint(lh, rh)
    ear = geometry.midpoint(p("left_ear"), p("right_ear"))
    f_unit = np.asarray(forward, float) / np.linalg.norm(forward)
    frontal = lm - (lm @ f_unit)[..., None] * f_unit
    fp = [
        frontal[:, KEYPOINT_INDEX[k]]
        for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    ]
    up_f = geometry.trunk_up(*fp)
    tl_f = float(np.median(geometry.torso_length(*fp)))
    out: dict[str, np.ndarray] = {"time": np.asarray(time, float)}
    for side in SIDES:
        other = "right" if side == "left" else "left"
        s, e, w = p(f"{side}_shoulder"), p(f"{side}_elbow"), p(f"{side}_wrist")
        out[f"{side}_elbow_angle"] = geometry.elbow_angle(s, e, w)
        out[f"{side}_upper_arm_angle"] = geometry.upper_arm_angle(s, e, up, forward)
        out[f"{side}_wrist_forward"] = geometry.forward_offset(w, hipc, forward, tl)
        out[f"{side}_wrist_height"] = wrist_height(
            frontal[:, KEYPOINT_INDEX[f"{side}_wrist"]],
            frontal[:, KEYPOINT_INDEX[f"{side}_shoulder"]],
            up_f,
            tl_f,
        )
        # the midline as a front or rear view sees it (metrics.crossing): the shoulder
        # line projected along the running direction, not the thorax's turning axis
        own_f, other_f = frontal_shoulders(s, p(f"{other}_shoulder"), forward)
        out[f"{side}_crossing"] = geometry.midline_crossing(w, own_f, other_f, lh, rh, width)
        elev = geometry.shoulder_elevation(s, ear, up, tl)
        out[f"{side}_elevation"] = elev
        out[f"{side}_elevation_base"] = np.full_like(elev, np.percentile(elev, 10))
        out[f"{side}_opp_ankle_forward"] = geometry.forward_offset(
            p(f"{other}_ankle"), hipc, forward, tl
        )
    out["trunk_rotation"] = geometry.trunk_rotation_3d(ls, rs, lh, rh)
    return pd.DataFrame(out)


def reference_foot(view: str) -> str:
    """Return the analyzer's reference foot for a view: the near foot in a side view, else left.

    (Off the side views the analyzer takes the foot that strikes first; the
    right foot of the synthetic runner strikes at time 0, which no detector
    can see, so the first detectable strike is the left one.)
    """
    return {"side_left": "left", "side_right": "right"}.get(view, "left")


def stride_windows(events: pd.DataFrame, ref: str) -> pd.DataFrame:
    """Strides of the reference foot from the true events, with contact and flight times."""
    st = np.sort(events.loc[(events.foot == ref) & (events.kind == "strike"), "time"].to_numpy())
    offs = np.sort(events.loc[(events.foot == ref) & (events.kind == "toe_off"), "time"].to_numpy())
    other = "right" if ref == "left" else "left"
    ost = np.sort(events.loc[(events.foot == other) & (events.kind == "strike"), "time"].to_numpy())
    rows = []
    for a, b in itertools.pairwise(st):
        off = offs[(offs > a) & (offs < b)]
        contact = float(off[0] - a) if off.size else np.nan
        nxt = ost[(ost > off[0]) & (ost < b)] if off.size else np.array([])
        flight = float(nxt[0] - off[0]) if nxt.size else np.nan
        rows.append((float(a), float(b), contact, flight))
    return pd.DataFrame(rows, columns=["t_start", "t_end", "contact_time_s", "flight_time_s"])


def reduce_stride(s: pd.DataFrame, side: str, period: float) -> dict[str, float]:
    """Reduce one stride's truth series for one arm to the metric values."""
    ea = s[f"{side}_elbow_angle"].to_numpy()
    ua = s[f"{side}_upper_arm_angle"].to_numpy()
    wf = s[f"{side}_wrist_forward"].to_numpy()
    cr = s[f"{side}_crossing"].to_numpy()
    el = s[f"{side}_elevation"].to_numpy()
    base = float(s[f"{side}_elevation_base"].iloc[0])
    rot = s["trunk_rotation"].to_numpy()
    return {
        "elbow_angle_mean": float(np.mean(ea)),
        "elbow_angle_min": float(np.min(ea)),
        "elbow_angle_max": float(np.max(ea)),
        "elbow_angle_range": float(np.ptp(ea)),
        "elbow_angle_forward": float(ea[int(np.argmax(ua))]),
        "elbow_angle_backward": float(ea[int(np.argmin(ua))]),
        "swing_forward_deg": float(np.max(ua)),
        "swing_backward_deg": float(-np.min(ua)),
        "swing_arc_deg": float(np.ptp(ua)),
        "wrist_forward_tl": float(np.max(wf)),
        "wrist_backward_tl": float(-np.min(wf)),
        "wrist_arc_tl": float(np.ptp(wf)),
        **lift_stride(s[f"{side}_wrist_height"].to_numpy(), s["time"].to_numpy(), period),
        "crossing_max_sw": float(np.max(cr)),
        "crossing_fraction_pct": float(100.0 * np.mean(cr > 0)),
        "shrug_level_tl": float(np.median(el - base)),
        "shrug_rise_tl": float(np.ptp(el)),
        "trunk_rotation_deg": float(np.ptp(rot)),
        "arm_leg_phase_deg": geometry.fundamental_phase_lag(
            wf, s[f"{side}_opp_ankle_forward"].to_numpy(), s["time"].to_numpy(), period
        ),
    }


def truth_over_windows(ser: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Truth per window x arm for arbitrary stride windows (``t_start``, ``t_end``).

    Used to score an analysis on its own strides: the truth is reduced over
    exactly the analysis's stride windows, so segmentation does not mix into
    the metric error.

    Parameters
    ----------
    ser
        Dense truth series from :func:`series`.
    windows
        One row per stride with ``t_start`` and ``t_end`` (s); other columns
        (``stride``, ``contact_time_s``...) are carried over.

    Returns
    -------
    pandas.DataFrame
        One row per stride x arm: ``stride``, ``side``, the window columns and
        every metric of :data:`armcarriage.metrics.METRICS`.

    """
    t = ser["time"].to_numpy()
    rows = []
    for i, w in enumerate(windows.itertuples(index=False)):
        a, b = float(w.t_start), float(w.t_end)
        sel = ser[(t >= a) & (t < b)]
        if len(sel) < 4:
            continue
        for side in SIDES:
            row = {
                "stride": int(getattr(w, "stride", i)),
                "side": side,
                "t_start": a,
                "t_end": b,
                **reduce_stride(sel, side, b - a),
            }
            row["stride_time_s"] = b - a
            row["cadence_spm"] = 120.0 / (b - a)
            row["contact_time_s"] = float(getattr(w, "contact_time_s", np.nan))
            row["flight_time_s"] = float(getattr(w, "flight_time_s", np.nan))
            rows.append(row)
    cols = ["stride", "side", "t_start", "t_end", *METRICS]
    return pd.DataFrame(rows, columns=cols)


def stride_truth(
    track: PoseTrack | None, kin: Kinematics, view: str | None = None, fps: float | None = None
) -> pd.DataFrame:
    """Return the true metrics per stride x arm, over the reference foot's true strides.

    Parameters
    ----------
    track
        The clip's truth track (gives ``frame`` numbers); may be None.
    kin
        The clip's kinematics (frame times).
    view
        The clip's view, to pick the reference foot like the analyzer does.
    fps
        Frame rate for ``frame_start``/``frame_end`` (default: the track's).

    Returns
    -------
    pandas.DataFrame
        ``stride``, ``side``, ``t_start``, ``t_end``, ``frame_start``,
        ``frame_end`` and the metrics.

    """
    if view is None and track is not None:
        view = str(track.attrs.get("view", ""))
    ref = reference_foot(view or "")
    windows = stride_windows(kin.events, ref)
    windows.insert(0, "stride", np.arange(len(windows)))
    out = truth_over_windows(series(dense_kinematics(kin)), windows)
    rate = fps if fps is not None else (track.fps if track is not None else 0.0)
    if rate:
        out.insert(4, "frame_start", np.rint(out["t_start"] * rate).astype(int))
        out.insert(5, "frame_end", np.rint(out["t_end"] * rate).astype(int))
    return out


def summarize_truth(
    strides: pd.DataFrame,
    metrics: Sequence[str] | None = None,
) -> dict[str, dict[str, float]]:
    """Median truth per metric and arm: ``{metric: {"left": v, "right": v}}``."""
    out: dict[str, dict[str, float]] = {}
    for m in metrics or list(METRICS):
        if m not in strides:
            continue
        out[m] = {
            side: float(np.nanmedian(strides.loc[strides.side == side, m]))
            if (strides.side == side).any()
            else float("nan")
            for side in SIDES
        }
    return out


__all__ = [
    "DENSE_FPS",
    "dense_kinematics",
    "reduce_stride",
    "reference_foot",
    "series",
    "series_from_points",
    "stride_truth",
    "stride_windows",
    "summarize_truth",
    "truth_over_windows",
]
