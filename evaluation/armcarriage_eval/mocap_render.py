"""Motion capture of running, rendered: the synthetic figure driven by a BVH trial.

The parametric runner of :mod:`armcarriage_eval.synthetic` swings its arms in
the image plane of a side camera, which flatters any 2D elbow or swing
measurement. Here the same figure (:func:`~armcarriage_eval.synthetic.figure.figure_primitives`,
drawn by :func:`~armcarriage_eval.synthetic.render.render`) moves with real
running: a :class:`~armcarriage_eval.mocap.MocapTrial` is retargeted onto the
renderer's body as a :class:`~armcarriage_eval.synthetic.gait.Kinematics`,
and its truth comes from the same 3D points the figure is drawn from.

Retargeting
-----------
Looping
    A trial shorter than the clip is looped over its longest span between two
    strikes of one foot, in the BVH channel space: the mismatch of every
    channel between the span's two ends is spread linearly over the span, and
    the horizontal root travel carries on from loop to loop, so forward
    kinematics keeps every bone length and the motion has no seam.
Treadmill
    A cubic fit of the pelvis' horizontal path (its mean velocity and the slow
    speed change of the capture) is subtracted from every point, so the
    runner stays over the belt while the within-step sway stays.
Body
    The figure's joints are the BVH joint centres (shoulder = ``UpperArm``,
    elbow = ``LowerArm``, wrist = ``Hand``, hip = ``UpperLeg``, knee =
    ``LowerLeg``, ankle = ``Foot``). The capture's character has narrow
    shoulders and hips (joint centres about 20 and 13 cm apart), narrower than
    the renderer's trunk, so each arm chain is moved sideways along the thorax
    axis to the renderer's shoulder width and each leg chain to its hip width:
    a translation that keeps every joint angle. The body is lowered so the
    flat foot's ankle sits at the renderer's ankle height (the capture's ankle
    joint sits higher above the floor than a shoe allows). The thorax frame is
    carried rigidly by the ``Chest`` joint, the head frame by the face points
    of :func:`armcarriage_eval.mocap.head_points`, the foot frame by heel,
    ankle and toe joint, the hand frame by the arm as in the synthetic runner.
Landmarks
    As :func:`armcarriage_eval.synthetic.gait.simulate` places them on its
    figure (shoulder landmark a little above the joint centre, hip landmarks
    above and outside the joint centres, face points on the head surface, toe
    tip and heel on the shoe).
Arm variants
    ``cross_deg`` turns the forearm about the upper arm towards the midline
    (the elbow angle is unchanged), fully at the forward end of the swing and
    not at all at the back; ``adduction_deg`` turns the whole arm about the
    shoulder towards the midline; ``shrug_m`` raises the shoulders and the arm
    chains along the trunk axis for the whole clip (the trunk, neck and head
    stay), as a held shrug. ``clear_m`` keeps a turned forearm out of the
    trunk: where the wrist, the hand or the forearm's middle would lie inside
    the figure's trunk (its two ellipsoids grown by ``clear_m``), the whole arm
    is flexed forward about the shoulder until they clear it, as a runner
    whose hands cross brings them in front of the chest. Without it the turned
    forearm of the captured swing passes through the trunk (on the suite's
    crossing clips the crossing wrist lay 0.09 m behind to 0.17 m in front of
    the trunk's centre): from behind the hand came out of the back, from the
    front it sank into the chest.
Events
    Foot strikes and toe-offs of :func:`armcarriage_eval.mocap.foot_events` on
    the looped trial (heights are unchanged by the retargeting).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from armcarriage_eval import mocap
from armcarriage_eval.camera import Camera
from armcarriage_eval.mocap_trunk import clear_trunk, trunk_solids
from armcarriage_eval.synthetic.encode import write_mp4
from armcarriage_eval.synthetic.figure import Look, Primitive, figure_primitives, random_look
from armcarriage_eval.synthetic.gait import Kinematics, _hand_frame, _landmarks
from armcarriage_eval.synthetic.metrics_truth import series_from_points
from armcarriage_eval.synthetic.params import BodyParams, RunnerParams
from armcarriage_eval.synthetic.render import Scene, finish, render
from armcarriage_eval.synthetic.truth import truth_track
from scipy.spatial.transform import Rotation

from armcarriage.atomic import write_text
from armcarriage.skeleton import KEYPOINT_INDEX, SIDES
from armcarriage.track import PoseTrack

FORWARD = np.array([1.0, 0.0, 0.0])
TRUTH_POINTS = ("shoulder", "elbow", "wrist", "hip", "ear")
"""Points written per side to the per-frame 3D truth (``.joints.npz``)."""


# ------------------------------------------------------------------ trial
@dataclass(frozen=True)
class RiggedTrial:
    """A mocap trial in the world frame with its joint orientations.

    Attributes
    ----------
    trial
        Joint centres and BlazePose keypoints (world metres), treadmill-like.
    rotations
        Per BVH joint, its world orientation over the frames.
    source_frames
        Frame of the BVH file each frame comes from.
    travel
        The horizontal translation that was subtracted per frame (m), (T, 2).
    events
        True foot events (:func:`mapped_events`).

    """

    trial: mocap.MocapTrial
    rotations: list[Rotation]
    source_frames: np.ndarray
    travel: np.ndarray
    events: pd.DataFrame


def loop_span(path: str | Path, min_frames: int = 40) -> tuple[int, int]:
    """Find the span ``[a, b)`` of a trial that loops best.

    Among spans of at least ``min_frames`` frames, the one whose end frame
    ``b`` repeats its start frame ``a`` most closely: the pose (joint centres
    relative to the pelvis, and the pelvis height) and its motion, compared on
    the frames around ``a`` and ``b``.
    """
    trial = mocap.load_trial(path)
    pos = trial.joint_positions.copy()
    pos[..., :2] -= trial.pelvis()[:, None, :2]
    n = trial.n_frames
    best, span = np.inf, (0, 0)
    for a in range(1, n - min_frames - 1):
        for b in range(a + min_frames, n - 1):
            cost = float(np.mean(np.linalg.norm(pos[a - 1 : a + 2] - pos[b - 1 : b + 2], axis=-1)))
            if cost < best:
                best, span = cost, (a, b)
    if span[1] <= span[0]:
        raise ValueError(f"{Path(path).name}: expected at least {min_frames + 3} frames to loop")
    return span


def looped_values(
    motion: mocap.BvhMotion, n_frames: int, span: tuple[int, int], blend: int = 8
) -> np.ndarray:
    """BVH channel values of ``n_frames`` frames looping over ``span`` without a seam.

    Each channel's mismatch between the span's ends is removed over the last
    ``blend`` frames before each seam (a smooth step), so the rest of every
    loop is the capture itself; horizontal position channels that travel
    (range above 10 file units) carry on from loop to loop instead.
    """
    a, b = span
    values = motion.values.copy()
    names = [c for chans in motion.channels for c in chans]
    rot = np.array([c.endswith("rotation") for c in names])
    values[:, rot] = np.degrees(np.unwrap(np.radians(values[:, rot]), axis=0))
    travel = np.array([c in ("Xposition", "Zposition") for c in names]) & (np.ptp(values, 0) > 10)
    delta = values[b] - values[a]
    length = b - a
    width = max(1, min(blend, length // 3))
    i = np.arange(n_frames)
    k = i % length
    u = np.clip((k - (length - 1 - width)) / width, 0.0, 1.0)
    ramp = u * u * (3 - 2 * u)
    out = values[a + k] - np.outer(ramp, delta)
    out[:, travel] += np.outer(i // length + ramp, delta[travel])
    return out


def mapped_events(
    path: str | Path, source: np.ndarray, fps: float, span: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Foot events of a trial carried through a frame mapping (``source[i]``: file frame of i).

    A foot is in contact in frame ``i`` when it is in the file's frame
    ``source[i]`` (:func:`armcarriage_eval.mocap.foot_contact`); a strike is the
    first frame of a contact and a toe-off the first frame after one. The
    sub-frame time keeps the file event's offset from its frame (at a loop's
    seam the file frame ``b`` of ``span`` stands for ``a``).
    """
    trial = mocap.load_trial(path)
    contact = mocap.foot_contact(trial)
    file_events = mocap.foot_events(trial)
    offset = {
        (r.foot, r.kind, int(r.frame)): float(r.time_subframe) - r.frame / trial.fps
        for r in file_events.itertuples(index=False)
    }
    rows = []
    for foot in SIDES:
        on = contact[foot][source]
        change = np.diff(on.astype(int))
        for kind, sign in (("strike", 1), ("toe_off", -1)):
            for f in np.flatnonzero(change == sign) + 1:
                src = int(source[f])
                keys = [(foot, kind, src)]
                if span is not None and src == span[0]:
                    keys.append((foot, kind, span[1]))
                off = next((offset[k] for k in keys if k in offset), 0.0)
                rows.append((foot, kind, f / fps, int(f), f / fps + off))
    events = pd.DataFrame(rows, columns=["foot", "kind", "time", "frame", "time_subframe"])
    return events.sort_values(["frame", "foot"], ignore_index=True)


def rig_trial(
    path: str | Path,
    n_frames: int | None = None,
    *,
    scale: float = 1.0,
    units_per_metre: float = 100.0,
) -> RiggedTrial:
    """Load a BVH trial, loop it to ``n_frames`` if it is shorter, and put it on a treadmill.

    Parameters
    ----------
    path
        BVH file (joint names of the project's mocap data).
    n_frames
        Frames wanted (default: the file's). A longer file is cut, a shorter
        one looped (see the module docstring).
    scale
        Body size factor about the floor point under the pelvis.
    units_per_metre
        File units per metre.

    Returns
    -------
    RiggedTrial

    """
    path = Path(path)
    motion = mocap.read_bvh(path)
    n = motion.n_frames if n_frames is None else int(n_frames)
    span = None
    if n <= motion.n_frames:
        values = motion.values[:n]
        source = np.arange(n)
    else:
        span = loop_span(path)
        values = looped_values(motion, n, span)
        source = span[0] + np.arange(n) % (span[1] - span[0])
    motion = dataclasses.replace(motion, values=values)
    positions, rotations = mocap.forward_kinematics(motion)
    hips = positions[:, motion.joints.index("Hips")]
    basis, origin = mocap._world_basis(hips)
    world = (positions - origin) @ basis.T / units_per_metre
    world_rot = [Rotation.from_matrix(basis) * r for r in rotations]
    kp = mocap._keypoints(motion.joints, world, world_rot)
    step = np.diff(world[:, motion.joints.index("Hips"), :2], axis=0)
    speed = float(np.linalg.norm(step, axis=1).sum() / ((n - 1) / motion.fps))
    # treadmill: remove the slow horizontal travel of the pelvis
    t = np.arange(n) / motion.fps
    pelvis = 0.5 * (kp[:, KEYPOINT_INDEX["left_hip"]] + kp[:, KEYPOINT_INDEX["right_hip"]])
    deg = min(3, n - 1)
    travel = np.stack([np.polyval(np.polyfit(t, pelvis[:, d], deg), t) for d in (0, 1)], -1)
    shift = np.concatenate([travel, np.zeros((n, 1))], axis=1)[:, None, :]
    world = (world - shift) * scale
    kp = (kp - shift) * scale
    trial = mocap.MocapTrial(
        name=path.name,
        fps=motion.fps,
        joints=motion.joints,
        joint_positions=world,
        keypoints=kp,
        speed=speed,
    )
    events = mapped_events(path, source, motion.fps, span)
    return RiggedTrial(trial, world_rot, source, travel, events)


# ------------------------------------------------------------- kinematics
@dataclass(frozen=True)
class ArmVariant:
    """Changes to the captured arm carriage (see the module docstring).

    Parameters
    ----------
    cross_deg
        Forearm turned about the upper arm towards the midline at the forward
        end of the swing, degrees.
    adduction_deg
        Whole arm turned about the shoulder towards the midline, degrees.
    shrug_m
        Shoulders and arms held up along the trunk axis, metres.
    clear_m
        Clearance of the forearm and hand from the trunk's surface, metres; 0
        leaves the turned arm where it falls (through the trunk, possibly).

    """

    cross_deg: float = 0.0
    adduction_deg: float = 0.0
    shrug_m: float = 0.0
    clear_m: float = 0.0


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1, keepdims=True)


def _rotate(v: np.ndarray, axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rotate vectors (T, 3) about unit axes (T, 3) by angles (T,) (Rodrigues)."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + np.cross(axis, v) * s + axis * _dot(axis, v) * (1 - c)


def _rigid_axes(rot: Rotation, world_axes: np.ndarray) -> np.ndarray:
    """Frames (T, 3, 3) carried rigidly by a segment: its mean axes seen in its own frame.

    ``world_axes`` (T, 3, 3) holds per frame the wanted (forward, left, up)
    columns; their mean in the segment's local axes is made orthonormal and
    turned back by the segment's orientation.
    """
    local = np.stack([rot.inv().apply(world_axes[:, :, k]).mean(0) for k in range(3)], -1)
    u, _, vt = np.linalg.svd(local)
    local = u @ vt
    return np.einsum("tij,jk->tik", rot.as_matrix(), local)


def _frame_from(left: np.ndarray, up_hint: np.ndarray) -> np.ndarray:
    """Frames (T, 3, 3) with columns forward, left, up from a left axis and an up hint."""
    left = _unit(left)
    up = _unit(up_hint - _dot(up_hint, left) * left)
    return np.stack([np.cross(left, up), left, up], -1)


def _frame_forward(forward: np.ndarray, up_hint: np.ndarray) -> np.ndarray:
    """Frames (T, 3, 3) with columns forward, left, up from a forward axis and an up hint."""
    fwd = _unit(forward)
    up = _unit(up_hint - _dot(up_hint, fwd) * fwd)
    return np.stack([fwd, np.cross(up, fwd), up], -1)


def mocap_kinematics(
    rig: RiggedTrial, variant: ArmVariant | None = None, body: BodyParams | None = None
) -> Kinematics:
    """Retarget a rigged trial onto the renderer's body (see the module docstring).

    Parameters
    ----------
    rig
        The trial from :func:`rig_trial`.
    variant
        Arm changes; none by default.
    body
        The renderer's body: shoulder and hip widths and ankle height are taken
        from it (default :class:`BodyParams`).

    Returns
    -------
    Kinematics
        ``params`` holds the trial's cadence and speed, ``events`` its foot
        events (``foot``, ``kind``, ``time``).

    """
    var = variant or ArmVariant()
    b = body or BodyParams()
    tr = rig.trial
    idx = tr.joints.index
    rot = {name: rig.rotations[idx(name)] for name in ("Chest",)}

    def jp(name: str) -> np.ndarray:
        return tr.joint(name).copy()

    kp = tr.point
    ls, rs = jp("UpperArm_L"), jp("UpperArm_R")
    lh, rh = jp("UpperLeg_L"), jp("UpperLeg_R")
    pelvis0, chest0 = 0.5 * (lh + rh), 0.5 * (ls + rs)
    # thorax: carried by the Chest joint, axes from the trunk and shoulder line on average
    wanted = _frame_from(ls - rs, chest0 - pelvis0)
    thorax = _rigid_axes(rot["Chest"], wanted)
    up_t, left_t = thorax[..., 2], thorax[..., 1]
    joints: dict[str, np.ndarray] = {}
    frames: dict[str, np.ndarray] = {"thorax": thorax}
    shoulder_half = float(np.median(np.linalg.norm(ls - rs, axis=1))) / 2
    hip_half = float(np.median(np.linalg.norm(lh - rh, axis=1))) / 2
    # the pelvis frame turns with the hip line about the vertical
    frames["pelvis"] = _frame_from(lh - rh, np.broadcast_to([0.0, 0.0, 1.0], lh.shape))
    left_p = frames["pelvis"][..., 1]
    for side in SIDES:
        s = side[0].upper()
        sgn = 1.0 if side == "left" else -1.0
        out_arm = sgn * (b.shoulder_half_width - shoulder_half) * left_t
        out_leg = sgn * (b.hip_half_width - hip_half) * left_p
        shoulder = jp(f"UpperArm_{s}") + out_arm
        elbow = jp(f"LowerArm_{s}") + out_arm
        wrist = jp(f"Hand_{s}") + out_arm
        elbow, wrist = _arm_variant(shoulder, elbow, wrist, thorax, side, var)
        if var.clear_m > 0:
            trunk = trunk_solids(chest0, pelvis0, thorax)
            elbow, wrist = clear_trunk(shoulder, elbow, wrist, thorax, trunk, var.clear_m)
        lift = var.shrug_m * up_t
        shoulder, elbow, wrist = shoulder + lift, elbow + lift, wrist + lift
        d1, d2 = _unit(elbow - shoulder), _unit(wrist - elbow)
        joints[f"{side}_shoulder"] = shoulder
        joints[f"{side}_elbow"] = elbow
        joints[f"{side}_wrist"] = wrist
        joints[f"{side}_hand"] = wrist + 0.045 * d2
        frames[f"{side}_hand"] = _hand_frame(d1, d2)
        hip = jp(f"UpperLeg_{s}") + out_leg
        knee = jp(f"LowerLeg_{s}") + out_leg
        ankle = jp(f"Foot_{s}") + out_leg
        toe_joint = jp(f"Toes_{s}") + out_leg
        heel_est = kp(f"{side}_heel") + out_leg
        # the sole runs from the heel to the toe joint; up is towards the ankle
        foot = _frame_forward(toe_joint - heel_est, ankle - heel_est)
        frames[f"{side}_foot"] = foot
        joints[f"{side}_hip"] = hip
        joints[f"{side}_knee"] = knee
        joints[f"{side}_ankle"] = ankle
        joints[f"{side}_heel"] = ankle + np.einsum("tij,j->ti", foot, [-b.foot_back, 0.0, -0.05])
        joints[f"{side}_toe"] = ankle + np.einsum("tij,j->ti", foot, [b.foot_front, 0.0, -0.06])
    joints["pelvis"] = pelvis0
    joints["chest"] = chest0
    # head: frame of the face points (ears -> left, ear centre -> nose forward)
    ear_l, ear_r, nose = kp("left_ear"), kp("right_ear"), kp("nose")
    fwd = nose - 0.5 * (ear_l + ear_r)
    left_h = _unit(ear_l - ear_r)
    fwd = _unit(fwd - _dot(fwd, left_h) * left_h)
    frames["head"] = np.stack([fwd, left_h, np.cross(fwd, left_h)], -1)
    head_joint = jp("Head")
    joints["neck"] = jp("Neck")
    joints["head"] = head_joint + HEAD_ABOVE_JOINT_M * frames["head"][..., 2]
    # floor: the shoe's sole on the floor when the foot is down (the capture's joints sit
    # higher above its floor than the figure's shoe allows)
    soles = np.concatenate([joints[f"{side}_{p}"][:, 2] for side in SIDES for p in ("heel", "toe")])
    drop = np.array([0.0, 0.0, SOLE_LANDMARK_M - float(np.percentile(soles, 2))])
    joints = {k: v + drop for k, v in joints.items()}
    landmarks = _landmarks(joints, frames, RunnerParams())
    events = rig.events[["foot", "kind", "time"]].reset_index(drop=True)
    strikes = np.sort(events.loc[events.kind == "strike", "time"].to_numpy())
    cadence = float(60.0 * (strikes.size - 1) / np.ptp(strikes)) if strikes.size > 1 else 170.0
    params = RunnerParams(cadence_spm=cadence, speed_mps=tr.speed, mode="treadmill")
    return Kinematics(tr.time, joints, frames, landmarks, events, params, float(tr.time[-1]))


BODY_SCALE = 1.1
"""Size of the figure over the capture's character (shoulder joints 1.25 m high, the
renderer's body is built around 1.38 m): the figure's trunk, limbs and head fit it."""
SOLE_LANDMARK_M = 0.02
"""Height of the lowest heel or toe landmark of a foot flat on the floor (as on the
synthetic runner), metres."""
HEAD_ABOVE_JOINT_M = 0.10
"""Centre of the figure's head ellipsoid above the BVH ``Head`` joint (the top of
the neck), along the head's up axis."""


def forwardness(shoulder: np.ndarray, elbow: np.ndarray, thorax: np.ndarray) -> np.ndarray:
    """How far forward the upper arm is in its swing: 0 at the back end, 1 at the front."""
    d1 = _unit(elbow - shoulder)
    ang = np.arctan2(_dot(d1, thorax[..., 0])[:, 0], -_dot(d1, thorax[..., 2])[:, 0])
    lo, hi = np.percentile(ang, 5), np.percentile(ang, 95)
    return np.clip((ang - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def _arm_variant(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    thorax: np.ndarray,
    side: str,
    var: ArmVariant,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the crossing and adduction of ``var`` to one arm; return elbow and wrist."""
    medial = -1.0 if side == "left" else 1.0  # sign of a turn towards the midline
    n = shoulder.shape[0]
    if var.cross_deg:
        w = forwardness(shoulder, elbow, thorax)
        d1 = _unit(elbow - shoulder)
        # about the upper arm (pointing down), a positive turn moves a forward forearm
        # towards -left: medial for the left arm
        ang = np.radians(var.cross_deg) * w * -medial
        wrist = elbow + _rotate(wrist - elbow, d1, ang)
    if var.adduction_deg:
        ang = np.full(n, np.radians(var.adduction_deg) * medial)
        f = thorax[..., 0]
        elbow_new = shoulder + _rotate(elbow - shoulder, f, ang)
        wrist = shoulder + _rotate(wrist - shoulder, f, ang)
        elbow = elbow_new
    return elbow, wrist


def truth_joints(kin: Kinematics) -> dict[str, np.ndarray]:
    """Per-frame 3D truth: ``time`` and per side the joint centres and the ear landmark.

    Keys ``{side}_{shoulder,elbow,wrist,hip}`` are joint centres and
    ``{side}_ear`` the ear landmark (world metres, x forward, y left, z up),
    each (T, 3); also ``thorax_up`` (T, 3), the trunk axis the shrug follows.
    """
    out: dict[str, np.ndarray] = {"time": np.asarray(kin.time, float)}
    for side in SIDES:
        for part in TRUTH_POINTS:
            if part == "ear":
                out[f"{side}_ear"] = kin.landmarks[:, KEYPOINT_INDEX[f"{side}_ear"]]
            else:
                out[f"{side}_{part}"] = kin.joints[f"{side}_{part}"]
    out["thorax_up"] = kin.frames["thorax"][..., 2]
    return out


def truth_series(kin: Kinematics) -> pd.DataFrame:
    """Per-frame truth series of the metrics (3D, analyzer's definitions) at the frames."""
    return series_from_points(kin.time, kin.landmarks, FORWARD)


# ------------------------------------------------------------------- clip
@dataclass(frozen=True)
class MocapClipSpec:
    """One mocap-driven clip.

    Parameters
    ----------
    trial
        BVH file name in the mocap folder.
    view
        ``side_left``, ``side_right``, ``front``, ``rear`` or ``oblique``.
    azimuth_deg
        For ``oblique``: camera direction from the runner's front towards its
        right (positive) or left (negative), degrees.
    seconds, fps, width, height
        Clip length, rate and size.
    distance, camera_height, target_height
        Camera placement (m); the camera aims at ``target_height``.
    fill
        Fraction of the frame height the runner fills at most.
    scale, girth
        Body size factor, and thickness factor of the limbs and trunk.
    seed
        Seed of the look (0 = default colours) and the background.
    light_deg, exposure
        Light turned about the vertical from its default, degrees; brightness factor.
    blur_px, noise
        Image degradations (see :func:`~armcarriage_eval.synthetic.render.finish`).
    cross_deg, adduction_deg, shrug_m, clear_m
        Arm variant (see :class:`ArmVariant`).
    fault
        Label of the injected fault (``none``, ``crossing``, ``shrug``).
    crf
        x264 quality.

    """

    trial: str = "bandai2_run_normal_001.bvh"
    view: str = "side_left"
    azimuth_deg: float = 45.0
    seconds: float = 3.0
    fps: float = 30.0
    width: int = 480
    height: int = 360
    distance: float = 4.0
    camera_height: float = 1.1
    target_height: float = 0.9
    fill: float = 0.78
    scale: float = 1.0
    girth: float = 1.0
    seed: int = 0
    light_deg: float = 0.0
    exposure: float = 1.0
    blur_px: float = 0.0
    noise: float = 0.0
    cross_deg: float = 0.0
    adduction_deg: float = 0.0
    shrug_m: float = 0.0
    clear_m: float = 0.0
    fault: str = "none"
    crf: int = 23

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return round(self.seconds * self.fps)

    def variant(self) -> ArmVariant:
        """Return the arm variant of the clip."""
        return ArmVariant(self.cross_deg, self.adduction_deg, self.shrug_m, self.clear_m)


def camera_direction(view: str, azimuth_deg: float = 45.0) -> np.ndarray:
    """Return the unit floor direction from the runner to the camera for a view."""
    fixed = {"side_left": 90.0, "side_right": -90.0, "front": 0.0, "rear": 180.0}
    if view == "oblique":
        az = -float(azimuth_deg)
    elif view in fixed:
        az = fixed[view]
    else:
        raise ValueError(f"view: expected one of {sorted([*fixed, 'oblique'])}, got {view!r}")
    a = np.radians(az)
    return np.array([np.cos(a), np.sin(a)])


def clip_camera(spec: MocapClipSpec, kin: Kinematics, margin: float = 0.1) -> Camera:
    """Place a fixed camera that keeps the figure in frame, filling at most ``spec.fill``."""
    d = camera_direction(spec.view, spec.azimuth_deg)
    centre = np.mean(kin.joints["pelvis"][:, :2], axis=0)

    def place(focal: float) -> Camera:
        pos = (
            centre[0] + d[0] * spec.distance,
            centre[1] + d[1] * spec.distance,
            spec.camera_height,
        )
        return Camera(
            pos,
            (float(centre[0]), float(centre[1]), spec.target_height),
            focal,
            spec.width,
            spec.height,
        )

    pts = np.concatenate([kin.landmarks, *(kin.joints[k][:, None] for k in kin.joints)], axis=1)
    pc = place(1.0).to_camera(pts.reshape(-1, 3))
    pc = pc[np.isfinite(pc).all(axis=1)]
    # the figure's surface reaches ~12 cm beyond its points (head, shoes, trunk)
    ru = (np.abs(pc[:, 0]) + 0.12) / pc[:, 2]
    rv = (np.abs(pc[:, 1]) + 0.12) / pc[:, 2]
    keep = 1.0 - margin
    focal = min(keep * spec.width / 2 / ru.max(), keep * spec.height / 2 / rv.max())
    height = float(np.ptp(pts[..., 2][np.isfinite(pts[..., 2])])) + 0.1
    focal = min(focal, spec.fill * spec.height * spec.distance / height)
    return place(float(focal))


def _girth(prims: list[Primitive], head: np.ndarray, factor: float) -> list[Primitive]:
    """Thicken or thin the body's solids, the head and face excepted."""
    if factor == 1.0:
        return prims
    out = []
    for p in prims:
        near_head = p.kind != "cone" and float(np.linalg.norm(p.a - head)) < 0.16
        if near_head:
            out.append(p)
        elif p.kind == "ellipsoid":
            assert p.radii is not None
            out.append(dataclasses.replace(p, radii=p.radii * factor))
        else:
            out.append(dataclasses.replace(p, ra=p.ra * factor, rb=p.rb * factor))
    return out


def iter_frames(spec: MocapClipSpec, kin: Kinematics, camera: Camera) -> Iterator[np.ndarray]:
    """Render the clip's frames (uint8 RGB)."""
    rng = np.random.default_rng(spec.seed)
    look: Look = random_look(rng) if spec.seed else Look()
    scene = Scene(camera, setting="treadmill", seed=spec.seed)
    if spec.light_deg:
        a = np.radians(spec.light_deg)
        rz = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0, 0, 1.0]])
        scene.light = rz @ scene.light
    for i in range(len(kin.time)):
        prims = _girth(figure_primitives(kin, i, look), kin.joints["head"][i], spec.girth)
        color, _ = render(scene, prims, kin.joints["pelvis"][i])
        yield finish(color * spec.exposure, blur_px=spec.blur_px, noise=spec.noise, rng=rng)


@dataclass
class MocapClip:
    """A rendered clip, its kinematics and its camera."""

    video: Path
    kin: Kinematics
    camera: Camera
    rig: RiggedTrial = dataclasses.field(repr=False)


def build(spec: MocapClipSpec, mocap_dir: str | Path) -> tuple[RiggedTrial, Kinematics, Camera]:
    """Return the clip's rigged trial, figure kinematics and camera (nothing rendered)."""
    rig = rig_trial(Path(mocap_dir) / spec.trial, spec.n_frames, scale=BODY_SCALE * spec.scale)
    kin = mocap_kinematics(rig, spec.variant())
    return rig, kin, clip_camera(spec, kin)


def clip_paths(video: str | Path) -> dict[str, Path]:
    """Truth files that belong to a rendered clip."""
    stem = str(Path(video).with_suffix(""))
    return {
        "truth": Path(f"{stem}.truth.parquet"),
        "joints": Path(f"{stem}.joints.npz"),
        "events": Path(f"{stem}.events.csv"),
        "meta": Path(f"{stem}.json"),
    }


def make_clip(out: str | Path, spec: MocapClipSpec, mocap_dir: str | Path) -> MocapClip:
    """Render a mocap-driven clip to ``out`` (mp4) and write its truth beside it.

    Files: ``.truth.parquet`` (exact pose track with world landmarks),
    ``.joints.npz`` (:func:`truth_joints`), ``.events.csv`` (true foot
    events of :func:`mapped_events`) and ``.json`` (spec, camera, trial facts).
    """
    out = Path(out)
    rig, kin, cam = build(spec, mocap_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_mp4(iter_frames(spec, kin, cam), out, spec.fps, crf=spec.crf)
    write_truth(out, spec, kin, cam, rig)
    return MocapClip(out, kin, cam, rig)


def clip_truth_track(
    spec: MocapClipSpec, kin: Kinematics, camera: Camera, source: str = ""
) -> PoseTrack:
    """Project the figure's landmarks through the clip's camera: the exact pose track."""
    track = truth_track(kin, camera, spec.fps, source=source, view=spec.view)
    track.ds.attrs.update(model="mocap-render-truth", source_trial=spec.trial)
    return track


def write_truth(
    video: Path, spec: MocapClipSpec, kin: Kinematics, camera: Camera, rig: RiggedTrial
) -> dict[str, Path]:
    """Write the truth files of a rendered clip (see :func:`make_clip`)."""
    paths = clip_paths(video)
    clip_truth_track(spec, kin, camera, source=video.name).save(paths["truth"])
    np.savez(paths["joints"], **truth_joints(kin), source_frame=rig.source_frames)
    write_text(paths["events"], rig.events.to_csv(index=False, float_format="%.6f"))
    meta: dict[str, Any] = {
        "schema_version": 1,
        "spec": dataclasses.asdict(spec),
        "camera": {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in dataclasses.asdict(camera).items()
        },
        "n_frames": len(kin.time),
        "cadence_spm": kin.params.cadence_spm,
        "speed_mps": kin.params.speed_mps,
        "source_frames": [int(x) for x in rig.source_frames],
    }
    write_text(paths["meta"], json.dumps(meta, indent=1))
    return paths


__all__ = [
    "HEAD_ABOVE_JOINT_M",
    "ArmVariant",
    "MocapClip",
    "MocapClipSpec",
    "RiggedTrial",
    "build",
    "camera_direction",
    "clip_camera",
    "clip_paths",
    "clip_truth_track",
    "forwardness",
    "iter_frames",
    "loop_span",
    "looped_values",
    "make_clip",
    "mocap_kinematics",
    "rig_trial",
    "truth_joints",
    "truth_series",
    "write_truth",
]
