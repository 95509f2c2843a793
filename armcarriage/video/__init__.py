"""Video input on PyAV: probe a clip, then stream its frames one at a time.

Frames come out upright (rotation metadata applied), as RGB ``uint8`` arrays,
each with its true timestamp from the container's pts, strictly increasing.
Memory does not grow with the clip: one decoded frame is held at a time.
"""

from __future__ import annotations

from armcarriage.video.frames import (
    DecodeStats,
    Frame,
    decode_frames,
    frame_time,
    iter_frames,
    scaled_size,
    time_cell,
    upright,
)
from armcarriage.video.probe import (
    VideoInfo,
    check_limits,
    is_still_image,
    probe_video,
    tagged_capture_fps,
)
from armcarriage.video.probe import _mp4_top_boxes as _mp4_top_boxes

__all__ = [
    "DecodeStats",
    "Frame",
    "VideoInfo",
    "check_limits",
    "decode_frames",
    "frame_time",
    "is_still_image",
    "iter_frames",
    "probe_video",
    "scaled_size",
    "tagged_capture_fps",
    "time_cell",
    "upright",
]
