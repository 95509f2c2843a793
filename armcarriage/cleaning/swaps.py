"""Left/right swap repair: the least-cost labelling of each limb group over the clip."""

from __future__ import annotations

import numpy as np

from armcarriage.cleaning.legs import repair_leg_swaps
from armcarriage.cleaning.masks import _torso_scale
from armcarriage.cleaning.viterbi import _accelerations, _blended, _viterbi
from armcarriage.config import CleaningConfig

_ARM = ("elbow", "wrist", "pinky", "index", "thumb")


def repair_swaps(
    pos: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    vis: np.ndarray,
    keypoints: list[str],
    prior_tl: float = 0.4,
    cap_tl: float = 0.5,
    legs: tuple[float, float, float, float] | None = None,
) -> int:
    """Undo left/right label swaps of arms and legs, in place.

    For the arms (elbow, wrist and hand points) every frame is labelled as given
    or swapped, by the labelling of the whole clip that minimises the total cost
    (Viterbi): the limbs' acceleration (the summed distances of the group's points from their
    constant-velocity prediction from the two previous frames, so that limbs
    passing each other keep their labels; each point's capped at ``cap_tl``
    torso lengths, beyond which a frame is a glitch under either labelling)
    plus ``prior_tl`` torso lengths for each frame labelled swapped (the
    model's labels stand unless the motion says otherwise). The decision is
    taken on the whole clip, not frame by frame: a frame-by-frame repair that
    swaps one frame wrongly carries the wrong labels on, because swapped limbs
    move as smoothly as the right ones until the next glitch. Frames missing a
    point of the group keep their labels; no prediction is made across a gap of
    more than two frames. Frames where the model blended both limbs into one
    place (:func:`_blended`) keep their labels and are left out of the decision.
    The legs are repaired so too, knee and foot as two groups
    (:func:`armcarriage.cleaning.legs.repair_leg_swaps`).

    Parameters
    ----------
    pos, depth, world, vis
        Arrays of the track, modified in place.
    keypoints
        Keypoint names of the track.
    prior_tl
        Cost of labelling one frame swapped, torso lengths.
    cap_tl
        Largest deviation from the prediction a point adds to the cost, torso lengths.
    legs
        ``(couple_tl, lateral_tl, min_hip_sep_tl, knee_side_share)`` of the leg
        repair; None takes
        :class:`armcarriage.config.CleaningConfig`'s.

    Returns
    -------
    int
        Number of arm (frame, arm pair) swaps plus leg frames repaired.

    """
    scale = _torso_scale(pos, keypoints)
    if not scale > 0:
        return 0
    n = 0
    for parts in (_ARM,):
        li = [keypoints.index(f"left_{p}") for p in parts if f"left_{p}" in keypoints]
        ri = [keypoints.index(f"right_{p}") for p in parts if f"right_{p}" in keypoints]
        if not li or len(li) != len(ri):
            continue
        ok = np.isfinite(pos[:, li]).all(axis=(1, 2)) & np.isfinite(pos[:, ri]).all(axis=(1, 2))
        ok &= ~_blended(pos, li, ri, ok, scale, cap_tl)
        frames = np.flatnonzero(ok)
        if frames.size < 3:
            continue
        # both labellings of each valid frame: (frames, state, 2 limbs x points, 2)
        given = np.concatenate([pos[frames][:, li], pos[frames][:, ri]], axis=1) / scale
        swapped = np.concatenate([pos[frames][:, ri], pos[frames][:, li]], axis=1) / scale
        x = np.stack([given, swapped], axis=1)
        flip = _viterbi_swaps(x, frames, prior_tl, cap_tl)
        for f in frames[flip]:
            for arr in (pos, depth, world, vis):
                arr[f, li], arr[f, ri] = arr[f, ri].copy(), arr[f, li].copy()
            n += 1
    if legs is None:
        cfg = CleaningConfig()
        legs = (
            cfg.swap_couple_tl,
            cfg.swap_lateral_tl,
            cfg.swap_min_hip_sep_tl,
            cfg.swap_knee_side_share,
        )
    costs = (prior_tl, cap_tl, legs[0], legs[1])
    return n + repair_leg_swaps(pos, depth, world, vis, keypoints, costs, legs[2:])


def _viterbi_swaps(x: np.ndarray, frames: np.ndarray, prior: float, cap: float) -> np.ndarray:
    """Return which frames to swap: the least-cost labelling of :func:`repair_swaps`.

    ``x`` holds each frame's points under both labellings (frames, 2, points,
    2), in torso lengths, ``frames`` their frame numbers. The cost of a step is
    the summed distance (each point's capped at ``cap``) of the new frame's
    points from their constant-velocity prediction, plus ``prior`` for a
    swapped frame.
    """
    unary = np.broadcast_to(np.array([0.0, prior]), (frames.size, 2))
    return _viterbi(unary, _accelerations(x, frames, cap)).astype(bool)
