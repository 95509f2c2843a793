"""Left/right swap repair of the legs: knee and foot labelled apart, knees kept on their side.

The pose model swaps a foot (ankle, heel and toe together) without its knee as often as
the whole leg, so the knee and the foot are labelled as two groups over the clip (four
states a frame) by one least-cost labelling (Viterbi, as :mod:`armcarriage.cleaning.swaps`
does for the arms): the groups' acceleration, a prior against each swapped group and a
cost for a foot labelled apart from its knee (the chain breaks only where the motion says
so). Seen from the front or from behind, the knees stay on their own hip's side of the
image through the whole stride (the feet may cross under a runner's midline, the knees do
not), so there a knee pair in the other order costs as much as it crosses.
"""

from __future__ import annotations

import numpy as np

from armcarriage.cleaning.masks import _torso_scale
from armcarriage.cleaning.viterbi import _accelerations, _blended, _viterbi

_KNEE = ("knee",)
_FOOT = ("ankle", "heel", "foot_index")
# the four states of a frame: (knee swapped, foot swapped)
_K = np.array([0, 0, 1, 1])
_F = np.array([0, 1, 0, 1])


def repair_leg_swaps(
    pos: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    vis: np.ndarray,
    keypoints: list[str],
    costs: tuple[float, float, float, float],
    gate: tuple[float, float],
) -> int:
    """Undo left/right label swaps of the knees and feet, in place.

    Parameters
    ----------
    pos, depth, world, vis
        Arrays of the track, modified in place.
    keypoints
        Keypoint names of the track.
    costs
        ``(prior, cap, couple, lateral)`` in torso lengths: the cost of a group labelled
        swapped, the cap of each point's deviation from its constant-velocity
        prediction, the cost of a foot labelled apart from its knee, and the cost per
        torso length by which the knees cross when labelled so (front and rear views).
    gate
        ``(min_hip_sep_tl, min_share)``: the knees' side is used only where the hips'
        median image separation is at least ``min_hip_sep_tl`` and the knees, as
        labelled, are in their frame's hips' order in at least ``min_share`` of the
        frames (views from the front or behind, :func:`_knee_crossing`).

    Returns
    -------
    int
        Number of frames whose legs (knee, foot or both) were swapped.

    """
    prior, cap, couple, lateral = costs
    scale = _torso_scale(pos, keypoints)
    groups = [_indices(keypoints, parts) for parts in (_KNEE, _FOOT)]
    if not scale > 0 or any(g is None for g in groups):
        return 0
    (kl, kr), (fl, fr) = groups  # type: ignore[misc]
    li, ri = kl + fl, kr + fr
    ok = np.isfinite(pos[:, li]).all(axis=(1, 2)) & np.isfinite(pos[:, ri]).all(axis=(1, 2))
    ok &= ~_blended(pos, li, ri, ok, scale, cap)
    frames = np.flatnonzero(ok)
    if frames.size < 3:
        return 0
    acc_k = _accelerations(_labellings(pos[frames], kl, kr, scale), frames, cap)
    acc_f = _accelerations(_labellings(pos[frames], fl, fr, scale), frames, cap)
    a, b, c = np.ix_(range(4), range(4), range(4))
    acc = acc_k[:, _K[a], _K[b], _K[c]] + acc_f[:, _F[a], _F[b], _F[c]]
    unary = np.broadcast_to(prior * (_K | _F) + couple * (_K != _F), (frames.size, 4)).copy()
    side = _knee_crossing(pos, keypoints, (kl[0], kr[0]), scale, gate)
    if side is not None:
        unary += lateral * side[frames][:, _K]
    states = _viterbi(unary, acc)
    for (gl, gr), flip in (((kl, kr), _K[states] == 1), ((fl, fr), _F[states] == 1)):
        for f in frames[flip]:
            for arr in (pos, depth, world, vis):
                arr[f, gl], arr[f, gr] = arr[f, gr].copy(), arr[f, gl].copy()
    return int(np.count_nonzero(states))


def _indices(keypoints: list[str], parts: tuple[str, ...]) -> tuple[list[int], list[int]] | None:
    """Return the left and right indices of a group's points, None if any is missing."""
    names = [(f"left_{p}", f"right_{p}") for p in parts]
    if not all(a in keypoints and b in keypoints for a, b in names):
        return None
    return [keypoints.index(a) for a, _ in names], [keypoints.index(b) for _, b in names]


def _labellings(pos: np.ndarray, li: list[int], ri: list[int], scale: float) -> np.ndarray:
    """Return each frame's group points under both labellings: (frames, 2, points, 2)."""
    given = np.concatenate([pos[:, li], pos[:, ri]], axis=1) / scale
    swapped = np.concatenate([pos[:, ri], pos[:, li]], axis=1) / scale
    return np.stack([given, swapped], axis=1)


def _knee_crossing(
    pos: np.ndarray,
    keypoints: list[str],
    knees: tuple[int, int],
    scale: float,
    gate: tuple[float, float],
) -> np.ndarray | None:
    """Return how far the knees cross (torso lengths) as labelled and as swapped: (T, 2).

    The clip's side is the sign of the hips' median image separation (left minus right
    x). None (the rule does not apply) when the hips are less than ``gate[0]`` torso
    lengths apart (a side view, the hips overlapping) or when fewer than ``gate[1]`` of
    the frames show the knees, as labelled, in their own frame's hips' order (an oblique
    view, where the stride carries the knees across each other in the image; a model
    flipping the whole body keeps knees and hips together). Frames without both knees
    cost nothing.
    """
    if "left_hip" not in keypoints or "right_hip" not in keypoints:
        return None
    hip = pos[:, keypoints.index("left_hip"), 0] - pos[:, keypoints.index("right_hip"), 0]
    knee = (pos[:, knees[0], 0] - pos[:, knees[1], 0]) / scale
    both = np.isfinite(hip) & np.isfinite(knee)
    if not both.any() or abs(float(np.median(hip[both]))) < gate[0] * scale:
        return None
    if float(np.mean(knee[both] * hip[both] > 0)) < gate[1]:
        return None
    sep = np.sign(np.median(hip[both])) * np.where(both, knee, 0.0)
    return np.stack([np.maximum(-sep, 0.0), np.maximum(sep, 0.0)], axis=1)
