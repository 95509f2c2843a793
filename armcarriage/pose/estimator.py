"""The landmarker over a run of frames: every person found, with world points and silhouettes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.errors import ModelNotFoundError
from armcarriage.memory import release_free_memory
from armcarriage.pose.candidate import _Candidate, _centre_and_torso
from armcarriage.pose.model import mediapipe_tasks, quiet_native_logs, resolve_model_path
from armcarriage.pose.sizing import RunnerSizer, body_height
from armcarriage.silhouette import empty_features, silhouette_features
from armcarriage.skeleton import HIP_TO_SHOULDER_WIDTH, KEYPOINT_INDEX


class MorePeopleInView(Exception):  # noqa: N818 - a signal to re-run, not an error
    """One-person tracking is not for this clip: run again asking for several poses.

    It saw more than one person, or (``frontal_ratio`` given) the runner square-on,
    where the tracked crop measures the arms worse (``pose.track_frontal``).

    Parameters
    ----------
    time_s
        Clip time (s) of the frame where the people were counted.
    people
        How many people the count found.

    """

    def __init__(self, time_s: float, people: int, frontal_ratio: float = float("nan")) -> None:
        super().__init__(time_s, people, frontal_ratio)
        self.time_s = time_s
        self.people = people
        self.frontal_ratio = frontal_ratio
        """Shoulder (and hip) width over torso length when the signal is a square-on view."""

    @property
    def frontal(self) -> bool:
        """Whether the runner was seen square-on rather than beside someone else."""
        return math.isfinite(self.frontal_ratio)

    def __str__(self) -> str:
        if self.frontal:
            return (
                f"the runner is seen square-on (width {self.frontal_ratio:.2f} torso lengths "
                f"in the first {self.time_s:.2f} s)"
            )
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
        self._widths: list[float] = []
        """Width ratios of the runner in the run's first look (see :func:`width_ratio`)."""
        self._last: tuple[np.ndarray, float] | None = None
        """Torso centre and length of the pose last found, ``_unseen`` frames ago."""
        self._unseen = 0
        self._sizer = RunnerSizer(self.config.pose)

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
        """Make the open landmarker one asked for ``num_poses`` (one open at a time).

        The closed landmarker's memory is handed back before the next is created:
        left to the allocator, each switch kept a few MB more mapped.
        """
        if self._asks != num_poses:
            if self._landmarker is not None:
                self._close()
                release_free_memory(collect=False)
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
        needs a new one.
        """
        if self._frames:
            self._close()
        self._look_until_s = math.inf  # set from the run's first frame
        self._next_look_s = -math.inf
        self._look_frames_left = 0
        self._last, self._unseen = None, 0
        self._widths = []
        self._sizer = RunnerSizer(self.config.pose)
        self._use(self.num_poses if not self.looking else max(2, self.config.pose.num_poses))

    def _plan(self, time_s: float) -> None:
        """Open the landmarker this frame needs: several poses during a look, else one."""
        pc = self.config.pose
        several = max(2, pc.num_poses)
        if self._widths and time_s > self._look_until_s:
            self._check_view(time_s)
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

    def _check_view(self, time_s: float) -> None:
        """After the run's first look: raise :class:`MorePeopleInView` for a square-on runner."""
        ratio, self._widths = float(np.median(self._widths)), []  # finite ones only
        if not self.config.pose.track_frontal and ratio >= self.config.view.frontal_ratio:
            raise MorePeopleInView(time_s, 1, frontal_ratio=ratio)

    @property
    def side(self) -> int:
        """Longest side (px) of the frames this run wants now (:mod:`armcarriage.pose.sizing`)."""
        return self._sizer.side

    def detect(self, image: np.ndarray, time_s: float, width: int, height: int) -> list[_Candidate]:
        """Run the model on one upright RGB frame.

        In one-person tracking (``one_person`` and ``pose.num_poses`` > 1), the
        first ``pose.people_watch_s`` seconds of a run, and then
        ``pose.people_look_frames`` frames every ``pose.people_scan_s`` seconds,
        are looked at by a landmarker asked for ``pose.num_poses`` poses; the
        frames between by one asked for one pose, which tracks it and runs the
        person detector only when the track is lost. One landmarker is open at a
        time (each holds about 85 MB at 1080p), so every switch creates one.

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
        self._sizer.add([body_height(c.landmarks) for c in out], time_s, width, height)
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
            ratio = width_ratio(out[0].landmarks)
            if self._asks > 1 and time_s <= self._look_until_s and np.isfinite(ratio):
                self._widths.append(ratio)
        return out[:1]


def width_ratio(landmarks: np.ndarray) -> float:
    """Shoulder and hip width across the image over the torso length (``view`` module's ratio).

    About 0.55 square-on, under 0.28 from the side (``view.side_ratio``,
    ``view.frontal_ratio``); the hips count with their width scaled to the shoulders'.
    """
    xy = landmarks[:, :2]
    ls, rs, lh, rh = (xy[KEYPOINT_INDEX[k]] for k in _TORSO_NAMES)
    torso = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
    if not np.isfinite(torso) or torso <= 0:
        return float("nan")
    return float(0.5 * (abs(ls[0] - rs[0]) + abs(lh[0] - rh[0]) / HIP_TO_SHOULDER_WIDTH) / torso)


_TORSO_NAMES = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def _distinct(people: list[tuple[np.ndarray, float]]) -> list[tuple[np.ndarray, float]]:
    """Keep one of each group of poses whose torso centres lie within a torso length.

    The model asked for several poses may report one person twice.
    """
    kept: list[tuple[np.ndarray, float]] = []
    for centre, torso in people:
        if all(np.linalg.norm(centre - c) > max(torso, t) for c, t in kept):
            kept.append((centre, torso))
    return kept


_FRAME_STEP_MS = 1_000_000
"""Model clock step per frame. Tracking one pose, the landmarker smooths the landmarks
with a One-Euro filter over its clock (the smoothing is off when it looks for several),
whose weight on the new frame is 1 / (1 + tau / dt) with tau about 3 s for a landmark at
rest: at the clip's own frame time the filter lags at the turns of the swing, at a step
of 1000 s it keeps 99.7 % of each new frame (README, *Figures behind the defaults*).
Tracking itself ignores the clock."""


def _prob(value: float | None) -> float:
    return float("nan") if value is None else float(min(1.0, max(0.0, value)))
