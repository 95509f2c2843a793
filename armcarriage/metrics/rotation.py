"""Trunk rotation: the shoulder line against the pelvis line, peak to peak per stride.

Method from video (front or rear view): the exact 3D definition
(:func:`armcarriage.metrics.geometry.trunk_rotation_3d`) applied to each
landmark's image position completed by its depth, ``(x, y, depth)`` in pixels
(the pose model's relative depth is on the scale of x); where the depth is
missing, the track's world landmarks are used instead. The 2D
foreshortening of a line alone (:func:`~armcarriage.metrics.geometry.line_yaw_2d`)
cannot tell the direction of the turn and, near square-on, turns a few
percent of width noise into tens of degrees, so it is not used for the value.
Measured (benchmarks/accuracy.py, ``rotation_from_foreshortening``: each
line's yaw amplitude from the second harmonic of its apparent width, shoulders
and pelvis turning against each other): within 2 deg of the peak-to-peak on
exact synthetic tracks, but a median error of 27 deg from the front and 14
from the rear (95th percentile 37) through the pose model, whose hip and
shoulder widths vary by more than the trunk's turn explains (a 6 deg pelvis
swing reads as 12-18). Neither that nor the pose model's depth measures
rotation from video (see :data:`armcarriage.analysis.POSE_DEPTH_ROTATION_REASON`).
On exact motion-capture projections (front, rear, oblique) this follows the 3D
rotation with a correlation of 0.99 and a peak-to-peak within about 10%.
"""

from __future__ import annotations

import numpy as np

from armcarriage.metrics.geometry import trunk_rotation_3d
from armcarriage.track import PoseTrack

_POINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def rotation_series(track: PoseTrack) -> np.ndarray:
    """Return the shoulder-vs-pelvis rotation per frame (deg) from image points and depth."""
    img = [np.column_stack([track.xy(k), track.ds["depth"].sel(keypoint=k).values])
           for k in _POINTS]
    world = [track.world_xyz(k) for k in _POINTS]
    from_img = trunk_rotation_3d(*img)
    from_world = trunk_rotation_3d(*world)
    return np.where(np.isfinite(from_img), from_img, from_world)


def rotation_stride(rotation: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the trunk rotation series: ``trunk_rotation_deg`` = max - min."""
    r = np.asarray(rotation, dtype=float)
    r = r[np.isfinite(r)]
    return {"trunk_rotation_deg": float(np.max(r) - np.min(r)) if r.size else float("nan")}
