"""Ground truth of a synthetic clip: the exact pose track, foot events and metrics.

Truth landmarks are where a video model sees them, not anatomical joint
centres: MediaPipe's ``shoulder`` is on top of the shoulder, so the truth
shoulder sits :data:`~armcarriage_eval.synthetic.gait.SHOULDER_LANDMARK_UP_M` above
the joint centre along the trunk; the ``hip`` landmarks sit a little above
and outside the hip-joint centres; face points lie on the head's surface;
``foot_index`` is the toe tip and ``heel`` the back of the heel. Elbows,
wrists, knees and ankles are the joint centres. All metric truth is computed
from these landmarks with the analyzer's own per-frame definitions, so a
perfect pose model would reproduce it exactly.
"""

from __future__ import annotations

import numpy as np
from armcarriage_eval.camera import Camera
from armcarriage_eval.synthetic.gait import Kinematics

from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.track import PoseTrack


def truth_track(
    kin: Kinematics, camera: Camera, fps: float, *, source: str = "", view: str = ""
) -> PoseTrack:
    """Project the truth landmarks through the camera into a :class:`PoseTrack`.

    Parameters
    ----------
    kin
        The simulated runner.
    camera
        The clip's camera.
    fps
        Frame rate of the clip.
    source
        File name recorded in the track's attributes.
    view
        The clip's view label, recorded as attribute ``view``.

    Returns
    -------
    PoseTrack
        Pixel positions of the 33 landmarks, MediaPipe-style relative depth
        (px, hip-midpoint origin, smaller = nearer), visibility 1, and world
        landmarks in metres (hip-midpoint origin, camera axes: x right, y down,
        z away from the camera), like the model's world output.

    """
    lm = kin.landmarks
    uv, z = camera.project(lm)
    hips = (lm[:, KEYPOINT_INDEX["left_hip"]] + lm[:, KEYPOINT_INDEX["right_hip"]]) / 2
    cam_pts = camera.to_camera(lm)
    cam_hip = camera.to_camera(hips)
    world = cam_pts - cam_hip[:, None, :]
    z_hip = cam_hip[:, 2:3]
    depth = (z - z_hip) * camera.focal_px / z_hip
    n = len(kin.time)
    frame = np.rint(kin.time * fps).astype(np.int64)
    return PoseTrack.from_arrays(
        kin.time,
        uv,
        fps=fps,
        width=camera.width,
        height=camera.height,
        keypoints=KEYPOINTS,
        visibility=np.ones((n, len(KEYPOINTS))),
        depth=depth,
        world=world,
        frame=frame,
        attrs={
            "source": source,
            "model": "synthetic-truth",
            "person": "synthetic runner",
            "view": view,
            "depth": "exact",
        },
    )


ERROR_JOINTS = ("shoulder", "elbow", "wrist", "hip")


def landmark_errors(
    track: PoseTrack, truth: PoseTrack, joints: tuple[str, ...] = ERROR_JOINTS
) -> dict[str, dict[str, float]]:
    """Pixel error of a pose model's landmarks against the truth, per joint (both sides).

    Frames are matched by ``frame`` number; frames without a pose are left out.

    Returns
    -------
    dict
        ``{joint: {"median": px, "p95": px, "dx": median signed x error,
        "dy": median signed y error (+ = model lower), "n": samples}}``.

    """
    f_model = np.asarray(track.ds["frame"].values)
    f_truth = {int(f): i for i, f in enumerate(np.asarray(truth.ds["frame"].values))}
    pairs = [(i, f_truth[int(f)]) for i, f in enumerate(f_model) if int(f) in f_truth]
    mi = np.array([p[0] for p in pairs], dtype=int)
    ti = np.array([p[1] for p in pairs], dtype=int)
    out: dict[str, dict[str, float]] = {}
    for joint in joints:
        diffs = []
        for side in ("left", "right"):
            name = f"{side}_{joint}"
            diffs.append(track.xy(name)[mi] - truth.xy(name)[ti])
        d = np.concatenate(diffs)
        d = d[np.isfinite(d).all(axis=1)]
        err = np.linalg.norm(d, axis=1)
        out[joint] = {
            "median": float(np.median(err)) if err.size else float("nan"),
            "p95": float(np.percentile(err, 95)) if err.size else float("nan"),
            "dx": float(np.median(d[:, 0])) if err.size else float("nan"),
            "dy": float(np.median(d[:, 1])) if err.size else float("nan"),
            "n": int(err.size),
        }
    return out


__all__ = ["ERROR_JOINTS", "landmark_errors", "truth_track"]
