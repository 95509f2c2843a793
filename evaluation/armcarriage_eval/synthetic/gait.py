"""A parametric 3D running skeleton.

World frame as in :mod:`armcarriage_eval.camera`: metres, ``x`` forward (running
direction), ``y`` to the runner's left, ``z`` up; the floor is ``z = 0``.

Timing: the right foot strikes at stride phase 0 and the left at half a
stride. Each foot is on the ground for ``duty`` of a stride from its strike.
The left arm swings forward with the right leg (counter-phase), so its
forward end is at phase 0 plus the arm's ``phase_lag_deg``.

:func:`simulate` returns anatomical joint centres (``joints``), the 33 BlazePose
landmarks where a video model sees them (``landmarks``, see
:data:`LANDMARK_OFFSETS`) and the true foot events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from armcarriage_eval.synthetic.params import SIDES, RunnerParams
from scipy.interpolate import CubicSpline

from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS

SHOULDER_LANDMARK_UP_M = 0.015
"""A video model's 'shoulder' is not the joint centre but a point above it
(on people, a few cm; on this renderer's figure MediaPipe's median is about
1.5 cm above the joint centre): the truth landmark sits this far above the
joint along the trunk axis."""
HIP_LANDMARK_UP_M = 0.01
"""The 'hip' landmark sits this far above the hip-joint centre (trunk axis)."""
HIP_LANDMARK_OUT_M = 0.02
"""... and this far outward of it."""
HEAD_RADII = (0.098, 0.078, 0.115)
"""Semi-axes of the head ellipsoid (forward, lateral, up), metres."""


def on_head(direction: tuple[float, float, float], lift: float = 0.0) -> np.ndarray:
    """Point of the head surface along a local direction (head frame), plus ``lift`` outward."""
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    s = 1.0 / np.sqrt(np.sum((d / np.asarray(HEAD_RADII)) ** 2))
    return d * (s + lift)


FIXED_OVER_CLIP = ("cadence_spm", "speed_mps", "duty", "mode", "start_x", "pelvis_motion")
"""Parameters that set the stride timing or path and cannot drift within a clip."""
DRIFTABLE = ("bounce_m", "hip_height", "lean_deg", "trunk_rotation_deg", "pelvis_rotation_deg")
"""Whole-body parameters that can drift (every per-arm parameter can too)."""


@dataclass
class Kinematics:
    """The synthetic runner over time.

    Attributes
    ----------
    time
        Times in seconds, shape (T,).
    joints
        Anatomical points by name, each (T, 3) in world metres: ``pelvis``,
        ``chest`` (shoulder-joint midpoint), ``neck``, ``head``, and per side
        ``{side}_hip``, ``_knee``, ``_ankle``, ``_heel``, ``_toe``,
        ``_shoulder``, ``_elbow``, ``_wrist``, ``_hand``.
    frames
        Orthonormal frames (T, 3, 3) by name (``thorax``, ``pelvis``,
        ``head``, ``{side}_foot``, ``{side}_hand``); columns are the local
        forward, left and up axes in world coordinates.
    landmarks
        The 33 BlazePose landmarks, (T, 33, 3), world metres.
    events
        True foot events: ``foot``, ``kind`` (``strike``/``toe_off``), ``time``.
    params
        The parameters used.
    duration
        The clip length over which drift is applied.

    """

    time: np.ndarray
    joints: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]
    landmarks: np.ndarray
    events: pd.DataFrame
    params: RunnerParams
    duration: float


def _rot_z(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    rows = [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)]
    return np.stack(rows, -2)


def _rot_y(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    rows = [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)]
    return np.stack(rows, -2)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1, keepdims=True)


def _apply(frame: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Map local (forward, left, up) offsets (3,) or (T, 3) through frames (T, 3, 3)."""
    return np.einsum("tij,tj->ti", frame, np.broadcast_to(local, frame.shape[:-1]))


# ------------------------------------------------------------------ legs
def _ankle_path(p: np.ndarray, duty: float, reach: float, stance_travel: float) -> np.ndarray:
    """Ankle (x relative to the pelvis, z above floor) over the leg's own phase p in [0, 1).

    Stance (0 <= p < duty): the foot moves back at belt speed; the heel lifts in
    its second half. Swing: a clamped cubic spline through recovery points.
    """
    x = np.empty_like(p)
    z = np.empty_like(p)
    st = p < duty
    u = p[st] / duty
    x[st] = reach - stance_travel * u
    lift = np.clip((u - 0.5) / 0.5, 0.0, 1.0)
    lift_h = 0.075
    z[st] = lift_h * lift**2
    # swing: knots in swing fraction s in [0, 1]
    back = reach - stance_travel
    s_knots = np.array([0.0, 0.2, 0.45, 0.7, 0.88, 1.0])
    x_knots = np.array([back, back - 0.05, -0.15, reach + 0.05, reach + 0.03, reach])
    z_knots = np.array([lift_h, 0.30, 0.42, 0.28, 0.10, 0.0])
    vx = -stance_travel / duty * (1.0 - duty)  # dx/ds at both ends (belt speed)
    vz_end = 0.0
    sx = CubicSpline(s_knots, x_knots, bc_type=((1, vx), (1, vx)))
    sz = CubicSpline(s_knots, z_knots, bc_type=((1, 4 * lift_h / duty * (1 - duty)), (1, vz_end)))
    sw = ~st
    s = (p[sw] - duty) / (1.0 - duty)
    x[sw] = sx(s)
    z[sw] = np.maximum(sz(s), 0.0)
    return np.stack([x, z], -1)


def _foot_pitch(p: np.ndarray, duty: float) -> np.ndarray:
    """Foot pitch (radians, positive = toes down) over the leg's phase."""
    knots = np.array([0.0, duty * 0.3, duty * 0.6, duty, duty + 0.15, 0.75, 0.92, 1.0])
    vals = np.radians([-8.0, 0.0, 0.0, 35.0, 45.0, 10.0, -10.0, -8.0])
    return np.interp(p, knots, vals)


def _knee(
    hip: np.ndarray, ankle: np.ndarray, thigh: float, shank: float, forward: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two-link inverse kinematics with the knee bending forward.

    Returns the knee and the (possibly pulled-in) ankle, so that both bones
    keep their length exactly.
    """
    d_vec = ankle - hip
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    d_ok = np.clip(d, abs(thigh - shank) + 1e-3, (thigh + shank) * 0.9995)
    u = d_vec / d
    ankle = hip + u * d_ok
    a = (thigh**2 - shank**2 + d_ok**2) / (2 * d_ok)
    h = np.sqrt(np.maximum(thigh**2 - a**2, 0.0))
    w = _unit(forward - _dot(forward, u) * u)
    return hip + a * u + h * w, ankle


# ------------------------------------------------------------------ arms
def _arm(
    shoulder: np.ndarray,
    thorax: np.ndarray,
    side: str,
    swing: np.ndarray,
    abduction: np.ndarray,
    elbow: np.ndarray,
    cross: np.ndarray,
    upper: float,
    fore: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elbow, wrist and forearm direction from angles in the thorax frame (radians)."""
    f, left, up = thorax[..., 0], thorax[..., 1], thorax[..., 2]
    out = left if side == "left" else -left
    sw, ab = swing[:, None], abduction[:, None]
    d1 = -up * np.cos(sw) + f * np.sin(sw)
    d1 = _unit(d1 * np.cos(ab) + out * np.sin(ab))
    elbow_pt = shoulder + upper * d1
    p0 = _unit(f - _dot(f, d1) * d1)
    q = np.cross(d1, p0)
    q = np.where(_dot(q, out) > 0, -q, q)  # medial
    cr = cross[:, None]
    p = p0 * np.cos(cr) + q * np.sin(cr)
    flex = np.pi - elbow[:, None]
    d2 = d1 * np.cos(flex) + p * np.sin(flex)
    return elbow_pt, elbow_pt + fore * d2, d2


def _hand_frame(d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Hand frame: forward along the forearm, 'up' towards the thumb (away from the upper arm)."""
    up = _unit(-d1 - _dot(-d1, d2) * d2)
    left = np.cross(up, d2)
    return np.stack([d2, left, up], -1)


# ------------------------------------------------------------------ main
def simulate(params: RunnerParams, time: np.ndarray, duration: float | None = None) -> Kinematics:
    """Animate the runner at the given times.

    Parameters
    ----------
    params
        Runner parameters.
    time
        Times in seconds, shape (T,).
    duration
        Clip length over which ``params.drift`` is reached (default: last time).

    Returns
    -------
    Kinematics

    """
    t = np.asarray(time, dtype=float)
    dur = float(duration if duration is not None else (t[-1] if t.size else 0.0))
    fixed = sorted(set(params.drift) & set(FIXED_OVER_CLIP))
    if fixed:
        raise ValueError(
            f"drift: {', '.join(fixed)} cannot drift (the stride timing is fixed over a clip); "
            f"expected drift only on {', '.join(DRIFTABLE)} or per-arm parameters"
        )
    b = params.body

    def val(name: str) -> np.ndarray:
        return params.value(name, t, dur)

    period = params.stride_time_s
    phase = (t / period) % 1.0  # right strike at 0
    ang = 2 * np.pi * phase
    duty = params.duty
    stance_travel = params.speed_mps * duty * period
    reach = 0.38 * stance_travel
    # pelvis at each mid-stance (two per stride): lowest in running (the leg is a spring,
    # compressed under the body), highest in walking (duty above one half: the body
    # vaults over a stiff leg, an inverted pendulum)
    mid = duty / 2
    motion = params.pelvis_motion
    if motion not in ("auto", "spring", "vault"):
        raise ValueError(f"pelvis_motion: expected 'auto', 'spring' or 'vault', got {motion!r}")
    vault = 1.0 if motion == "vault" or (motion == "auto" and duty > 0.5) else -1.0
    pelvis_z = val("hip_height") + vault * val("bounce_m") * np.cos(4 * np.pi * (phase - mid))
    if params.mode not in ("treadmill", "track"):
        raise ValueError(f"mode: expected 'treadmill' or 'track', got {params.mode!r}")
    track = params.mode == "track"
    pelvis_x = params.start_x + params.speed_mps * t if track else np.zeros_like(t)
    pelvis = np.stack([pelvis_x, 0.01 * np.sin(ang), pelvis_z], -1)
    pelvis_yaw = np.radians(val("pelvis_rotation_deg")) * np.cos(ang)
    frame_p = _rot_z(pelvis_yaw)
    thorax_yaw = -np.radians(val("trunk_rotation_deg")) * np.cos(ang)
    frame_t = _rot_z(thorax_yaw) @ _rot_y(np.radians(val("lean_deg")))
    frame_h = _rot_y(np.radians(val("lean_deg")) * 0.3 + np.zeros_like(t))
    chest = pelvis + b.trunk * frame_t[..., 2]
    joints: dict[str, np.ndarray] = {"pelvis": pelvis, "chest": chest}
    frames: dict[str, np.ndarray] = {"pelvis": frame_p, "thorax": frame_t, "head": frame_h}
    neck = chest + b.neck * frame_t[..., 2] + 0.01 * frame_t[..., 0]
    joints["neck"] = neck
    joints["head"] = neck + 0.02 * frame_h[..., 0] + (b.head_radius + 0.05) * frame_h[..., 2]

    forward = np.broadcast_to(np.array([1.0, 0.0, 0.0]), pelvis.shape)
    for side in SIDES:
        sgn = 1.0 if side == "left" else -1.0
        # legs: right strikes at phase 0, left at 0.5
        p_leg = (phase - (0.5 if side == "left" else 0.0)) % 1.0
        hip = pelvis + _apply(frame_p, np.array([0.0, sgn * b.hip_half_width, 0.0]))
        path = _ankle_path(p_leg, duty, reach, stance_travel)
        ankle_target = np.stack(
            [pelvis_x + path[:, 0], np.full_like(t, sgn * b.foot_y), b.ankle_height + path[:, 1]],
            -1,
        )
        knee, ankle = _knee(hip, ankle_target, b.thigh, b.shank, forward)
        pitch = _foot_pitch(p_leg, duty)
        frame_f = _rot_y(pitch)
        joints[f"{side}_hip"] = hip
        joints[f"{side}_knee"] = knee
        joints[f"{side}_ankle"] = ankle
        joints[f"{side}_heel"] = ankle + _apply(frame_f, np.array([-b.foot_back, 0.0, -0.05]))
        joints[f"{side}_toe"] = ankle + _apply(frame_f, np.array([b.foot_front, 0.0, -0.06]))
        frames[f"{side}_foot"] = frame_f
        # arms: the left arm is forward at phase 0 (right strike)
        lag = np.radians(val(f"{side}.phase_lag_deg"))
        arm_ang = ang - lag - (np.pi if side == "right" else 0.0)
        fwd = np.radians(val(f"{side}.swing_forward_deg"))
        back = np.radians(val(f"{side}.swing_backward_deg"))
        swing = (fwd - back) / 2 + (fwd + back) / 2 * np.cos(arm_ang)
        forwardness = np.maximum(np.cos(arm_ang), 0.0)
        osc = val(f"{side}.elbow_osc_deg")
        elbow_ang = np.radians(val(f"{side}.elbow_deg") - osc * np.cos(arm_ang))
        cross = np.radians(val(f"{side}.cross_deg")) * forwardness
        lift = val(f"{side}.shrug_m") + val(f"{side}.shrug_rise_m") * (0.5 + 0.5 * np.cos(arm_ang))
        shoulder = chest + _apply(frame_t, np.array([0.0, sgn * b.shoulder_half_width, 0.0]))
        shoulder = shoulder + lift[:, None] * frame_t[..., 2]
        elbow, wrist, d2 = _arm(
            shoulder,
            frame_t,
            side,
            swing,
            np.radians(val(f"{side}.abduction_deg")),
            elbow_ang,
            cross,
            b.upper_arm,
            b.forearm,
        )
        d1 = _unit(elbow - shoulder)
        joints[f"{side}_shoulder"] = shoulder
        joints[f"{side}_elbow"] = elbow
        joints[f"{side}_wrist"] = wrist
        frames[f"{side}_hand"] = _hand_frame(d1, d2)
        joints[f"{side}_hand"] = wrist + 0.045 * d2
    landmarks = _landmarks(joints, frames, params)
    return Kinematics(t, joints, frames, landmarks, _events(params, t), params, dur)


FACE_POINTS: dict[str, tuple[tuple[float, float, float], float]] = {
    "nose": ((1.0, 0.0, -0.12), 0.02),
    "left_eye_inner": ((0.86, 0.2, 0.22), 0.0),
    "left_eye": ((0.84, 0.33, 0.22), 0.0),
    "left_eye_outer": ((0.78, 0.45, 0.22), 0.0),
    "left_ear": ((0.0, 1.0, 0.0), 0.01),
    "mouth_left": ((0.9, 0.25, -0.5), 0.0),
}
"""Face landmarks: direction in the head frame and lift off the head surface (m).
Right-side points mirror the left ones."""


def _landmarks(
    joints: dict[str, np.ndarray], frames: dict[str, np.ndarray], params: RunnerParams
) -> np.ndarray:
    """Place the 33 BlazePose landmarks on the figure's surface where a model sees them."""
    n = joints["pelvis"].shape[0]
    out = np.full((n, len(KEYPOINTS), 3), np.nan)
    head, fh = joints["head"], frames["head"]
    for name, ((fx, ly, uz), lift) in FACE_POINTS.items():
        for nm, sg in ((name, 1.0), (_mirror(name), -1.0)):
            local = on_head((fx, sg * ly, uz), lift)
            out[:, KEYPOINT_INDEX[nm]] = head + _apply(fh, local)
    ft = frames["thorax"]
    for side in SIDES:
        sgn = 1.0 if side == "left" else -1.0
        s = joints[f"{side}_shoulder"] + SHOULDER_LANDMARK_UP_M * ft[..., 2]
        out[:, KEYPOINT_INDEX[f"{side}_shoulder"]] = s
        for j in ("elbow", "wrist", "knee", "ankle", "heel"):
            out[:, KEYPOINT_INDEX[f"{side}_{j}"]] = joints[f"{side}_{j}"]
        out[:, KEYPOINT_INDEX[f"{side}_foot_index"]] = joints[f"{side}_toe"]
        fp = frames["pelvis"]
        hip = (
            joints[f"{side}_hip"]
            + HIP_LANDMARK_UP_M * ft[..., 2]
            + HIP_LANDMARK_OUT_M * sgn * fp[..., 1]
        )
        out[:, KEYPOINT_INDEX[f"{side}_hip"]] = hip
        fh_ = frames[f"{side}_hand"]
        w = joints[f"{side}_wrist"]
        out[:, KEYPOINT_INDEX[f"{side}_index"]] = w + _apply(fh_, np.array([0.085, 0.0, 0.015]))
        out[:, KEYPOINT_INDEX[f"{side}_pinky"]] = w + _apply(fh_, np.array([0.07, 0.0, -0.03]))
        out[:, KEYPOINT_INDEX[f"{side}_thumb"]] = w + _apply(fh_, np.array([0.05, 0.0, 0.04]))
    return out


def _mirror(name: str) -> str:
    from armcarriage.skeleton import mirror_name

    return mirror_name(name)


def _events(params: RunnerParams, t: np.ndarray) -> pd.DataFrame:
    """Return the true strikes and toe-offs inside [t0, t1]."""
    period = params.stride_time_s
    rows = []
    if t.size:
        t0, t1 = float(t[0]), float(t[-1])
        for foot, offset in (("right", 0.0), ("left", 0.5)):
            for kind, extra in (("strike", 0.0), ("toe_off", params.duty)):
                k0 = int(np.floor((t0 / period) - offset - extra)) - 1
                k = k0
                while True:
                    when = (k + offset + extra) * period
                    if when > t1:
                        break
                    if when >= t0:
                        rows.append((foot, kind, when))
                    k += 1
    df = pd.DataFrame(rows, columns=["foot", "kind", "time"])
    return df.sort_values("time", kind="stable").reset_index(drop=True)


__all__ = [
    "HIP_LANDMARK_OUT_M",
    "HIP_LANDMARK_UP_M",
    "SHOULDER_LANDMARK_UP_M",
    "Kinematics",
    "simulate",
]
