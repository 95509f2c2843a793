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
track is lost: faster, but less accurate (see the setting and
``benchmarks/results/accuracy_track_one_person.md``). A landmarker asked for
several poses then looks for other people at the start of each run and chunk
and every ``pose.people_scan_s`` seconds (see :meth:`PoseEstimator.detect`);
when it sees one, :class:`MorePeopleInView` is raised and the clip is run again
the default way.
"""

from __future__ import annotations

from armcarriage.pose.candidate import _Candidate as _Candidate
from armcarriage.pose.candidate import _centre_and_torso as _centre_and_torso
from armcarriage.pose.estimator import MorePeopleInView, PoseEstimator
from armcarriage.pose.model import (
    DEFAULT_MODEL_NAME,
    MODEL_ENV,
    NATIVE_LOGS_ENV,
    default_model_path,
    mediapipe_tasks,
    quiet_native_logs,
    resolve_model_path,
)
from armcarriage.pose.run import (
    candidate_silhouettes,
    estimate_pose,
    expected_frames,
    track_from_frames,
)
from armcarriage.pose.runner import RunnerSelector, people_note

__all__ = [
    "DEFAULT_MODEL_NAME",
    "MODEL_ENV",
    "NATIVE_LOGS_ENV",
    "MorePeopleInView",
    "PoseEstimator",
    "RunnerSelector",
    "candidate_silhouettes",
    "default_model_path",
    "estimate_pose",
    "expected_frames",
    "mediapipe_tasks",
    "people_note",
    "quiet_native_logs",
    "resolve_model_path",
    "track_from_frames",
]
