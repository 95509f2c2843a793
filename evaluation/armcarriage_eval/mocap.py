"""Motion-capture ground truth: BVH files turned into exact pose tracks.

A running trial in BVH (Biovision hierarchy, text) is read, posed by forward
kinematics, mapped onto the BlazePose keypoints of :mod:`armcarriage.skeleton`,
placed in the world frame of :mod:`armcarriage_eval.camera` and projected through a
virtual camera into a :class:`~armcarriage.track.PoseTrack` with no error at
all. The same 3D data give the truth the analysis is checked against: foot
strikes and toe-offs, cadence and the 3D elbow angle per frame.

Conventions
-----------
BVH files
    Centimetres, ``Y`` up. Each joint's channels are read from the header in
    the order given (the shared files have six per joint: ``Xposition
    Yposition Zposition Zrotation Xrotation Yrotation``). Position channels
    replace the joint's ``OFFSET``; rotation channels compose as intrinsic
    Euler angles in the listed order, so ``global = parent_global @
    translate(position) @ Rz @ Rx @ Ry``.
World frame
    Metres, ``x`` forward (running direction), ``y`` to the runner's left,
    ``z`` up (as in :mod:`armcarriage_eval.camera`). The running direction is the
    horizontal direction of the least-squares line through the pelvis path;
    the origin is the floor point under the middle of that path, so a fixed
    camera aimed at ``(0, 0)`` sees the middle of the run. The floor is BVH
    ``Y = 0``.
Keypoint mapping
    shoulder = ``UpperArm`` origin, elbow = ``LowerArm``, wrist = ``Hand``,
    hip = ``UpperLeg``, knee = ``LowerLeg``, ankle = ``Foot``, foot_index =
    ``Toes`` (the toe joint; the files carry no toe tip). The heel and the face
    points are estimated, see :func:`heel_points` and :func:`head_points`.
    Fingers (pinky, index, thumb) have no joints and are NaN.
Track ``world``
    The track contract wants MediaPipe-like world landmarks: metres,
    hip-centred, axes of the camera (``x`` image right, ``y`` down, ``z`` away
    from the camera). :func:`project_trial` fills them with the true 3D points
    in that frame; :attr:`MocapTrial.keypoints` holds them in the world frame.

The mocap files of the project's shared data come from the Bandai Namco
Research motion dataset (CC BY-NC 4.0); they are read from disk and never
shipped with the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from armcarriage_eval.camera import Camera, view_camera
from scipy.spatial.transform import Rotation

from armcarriage.errors import InputError
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS, SIDES
from armcarriage.track import PoseTrack

_POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")
_ROTATION_AXES = {"Xrotation": "X", "Yrotation": "Y", "Zrotation": "Z"}

JOINT_MAP: dict[str, str] = {
    f"{side}_{part}": f"{joint}_{side[0].upper()}"
    for side in SIDES
    for part, joint in (
        ("shoulder", "UpperArm"),
        ("elbow", "LowerArm"),
        ("wrist", "Hand"),
        ("hip", "UpperLeg"),
        ("knee", "LowerLeg"),
        ("ankle", "Foot"),
        ("foot_index", "Toes"),
    )
}
"""BlazePose keypoint -> BVH joint, for the keypoints that are joint centres."""

HEAD_OFFSETS: dict[str, tuple[float, float, float]] = {
    "nose": (0.55, 0.0, 0.30),
    "left_eye_inner": (0.47, 0.06, 0.42),
    "left_eye": (0.45, 0.12, 0.42),
    "left_eye_outer": (0.42, 0.18, 0.42),
    "left_ear": (0.0, 0.30, 0.30),
    "mouth_left": (0.50, 0.08, 0.10),
}
"""Face points relative to the ``Head`` joint, in the head's own (forward,
left, up) axes, as multiples of the runner's shoulder width (distance between
the shoulder joint centres). Right-side points mirror the left ones. These are
rough anthropometric placements: they move rigidly with the head, which is what
shrug and view checks need, but their absolute position is approximate."""


# --------------------------------------------------------------------- BVH
@dataclass(frozen=True)
class MocapConfig:
    """Ground truth from motion capture ."""

    contact_height_m: float = 0.01
    """A foot is on the ground while its heel or toe point is within this height of the
    point's own ground level (its 5th-percentile height over the trial), metres: the
    smallest margin safely above the +-0.5 cm jitter of a planted foot. Touchdown
    times from 0.5-1.5 cm differ by less than 0.5 frame on the running files."""
    contact_vz_m_s: float = 0.4
    """A low run of frames is a contact only if the foot also stops: vertical speed
    below this (m/s) in at least one of its frames."""
    min_contact_frames: int = 2
    """Contact runs shorter than this (frames) are ignored."""
    min_gap_frames: int = 2
    """Gaps in contact shorter than this (frames) are closed."""


@dataclass(frozen=True)
class BvhMotion:
    """The raw content of a BVH file.

    Attributes
    ----------
    joints
        Joint names in file order.
    parents
        Index of each joint's parent, -1 for the root.
    offsets
        ``OFFSET`` of each joint (file units), shape (J, 3).
    channels
        Channel names of each joint, in file order.
    frame_time
        Seconds per frame.
    values
        Channel values, shape (T, total channels).
    source
        File name.

    """

    joints: tuple[str, ...]
    parents: tuple[int, ...]
    offsets: np.ndarray
    channels: tuple[tuple[str, ...], ...]
    frame_time: float
    values: np.ndarray
    source: str = ""

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.values.shape[0])

    @property
    def fps(self) -> float:
        """Frame rate (rounded to 1/1000; files store 0.0333333 for 30 fps)."""
        return round(1.0 / self.frame_time, 3)


def read_bvh(path: str | Path) -> BvhMotion:
    """Read a BVH motion file.

    Parameters
    ----------
    path
        A text BVH file (``HIERARCHY`` then ``MOTION``).

    Returns
    -------
    BvhMotion

    Raises
    ------
    InputError
        If the file is missing or does not follow the BVH layout; the message
        names the file and what was expected.

    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"BVH file {path}: not found") from None
    head, sep, motion = text.partition("MOTION")
    if not sep or "HIERARCHY" not in head:
        raise InputError(f"BVH file {path}: expected a HIERARCHY and a MOTION section")
    joints, parents, offsets, channels = _parse_hierarchy(head.split(), path)
    lines = [ln for ln in motion.strip().splitlines() if ln.strip()]
    try:
        n_frames = int(lines[0].split(":")[1])
        frame_time = float(lines[1].split(":")[1])
        values = np.array([[float(x) for x in ln.split()] for ln in lines[2:]], dtype=float)
    except (IndexError, ValueError) as exc:
        raise InputError(
            f"BVH file {path}: expected 'Frames:', 'Frame Time:' and numeric frame lines ({exc})"
        ) from None
    n_channels = sum(len(c) for c in channels)
    if values.shape != (n_frames, n_channels):
        raise InputError(
            f"BVH file {path}: expected {n_frames} frames x {n_channels} channels, "
            f"got {values.shape[0]} x {values.shape[1] if values.ndim == 2 else '?'}"
        )
    if frame_time <= 0:
        raise InputError(f"BVH file {path}: expected a positive Frame Time, got {frame_time}")
    return BvhMotion(
        joints=tuple(joints),
        parents=tuple(parents),
        offsets=np.asarray(offsets, dtype=float),
        channels=tuple(tuple(c) for c in channels),
        frame_time=frame_time,
        values=values,
        source=path.name,
    )


def _parse_hierarchy(
    tokens: list[str], path: Path
) -> tuple[list[str], list[int], list[list[float]], list[list[str]]]:
    """Walk the HIERARCHY tokens; End Sites are skipped."""
    joints: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    stack: list[int | None] = []
    current: int | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("ROOT", "JOINT"):
            joints.append(tokens[i + 1])
            parent = next((s for s in reversed(stack) if s is not None), -1) if stack else -1
            parents.append(parent)
            offsets.append([0.0, 0.0, 0.0])
            channels.append([])
            current = len(joints) - 1
            i += 2
        elif tok == "End":
            current = None
            i += 2
        elif tok == "{":
            stack.append(current)
            i += 1
        elif tok == "}":
            if not stack:
                raise InputError(f"BVH file {path}: unbalanced braces in HIERARCHY")
            stack.pop()
            i += 1
        elif tok == "OFFSET":
            if current is not None:
                offsets[current] = [float(x) for x in tokens[i + 1 : i + 4]]
            i += 4
        elif tok == "CHANNELS":
            n = int(tokens[i + 1])
            if current is None:
                raise InputError(f"BVH file {path}: CHANNELS outside a joint")
            channels[current] = tokens[i + 2 : i + 2 + n]
            i += 2 + n
        else:
            i += 1
    if not joints:
        raise InputError(f"BVH file {path}: expected at least one ROOT joint, found none")
    return joints, parents, offsets, channels


def forward_kinematics(motion: BvhMotion) -> tuple[np.ndarray, list[Rotation]]:
    """Global joint centres and orientations of every frame.

    Parameters
    ----------
    motion
        A parsed BVH file.

    Returns
    -------
    positions : numpy.ndarray
        Joint centres in file units and axes, shape (T, J, 3).
    rotations : list of scipy.spatial.transform.Rotation
        Per joint, its global orientation over the T frames.

    """
    n_t, n_j = motion.n_frames, len(motion.joints)
    positions = np.zeros((n_t, n_j, 3))
    rotations: list[Rotation] = []
    col = 0
    for j in range(n_j):
        names = motion.channels[j]
        block = motion.values[:, col : col + len(names)]
        col += len(names)
        local_t = np.tile(motion.offsets[j], (n_t, 1))
        for axis, ch in enumerate(_POSITION_CHANNELS):
            if ch in names:
                local_t[:, axis] = block[:, names.index(ch)]
        rot_names = [c for c in names if c in _ROTATION_AXES]
        if rot_names:
            order = "".join(_ROTATION_AXES[c] for c in rot_names)  # upper case = intrinsic
            angles = np.stack([block[:, names.index(c)] for c in rot_names], axis=1)
            local_r = Rotation.from_euler(order, angles, degrees=True)
        else:
            local_r = Rotation.identity(n_t)
        parent = motion.parents[j]
        if parent < 0:
            positions[:, j] = local_t
            rotations.append(local_r)
        else:
            positions[:, j] = positions[:, parent] + rotations[parent].apply(local_t)
            rotations.append(rotations[parent] * local_r)
    return positions, rotations


# ------------------------------------------------------------- the trial
@dataclass(frozen=True)
class MocapTrial:
    """A mocap trial in the world frame, with BlazePose keypoints.

    Attributes
    ----------
    name
        File name.
    fps
        Frame rate.
    joints
        BVH joint names.
    joint_positions
        Joint centres in the world frame (m), shape (T, J, 3).
    keypoints
        The 33 BlazePose keypoints in the world frame (m), shape (T, 33, 3);
        NaN for keypoints without a counterpart.
    speed
        Mean horizontal pelvis speed (m/s).

    """

    name: str
    fps: float
    joints: tuple[str, ...]
    joint_positions: np.ndarray
    keypoints: np.ndarray
    speed: float

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.keypoints.shape[0])

    @property
    def time(self) -> np.ndarray:
        """Frame times (s), ``frame / fps``."""
        return np.arange(self.n_frames) / self.fps

    def joint(self, name: str) -> np.ndarray:
        """World position of one BVH joint, shape (T, 3)."""
        return self.joint_positions[:, self.joints.index(name)]

    def point(self, name: str) -> np.ndarray:
        """World position of one keypoint, shape (T, 3)."""
        return self.keypoints[:, KEYPOINT_INDEX[name]]

    def pelvis(self) -> np.ndarray:
        """Midpoint of the two hip keypoints, shape (T, 3)."""
        return 0.5 * (self.point("left_hip") + self.point("right_hip"))


def load_trial(path: str | Path, *, units_per_metre: float = 100.0) -> MocapTrial:
    """Read a BVH file and build the world-frame trial.

    Parameters
    ----------
    path
        BVH file with the joint names of the project's mocap data
        (``Hips``, ``UpperArm_L``, ``Foot_R``...).
    units_per_metre
        File units per metre (100 for centimetres).

    Returns
    -------
    MocapTrial

    Raises
    ------
    InputError
        If the file cannot be read or lacks a joint the mapping needs.

    """
    motion = read_bvh(path)
    needed = {*JOINT_MAP.values(), "Hips", "Head"}
    missing = sorted(needed - set(motion.joints))
    if missing:
        raise InputError(f"BVH file {path}: expected joints {sorted(needed)}, missing {missing}")
    positions, rotations = forward_kinematics(motion)
    hips = positions[:, motion.joints.index("Hips")]
    basis, origin = _world_basis(hips)
    world = (positions - origin) @ basis.T / units_per_metre
    world_rot = [Rotation.from_matrix(basis) * r for r in rotations]
    kp = _keypoints(motion.joints, world, world_rot)
    step = np.diff(world[:, motion.joints.index("Hips"), :2], axis=0)
    speed = float(np.linalg.norm(step, axis=1).sum() / ((motion.n_frames - 1) / motion.fps))
    return MocapTrial(
        name=motion.source,
        fps=motion.fps,
        joints=motion.joints,
        joint_positions=world,
        keypoints=kp,
        speed=speed,
    )


def _world_basis(hips: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows x (forward), y (left), z (up) in BVH axes, and the origin (BVH units).

    Forward is the horizontal direction of the least-squares line through the
    pelvis path (BVH ``X``/``Z`` plane), signed by the direction of travel.
    """
    horiz = hips[:, [0, 2]]
    centred = horiz - horiz.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    direction = vt[0]
    if np.dot(horiz[-1] - horiz[0], direction) < 0:
        direction = -direction
    fwd = np.array([direction[0], 0.0, direction[1]])
    up = np.array([0.0, 1.0, 0.0])
    left = np.cross(up, fwd)
    basis = np.stack([fwd, left, up])
    mid = horiz.mean(axis=0)
    origin = np.array([mid[0], 0.0, mid[1]])
    return basis, origin


def _keypoints(joints: Sequence[str], world: np.ndarray, rotations: list[Rotation]) -> np.ndarray:
    """Map world joint centres onto the 33 BlazePose keypoints."""
    kp = np.full((world.shape[0], len(KEYPOINTS), 3), np.nan)
    for name, joint in JOINT_MAP.items():
        kp[:, KEYPOINT_INDEX[name]] = world[:, list(joints).index(joint)]
    for side in SIDES:
        s = side[0].upper()
        foot = list(joints).index(f"Foot_{s}")
        kp[:, KEYPOINT_INDEX[f"{side}_heel"]] = heel_points(
            world[:, foot], kp[:, KEYPOINT_INDEX[f"{side}_foot_index"]], rotations[foot]
        )
    shoulder_width = float(
        np.median(
            np.linalg.norm(
                kp[:, KEYPOINT_INDEX["left_shoulder"]] - kp[:, KEYPOINT_INDEX["right_shoulder"]],
                axis=1,
            )
        )
    )
    head = list(joints).index("Head")
    for name, point in head_points(world[:, head], rotations[head], shoulder_width).items():
        kp[:, KEYPOINT_INDEX[name]] = point
    return kp


def _local_axis(rot: Rotation, world_dir: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean of a world direction seen in a segment's own axes (unit vector)."""
    local = rot.inv().apply(np.tile(world_dir, (len(rot), 1)))
    if mask is not None and mask.any():
        local = local[mask]
    mean = local.mean(axis=0)
    return np.asarray(mean / np.linalg.norm(mean))


def heel_points(
    ankle: np.ndarray, toe: np.ndarray, foot_rot: Rotation, back_fraction: float = 0.45
) -> np.ndarray:
    """Estimate the heel from the foot segment's geometry.

    The files have no heel marker. The foot is the rigid segment from the
    ankle (``Foot``) to the toe joint (``Toes``). Its sole direction is found
    once per trial: the world "up" seen in the foot's own axes, averaged over
    the frames where the foot lies flat (ankle and toe both within 1.5 cm of
    their lowest height). In the foot's axes the heel is then placed

    * at the toe joint's depth below the ankle along the sole normal, so heel
      and toe joint sit at the same height when the foot is flat, and
    * behind the ankle, along the sole, by ``back_fraction`` times the
      ankle-to-toe distance measured along the sole.

    Parameters
    ----------
    ankle, toe
        World positions (m), shape (T, 3).
    foot_rot
        Global orientation of the foot segment over the frames.
    back_fraction
        Heel distance behind the ankle over the ankle-to-toe distance along the sole.

    Returns
    -------
    numpy.ndarray
        Heel positions (m), shape (T, 3).

    """
    flat = (ankle[:, 2] < ankle[:, 2].min() + 0.015) & (toe[:, 2] < toe[:, 2].min() + 0.015)
    up = _local_axis(foot_rot, np.array([0.0, 0.0, 1.0]), flat)
    toe_local = foot_rot.inv().apply(toe - ankle).mean(axis=0)  # constant: one rigid segment
    drop = float(np.dot(toe_local, up))  # negative: toe joint below ankle
    along = toe_local - drop * up
    heel_local = drop * up - back_fraction * along
    return np.asarray(ankle + foot_rot.apply(np.tile(heel_local, (len(foot_rot), 1))))


def head_points(
    head: np.ndarray, head_rot: Rotation, shoulder_width: float
) -> dict[str, np.ndarray]:
    """Approximate face keypoints carried rigidly by the ``Head`` joint.

    The head's own forward and up axes are the world running direction and
    world up, averaged over the trial in the head's axes (the runner looks
    ahead on average); the offsets of :data:`HEAD_OFFSETS` are then applied in
    those axes, scaled by the shoulder width.

    Parameters
    ----------
    head
        World position of the ``Head`` joint (m), shape (T, 3).
    head_rot
        Global orientation of the head over the frames.
    shoulder_width
        Median distance between the shoulder joint centres (m).

    Returns
    -------
    dict
        Keypoint name -> positions (m), shape (T, 3).

    """
    up = _local_axis(head_rot, np.array([0.0, 0.0, 1.0]))
    fwd = _local_axis(head_rot, np.array([1.0, 0.0, 0.0]))
    fwd = fwd - np.dot(fwd, up) * up
    fwd /= np.linalg.norm(fwd)
    left = np.cross(up, fwd)
    axes = np.stack([fwd, left, up])
    out: dict[str, np.ndarray] = {}
    for name, (f, lt, u) in HEAD_OFFSETS.items():
        for mirror in (False, True):
            key = name if not mirror else name.replace("left", "right")
            if mirror and key == name:
                continue
            local = shoulder_width * np.array([f, -lt if mirror else lt, u]) @ axes
            out[key] = head + head_rot.apply(np.tile(local, (len(head_rot), 1)))
    return out


# ---------------------------------------------------------------- cameras
def trial_cameras(
    trial: MocapTrial,
    view: str,
    *,
    follow: bool = True,
    width: int = 1280,
    height: int = 720,
    distance: float | None = None,
    camera_height: float = 1.0,
    margin: float = 0.1,
) -> list[Camera]:
    """Cameras that keep the runner in frame, one per frame of the trial.

    Parameters
    ----------
    trial
        The trial to film.
    view
        ``side_left``, ``side_right``, ``front``, ``rear`` or ``oblique`` (see
        :func:`armcarriage_eval.camera.view_camera`).
    follow
        True: the camera moves along ``x`` with a smooth fit of the pelvis
        path (a cubic in time: the runners of the shared files speed up during
        the capture), like a camera beside a treadmill; the runner's own
        fore-aft oscillation within each step stays visible.
        False: one fixed camera for the whole trial, aimed at the middle of
        the run; the runner crosses the frame (side) or approaches and recedes
        (front/rear).
    width, height
        Image size in pixels.
    distance
        Horizontal camera distance (m). Default: 4 m when following; when
        fixed, far enough to see the whole run (side and oblique) or 3 m
        beyond the nearest pelvis position (front and rear).
    camera_height
        Height of the camera and of its aim point (m): a level camera.
    margin
        Fraction of the half-image kept free at the edges. The focal length is
        the largest that keeps every keypoint of every frame inside.

    Returns
    -------
    list of Camera
        One camera per frame (all equal when ``follow`` is False).

    """
    pelvis = trial.pelvis()
    t = trial.time
    travel = np.polyval(np.polyfit(t, pelvis[:, 0], 3), t)
    mid_y = float(np.mean(pelvis[:, 1]))
    half_run = float(np.max(np.abs(pelvis[:, 0]))) + 0.8
    if distance is None:
        if follow:
            distance = 4.0
        elif view in ("front", "rear"):
            distance = half_run + 3.0
        else:
            distance = 1.5 * half_run / (np.sqrt(0.5) if view == "oblique" else 1.0) + 3.0
    centres = travel if follow else np.zeros_like(travel)

    def place(cx: float, focal: float) -> Camera:
        return view_camera(
            view,
            distance=distance,
            height=camera_height,
            target_height=camera_height,
            focal_px=focal,
            width=width,
            height_px=height,
            center=(cx, mid_y),
        )

    cams = [place(float(c), 1.0) for c in centres]
    focal = _fit_focal(cams, trial.keypoints, width, height, margin)
    return [place(float(c), focal) for c in centres]


def _fit_focal(
    cams: Sequence[Camera], points: np.ndarray, width: int, height: int, margin: float
) -> float:
    """Largest focal length (px) that keeps all finite points inside the image."""
    ratios_u, ratios_v = [], []
    for cam, pts in zip(cams, points, strict=True):
        pc = cam.to_camera(pts[np.isfinite(pts).all(axis=1)])
        if (pc[:, 2] <= 0.1).any():
            raise ValueError(
                f"camera at {cam.position} sees a keypoint behind or at it; "
                "expected the runner in front of the camera, use a larger distance"
            )
        ratios_u.append(np.max(np.abs(pc[:, 0] / pc[:, 2])))
        ratios_v.append(np.max(np.abs(pc[:, 1] / pc[:, 2])))
    keep = 1.0 - margin
    return float(min(keep * width / 2 / max(ratios_u), keep * height / 2 / max(ratios_v)))


def project_trial(
    trial: MocapTrial,
    view: str,
    *,
    follow: bool = True,
    width: int = 1280,
    height: int = 720,
    cameras: Sequence[Camera] | None = None,
) -> PoseTrack:
    """Film a trial with a virtual camera: an exact pose track.

    Parameters
    ----------
    trial
        The trial.
    view
        Camera view label (see :func:`trial_cameras`).
    follow
        Follow the runner (True) or keep one fixed camera (False).
    width, height
        Image size in pixels.
    cameras
        One camera per frame; overrides ``view``/``follow``/``width``/``height``
        placement (the image size is taken from the first camera).

    Returns
    -------
    PoseTrack
        ``position`` exact pixels; ``visibility`` 1 for mapped keypoints and 0
        for the unmapped (NaN) ones; ``depth`` the camera-axis distance
        relative to the pelvis in pixels at the pelvis's scale; ``world`` the
        true 3D in metres, pelvis-centred, in camera axes (x right, y down,
        z away). Attributes record the source, view, camera and speed.

    """
    cams = (
        list(cameras)
        if cameras is not None
        else trial_cameras(trial, view, follow=follow, width=width, height=height)
    )
    if len(cams) != trial.n_frames:
        raise ValueError(f"cameras: expected {trial.n_frames} (one per frame), got {len(cams)}")
    n, k = trial.n_frames, len(KEYPOINTS)
    uv = np.full((n, k, 2), np.nan)
    depth = np.full((n, k), np.nan)
    world = np.full((n, k, 3), np.nan)
    pelvis = trial.pelvis()
    for i, cam in enumerate(cams):
        uv[i], z = cam.project(trial.keypoints[i])
        pc = cam.to_camera(trial.keypoints[i])
        hip_c = cam.to_camera(pelvis[i])
        world[i] = pc - hip_c
        depth[i] = (z - hip_c[2]) * cam.focal_px / hip_c[2]
    visibility = np.where(np.isfinite(uv).all(axis=2), 1.0, 0.0)
    first = cams[0]
    return PoseTrack.from_arrays(
        trial.time,
        uv,
        fps=trial.fps,
        width=first.width,
        height=first.height,
        visibility=visibility,
        depth=depth,
        world=world,
        attrs={
            "source": trial.name,
            "model": "mocap (exact projection)",
            "depth": "exact",
            "person": "the only person",
            "view": view,
            "camera_follow": int(cameras is None and follow),
            "camera_distance_m": float(
                np.linalg.norm(np.subtract(first.position[:2], first.target[:2]))
            ),
            "focal_px": float(first.focal_px),
            "speed_m_s": trial.speed,
        },
    )


# ------------------------------------------------------------------ truth
def elbow_angles(trial: MocapTrial) -> pd.DataFrame:
    """Compute the 3D interior elbow angle per frame (180 = straight arm).

    Parameters
    ----------
    trial
        The trial.

    Returns
    -------
    pandas.DataFrame
        Columns ``time``, ``frame``, ``left_elbow_angle``, ``right_elbow_angle`` (deg).

    """
    out: dict[str, np.ndarray] = {"time": trial.time, "frame": np.arange(trial.n_frames)}
    for side in SIDES:
        out[f"{side}_elbow_angle"] = angle_deg(
            trial.point(f"{side}_shoulder"),
            trial.point(f"{side}_elbow"),
            trial.point(f"{side}_wrist"),
        )
    return pd.DataFrame(out)


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle at ``b`` of the chain a-b-c, degrees, for 2D or 3D points (..., D)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def foot_clearance(trial: MocapTrial) -> dict[str, np.ndarray]:
    """Per foot, the height of its lower point above that point's ground level.

    For the heel and the toe joint, the ground level is the point's own
    5th-percentile height over the trial (its height when the foot is flat on
    the floor); the clearance of the foot is the smaller of the two heights
    above those levels.

    Parameters
    ----------
    trial
        The trial.

    Returns
    -------
    dict
        ``{"left": array (T,), "right": ...}`` in metres.

    """
    out = {}
    for side in SIDES:
        heights = []
        for part in ("heel", "foot_index"):
            z = trial.point(f"{side}_{part}")[:, 2]
            heights.append(z - np.percentile(z, 5))
        out[side] = np.minimum(*heights)
    return out


def foot_contact(trial: MocapTrial, config: MocapConfig | None = None) -> dict[str, np.ndarray]:
    """Per foot, whether it touches the ground in each frame.

    The foot is on the ground while its clearance (:func:`foot_clearance`: the
    lower of heel and toe joint, each above its own ground level) is below
    ``contact_height_m``. Height alone decides the frames, so a foot that lands
    fast is in contact from the first frame it is down. A run of such frames
    counts as a ground contact only if the lower point also stops there: its
    vertical speed (central difference) falls below ``contact_vz_m_s`` in at
    least one frame of the run, which rejects a swinging foot that merely
    passes low. Gaps shorter than ``min_gap_frames`` are closed, and contact
    runs shorter than ``min_contact_frames`` are dropped.

    Parameters
    ----------
    trial
        The trial.
    config
        Thresholds; defaults to :class:`MocapConfig`.

    Returns
    -------
    dict
        ``{"left": bool array (T,), "right": ...}``.

    """
    cfg = config or MocapConfig()
    out = {}
    for side, clearance in foot_clearance(trial).items():
        heights = np.stack([trial.point(f"{side}_{p}")[:, 2] for p in ("heel", "foot_index")])
        lower = np.argmin(heights - np.percentile(heights, 5, axis=1, keepdims=True), axis=0)
        vz = np.abs(np.gradient(heights, axis=1) * trial.fps)[lower, np.arange(trial.n_frames)]
        on = _drop_short_runs(clearance < cfg.contact_height_m, False, cfg.min_gap_frames)
        edges = np.flatnonzero(np.diff(np.r_[0, on.astype(int), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            if vz[start:stop].min() >= cfg.contact_vz_m_s:
                on[start:stop] = False
        out[side] = _drop_short_runs(on, True, cfg.min_contact_frames)
    return out


def _drop_short_runs(mask: np.ndarray, value: bool, min_len: int) -> np.ndarray:
    """Flip interior runs of ``value`` shorter than ``min_len`` frames."""
    out = mask.copy()
    edges = np.flatnonzero(np.diff(np.r_[0, (mask == value).astype(int), 0]))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start < min_len and start > 0 and stop < len(mask):
            out[start:stop] = not value
    return out


def _crossing(h: np.ndarray, frame: int, level: float) -> float:
    """Fractional frame in [frame - 1, frame] where ``h`` crosses ``level``."""
    a, b = h[frame - 1], h[frame]
    if a == b:
        return float(frame)
    return float(frame - 1 + np.clip((a - level) / (a - b), 0.0, 1.0))


def foot_events(trial: MocapTrial, config: MocapConfig | None = None) -> pd.DataFrame:
    """Foot strikes and toe-offs from the 3D foot kinematics.

    A strike is the first frame of a contact run (see :func:`foot_contact`), a
    toe-off the first frame after it. A run already under way at the first
    frame gives no strike, one still under way at the last frame no toe-off.
    ``time_subframe`` refines each event between the two frames around it: the
    moment the foot clearance (:func:`foot_clearance`) crosses
    ``contact_height_m``, by linear interpolation.

    How certain is this truth? On the four running files, touchdown times
    move by at most 0.5 frame when ``contact_height_m`` ranges over
    0.5-1.5 cm, and by at most 0.4 frame on average (0.7 frame for one
    strike) when the estimated heel moves from 0.3 to 0.8 of the sole behind
    the ankle (see :func:`heel_points`; the forefoot-striking 'active' trial
    does not move at all). A 2 cm threshold, the height at which a descending
    heel is still about one frame above the ground, gives touchdowns 0.3-0.85
    frame earlier (0.5 on average). Walking heels settle slowly (1-2 cm for several frames), so
    walking touchdowns are less certain (up to 3 frames between 0.5 and 2 cm).

    Parameters
    ----------
    trial
        The trial.
    config
        Thresholds; defaults to :class:`MocapConfig`.

    Returns
    -------
    pandas.DataFrame
        Columns ``foot`` (left/right), ``kind`` (strike/toe_off), ``time`` (s,
        ``frame / fps``), ``frame`` (the layout of ``Analysis.events``) and
        ``time_subframe`` (s), sorted by frame.

    """
    cfg = config or MocapConfig()
    clearance = foot_clearance(trial)
    rows = []
    for side, on in foot_contact(trial, cfg).items():
        change = np.diff(on.astype(int))
        for kind, sign in (("strike", 1), ("toe_off", -1)):
            for f in np.flatnonzero(change == sign) + 1:
                sub = _crossing(clearance[side], int(f), cfg.contact_height_m)
                rows.append((side, kind, f / trial.fps, int(f), sub / trial.fps))
    events = pd.DataFrame(rows, columns=["foot", "kind", "time", "frame", "time_subframe"])
    return events.sort_values(["frame", "foot"], ignore_index=True)


def cadence_spm(events: pd.DataFrame) -> float:
    """Compute steps per minute from the strikes of both feet.

    Parameters
    ----------
    events
        Foot events (``kind`` and ``time`` columns; ``time_subframe`` is used
        instead of ``time`` when present).

    Returns
    -------
    float
        ``60 * (strikes - 1) / (last strike - first strike)``; NaN with fewer
        than two strikes.

    """
    column = "time_subframe" if "time_subframe" in events.columns else "time"
    t = np.sort(events.loc[events["kind"] == "strike", column].to_numpy(float))
    if t.size < 2:
        return float("nan")
    return float(60.0 * (t.size - 1) / (t[-1] - t[0]))


@dataclass(frozen=True)
class Truth:
    """The ground truth of one trial.

    Attributes
    ----------
    events
        Foot strikes and toe-offs (:func:`foot_events`).
    cadence_spm
        Steps per minute (:func:`cadence_spm`).
    elbow
        3D elbow angle per frame (:func:`elbow_angles`).
    contact
        Per foot, ground contact per frame (:func:`foot_contact`).

    """

    events: pd.DataFrame
    cadence_spm: float
    elbow: pd.DataFrame
    contact: dict[str, np.ndarray]


def truth(trial: MocapTrial, config: MocapConfig | None = None) -> Truth:
    """Compute the ground truth of a trial.

    Parameters
    ----------
    trial
        The trial.
    config
        Thresholds; defaults to :class:`MocapConfig`.

    Returns
    -------
    Truth

    """
    events = foot_events(trial, config)
    return Truth(
        events=events,
        cadence_spm=cadence_spm(events),
        elbow=elbow_angles(trial),
        contact=foot_contact(trial, config),
    )


__all__ = [
    "HEAD_OFFSETS",
    "JOINT_MAP",
    "BvhMotion",
    "MocapTrial",
    "Truth",
    "angle_deg",
    "cadence_spm",
    "elbow_angles",
    "foot_clearance",
    "foot_contact",
    "foot_events",
    "forward_kinematics",
    "head_points",
    "heel_points",
    "load_trial",
    "project_trial",
    "read_bvh",
    "trial_cameras",
    "truth",
]
