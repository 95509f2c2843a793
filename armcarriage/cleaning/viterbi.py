"""Least-cost left/right labelling over a clip: acceleration costs, glitches, Viterbi."""

from __future__ import annotations

import numpy as np

__all__ = ["_accelerations", "_blended", "_viterbi"]


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


def _accelerations(x: np.ndarray, frames: np.ndarray, cap: float) -> np.ndarray:
    """Return each step's acceleration cost under every labelling of its three frames.

    ``x`` holds each frame's points under both labellings (frames, 2, points, 2), in
    torso lengths. ``out[i, a, b, c]`` is the summed distance (each point's capped at
    ``cap``) of frame ``i + 2`` in labelling ``c`` from its constant-velocity prediction
    from frames ``i`` (labelling ``a``) and ``i + 1`` (``b``); 0 across a gap of more
    than two frames, where no prediction is made.
    """
    f0, f1, f2 = frames[:-2], frames[1:-1], frames[2:]
    k = ((f2 - f1) / (f1 - f0))[:, None, None, None, None]
    x0, x1, x2 = x[:-2], x[1:-1], x[2:]
    # pred[i, a, b]: frame i+2 predicted from frames i (state a) and i+1 (state b)
    pred = x1[:, None] + k * (x1[:, None] - x0[:, :, None])
    dev = np.linalg.norm(x2[:, None, None] - pred[:, :, :, None], axis=-1)
    acc = np.minimum(dev, cap).sum(axis=-1)  # (m - 2, a, b, c)
    acc[(f2 - f1 > 2) | (f1 - f0 > 2)] = 0.0
    return acc


def _viterbi(unary: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """Return the least-cost state of every frame (second-order Viterbi).

    ``unary[i, s]`` is the cost of frame ``i`` in state ``s``; ``acc[i, a, b, c]`` the
    cost of frames ``i``, ``i + 1``, ``i + 2`` in states ``a``, ``b``, ``c``. The search
    state is the pair of the last two frames' states.
    """
    m = unary.shape[0]
    cost = unary[0][:, None] + unary[1][None, :]  # cost[a, b]: frames i-1, i in states a, b
    back = np.zeros((m, *cost.shape), dtype=np.int8)
    for i in range(2, m):
        total = cost[:, :, None] + acc[i - 2]  # (a, b, c)
        back[i] = np.argmin(total, axis=0)
        cost = np.min(total, axis=0) + unary[i][None, :]
    b, c = np.unravel_index(int(np.argmin(cost)), cost.shape)
    states = np.zeros(m, dtype=np.int64)
    states[m - 1], states[m - 2] = c, b
    for i in range(m - 1, 1, -1):
        states[i - 2] = back[i, states[i - 1], states[i]]
    return states
