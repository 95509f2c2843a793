"""Pose estimation of a clip in this process, and the track built from its frames."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from armcarriage.config import Config
from armcarriage.pose.candidate import _Candidate
from armcarriage.pose.estimator import MorePeopleInView, PoseEstimator
from armcarriage.pose.runner import RunnerSelector, person_note
from armcarriage.silhouette import SILHOUETTE_FEATURES
from armcarriage.skeleton import KEYPOINTS
from armcarriage.video import DecodeStats, Frame, VideoInfo, iter_frames, probe_video

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack


log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def estimate_pose(
    video: str | os.PathLike[str],
    config: Config | None = None,
    *,
    progress: Progress | None = None,
    info: VideoInfo | None = None,
    start_s: float = 0.0,
    stop_s: float | None = None,
) -> PoseTrack:
    """Run the pose model over a clip and return the runner's pose track.

    Parameters
    ----------
    video
        A video file.
    config
        Settings (``config.pose``, ``config.video``).
    progress
        Called as ``progress(frames_done, frames_expected)``.
    info
        The clip's :class:`VideoInfo`, if already probed.
    start_s, stop_s
        Analyse only this time range (seconds).

    Returns
    -------
    PoseTrack
        One row per analysed frame; NaN where no pose was found.

    """
    config = config or Config()
    path = Path(video)
    info = info or probe_video(path, config)
    pc = config.pose
    if pc.max_seconds > 0:
        stop_s = pc.max_seconds if stop_s is None else min(stop_s, pc.max_seconds)

    def run(one_person: bool, config: Config = config) -> PoseTrack:
        stats = DecodeStats()
        with PoseEstimator(config, one_person=one_person) as estimator:
            frames = iter_frames(
                path,
                config,
                info=info,
                target_fps=pc.target_fps,
                start_s=start_s,
                stop_s=stop_s,
                max_side=lambda: estimator.side,
                stats=stats,
                # threads only where this process may take the machine: with
                # pose.workers set (a batch runs one clip per core) they only add work
                threads=pc.workers == 0,
            )
            return track_from_frames(
                frames, estimator, info, config, progress=progress, stats=stats
            )

    if not PoseEstimator.starts_one_person(config):
        return run(False)
    try:
        return run(True)
    except MorePeopleInView as seen:
        log.info("pose: %s; running again with %d poses per frame", seen, pc.num_poses)
        return run(False, rerun_config(config, seen))


def rerun_config(config: Config, seen: MorePeopleInView) -> Config:
    """Return the settings of the re-run after ``seen``: a square-on runner is not tracked."""
    return config.override({"pose.track_one_person": False}) if seen.frontal else config


def expected_frames(info: VideoInfo, config: Config, span_s: float | None = None) -> int:
    """Frames the pose stage will see, for progress bars."""
    pc = config.pose
    duration = info.duration_s if span_s is None else span_s
    if pc.max_seconds > 0:
        duration = min(duration, pc.max_seconds)
    fps = min(info.fps, pc.target_fps) if pc.target_fps > 0 else info.fps
    return max(1, int(round(duration * fps)))


def track_from_frames(
    frames: Iterable[Frame],
    estimator: PoseEstimator,
    info: VideoInfo,
    config: Config,
    *,
    progress: Progress | None = None,
    stats: DecodeStats | None = None,
) -> PoseTrack:
    """Run ``estimator`` over ``frames`` and assemble the runner's track.

    Parameters
    ----------
    frames
        Upright frames with timestamps.
    estimator
        An entered :class:`PoseEstimator`.
    info
        The source clip.
    config
        Settings.
    progress
        Called as ``progress(done, expected)``.
    stats
        Decode statistics to record in the track's attributes.

    Returns
    -------
    PoseTrack

    """
    selector = RunnerSelector.for_clip(info, config)
    times: list[float] = []
    index: list[int] = []
    total = expected_frames(info, config)
    for done, frame in enumerate(frames, start=1):
        selector.add(estimator.detect(frame.image, frame.time, info.width, info.height))
        times.append(frame.time)
        index.append(frame.index)
        if progress is not None:
            progress(done, max(total, done))
    empty = np.full((len(KEYPOINTS), 5), np.nan)
    empty_w = np.full((len(KEYPOINTS), 3), np.nan)
    picks = selector.resolve()
    rows = [c.landmarks if c is not None else empty for c in picks]
    worlds = [c.world if c is not None else empty_w for c in picks]
    lm = np.stack(rows) if rows else np.zeros((0, len(KEYPOINTS), 5))
    world = np.stack(worlds) if worlds else np.zeros((0, len(KEYPOINTS), 3))
    sil = candidate_silhouettes(picks) if config.pose.silhouette else None
    attrs = {
        "source": info.path,
        "model": estimator.model_path.name,
        "person": person_note(selector, estimator.num_poses, config),
        "video": json.dumps(info.to_dict()),
        "decode": json.dumps(
            {
                "decoded": stats.decoded,
                "lost": stats.lost,
                "dropped_non_increasing": stats.dropped_non_increasing,
                "error": stats.error_message,
            }
            if stats
            else {}
        ),
    }
    from armcarriage.track import PoseTrack

    return PoseTrack.from_arrays(
        np.asarray(times, float),
        lm[:, :, :2],
        fps=info.fps,
        width=info.width,
        height=info.height,
        visibility=lm[:, :, 3],
        depth=lm[:, :, 2],
        world=world,
        frame=np.asarray(index, np.int64),
        attrs=attrs,
        silhouette=sil,
    )


def candidate_silhouettes(picks: list[_Candidate | None]) -> np.ndarray:
    """Stack the silhouette numbers of the chosen detections (NaN where none), ``(T, F)``."""
    out = np.full((len(picks), len(SILHOUETTE_FEATURES)), np.nan)
    for i, c in enumerate(picks):
        if c is not None and c.silhouette is not None:
            out[i] = c.silhouette
    return out
