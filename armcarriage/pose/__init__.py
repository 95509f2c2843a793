"""Pose estimation: MediaPipe PoseLandmarker (Tasks API, VIDEO mode) over a clip.

The model is a ``.task`` bundle kept in the repository's ``models/`` folder and
shipped in the wheel as package data; nothing is downloaded. :func:`estimate_pose`
streams frames from :func:`armcarriage.video.iter_frames` to the model and follows
one runner.

One person or several
---------------------
Once the runner is found the landmarker tracks one pose from frame to frame
(``pose.track_one_person``), running its person detector only when the track is
lost; a landmarker asked for several poses looks for other people at the start
of each run and chunk and every ``pose.people_scan_s`` seconds (see
:meth:`PoseEstimator.detect`). When it sees one, or the runner square-on (front
or rear, where the tracked crop measures the arms worse), :class:`MorePeopleInView`
is raised and the clip is run again asking for ``pose.num_poses`` poses in every
frame, so the runner is found afresh each time and :class:`RunnerSelector`
follows the runner among the people found.
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
from armcarriage.pose.runner import RunnerSelector, person_note

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
    "person_note",
    "quiet_native_logs",
    "resolve_model_path",
    "track_from_frames",
]
