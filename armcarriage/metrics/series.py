"""Per-frame metric series of a cleaned track, in the view's own frame of reference."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
from armcarriage.metrics.swing import wrist_height
from armcarriage.skeleton import SIDES
from armcarriage.track import PoseTrack

VIEW_FACING = {"side_left": -1, "side_right": 1}


def frame_series(
    track: PoseTrack, view: str, elbow_source: str = "image"
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
        ``image`` (2D points) or ``world`` (3D world landmarks, falling back to
        the image points in frames where the world points are missing).

    Returns
    -------
    tuple
        A DataFrame with ``time`` and, per side ``s``: ``s_elbow_angle``,
        ``s_upper_arm_angle``, ``s_wrist_forward``, ``s_wrist_height``, ``s_crossing``,
        ``s_shoulder_elevation``, ``s_ankle_forward``; plus
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
    facing = VIEW_FACING.get(view, 0)
    if not facing:
        nose = track.xy("nose")[:, 0]
        ears = midpoint(track.xy("left_ear"), track.xy("right_ear"))[:, 0]
        d = np.nanmedian(nose - ears) if np.isfinite(nose - ears).any() else 1.0
        facing = 1 if d >= 0 else -1
    fwd = image_forward(facing)
    ear = midpoint(track.xy("left_ear"), track.xy("right_ear"))
    cols: dict[str, np.ndarray] = {"time": track.time}
    for side in SIDES:
        other = "right" if side == "left" else "left"
        sh, el, wr = (track.xy(f"{side}_{p}") for p in ("shoulder", "elbow", "wrist"))
        angle = elbow_angle(sh, el, wr)
        if elbow_source == "world":
            world = elbow_angle(*(track.world_xyz(f"{side}_{p}")
                                  for p in ("shoulder", "elbow", "wrist")))
            angle = np.where(np.isfinite(world), world, angle)
        elif elbow_source != "image":
            raise ValueError(f"metrics.elbow_source: expected 'image' or 'world', "
                             f"got {elbow_source!r}")
        cols[f"{side}_elbow_angle"] = angle
        cols[f"{side}_upper_arm_angle"] = upper_arm_angle(sh, el, up, fwd)
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
