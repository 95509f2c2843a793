"""Decode a few chosen frames with PyAV and crop them around the runner."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.errors import VideoError
from armcarriage.video import VideoInfo, iter_frames

log = logging.getLogger(__name__)


def grab_frames(
    video_path: Path, times: Sequence[float], info: VideoInfo, config: Config
) -> dict[float, np.ndarray]:
    """Decode the frames nearest the given times (seeking to each).

    Parameters
    ----------
    video_path
        The clip.
    times
        Presentation times in seconds.
    info
        The probed clip.
    config
        Settings (video limits).

    Returns
    -------
    dict
        ``{time: RGB image}`` for every time that could be decoded.

    """
    half = 0.75 / info.fps if info.fps > 0 else 0.05
    out: dict[float, np.ndarray] = {}
    for t in times:
        best, best_dt = None, np.inf
        try:
            for frame in iter_frames(video_path, config, info=info, start_s=max(0.0, t - half),
                                     stop_s=t + half):
                if abs(frame.time - t) < best_dt:
                    best, best_dt = frame.image, abs(frame.time - t)
        except VideoError as exc:
            log.warning("%s: key frame at %.2f s could not be decoded: %s", video_path, t, exc)
        if best is not None:
            out[t] = best
    return out


def crop_to_runner(
    image: np.ndarray, xy: np.ndarray, margin: float = 0.25, aspect: float = 0.75
) -> tuple[np.ndarray, np.ndarray]:
    """Crop an image around the keypoints.

    Parameters
    ----------
    image
        RGB image (H, W, 3).
    xy
        Keypoints in the image's pixels (K, 2); NaN rows are ignored.
    margin
        Extra room around the keypoints, as a fraction of the box size.
    aspect
        Minimum width / height of the crop.

    Returns
    -------
    crop, xy
        The cropped image and the keypoints in its pixels.

    """
    h, w = image.shape[:2]
    ok = np.isfinite(xy).all(axis=1)
    if not ok.any():
        return image, xy
    lo, hi = xy[ok].min(axis=0), xy[ok].max(axis=0)
    size = hi - lo
    centre = (lo + hi) / 2
    bh = size[1] * (1 + 2 * margin)
    bw = max(size[0] * (1 + 2 * margin), bh * aspect)
    x0, x1 = int(max(0, centre[0] - bw / 2)), int(min(w, centre[0] + bw / 2))
    y0, y1 = int(max(0, centre[1] - bh / 2)), int(min(h, centre[1] + bh / 2))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return image, xy
    return image[y0:y1, x0:x1], xy - np.array([x0, y0])


def pose_in_frame(analysis: Any, index: int, info: VideoInfo) -> np.ndarray:
    """Keypoints of track sample ``index`` in the decoded frame's pixels."""
    track = analysis.track
    scale = np.array([info.width / track.width, info.height / track.height])
    return np.asarray(track.ds["position"].values[index], dtype=float) * scale
