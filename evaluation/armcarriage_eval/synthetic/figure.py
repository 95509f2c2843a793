"""The runner's body as render primitives (spheres, ellipsoids, tapered capsules).

:func:`figure_primitives` dresses one frame of :class:`~armcarriage_eval.synthetic.gait.Kinematics`:
skin, a short-sleeved shirt, shorts, socks, shoes, hair and a face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from armcarriage_eval.synthetic.gait import HEAD_RADII, Kinematics, on_head


@dataclass(frozen=True)
class Primitive:
    """One solid: ``kind`` is ``"sphere"``, ``"ellipsoid"`` or ``"cone"``.

    ``a`` is the centre (sphere, ellipsoid) or first end (cone); ``b`` the second
    end (cone); ``ra``/``rb`` the radii; ``axes`` (3, 3) and ``radii`` (3,) the
    ellipsoid's frame and semi-axes; ``color`` linear RGB in [0, 1].
    """

    kind: str
    a: np.ndarray
    color: tuple[float, float, float]
    b: np.ndarray | None = None
    ra: float = 0.0
    rb: float = 0.0
    axes: np.ndarray | None = None
    radii: np.ndarray | None = None

    def bounds(self) -> tuple[np.ndarray, float]:
        """Centre and radius of a sphere that encloses the solid."""
        if self.kind == "sphere":
            return self.a, self.ra
        if self.kind == "ellipsoid":
            assert self.radii is not None
            return self.a, float(np.max(self.radii))
        assert self.b is not None
        half = float(np.linalg.norm(self.b - self.a) / 2)
        return (self.a + self.b) / 2, half + max(self.ra, self.rb)


@dataclass(frozen=True)
class Look:
    """Colours of the runner."""

    skin: tuple[float, float, float] = (0.80, 0.58, 0.44)
    shirt: tuple[float, float, float] = (0.12, 0.32, 0.72)
    shorts: tuple[float, float, float] = (0.10, 0.10, 0.13)
    shoes: tuple[float, float, float] = (0.92, 0.92, 0.90)
    soles: tuple[float, float, float] = (0.85, 0.25, 0.15)
    socks: tuple[float, float, float] = (0.95, 0.95, 0.95)
    hair: tuple[float, float, float] = (0.18, 0.11, 0.06)
    eyes: tuple[float, float, float] = (0.05, 0.04, 0.04)
    lips: tuple[float, float, float] = (0.62, 0.30, 0.28)


SKIN_TONES = ((0.80, 0.58, 0.44), (0.62, 0.42, 0.30), (0.92, 0.74, 0.62), (0.45, 0.30, 0.21))
SHIRTS = (
    (0.12, 0.32, 0.72),
    (0.75, 0.15, 0.15),
    (0.15, 0.55, 0.30),
    (0.95, 0.60, 0.10),
    (0.45, 0.20, 0.60),
)
HAIR = ((0.18, 0.11, 0.06), (0.05, 0.04, 0.03), (0.55, 0.38, 0.18))


def random_look(rng: np.random.Generator) -> Look:
    """Pick skin, shirt and hair colours."""
    return Look(
        skin=SKIN_TONES[rng.integers(len(SKIN_TONES))],
        shirt=SHIRTS[rng.integers(len(SHIRTS))],
        hair=HAIR[rng.integers(len(HAIR))],
    )


def _ell(
    center: np.ndarray,
    frame: np.ndarray,
    radii: tuple[float, float, float],
    color: tuple[float, float, float],
) -> Primitive:
    return Primitive(
        "ellipsoid", np.asarray(center, float), color, axes=frame, radii=np.asarray(radii, float)
    )


def _cone(
    a: np.ndarray, b: np.ndarray, ra: float, rb: float, color: tuple[float, float, float]
) -> Primitive:
    return Primitive("cone", np.asarray(a, float), color, b=np.asarray(b, float), ra=ra, rb=rb)


def _sph(c: np.ndarray, r: float, color: tuple[float, float, float]) -> Primitive:
    return Primitive("sphere", np.asarray(c, float), color, ra=r)


def figure_primitives(kin: Kinematics, i: int, look: Look | None = None) -> list[Primitive]:
    """Primitives of the runner at frame ``i``."""
    lk = look or Look()
    j = {k: v[i] for k, v in kin.joints.items()}
    fr = {k: v[i] for k, v in kin.frames.items()}
    ft, fh, fp = fr["thorax"], fr["head"], fr["pelvis"]
    up_t, fw_t = ft[:, 2], ft[:, 0]
    out: list[Primitive] = []
    # head, hair, face
    h = j["head"]
    out.append(_ell(h, fh, HEAD_RADII, lk.skin))
    out.append(_ell(h + fh @ np.array([-0.018, 0.0, 0.022]), fh, (0.092, 0.083, 0.106), lk.hair))
    for sg in (1.0, -1.0):
        out.append(_sph(h + fh @ on_head((0.84, sg * 0.33, 0.22), -0.004), 0.0115, lk.eyes))
        out.append(
            _ell(h + fh @ on_head((0.0, sg * 1.0, 0.0), 0.0), fh, (0.02, 0.012, 0.032), lk.skin)
        )
        out.append(_sph(h + fh @ on_head((0.8, sg * 0.25, 0.42), 0.002), 0.0075, lk.hair))
    out.append(_ell(h + fh @ on_head((1.0, 0.0, -0.12), 0.008), fh, (0.022, 0.013, 0.02), lk.skin))
    out.append(_ell(h + fh @ on_head((0.9, 0.0, -0.5), -0.002), fh, (0.01, 0.022, 0.007), lk.lips))
    # neck and trunk
    out.append(
        _cone(
            j["chest"] - 0.03 * up_t, h - 0.05 * fh[:, 2] - 0.02 * fh[:, 0], 0.052, 0.048, lk.skin
        )
    )
    out.append(_ell(j["chest"] - 0.14 * up_t + 0.0 * fw_t, ft, (0.115, 0.175, 0.2), lk.shirt))
    out.append(_ell(j["pelvis"] + 0.2 * up_t, ft, (0.105, 0.15, 0.17), lk.shirt))
    out.append(_ell(j["pelvis"] + 0.01 * up_t, fp, (0.11, 0.16, 0.11), lk.shorts))
    for side in ("left", "right"):
        s, e, w = j[f"{side}_shoulder"], j[f"{side}_elbow"], j[f"{side}_wrist"]
        out.append(_sph(s, 0.056, lk.shirt))
        # trapezius: the shoulder line follows a shrug
        out.append(_cone(j["chest"] + 0.03 * up_t, s + 0.01 * up_t, 0.06, 0.05, lk.shirt))
        out.append(_cone(s, s + 0.42 * (e - s), 0.056, 0.05, lk.shirt))
        out.append(_cone(s, e, 0.044, 0.036, lk.skin))
        out.append(_cone(e, w, 0.036, 0.026, lk.skin))
        out.append(_ell(j[f"{side}_hand"], fr[f"{side}_hand"], (0.05, 0.026, 0.042), lk.skin))
        hp, kn, an = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
        out.append(_cone(hp, hp + 0.5 * (kn - hp), 0.085, 0.072, lk.shorts))
        out.append(_cone(hp, kn, 0.075, 0.05, lk.skin))
        out.append(_cone(kn, an, 0.05, 0.034, lk.skin))
        ff = fr[f"{side}_foot"]
        out.append(
            _cone(an, an + 0.09 * (kn - an) / np.linalg.norm(kn - an), 0.037, 0.039, lk.socks)
        )
        out.append(_ell(an + ff @ np.array([0.05, 0.0, -0.03]), ff, (0.135, 0.05, 0.048), lk.shoes))
        out.append(_ell(an + ff @ np.array([0.05, 0.0, -0.062]), ff, (0.13, 0.048, 0.02), lk.soles))
    return out


__all__ = ["Look", "Primitive", "figure_primitives", "random_look"]
