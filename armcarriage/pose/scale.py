"""The frame size the pose model needs: as small as keeps the runner large enough.

The landmark model sees a 256 px crop around the person and the detector a 224 px
image, so a runner who fills a 1080p frame is scaled down by 4-6 times inside the
model anyway; what the full-size frame costs is the decoding, the colour conversion
and the segmentation mask, which MediaPipe returns at the size of the image it is
given (at 1080p it costs about as much as the landmark model). The clip's first
second is looked at once, at the frame size ``pose.max_side`` allows, and the frames
are then scaled so that the runner stays ``pose.min_body_px`` tall.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np

from armcarriage.config import Config
from armcarriage.video import VideoInfo, iter_frames


def sized_for_runner(
    video: str | os.PathLike[str], info: VideoInfo, config: Config, start_s: float = 0.0
) -> Config:
    """Return ``config`` with ``pose.max_side`` the longest side that keeps the runner large.

    The runner's height is the tallest person's landmark extent (head to heel) over
    ``pose.size_probe_frames`` frames of the first second from ``start_s``. The
    returned config has ``pose.min_body_px`` 0, so the choice is made once per clip
    even when a pose path calls another. Unchanged when ``pose.min_body_px`` is 0 or
    no person is found.
    """
    pc = config.pose
    if pc.min_body_px <= 0:
        return config
    done = dataclasses.replace(pc, min_body_px=0)
    height = _runner_height(Path(video), info, config, start_s)
    long_side = max(info.width, info.height)
    side = pc.max_side if pc.max_side > 0 else long_side
    if np.isfinite(height) and height > 0:
        side = min(side, max(pc.min_side, math.ceil(long_side * pc.min_body_px / height)))
    return dataclasses.replace(config, pose=dataclasses.replace(done, max_side=int(side)))


def _runner_height(video: Path, info: VideoInfo, config: Config, start_s: float) -> float:
    """Tallest person's head-to-heel extent (px of the full frame), median over a few frames."""
    from armcarriage.pose.estimator import PoseEstimator

    pc = config.pose
    probe = config.override({"pose.silhouette": False})
    rate = pc.size_probe_frames / 1.0
    frames = iter_frames(
        video,
        config,
        info=info,
        target_fps=rate,
        start_s=start_s,
        stop_s=start_s + 1.0,
        max_side=pc.max_side,
    )
    heights = []
    with PoseEstimator(probe, one_person=False) as estimator:
        for frame in frames:
            people = estimator.detect(frame.image, frame.time, info.width, info.height)
            spans = [np.nanmax(c.landmarks[:, 1]) - np.nanmin(c.landmarks[:, 1]) for c in people]
            if spans:
                heights.append(max(spans))
    return float(np.median(heights)) if heights else float("nan")


__all__ = ["sized_for_runner"]
