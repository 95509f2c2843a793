"""Synthetic stick-figure runners with known answers, for the metrics engine tests.

A side-view runner (facing image-right, camera on the runner's right) runs in
place. Everything the metrics measure is set in closed form:

* stride frequency ``stride_hz`` (cadence = 120 x stride_hz steps/min);
* each foot is on the ground for ``duty`` of its stride, starting at its strike
  (left foot strikes at t = k / stride_hz + offset, right foot half a stride later);
* upper-arm angle ``theta0 + amp sin(2 pi f t + phase)`` (deg, + = forward), the
  right arm in phase with the left leg (contralateral), the left arm opposite;
* elbow angle ``elbow0 + elbow_amp * sin(same phase)`` (deg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.track import PoseTrack

K = KEYPOINT_INDEX


@dataclass(frozen=True)
class Runner:
    """Parameters of a synthetic side-view runner (pixels, degrees, seconds)."""

    fps: float = 30.0
    seconds: float = 6.0
    stride_hz: float = 1.4
    duty: float = 0.35
    theta0: float = 5.0
    amp: float = 25.0
    elbow0: float = 90.0
    elbow_amp: float = 15.0
    torso: float = 100.0
    upper_arm: float = 55.0
    forearm: float = 50.0
    foot_lift: float = 40.0
    stride_reach: float = 45.0
    strike_offset: float = 0.1
    width: int = 640
    height: int = 520


def _foot(r: Runner, t: np.ndarray, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (x offset from the hip, lift above the ground) of one foot."""
    p = np.mod((t - offset) * r.stride_hz, 1.0)
    contact = p < r.duty
    # stance: from +reach to -reach linearly; swing: back to +reach with a cosine ease
    s = np.where(contact, p / r.duty, (p - r.duty) / (1 - r.duty))
    x = np.where(contact, r.stride_reach * (1 - 2 * s), -r.stride_reach * np.cos(np.pi * s))
    lift = np.where(contact, 0.0, r.foot_lift * np.sin(np.pi * s))
    return x, lift


def strike_times(r: Runner, foot: str) -> np.ndarray:
    """Return the true strike times of one foot within the clip."""
    off = r.strike_offset + (0.0 if foot == "left" else 0.5 / r.stride_hz)
    k = np.arange(-1, int(r.seconds * r.stride_hz) + 2)
    t = off + k / r.stride_hz
    return t[(t > 0) & (t < r.seconds)]


def arm_angles(r: Runner, t: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (upper-arm angle, elbow angle) in degrees of one arm over time."""
    # the left leg is furthest forward at its strike; the right arm swings with it
    phase = 2 * np.pi * r.stride_hz * (t - r.strike_offset) + np.pi / 2
    if side == "left":
        phase = phase + np.pi
    s = np.sin(phase)
    return r.theta0 + r.amp * s, r.elbow0 + r.elbow_amp * s


def side_runner(r: Runner | None = None) -> PoseTrack:
    """Build the side-view track (runner faces image-right: view ``side_right``)."""
    r = r or Runner()
    t = np.arange(int(round(r.seconds * r.fps))) / r.fps
    n = t.size
    pos = np.full((n, len(KEYPOINTS), 2), np.nan)
    hip = np.array([320.0, 300.0])
    ground = hip[1] + 1.9 * r.torso

    def put(name: str, xy: np.ndarray) -> None:
        pos[:, K[name]] = xy

    for side, dx in (("left", -4.0), ("right", 4.0)):
        put(f"{side}_hip", np.tile(hip + np.array([dx, 0.0]), (n, 1)))
        shoulder = np.tile(hip + np.array([dx, -r.torso]), (n, 1))
        put(f"{side}_shoulder", shoulder)
        theta, elbow = arm_angles(r, t, side)
        th = np.radians(theta)
        el = shoulder + r.upper_arm * np.stack([np.sin(th), np.cos(th)], -1)
        # forearm turned forward from the upper arm by 180 - elbow angle
        fa = th + np.radians(180.0 - elbow)
        wr = el + r.forearm * np.stack([np.sin(fa), np.cos(fa)], -1)
        put(f"{side}_elbow", el)
        put(f"{side}_wrist", wr)
        for hand, d in (("pinky", 6.0), ("index", 8.0), ("thumb", 5.0)):
            put(f"{side}_{hand}", wr + d * np.stack([np.sin(fa), np.cos(fa)], -1))
        off = r.strike_offset + (0.0 if side == "left" else 0.5 / r.stride_hz)
        fx, lift = _foot(r, t, off)
        ankle = np.stack([hip[0] + fx, ground - 10.0 - lift], -1)
        put(f"{side}_ankle", ankle)
        put(f"{side}_heel", ankle + np.array([-8.0, 10.0]))
        put(f"{side}_foot_index", ankle + np.array([18.0, 10.0]))
        knee = 0.5 * (np.tile(hip, (n, 1)) + ankle) + np.array([25.0, 0.0])
        put(f"{side}_knee", knee)
        put(f"{side}_ear", np.tile(hip + np.array([dx - 5.0, -r.torso - 35.0]), (n, 1)))
        for eye in ("eye_inner", "eye", "eye_outer"):
            put(f"{side}_{eye}", np.tile(hip + np.array([dx + 12.0, -r.torso - 42.0]), (n, 1)))
        put(f"mouth_{side}", np.tile(hip + np.array([dx + 14.0, -r.torso - 28.0]), (n, 1)))
    put("nose", np.tile(hip + np.array([18.0, -r.torso - 38.0]), (n, 1)))
    vis = np.ones((n, len(KEYPOINTS)))
    depth = np.zeros((n, len(KEYPOINTS)))
    for name in KEYPOINTS:  # the camera is on the runner's right: left points are farther
        if name.startswith("left_") or name.endswith("_left"):
            vis[:, K[name]] = 0.9
            depth[:, K[name]] = 30.0
        elif name.startswith("right_") or name.endswith("_right"):
            depth[:, K[name]] = -30.0
    return PoseTrack.from_arrays(
        t, pos, fps=r.fps, width=r.width, height=r.height, visibility=vis, depth=depth
    )
