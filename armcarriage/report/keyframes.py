"""Decode a few chosen frames with PyAV, crop them around the runner and fit them to a panel."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from armcarriage.config import Config
from armcarriage.errors import VideoError
from armcarriage.video import VideoInfo, decode_frames, upright

log = logging.getLogger(__name__)


def grab_frames(
    video_path: Path,
    times: Sequence[float],
    info: VideoInfo,
    config: Config,
    *,
    threads: bool = True,
) -> dict[float, np.ndarray]:
    """Decode the frames nearest the given times.

    Times within :data:`CLUSTER_S` of each other are read in one pass from one
    seek (the frames of a stride are a fraction of a second apart), and only
    the frame kept for each time is converted to RGB.

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
    threads
        Let the decoder use threads.

    Returns
    -------
    dict
        ``{time: RGB image}`` (upright, full size) for every time that could be
        decoded: of the frames within 0.75 frame interval of it, the nearest.

    """
    half = 0.75 / info.fps if info.fps > 0 else 0.05
    out: dict[float, np.ndarray] = {}
    for group in _clusters(sorted(set(times))):
        best: dict[float, tuple[float, Any]] = {}
        try:
            for _, ft, frame in decode_frames(
                video_path,
                config,
                info=info,
                start_s=max(0.0, group[0] - half),
                stop_s=group[-1] + half,
                threads=threads,
            ):
                for t in group:
                    dt = abs(ft - t)
                    inside = t - half - 1e-9 <= ft < t + half
                    if inside and dt < best.get(t, (np.inf, None))[0]:
                        best[t] = (dt, frame)
            for t, (_, frame) in best.items():
                out[t] = upright(frame.to_ndarray(format="rgb24"), info.rotation)
        except (VideoError, av.error.FFmpegError) as exc:
            log.warning(
                "%s: key frames at %s s could not be decoded: %s",
                video_path,
                ", ".join(f"{t:.2f}" for t in group),
                exc,
            )
    return out


def clip_brightness(
    video: Path, info: VideoInfo, config: Config, times: Sequence[float], *, threads: bool = True
) -> float | None:
    """Mean brightness (0-255, Rec. 601 luma) of the frames nearest ``times``; None if none.

    Read on every fourth pixel of every fourth row: the mean of a frame's light is the
    same within a level, without a frame-sized array of floats (50 MB at 1080p).
    ``threads``: decode with threads (off beside busy pose workers).
    """
    frames = grab_frames(video, list(times), info, config, threads=threads)
    if not frames:
        return None
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return float(np.mean([float(np.mean(img[::4, ::4, :3] @ weights)) for img in frames.values()]))


CLUSTER_S = 1.0
"""Key-frame times closer than this (s) are decoded in one pass rather than each from
its own seek: decoding on is cheaper than going back to the key frame before."""


def _clusters(times: Sequence[float]) -> list[list[float]]:
    """Split sorted times into runs whose neighbours are less than ``CLUSTER_S`` apart."""
    groups: list[list[float]] = []
    for t in times:
        if groups and t - groups[-1][-1] < CLUSTER_S:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def fit_image(image: np.ndarray, xy: np.ndarray, max_side: int) -> tuple[np.ndarray, np.ndarray]:
    """Scale an image down (area averaging) so its longer side is at most ``max_side``.

    Parameters
    ----------
    image
        RGB image (H, W, 3).
    xy
        Keypoints in the image's pixels (K, 2); scaled with it.
    max_side
        Longest side in pixels; an image already small enough is returned as is.

    Returns
    -------
    image, xy
        The image and the keypoints in its pixels.

    """
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return image, xy
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = Image.fromarray(np.ascontiguousarray(image)).resize(size, Image.Resampling.BOX)
    return np.asarray(small), xy * np.array([size[0] / w, size[1] / h])


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
