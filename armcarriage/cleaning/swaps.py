"""Left/right swap repair: the least-cost labelling of each limb group over the clip."""

from __future__ import annotations

import numpy as np

from armcarriage.cleaning.masks import _torso_scale

_ARM = ("elbow", "wrist", "pinky", "index", "thumb")


_LEG = ("knee", "ankle", "heel", "foot_index")


def repair_swaps(
    pos: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    vis: np.ndarray,
    keypoints: list[str],
    prior_tl: float = 0.4,
    cap_tl: float = 0.5,
) -> int:
    """Undo left/right label swaps of arms and legs, in place.

    Per limb group (arm: elbow, wrist and hand points; leg: knee, ankle,
    heel, toe) every frame is labelled as given or swapped, by the labelling of
    the whole clip that minimises the total cost (Viterbi): the limbs'
    acceleration (the summed distances of the group's points from their
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

    Returns
    -------
    int
        Number of (frame, group) swaps repaired.

    """
    scale = _torso_scale(pos, keypoints)
    if not scale > 0:
        return 0
    n = 0
    for parts in (_ARM, _LEG):
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
    return n


def _blended(
    pos: np.ndarray, li: list[int], ri: list[int], ok: np.ndarray, scale: float, cap: float
) -> np.ndarray:
    """Return the frames where a limb group is a glitch under either labelling.

    A frame whose points lie, on average, more than ``cap`` torso lengths (and 1.5
    times as far as its neighbours' do) from the midpoint of the previous and next
    frames' (those two paired the way that keeps them closest) under both its
    labellings is a glitch, not a swap: the model put both limbs somewhere in
    between (motion-blurred feet). Its velocity, extrapolated, points each limb at
    the other's next position, so the frames after it would look swapped; left out
    of the repair, it keeps its labels and the frames after it theirs.
    """
    out = np.zeros(pos.shape[0], dtype=bool)
    x = np.concatenate([pos[:, li], pos[:, ri]], axis=1) / scale
    sw = np.concatenate([pos[:, ri], pos[:, li]], axis=1) / scale
    inner = np.flatnonzero(ok[1:-1] & ok[:-2] & ok[2:]) + 1
    if not inner.size:
        return out
    a, c, cs = x[inner - 1], x[inner + 1], sw[inner + 1]
    straight = np.linalg.norm(a - c, axis=-1).sum(axis=1)
    crossed = np.linalg.norm(a - cs, axis=-1).sum(axis=1)
    mid = 0.5 * (a + np.where((straight <= crossed)[:, None, None], c, cs))
    given = np.linalg.norm(x[inner] - mid, axis=-1).mean(axis=1)
    swapped = np.linalg.norm(sw[inner] - mid, axis=-1).mean(axis=1)
    dev = np.zeros(pos.shape[0])
    dev[inner] = np.minimum(given, swapped)
    # one frame among good ones: its neighbours deviate by about half as much (their
    # midpoints take in the glitch). A run of such frames, the model losing the limbs for
    # a while (a runner crossing the view), keeps them all: the repair needs them
    near = np.maximum(np.r_[0.0, dev[:-1]], np.r_[dev[1:], 0.0])
    out[inner] = (dev[inner] > cap) & (dev[inner] > 1.5 * near[inner])
    return out


def _viterbi_swaps(x: np.ndarray, frames: np.ndarray, prior: float, cap: float) -> np.ndarray:
    """Return which frames to swap: the least-cost labelling of :func:`repair_swaps`.

    ``x`` holds each frame's points under both labellings (frames, 2, points,
    2), in torso lengths, ``frames`` their frame numbers. The state of a step
    is the labelling of the last two frames; the cost of a step is the summed
    distance (each point's capped at ``cap``) of the new frame's points from
    their constant-velocity prediction, plus ``prior`` for a swapped frame.
    """
    m = frames.size
    unary = np.array([0.0, prior])
    f0, f1, f2 = frames[:-2], frames[1:-1], frames[2:]
    k = ((f2 - f1) / (f1 - f0))[:, None, None, None, None]
    x0, x1, x2 = x[:-2], x[1:-1], x[2:]
    # pred[i, a, b]: frame i+2 predicted from frames i (state a) and i+1 (state b)
    pred = x1[:, None] + k * (x1[:, None] - x0[:, :, None])
    dev = np.linalg.norm(x2[:, None, None] - pred[:, :, :, None], axis=-1)
    acc = np.minimum(dev, cap).sum(axis=-1)  # (m - 2, a, b, c)
    acc[(f2 - f1 > 2) | (f1 - f0 > 2)] = 0.0  # no prediction across a gap
    cost = unary[:, None] + unary[None, :]  # cost[a, b]: frames i-1, i in states a, b
    back = np.zeros((m, 2, 2), dtype=np.int8)
    for i in range(2, m):
        total = cost[:, :, None] + acc[i - 2]  # (a, b, c)
        back[i] = np.argmin(total, axis=0)
        cost = np.min(total, axis=0) + unary[None, :]
    b, c = np.unravel_index(int(np.argmin(cost)), cost.shape)
    states = np.zeros(m, dtype=np.int8)
    states[m - 1], states[m - 2] = c, b
    for i in range(m - 1, 1, -1):
        states[i - 2] = back[i, states[i - 1], states[i]]
    return states.astype(bool)
