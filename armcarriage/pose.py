"""Pose estimation: MediaPipe PoseLandmarker (Tasks API, VIDEO mode) over a clip.

The model is a ``.task`` bundle kept in the repository's ``models/`` folder;
nothing is downloaded. :func:`estimate_pose` streams frames from
:func:`armcarriage.video.iter_frames` to the model and follows one runner.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from armcarriage.config import Config
from armcarriage.errors import ModelNotFoundError
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.video import DecodeStats, Frame, VideoInfo, iter_frames, probe_video

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "pose_landmarker_full.task"
MODEL_ENV = "ARMCARRIAGE_MODEL"
Progress = Callable[[int, int], None]

_TORSO = [KEYPOINT_INDEX[k] for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


def default_model_path() -> Path:
    """Return where the bundled model is expected: ``<repository>/models/``."""
    return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


def resolve_model_path(model: str | os.PathLike[str] | None = None) -> Path:
    """Find the pose model bundle.

    Parameters
    ----------
    model
        An explicit path; else the ``ARMCARRIAGE_MODEL`` environment variable;
        else the bundled ``models/pose_landmarker_full.task``.

    Returns
    -------
    Path
        An existing ``.task`` file.

    Raises
    ------
    ModelNotFoundError
        Naming the path that was expected.

    """
    if model:
        path = Path(model)
        origin = "--model"
    elif os.environ.get(MODEL_ENV):
        path = Path(os.environ[MODEL_ENV])
        origin = f"${MODEL_ENV}"
    else:
        path = default_model_path()
        origin = "the bundled model"
    if not path.is_file():
        raise ModelNotFoundError(
            f"pose model not found: expected a MediaPipe .task bundle at {path} ({origin}). "
            f"Rebuild the bundled one with 'python models/build_pose_model.py' or pass "
            f"--model PATH (see models/README.md)."
        )
    return path


@dataclass
class _Candidate:
    landmarks: np.ndarray  # (33, 5): x, y (px), depth (px), visibility, presence
    world: np.ndarray  # (33, 3) m

    @property
    def centre(self) -> np.ndarray:
        return np.nanmean(self.landmarks[_TORSO, :2], axis=0)

    @property
    def size(self) -> float:
        pts = self.landmarks[:, :2]
        span = np.nanmax(pts, axis=0) - np.nanmin(pts, axis=0)
        return float(span[0] * span[1])


class PoseEstimator:
    """A MediaPipe pose landmarker in VIDEO mode, used as a context manager.

    Parameters
    ----------
    config
        ``config.pose`` gives the model path, the number of poses and the
        confidence thresholds.

    Examples
    --------
    >>> with PoseEstimator(Config()) as est:            # doctest: +SKIP
    ...     cands = est.detect(frame.image, frame.time)

    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.model_path = resolve_model_path(self.config.pose.model_path or None)
        self._landmarker: Any = None
        self._last_ms = -1

    def __enter__(self) -> PoseEstimator:
        from mediapipe.tasks.python import BaseOptions, vision

        pc = self.config.pose
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=max(1, pc.num_poses),
            min_pose_detection_confidence=pc.min_detection_confidence,
            min_pose_presence_confidence=pc.min_presence_confidence,
            min_tracking_confidence=pc.min_tracking_confidence,
        )
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(
                f"pose model {self.model_path}: MediaPipe could not load it as a pose "
                f"landmarker bundle ({exc})"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def detect(self, image: np.ndarray, time_s: float, width: int, height: int) -> list[_Candidate]:
        """Run the model on one upright RGB frame.

        Parameters
        ----------
        image
            RGB ``uint8`` image (possibly scaled down).
        time_s
            Frame timestamp in seconds (must increase from call to call).
        width, height
            Size of the full-resolution upright frame: landmarks are returned
            in its pixels.

        Returns
        -------
        list
            One candidate per detected person.

        """
        import mediapipe as mp

        if self._landmarker is None:
            raise RuntimeError("PoseEstimator.detect() called outside its 'with' block")
        ms = max(self._last_ms + 1, int(round(time_s * 1000)))
        self._last_ms = ms
        result = self._landmarker.detect_for_video(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image)), ms
        )
        out = []
        for pose, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=False):
            lm = np.array(
                [
                    [
                        p.x * width,
                        p.y * height,
                        p.z * width,
                        _prob(p.visibility),
                        _prob(p.presence),
                    ]
                    for p in pose
                ]
            )
            w = np.array([[p.x, p.y, p.z] for p in world])
            out.append(_Candidate(lm, w))
        return out


def _prob(value: float | None) -> float:
    return float("nan") if value is None else float(min(1.0, max(0.0, value)))


class RunnerSelector:
    """Follow one person through the clip among several detections.

    Detections are linked frame to frame into tracklets (Hungarian matching of
    torso centres, gated at one torso length plus the distance allowed by the
    gap). The runner is the most prominent tracklet (largest summed extent) or,
    with ``person_x`` >= 0, the one that starts nearest that horizontal
    position. Tracklets that continue it without overlapping in time, and start
    where it left off, are chained to it. Frames where the chosen person is not
    seen stay empty: another person is never substituted.
    """

    def __init__(self, width: int, person_x: float = -1.0, fps: float = 30.0) -> None:
        self.width = width
        self.person_x = person_x
        self.fps = fps
        self.frames: list[list[_Candidate]] = []
        self.multi_frames = 0
        self.n_tracklets = 0

    def add(self, candidates: list[_Candidate]) -> None:
        """Record the detections of the next frame."""
        if len(candidates) > 1:
            self.multi_frames += 1
        self.frames.append(candidates)

    def resolve(self) -> list[_Candidate | None]:
        """Return, per recorded frame, the runner's detection or None."""
        tracklets = self._link()
        self.n_tracklets = len(tracklets)
        if not tracklets:
            return [None] * len(self.frames)
        chosen = self._seed(tracklets)
        chain = self._chain(chosen, tracklets)
        out: list[_Candidate | None] = [None] * len(self.frames)
        for tr in chain:
            for f, c in tr:
                out[f] = self.frames[f][c]
        return out

    def _link(self) -> list[list[tuple[int, int]]]:
        from scipy.optimize import linear_sum_assignment

        max_gap = max(1, int(round(0.5 * self.fps)))
        active: list[list[tuple[int, int]]] = []
        done: list[list[tuple[int, int]]] = []
        for f, cands in enumerate(self.frames):
            still: list[list[tuple[int, int]]] = []
            for tr in active:
                (done if f - tr[-1][0] > max_gap else still).append(tr)
            active = still
            used: set[int] = set()
            if active and cands:
                cost = np.full((len(active), len(cands)), 1e9)
                for i, tr in enumerate(active):
                    lf, lc = tr[-1]
                    last = self.frames[lf][lc]
                    gate = _torso(last) * (1.0 + 0.5 * (f - lf - 1))
                    for j, c in enumerate(cands):
                        d = float(np.linalg.norm(c.centre - last.centre))
                        if d <= gate:
                            cost[i, j] = d
                rows, cols = linear_sum_assignment(cost)
                for i, j in zip(rows, cols, strict=True):
                    if cost[i, j] < 1e9:
                        active[i].append((f, int(j)))
                        used.add(int(j))
            for j in range(len(cands)):
                if j not in used:
                    active.append([(f, j)])
        return done + active

    def _prominence(self, tr: list[tuple[int, int]]) -> float:
        return sum(self.frames[f][c].size for f, c in tr)

    def _seed(self, tracklets: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
        if self.person_x >= 0:
            x = self.person_x * self.width
            return min(
                tracklets,
                key=lambda tr: (tr[0][0], abs(self.frames[tr[0][0]][tr[0][1]].centre[0] - x)),
            )
        return max(tracklets, key=self._prominence)

    def _chain(
        self, seed: list[tuple[int, int]], tracklets: list[list[tuple[int, int]]]
    ) -> list[list[tuple[int, int]]]:
        chain = [seed]
        for forward in (True, False):
            end = seed
            while True:
                best, best_d = None, np.inf
                ef, ec = end[-1] if forward else end[0]
                e = self.frames[ef][ec]
                for tr in tracklets:
                    if any(tr is c for c in chain):
                        continue
                    sf, sc = tr[0] if forward else tr[-1]
                    gap = (sf - ef) if forward else (ef - sf)
                    if gap <= 0 or gap > 2 * self.fps:
                        continue
                    d = float(np.linalg.norm(self.frames[sf][sc].centre - e.centre))
                    if d <= _torso(e) * (1.0 + 0.5 * gap * 30.0 / self.fps) and d < best_d:
                        best, best_d = tr, d
                if best is None:
                    break
                chain.append(best)
                end = best
        return chain

    def describe(self) -> str:
        """Say how the runner was chosen, for the track's attributes."""
        how = (
            f"the person starting nearest x={self.person_x:.2f} of the width"
            if self.person_x >= 0
            else "the most prominent person (largest extent over the clip)"
        )
        return (
            f"followed {how}; {self.multi_frames} frames showed more than one person, "
            f"{self.n_tracklets} tracklets were linked and other people were ignored"
        )


def _torso(c: _Candidate) -> float:
    """Shoulder-mid to hip-mid distance of a detection, in pixels (>= 10)."""
    lm = c.landmarks
    sh = (lm[_TORSO[0], :2] + lm[_TORSO[1], :2]) / 2
    hp = (lm[_TORSO[2], :2] + lm[_TORSO[3], :2]) / 2
    d = float(np.linalg.norm(sh - hp))
    return d if np.isfinite(d) and d > 10 else 10.0


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
    stats = DecodeStats()
    frames = iter_frames(
        path,
        config,
        info=info,
        target_fps=pc.target_fps,
        start_s=start_s,
        stop_s=stop_s,
        max_side=pc.max_side,
        stats=stats,
    )
    with PoseEstimator(config) as estimator:
        return track_from_frames(frames, estimator, info, config, progress=progress, stats=stats)


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
    selector = RunnerSelector(info.width, config.pose.person_x, info.fps or 30.0)
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
    attrs = {
        "source": info.path,
        "model": estimator.model_path.name,
        "person": selector.describe(),
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
    )
