"""The pose track: one validated container for keypoints over time.

A :class:`PoseTrack` wraps an :class:`xarray.Dataset` with named axes

``time`` (s) x ``keypoint`` x ``space`` (``x``, ``y``)

and these variables:

``position`` (time, keypoint, space)
    Image coordinates in pixels of the upright frame; x to the right, y down.
``depth`` (time, keypoint)
    The model's relative depth, in pixels on the same scale as x (smaller is
    nearer the camera); NaN where unknown.
``visibility`` (time, keypoint)
    Probability in [0, 1] that the landmark is visible.
``world`` (time, keypoint, space3)
    Metric 3D landmarks in metres, hip-centred (``x``, ``y``, ``z``; y down).
``silhouette`` (time, silhouette_feature), optional
    A few heights and widths in pixels read off the person's segmentation mask by
    the pose stage (:data:`armcarriage.silhouette.SILHOUETTE_FEATURES`); absent on
    tracks made without the mask.

A coordinate ``frame`` on ``time`` gives the source frame index. NaN marks a
missing value everywhere; a frame without a pose is NaN throughout. Attributes
carry ``fps`` (nominal frame rate of the source), ``width`` and ``height`` of
the frame in pixels, ``source`` (file name), ``model``, ``person`` (how the
runner was chosen), ``units`` and ``schema_version``.
"""

from __future__ import annotations

from armcarriage.track.container import PoseTrack
from armcarriage.track.schema import SCHEMA_VERSION, validate
from armcarriage.track.schema import SPACE as SPACE
from armcarriage.track.schema import SPACE3 as SPACE3

__all__ = [
    "SCHEMA_VERSION",
    "PoseTrack",
    "validate",
]
