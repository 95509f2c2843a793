"""Trunk rotation: the shoulder line against the pelvis line, peak to peak per stride.

Method from video (front or rear view): the exact 3D definition
(:func:`armcarriage.metrics.geometry.trunk_rotation_3d`) applied to each
landmark's image position completed by its depth, ``(x, y, depth)`` in pixels
(the pose model's relative depth is on the scale of x); where the depth is
missing, the track's world landmarks are used instead. The 2D
foreshortening of a line alone (:func:`~armcarriage.metrics.geometry.line_yaw_2d`)
cannot tell the direction of the turn and, near square-on, turns a few
percent of width noise into tens of degrees, so it is not used for the value.
Foreshortening (benchmarks/accuracy.py, ``rotation_from_foreshortening``: each
line's yaw amplitude from the second harmonic of its apparent width, shoulders
and pelvis turning against each other) is close on exact synthetic tracks but
far off through the pose model, whose hip and shoulder widths vary by more than
the trunk's turn explains (README, *Accuracy*). Neither that nor the pose
model's depth measures rotation from video (see
:data:`armcarriage.analysis.POSE_DEPTH_ROTATION_REASON`). On exact
motion-capture projections (front, rear, oblique) this follows the 3D rotation
closely (README, *Figures behind the defaults*).
"""

from __future__ import annotations

import numpy as np

from armcarriage.metrics.geometry import torso_length, trunk_rotation_3d
from armcarriage.track import PoseTrack

_POINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def rotation_series(track: PoseTrack) -> np.ndarray:
    """Return the shoulder-vs-pelvis rotation per frame (deg) from image points and depth."""
    img = [
        np.column_stack([track.xy(k), track.ds["depth"].sel(keypoint=k).values]) for k in _POINTS
    ]
    world = [track.world_xyz(k) for k in _POINTS]
    from_img = trunk_rotation_3d(*img)
    from_world = trunk_rotation_3d(*world)
    return np.where(np.isfinite(from_img), from_img, from_world)


def side_rotation_series(
    track: PoseTrack, shoulder_width_tl: float, hip_width_tl: float
) -> np.ndarray:
    """Return the shoulder-vs-pelvis rotation seen from the side per frame (deg), for evaluation.

    From the side a body line of true width ``W`` turned by ``theta`` from square to
    the camera shows a horizontal offset ``W sin(theta)`` between its ends, which
    changes fastest near square (where a front view's ``cos`` is flattest). The
    value is ``asin(dx_sh / W_sh) - asin(dx_hip / W_hip)``, offsets and widths in
    clip-median torso lengths; the widths cannot be seen from the side and must be
    given. Not used for the reported metric: through the pose model the far
    shoulder and hip do not follow the turn (benchmarks/elbow3d.py).
    """
    p = {k: track.xy(k) for k in _POINTS}
    tl_frames = torso_length(*(p[k] for k in _POINTS))
    tl = float(np.nanmedian(tl_frames)) if np.isfinite(tl_frames).any() else float("nan")
    dsh = (p["left_shoulder"][:, 0] - p["right_shoulder"][:, 0]) / tl
    dhp = (p["left_hip"][:, 0] - p["right_hip"][:, 0]) / tl
    sh = np.degrees(np.arcsin(np.clip(dsh / shoulder_width_tl, -1.0, 1.0)))
    hp = np.degrees(np.arcsin(np.clip(dhp / hip_width_tl, -1.0, 1.0)))
    return sh - hp


def rotation_stride(rotation: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the trunk rotation series: ``trunk_rotation_deg`` = max - min."""
    r = np.asarray(rotation, dtype=float)
    r = r[np.isfinite(r)]
    return {"trunk_rotation_deg": float(np.max(r) - np.min(r)) if r.size else float("nan")}
