"""Pose estimation: MediaPipe PoseLandmarker (Tasks API, VIDEO mode) over a clip.

The model is a ``.task`` bundle kept in the repository's ``models/`` folder and
shipped in the wheel as package data; nothing is downloaded. :func:`estimate_pose`
streams frames from :func:`armcarriage.video.iter_frames` to the model and follows
one runner.

One person or several
---------------------
Asked for ``pose.num_poses`` > 1 poses (the default, 2), the landmarker runs
its person detector on every frame that shows fewer people, so the runner is
found afresh in every frame, and :class:`RunnerSelector` follows the runner
among the people found. With ``pose.track_one_person`` it is asked for one
pose, which it tracks from frame to frame, running the detector only when the
track is lost: 19 instead of 31 ms of CPU per frame, but less accurate (see the
setting). A landmarker asked for several poses then looks for other people at
the start of each run and chunk and every ``pose.people_scan_s`` seconds (see
:meth:`PoseEstimator.detect`); when it sees one, :class:`MorePeopleInView` is
raised and the clip is run again the default way.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import logging
import math
import os
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from armcarriage.config import Config
from armcarriage.errors import ModelNotFoundError
from armcarriage.silhouette import SILHOUETTE_FEATURES, empty_features, silhouette_features
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.video import DecodeStats, Frame, VideoInfo, iter_frames, probe_video

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "pose_landmarker_full.task"
MODEL_ENV = "ARMCARRIAGE_MODEL"
NATIVE_LOGS_ENV = "ARMCARRIAGE_NATIVE_LOGS"
"""Set to ``1`` to let MediaPipe's native logging through (``armcarriage analyze -v`` does);
inherited by the pose worker processes."""
Progress = Callable[[int, int], None]

_TORSO = [KEYPOINT_INDEX[k] for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Send file descriptor 2 to the null device while MediaPipe's C++ code runs.

    MediaPipe, LiteRT, XNNPACK, absl and glog write their INFO and WARNING lines
    (dozens per pose process) straight to file descriptor 2, past Python's
    ``sys.stderr`` and logging, where they break a progress display. Python's own
    stderr is flushed first and the descriptor is restored afterwards; with
    :data:`NATIVE_LOGS_ENV` set to ``1`` nothing is redirected.
    """
    if os.environ.get(NATIVE_LOGS_ENV, "") == "1":
        yield
        return
    with contextlib.suppress(ValueError, OSError):  # a closed or detached sys.stderr
        sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def default_model_path() -> Path:
    """Return the bundled model: in the installed package, else in the checkout's ``models/``.

    A wheel carries the model as ``armcarriage/models/`` (``setup.py`` copies it there at build
    time); an editable install reads it where the repository keeps it.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "models" / DEFAULT_MODEL_NAME
    return packaged if packaged.is_file() else here.parent / "models" / DEFAULT_MODEL_NAME


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
    silhouette: np.ndarray | None = None  # (len(SILHOUETTE_FEATURES),) px, or None

    @property
    def centre(self) -> np.ndarray:
        return _centre_and_torso(self.landmarks)[0]

    @property
    def size(self) -> float:
        pts = self.landmarks[:, :2]
        span = np.nanmax(pts, axis=0) - np.nanmin(pts, axis=0)
        return float(span[0] * span[1])


class MorePeopleInView(Exception):  # noqa: N818 - a signal to re-run, not an error
    """One-person tracking saw more than one person: run again asking for several.

    Parameters
    ----------
    time_s
        Clip time (s) of the frame where the people were counted.
    people
        How many people the count found.

    """

    def __init__(self, time_s: float, people: int) -> None:
        super().__init__(time_s, people)
        self.time_s = time_s
        self.people = people

    def __str__(self) -> str:
        return f"{self.people} people in view at {self.time_s:.2f} s"


class PoseEstimator:
    """A MediaPipe pose landmarker in VIDEO mode, used as a context manager.

    Parameters
    ----------
    config
        ``config.pose`` gives the model path, the number of poses, the
        confidence thresholds and when to look for other people.
    one_person
        Track one pose per frame, looking for other people now and then (see
        :meth:`detect`); :meth:`detect` raises :class:`MorePeopleInView` when it
        sees one. False asks the model for ``pose.num_poses`` poses per frame.

    Examples
    --------
    >>> with PoseEstimator(Config()) as est:            # doctest: +SKIP
    ...     cands = est.detect(frame.image, frame.time, width, height)

    """

    def __init__(self, config: Config | None = None, *, one_person: bool = False) -> None:
        self.config = config or Config()
        self.model_path = resolve_model_path(self.config.pose.model_path or None)
        self.one_person = one_person
        self._landmarker: Any = None
        self._asks = 0
        """Poses the open landmarker was created for (0 = none open)."""
        self._frames = 0
        self._look_until_s = math.inf
        self._look_frames_left = 0
        self._next_look_s = -math.inf
        self._last: tuple[np.ndarray, float] | None = None
        """Torso centre and length of the pose last found, ``_unseen`` frames ago."""
        self._unseen = 0

    @property
    def num_poses(self) -> int:
        """Poses per frame that :meth:`detect` returns at most."""
        return 1 if self.one_person else max(1, self.config.pose.num_poses)

    @property
    def looking(self) -> bool:
        """Whether one-person tracking looks for other people now and then."""
        return self.one_person and self.config.pose.num_poses > 1

    @staticmethod
    def starts_one_person(config: Config) -> bool:
        """Whether a clip is first tracked as one person (see the module notes)."""
        pc = config.pose
        return pc.num_poses <= 1 or pc.track_one_person

    def _create(self, num_poses: int) -> Any:
        mp = mediapipe_tasks()
        pc = self.config.pose
        options = mp.PoseLandmarkerOptions(
            base_options=mp.BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=mp.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=pc.min_detection_confidence,
            min_pose_presence_confidence=pc.min_presence_confidence,
            min_tracking_confidence=pc.min_tracking_confidence,
            output_segmentation_masks=pc.silhouette,
        )
        try:
            with quiet_native_logs():
                return mp.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(
                f"pose model {self.model_path}: MediaPipe could not load it as a pose "
                f"landmarker bundle ({exc})"
            ) from None

    def _use(self, num_poses: int) -> None:
        """Make the open landmarker one asked for ``num_poses`` (one open at a time)."""
        if self._asks != num_poses:
            self._close()
            self._landmarker = self._create(num_poses)
            self._asks = num_poses
            self._frames = 0

    def _close(self) -> None:
        if self._landmarker is not None:
            with quiet_native_logs():
                self._landmarker.close()
            self._landmarker = None
            self._asks = 0

    def __enter__(self) -> PoseEstimator:
        self.restart()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def restart(self) -> None:
        """Start a new run (a chunk of the clip): track afresh, look for people again.

        The landmarker carries the last frame's pose over to the next frame
        whatever their timestamps, so a run that starts elsewhere in the clip
        needs a new one (about 0.1 s to create).
        """
        if self._frames:
            self._close()
        self._look_until_s = math.inf  # set from the run's first frame
        self._next_look_s = -math.inf
        self._look_frames_left = 0
        self._last, self._unseen = None, 0
        self._use(self.num_poses if not self.looking else max(2, self.config.pose.num_poses))

    def _plan(self, time_s: float) -> None:
        """Open the landmarker this frame needs: several poses during a look, else one."""
        pc = self.config.pose
        several = max(2, pc.num_poses)
        if not self.looking:
            self._use(self.num_poses)
        elif self._look_until_s == math.inf or time_s <= self._look_until_s:
            if self._look_until_s == math.inf:  # first frame of the run: watch its start
                self._look_until_s = time_s + pc.people_watch_s
            self._use(several)
        elif self._look_frames_left > 0:
            self._look_frames_left -= 1
        elif self._asks == 1 and pc.people_scan_s > 0 and time_s >= self._next_look_s:
            self._next_look_s = time_s + pc.people_scan_s
            self._look_frames_left = max(1, pc.people_look_frames) - 1
            self._use(several)
        else:
            if self._next_look_s == -math.inf:
                self._next_look_s = time_s + pc.people_scan_s
            self._use(1)

    def detect(self, image: np.ndarray, time_s: float, width: int, height: int) -> list[_Candidate]:
        """Run the model on one upright RGB frame.

        In one-person tracking (``one_person`` and ``pose.num_poses`` > 1), the
        first ``pose.people_watch_s`` seconds of a run, and then
        ``pose.people_look_frames`` frames every ``pose.people_scan_s`` seconds,
        are looked at by a landmarker asked for ``pose.num_poses`` poses; the
        frames between by one asked for one pose, which tracks it and runs the
        person detector only when the track is lost. One landmarker is open at a
        time (each holds about 85 MB), so every switch creates one.

        Parameters
        ----------
        image
            RGB ``uint8`` image (possibly scaled down).
        time_s
            Frame timestamp in seconds (increasing within a run; see :meth:`restart`).
        width, height
            Size of the full-resolution upright frame: landmarks are returned
            in its pixels.

        Returns
        -------
        list
            One candidate per detected person (at most :attr:`num_poses`).

        Raises
        ------
        MorePeopleInView
            In one-person tracking, when a look sees two people more than a torso
            length apart, or the person found is more than a torso length from
            the one of the previous frame (another person, or the tracker moving
            to one).

        """
        mp = mediapipe_tasks()
        self._plan(time_s)
        self._frames += 1
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        with quiet_native_logs():
            result = self._landmarker.detect_for_video(mp_image, self._frames * _FRAME_STEP_MS)
        out = []
        masks = result.segmentation_masks or []
        for i, (pose, world) in enumerate(
            zip(result.pose_landmarks, result.pose_world_landmarks, strict=False)
        ):
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
            sil = (
                silhouette_features(masks[i].numpy_view(), lm, width, height)
                if i < len(masks)
                else empty_features()
            )
            out.append(_Candidate(lm, w, sil))
        if not self.looking:
            return out
        people = _distinct([_centre_and_torso(c.landmarks) for c in out])
        if len(people) > 1:
            raise MorePeopleInView(time_s, len(people))
        self._unseen += 1
        if people:
            if self._last is not None:
                (was, length), (now, _) = self._last, people[0]
                if np.linalg.norm(now - was) > length * (1.0 + 0.5 * (self._unseen - 1)):
                    raise MorePeopleInView(time_s, 2)
            self._last, self._unseen = people[0], 0
        return out[:1]


def _distinct(people: list[tuple[np.ndarray, float]]) -> list[tuple[np.ndarray, float]]:
    """Keep one of each group of poses whose torso centres lie within a torso length.

    The model asked for several poses may report one person twice.
    """
    kept: list[tuple[np.ndarray, float]] = []
    for centre, torso in people:
        if all(np.linalg.norm(centre - c) > max(torso, t) for c, t in kept):
            kept.append((centre, torso))
    return kept


_FRAME_STEP_MS = 1000
"""Model clock step per frame. Tracking one pose, the landmarker smooths the landmarks
over its clock (the smoothing is off when it looks for several): at the clip's own
33 ms per frame the filter's lag put the median wrist error of a synthetic runner at
5.2 px and the elbow's at 4.7 px, against 4.2 and 3.5 px with a step of 0.1 s or more
(4.0 and 2.9 px re-detecting the person in every frame). Tracking itself ignores
the clock."""


_TASK_PACKAGES = (
    "mediapipe",
    "mediapipe.tasks",
    "mediapipe.tasks.python",
    "mediapipe.tasks.python.vision",
)
"""Packages whose initialisers :func:`mediapipe_tasks` skips."""


@functools.cache
def mediapipe_tasks() -> SimpleNamespace:
    """Return the parts of MediaPipe's Tasks API the pose stage uses, imported lean.

    ``import mediapipe`` runs the package initialisers, which import every task:
    audio (sounddevice), the drawing utilities (matplotlib.pyplot), OpenCV: 69 MB
    and 1.1 s in each pose process, for nothing the pose landmarker needs. Its
    modules (and the C library) are loaded with the initialisers of
    :data:`_TASK_PACKAGES` stood in for by empty packages (+4 MB, 0.07 s).
    Afterwards every MediaPipe module is taken out of ``sys.modules`` again (the
    classes returned keep theirs), so a later ``import mediapipe`` anywhere in the
    process runs whole, as usual.
    Where the lean import fails (another MediaPipe layout), the usual one is used.

    Returns
    -------
    types.SimpleNamespace
        ``PoseLandmarker``, ``PoseLandmarkerOptions``, ``BaseOptions``,
        ``RunningMode``, ``Image`` and ``ImageFormat``.

    """
    spec = importlib.util.find_spec("mediapipe")
    if "mediapipe" in sys.modules or spec is None or not spec.submodule_search_locations:
        return _task_parts()
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        for name in _TASK_PACKAGES:
            package = types.ModuleType(name)
            package.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
            sys.modules[name] = package
        return _task_parts()
    except (ImportError, AttributeError) as exc:
        log.debug("lean MediaPipe import failed (%s); importing it whole", exc)
    finally:
        for name in [n for n in sys.modules if n == "mediapipe" or n.startswith("mediapipe.")]:
            del sys.modules[name]
    return _task_parts()  # the usual import: the package initialisers run first


def _task_parts() -> SimpleNamespace:
    from mediapipe.tasks.python.core import mediapipe_c_bindings
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
        VisionTaskRunningMode,
    )
    from mediapipe.tasks.python.vision.pose_landmarker import (
        PoseLandmarker,
        PoseLandmarkerOptions,
    )

    # load the C library now: its first load looks it up as a resource of the package
    # mediapipe.tasks.c, which would import the whole package later on
    mediapipe_c_bindings.load_raw_library()
    return SimpleNamespace(
        PoseLandmarker=PoseLandmarker,
        PoseLandmarkerOptions=PoseLandmarkerOptions,
        BaseOptions=BaseOptions,
        RunningMode=VisionTaskRunningMode,
        Image=Image,
        ImageFormat=ImageFormat,
    )


def _prob(value: float | None) -> float:
    return float("nan") if value is None else float(min(1.0, max(0.0, value)))


class RunnerSelector:
    """Follow one person through the clip among several detections.

    Detections are linked frame to frame into tracklets (Hungarian matching of
    torso centres, gated at one torso length plus the distance allowed by the
    gap; the torso length is the tracklet's median over its last detections, as
    the model now and then returns a collapsed pose whose torso is a few pixels
    long, which must not close the gate). The runner is the most prominent
    tracklet (largest summed extent) or, with ``person_x`` >= 0, the one that
    starts nearest that horizontal position. Tracklets that continue it without
    overlapping in time, and start where it left off, are chained to it. Frames
    where the chosen person is not seen stay empty: another person is never
    substituted.
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
                    gate = self._torso(tr, end=True) * (1.0 + 0.5 * (f - lf - 1))
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

    def _torso(self, tr: list[tuple[int, int]], end: bool) -> float:
        """Median torso length (px) of a tracklet's last (or first) detections."""
        part = tr[-_TORSO_SPAN:] if end else tr[:_TORSO_SPAN]
        return float(np.median([_torso(self.frames[f][c]) for f, c in part]))

    def _prominence(self, tr: list[tuple[int, int]]) -> float:
        return sum(self.frames[f][c].size for f, c in tr)

    def _seed(self, tracklets: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
        if self.person_x >= 0:
            # the people seen in the first half second of the clip (the model may find
            # one of them a frame or two after the other), the nearest to x among them
            x = self.person_x * self.width
            first = min(tr[0][0] for tr in tracklets)
            start = [tr for tr in tracklets if tr[0][0] <= first + max(1, round(0.5 * self.fps))]
            return min(start, key=lambda tr: abs(self.frames[tr[0][0]][tr[0][1]].centre[0] - x))
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
                torso = self._torso(end, end=forward)
                for tr in tracklets:
                    if any(tr is c for c in chain):
                        continue
                    sf, sc = tr[0] if forward else tr[-1]
                    gap = (sf - ef) if forward else (ef - sf)
                    if gap <= 0 or gap > 2 * self.fps:
                        continue
                    d = float(np.linalg.norm(self.frames[sf][sc].centre - e.centre))
                    if d <= torso * (1.0 + 0.5 * gap * 30.0 / self.fps) and d < best_d:
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


_TORSO_SPAN = 15
"""Detections over which a tracklet's torso length is taken (the median)."""


def people_note(num_poses: int, config: Config) -> str:
    """Say how many poses per frame the model was asked for, and why."""
    pc = config.pose
    if num_poses > 1 and pc.track_one_person:
        return f"more than one person was in view: the model looked for {num_poses} per frame"
    if num_poses > 1:
        return f"the model looked for {num_poses} people in every frame"
    if pc.num_poses > 1:
        return (
            f"one person was in view (looked for others every {pc.people_scan_s:g} s): "
            "the model tracked one pose"
        )
    return "the model tracked one pose (pose.num_poses = 1)"


def _torso(c: _Candidate) -> float:
    """Shoulder-mid to hip-mid distance of a detection, in pixels (>= 10)."""
    return _centre_and_torso(c.landmarks)[1]


def _centre_and_torso(landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """Torso centre (px) and shoulder-mid to hip-mid distance (px, >= 10) of one pose."""
    xy = landmarks[_TORSO, :2].astype(float)
    d = float(np.linalg.norm((xy[0] + xy[1]) / 2 - (xy[2] + xy[3]) / 2))
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(xy, axis=0) if np.isfinite(xy).any() else np.full(2, np.nan)
    return centre, d if np.isfinite(d) and d > 10 else 10.0


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

    def run(one_person: bool) -> PoseTrack:
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
        with PoseEstimator(config, one_person=one_person) as estimator:
            return track_from_frames(
                frames, estimator, info, config, progress=progress, stats=stats
            )

    if not PoseEstimator.starts_one_person(config):
        return run(False)
    try:
        return run(True)
    except MorePeopleInView as seen:
        log.info("pose: %s; running again with %d poses per frame", seen, pc.num_poses)
        return run(False)


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
    sil = candidate_silhouettes(picks) if config.pose.silhouette else None
    attrs = {
        "source": info.path,
        "model": estimator.model_path.name,
        "person": f"{selector.describe()}; {people_note(estimator.num_poses, config)}",
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
