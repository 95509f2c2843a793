"""Trunk rotation: the shoulder line against the pelvis line, peak to peak per stride.

Method from video (front or rear view): each line's yaw about the vertical
comes from its 2D foreshortening, ``arccos(w / W)`` with ``w`` the apparent
width over the torso length (which a yaw does not foreshorten, so distance
changes cancel) and ``W`` its clip 95th percentile (the square-on width); the
sign comes from which end the pose model places nearer the camera (landmark
depth, or the world landmarks' z where depth is missing). The trunk rotation
is shoulder yaw minus pelvis yaw. In 3D (ground truth) the exact definition is
:func:`armcarriage.metrics.geometry.trunk_rotation_3d`.
"""

from __future__ import annotations

import numpy as np

from armcarriage.metrics.geometry import line_yaw_2d, shoulder_width, torso_length
from armcarriage.track import PoseTrack


def _depth_sign(track: PoseTrack, left: str, right: str) -> np.ndarray:
    """Return sign(depth_left - depth_right) per frame from depth, else world z; NaN unknown."""
    d = track.ds["depth"].sel(keypoint=left).values - track.ds["depth"].sel(keypoint=right).values
    w = track.world_xyz(left)[:, 2] - track.world_xyz(right)[:, 2]
    d = np.where(np.isfinite(d), d, w)
    return np.where(np.isfinite(d), np.sign(d), np.nan)


def rotation_series(track: PoseTrack) -> np.ndarray:
    """Return the shoulder-minus-pelvis yaw per frame (deg) from a front or rear view track."""
    ls, rs = track.xy("left_shoulder"), track.xy("right_shoulder")
    lh, rh = track.xy("left_hip"), track.xy("right_hip")
    tl = torso_length(ls, rs, lh, rh)
    out = []
    for a, b, la, ra in ((ls, rs, "left_shoulder", "right_shoulder"),
                         (lh, rh, "left_hip", "right_hip")):
        with np.errstate(invalid="ignore", divide="ignore"):
            w = shoulder_width(a, b) / tl
        full = np.nanpercentile(w, 95) if np.isfinite(w).any() else np.nan
        out.append(line_yaw_2d(w, full, _depth_sign(track, la, ra)))
    return out[0] - out[1]


def rotation_stride(rotation: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the trunk rotation series: ``trunk_rotation_deg`` = max - min."""
    r = np.asarray(rotation, dtype=float)
    r = r[np.isfinite(r)]
    return {"trunk_rotation_deg": float(np.max(r) - np.min(r)) if r.size else float("nan")}
