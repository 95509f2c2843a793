"""The trunk of the rendered figure as solids, and arms kept out of it.

An arm variant that turns the forearm towards the midline
(:class:`armcarriage_eval.mocap_render.ArmVariant`) can pass it through the trunk, which
no runner can: from behind the hand then comes out of the back, from the front it sinks
into the chest. :func:`clear_trunk` flexes such an arm forward about the shoulder until the
forearm and hand clear the trunk, as a runner whose hands cross carries them in front of
the chest.
"""

from __future__ import annotations

import numpy as np


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _rotate(v: np.ndarray, axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rotate vectors (T, 3) about unit axes (T, 3) by angles (T,) (Rodrigues)."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    dot = np.sum(axis * v, axis=-1, keepdims=True)
    return v * c + np.cross(axis, v) * s + axis * dot * (1 - c)


TRUNK_SOLIDS = ((-0.14, (0.115, 0.175, 0.2)), (0.2, (0.105, 0.15, 0.17)))
"""The figure's trunk (:func:`armcarriage_eval.synthetic.figure.figure_primitives`): per
ellipsoid its centre along the thorax's up axis from the chest (first) or the pelvis
(second) joint, metres, and its radii (forward, left, up) in the thorax frame."""


def trunk_solids(
    chest: np.ndarray, pelvis: np.ndarray, thorax: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the trunk's ellipsoids as (centres (T, 3), radii (3,)) in the thorax frame."""
    up = thorax[..., 2]
    (dc, rc), (dp, rp) = TRUNK_SOLIDS
    return [(chest + dc * up, np.asarray(rc)), (pelvis + dp * up, np.asarray(rp))]


def inside(
    points: np.ndarray, thorax: np.ndarray, trunk: list[tuple[np.ndarray, np.ndarray]], m: float
) -> np.ndarray:
    """Return, per frame, whether a point (T, 3) lies in a trunk ellipsoid grown by ``m``."""
    out = np.zeros(points.shape[0], dtype=bool)
    for centre, radii in trunk:
        local = np.einsum("tij,ti->tj", thorax, points - centre)
        out |= np.sum((local / (radii + m)) ** 2, axis=1) < 1.0
    return out


def clear_trunk(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    thorax: np.ndarray,
    trunk: list[tuple[np.ndarray, np.ndarray]],
    clear_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Flex the arm forward about the shoulder, per frame, until the forearm clears the trunk.

    The smallest flexion (steps of 2 degrees, at most 90) that puts the wrist, the
    hand's centre and the forearm's middle outside the trunk grown by ``clear_m``.
    """
    left = thorax[..., 1]
    n = shoulder.shape[0]
    done = np.zeros(n, dtype=bool)
    e_out, w_out = elbow.copy(), wrist.copy()
    for deg in range(0, 92, 2):
        # about the left axis a negative turn brings a hanging arm forward
        ang = np.full(n, -np.radians(deg))
        e = shoulder + _rotate(elbow - shoulder, left, ang)
        w = shoulder + _rotate(wrist - shoulder, left, ang)
        hand = w + 0.045 * _unit(w - e)
        hit = np.zeros(n, dtype=bool)
        for pt in (w, hand, 0.5 * (e + w)):
            hit |= inside(pt, thorax, trunk, clear_m)
        ok = ~hit & ~done
        e_out[ok], w_out[ok] = e[ok], w[ok]
        done |= ok
        if done.all():
            break
    return e_out, w_out


__all__ = ["TRUNK_SOLIDS", "clear_trunk", "inside", "trunk_solids"]
