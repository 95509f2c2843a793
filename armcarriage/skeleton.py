"""Keypoint names, left/right pairs and the bones drawn between them.

The names follow the 33 landmarks of MediaPipe's BlazePose model, in the model's
own order, so that index ``i`` of a pose-model output is ``KEYPOINTS[i]``.
"""

from __future__ import annotations

KEYPOINTS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
"""The 33 BlazePose landmarks, in model output order."""

KEYPOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(KEYPOINTS)}

SIDES: tuple[str, str] = ("left", "right")


def mirror_name(name: str) -> str:
    """Return the name of the keypoint on the other side of the body.

    Parameters
    ----------
    name
        A keypoint name such as ``"left_wrist"`` or ``"mouth_left"``.

    Returns
    -------
    str
        The opposite-side name, or ``name`` itself for a midline point.

    """
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    if name.endswith("_left"):
        return name[:-5] + "_right"
    if name.endswith("_right"):
        return name[:-6] + "_left"
    return name


LR_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (name, mirror_name(name))
    for name in KEYPOINTS
    if (name.startswith("left_") or name.endswith("_left"))
)
"""(left, right) keypoint pairs, used for swap repair and mirroring."""

MIRROR_INDEX: tuple[int, ...] = tuple(KEYPOINT_INDEX[mirror_name(n)] for n in KEYPOINTS)
"""For each keypoint index, the index of its mirror partner."""

BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("left_ear", "left_eye"),
    ("right_ear", "right_eye"),
    ("left_eye", "nose"),
    ("right_eye", "nose"),
)
"""Segments drawn for a skeleton overlay."""

ARM_KEYPOINTS: dict[str, tuple[str, str, str]] = {
    side: (f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist") for side in SIDES
}
"""Shoulder, elbow and wrist names per side."""

HIP_TO_SHOULDER_WIDTH = 0.6
"""Typical hip width over shoulder width: the view ratio counts the hips' width scaled by it."""
