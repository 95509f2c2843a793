"""Ray intersection of the renderer's primitives, vectorised over rays.

Each function takes one ray origin ``ro`` (3,) and unit directions ``rd``
(N, 3) and returns the hit distance ``t`` (N,; ``inf`` for a miss) and the unit
surface normal (N, 3). The round-cone (tapered capsule) test follows Inigo
Quilez's closed form; :func:`sd_round_cone` is its signed distance, used by the
tests to check the hits.
"""

from __future__ import annotations

import numpy as np


def _finish(t: np.ndarray, hit: np.ndarray, normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.where(hit & (t > 1e-6), t, np.inf)
    normal = np.where(np.isfinite(t)[:, None], normal, 1.0)
    n = normal / np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-12)
    return t, n


def sphere(
    ro: np.ndarray, rd: np.ndarray, center: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Intersect rays with a sphere."""
    oc = ro - center
    b = rd @ oc
    h = b * b - (oc @ oc - radius * radius)
    hit = h >= 0
    t = -b - np.sqrt(np.where(hit, h, 0.0))
    return _finish(t, hit, oc + t[:, None] * rd)


def ellipsoid(
    ro: np.ndarray, rd: np.ndarray, center: np.ndarray, axes: np.ndarray, radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intersect rays with an ellipsoid.

    Parameters
    ----------
    ro, rd
        Ray origin (3,) and unit directions (N, 3).
    center
        Centre of the ellipsoid (3,).
    axes
        (3, 3) matrix whose columns are the ellipsoid's axes in world coordinates.
    radii
        (3,) semi-axes along those columns.

    """
    o = (axes.T @ (ro - center)) / radii
    d = (rd @ axes) / radii
    a = np.einsum("ij,ij->i", d, d)
    b = d @ o
    c = o @ o - 1.0
    h = b * b - a * c
    hit = h >= 0
    t = (-b - np.sqrt(np.where(hit, h, 0.0))) / a
    p = o + t[:, None] * d
    return _finish(t, hit, (p / radii) @ axes.T)


def round_cone(
    ro: np.ndarray, rd: np.ndarray, pa: np.ndarray, pb: np.ndarray, ra: float, rb: float
) -> tuple[np.ndarray, np.ndarray]:
    """Intersect rays with a round cone: spheres ``ra`` at ``pa`` and ``rb`` at ``pb``, hulled."""
    ba = pb - pa
    oa = ro - pa
    ob = ro - pb
    rr = ra - rb
    m0 = ba @ ba
    m1 = ba @ oa
    m2 = rd @ ba
    m3 = rd @ oa
    m5 = oa @ oa
    m6 = rd @ ob
    m7 = ob @ ob
    d2 = m0 - rr * rr
    k2 = d2 - m2 * m2
    k1 = d2 * m3 - m1 * m2 + m2 * rr * ra
    k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra
    h = k1 * k1 - k0 * k2
    any_hit = h >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t_body = (-np.sqrt(np.where(any_hit, h, 0.0)) - k1) / k2
    y = m1 - ra * rr + t_body * m2
    body = any_hit & (y > 0) & (y < d2)
    n_body = d2 * (oa + t_body[:, None] * rd) - np.outer(y, ba)
    h1 = m3 * m3 - m5 + ra * ra
    h2 = m6 * m6 - m7 + rb * rb
    t1 = np.where(h1 > 0, -m3 - np.sqrt(np.maximum(h1, 0.0)), np.inf)
    t2 = np.where(h2 > 0, -m6 - np.sqrt(np.maximum(h2, 0.0)), np.inf)
    use2 = t2 < t1
    t_cap = np.where(use2, t2, t1)
    t_cap = np.where(t_cap > 1e-6, t_cap, np.inf)
    with np.errstate(invalid="ignore"):
        n_cap = np.where(use2[:, None], ob + t2[:, None] * rd, oa + t1[:, None] * rd)
        t = np.where(body, t_body, np.where(any_hit, t_cap, np.inf))
        n = np.where(body[:, None], n_body, n_cap)
    return _finish(t, np.isfinite(t), n)


def sd_round_cone(p: np.ndarray, a: np.ndarray, b: np.ndarray, r1: float, r2: float) -> np.ndarray:
    """Signed distance from points (N, 3) to a round cone."""
    ba = b - a
    l2 = ba @ ba
    rr = r1 - r2
    a2 = l2 - rr * rr
    il2 = 1.0 / l2
    pa = p - a
    y = pa @ ba
    z = y - l2
    q = pa * l2 - np.outer(y, ba)
    x2 = np.einsum("ij,ij->i", q, q)
    y2 = y * y * l2
    z2 = z * z * l2
    k = np.sign(rr) * rr * rr * x2
    out = (np.sqrt(x2 * a2 * il2) + y * rr) * il2 - r1
    out = np.where(np.sign(y) * a2 * y2 < k, np.sqrt(x2 + y2) * il2 - r1, out)
    return np.where(np.sign(z) * a2 * z2 > k, np.sqrt(x2 + z2) * il2 - r2, out)


__all__ = ["ellipsoid", "round_cone", "sd_round_cone", "sphere"]
