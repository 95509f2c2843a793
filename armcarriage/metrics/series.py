"""Per-frame metric series of a cleaned track, in the view's own frame of reference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from armcarriage.metrics.arm3d import Arm3DSettings, body_scale, reconstruct_arm
from armcarriage.metrics.geometry import (
    elbow_angle,
    forward_offset,
    image_forward,
    midline_crossing,
    midpoint,
    shoulder_elevation,
    shoulder_width,
    torso_length,
    trunk_up,
    upper_arm_angle,
)
from armcarriage.metrics.rotation import rotation_series
from armcarriage.metrics.sagittal import (
    BodyPlane,
    lateral_axis,
    reconstruct_arm_in_plane,
    world_medial,
)
from armcarriage.metrics.swing import wrist_height
from armcarriage.metrics.swing_elbow import elbow_on_upper_arm
from armcarriage.skeleton import SIDES
from armcarriage.track import PoseTrack

VIEW_FACING = {"side_left": -1, "side_right": 1}
NEAR_SIDE = {"side_left": "left", "side_right": "right"}
"""The body side nearer the camera in a side view (as :func:`armcarriage.view.near_side`)."""
ARM3D_VIEWS: tuple[str, ...] = ("side_left", "side_right", "oblique")
"""Views in which ``elbow_source = "3d"`` rebuilds the arm (elsewhere the image angle is kept:
from the front or behind the arm swings along the line of sight, the forearm's true length
is never seen and the depth sign decides the whole angle)."""
ELBOW_SOURCES: tuple[str, ...] = ("3d", "image", "world")


def _depth_hints(track: PoseTrack, names: tuple[str, ...], scale_px: float) -> list[np.ndarray]:
    """Return the landmarks' depth in pixels (larger = farther).

    The pose model's relative depth, or its world landmarks' z scaled to pixels
    where the depth is missing.
    """
    ls, rs = track.world_xyz("left_shoulder"), track.world_xyz("right_shoulder")
    lh, rh = track.world_xyz("left_hip"), track.world_xyz("right_hip")
    wt = torso_length(ls, rs, lh, rh)
    w_scale = scale_px / float(np.nanmedian(wt)) if np.isfinite(wt).any() else np.nan
    out = []
    for k in names:
        d = np.asarray(track.ds["depth"].sel(keypoint=k).values, dtype=float)
        out.append(np.where(np.isfinite(d), d, track.world_xyz(k)[:, 2] * w_scale))
    return out


def _outward(track: PoseTrack, view: str, side: str) -> float:
    """Return the depth sign of the arm's outward side: -1 towards the camera, +1 away.

    The elbow sits outside the shoulder (the upper arm abducted): for the near arm of a side
    view that is towards the camera. In an oblique view the nearer shoulder is the one of
    smaller median depth. 0 when unknown.
    """
    near = NEAR_SIDE.get(view)
    if near is not None:
        return -1.0 if side == near else 1.0
    other = "right" if side == "left" else "left"
    d = (
        track.ds["depth"].sel(keypoint=f"{side}_shoulder").values
        - track.ds["depth"].sel(keypoint=f"{other}_shoulder").values
    )
    if not np.isfinite(d).any():
        return 0.0
    return -1.0 if float(np.nanmedian(d)) < 0 else 1.0


def _facing(track: PoseTrack, view: str) -> int:
    """Image direction the runner faces: from the view, else from the nose against the ears."""
    facing = VIEW_FACING.get(view, 0)
    if not facing:
        nose = track.xy("nose")[:, 0]
        ears = midpoint(track.xy("left_ear"), track.xy("right_ear"))[:, 0]
        d = np.nanmedian(nose - ears) if np.isfinite(nose - ears).any() else 1.0
        facing = 1 if d >= 0 else -1
    return facing


def _elbow(
    track: PoseTrack,
    view: str,
    side: str,
    elbow_source: str,
    scaled: tuple[Arm3DSettings, np.ndarray, float],
) -> tuple[np.ndarray, np.ndarray]:
    """Return one arm's elbow angle from ``elbow_source`` and its expected error.

    The error is NaN unless the arm is rebuilt in 3D; ``scaled`` = (3D arm settings,
    body scale, torso length).
    """
    st, scale, tl = scaled
    names = tuple(f"{side}_{p}" for p in ("shoulder", "elbow", "wrist"))
    sh, el, wr = (track.xy(k) for k in names)
    angle = elbow_angle(sh, el, wr)
    error = np.full(angle.shape, np.nan)
    if elbow_source == "world":
        world = elbow_angle(*(track.world_xyz(k) for k in names))
        angle = np.where(np.isfinite(world), world, angle)
    elif elbow_source == "3d" and view in ARM3D_VIEWS:
        hx, hz = lateral_axis(track) if view == "oblique" and st.body_plane else (np.nan, np.nan)
        if np.isfinite(hx) and np.isfinite(hz):
            medial = 1.0 if side == "left" else -1.0
            fore: tuple[float | np.ndarray, float] = st.fore_medial
            if st.fore_world_sd > 0:
                m = world_medial(track, side, (hx, hz))
                fore = (np.where(np.isfinite(m), m, st.fore_medial[0]), st.fore_world_sd)
            plane = BodyPlane(hx, hz, medial, st.upper_medial, fore)
            rec = reconstruct_arm_in_plane(sh, el, wr, scale, plane, st)
        else:
            d_sh, d_el, d_wr = _depth_hints(track, names, tl)
            rec = reconstruct_arm(
                sh, el, wr, scale, (d_sh, d_el, d_wr), st, outward=_outward(track, view, side)
            )
        angle, error = rec.angle, rec.error
    return angle, error


def _swing_elbow(
    sh: np.ndarray, el: np.ndarray, wr: np.ndarray, scale: np.ndarray, st: Arm3DSettings
) -> np.ndarray:
    """Return the elbow the swing is measured from: on the upper arm's constant length."""
    return elbow_on_upper_arm(
        sh, el, wr, scale, st.length_percentile, st.swing_smooth_frames, st.swing_min_fore_ratio
    )


def frame_series(
    track: PoseTrack,
    view: str,
    elbow_source: str = "3d",
    arm3d: Arm3DSettings | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Compute every per-frame series the metrics reduce.

    Parameters
    ----------
    track
        The cleaned track.
    view
        The clip's view label; the running direction in a side view is
        image-left for ``side_left`` and image-right for ``side_right``. In
        other views the forward-based series use the image direction the
        runner's nose points to relative to the ears, and are not reported.
    elbow_source
        ``3d`` (each arm rebuilt in 3D from its image points,
        :mod:`armcarriage.metrics.arm3d`, in side and oblique views; the image
        angle elsewhere), ``image`` (2D points) or ``world`` (3D world
        landmarks, falling back to the image points in frames where the world
        points are missing).
    arm3d
        Settings of the 3D arm (``elbow_source = "3d"``).

    Returns
    -------
    tuple
        A DataFrame with ``time`` and, per side ``s``: ``s_elbow_angle``,
        ``s_upper_arm_angle`` (side views: from the elbow on the upper arm's constant
        length, :mod:`armcarriage.metrics.swing_elbow`), ``s_wrist_forward``,
        ``s_wrist_height``, ``s_crossing``, ``s_shoulder_elevation``, ``s_ankle_forward``,
        ``s_elbow_angle_2d`` (the
        image angle) and ``s_elbow_error`` (expected error of ``s_elbow_angle``
        from the geometry, deg; NaN unless rebuilt in 3D); plus
        ``trunk_rotation``. And the normalisers used: ``torso_length_px``
        (clip median) and ``shoulder_width_px`` (clip 90th percentile).

    """
    ls, rs = track.xy("left_shoulder"), track.xy("right_shoulder")
    lh, rh = track.xy("left_hip"), track.xy("right_hip")
    tl_frames = torso_length(ls, rs, lh, rh)
    tl = float(np.nanmedian(tl_frames)) if np.isfinite(tl_frames).any() else float("nan")
    sw_frames = shoulder_width(ls, rs)
    sw = float(np.nanpercentile(sw_frames, 90)) if np.isfinite(sw_frames).any() else float("nan")
    up = trunk_up(ls, rs, lh, rh)
    hc = midpoint(lh, rh)
    fwd = image_forward(_facing(track, view))
    ear = midpoint(track.xy("left_ear"), track.xy("right_ear"))
    cols: dict[str, np.ndarray] = {"time": track.time}
    if elbow_source not in ELBOW_SOURCES:
        raise ValueError(
            f"metrics.elbow_source: expected one of {', '.join(ELBOW_SOURCES)}, "
            f"got {elbow_source!r}"
        )
    st = arm3d or Arm3DSettings()
    scale = body_scale(tl_frames, st.scale_window_frames)
    for side in SIDES:
        other = "right" if side == "left" else "left"
        names = tuple(f"{side}_{p}" for p in ("shoulder", "elbow", "wrist"))
        sh, el, wr = (track.xy(k) for k in names)
        cols[f"{side}_elbow_angle_2d"] = elbow_angle(sh, el, wr)
        angle, error = _elbow(track, view, side, elbow_source, (st, scale, tl))
        cols[f"{side}_elbow_angle"] = angle
        cols[f"{side}_elbow_error"] = error
        swing_el = _swing_elbow(sh, el, wr, scale, st) if view in VIEW_FACING else el
        cols[f"{side}_upper_arm_angle"] = upper_arm_angle(sh, swing_el, up, fwd)
        cols[f"{side}_wrist_forward"] = forward_offset(wr, hc, fwd, tl)
        cols[f"{side}_wrist_height"] = wrist_height(wr, sh, up, tl)
        cols[f"{side}_crossing"] = midline_crossing(
            wr, sh, track.xy(f"{other}_shoulder"), lh, rh, sw
        )
        cols[f"{side}_shoulder_elevation"] = shoulder_elevation(sh, ear, up, tl)
        cols[f"{side}_ankle_forward"] = forward_offset(track.xy(f"{side}_ankle"), hc, fwd, tl)
    cols["trunk_rotation"] = rotation_series(track)
    return pd.DataFrame(cols), {"torso_length_px": tl, "shoulder_width_px": sw}


LANDMARKS: dict[str, tuple[str, ...]] = {
    "elbow": ("shoulder", "elbow", "wrist"),
    "swing": ("shoulder", "elbow"),
    "wrist": ("wrist",),
    "crossing": ("wrist",),
    "shrug": ("shoulder",),
    "phase": ("wrist",),
}
"""Per-arm landmarks whose visibility sets a family's confidence (own side)."""
