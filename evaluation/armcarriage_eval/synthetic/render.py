"""A numpy ray-caster: the runner in a room with a textured floor and wall.

The camera is fixed for a clip, so the background (floor, wall, treadmill belt
or track lanes) is traced once by :class:`Scene`; each frame traces only the
pixels inside the screen bounds of each body primitive and keeps the nearest
hit. Shading is Lambert from one light plus a little camera-facing fill.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from armcarriage_eval.camera import Camera
from armcarriage_eval.synthetic import shapes
from armcarriage_eval.synthetic.figure import Primitive
from scipy import ndimage


class Scene:
    """A fixed camera with a pre-traced background.

    Parameters
    ----------
    camera
        The camera (fixed for the clip).
    setting
        ``"treadmill"`` (a belt under the runner) or ``"track"`` (running lanes).
    seed
        Seed of the background texture.
    wall_distance
        Distance of the back wall behind the scene centre, metres.
    center
        (x, y) of the scene centre on the floor.

    """

    def __init__(
        self,
        camera: Camera,
        setting: str = "treadmill",
        seed: int = 0,
        wall_distance: float = 2.5,
        center: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.camera = camera
        self.setting = setting
        h, w = camera.height, camera.width
        rot = camera.rotation
        u = (np.arange(w) + 0.5 - w / 2) / camera.focal_px
        v = (np.arange(h) + 0.5 - h / 2) / camera.focal_px
        uu, vv = np.meshgrid(u, v)
        d_cam = np.stack([uu, vv, np.ones_like(uu)], -1)
        d = d_cam @ rot  # camera -> world (rows of rot are camera axes)
        self.rays = d / np.linalg.norm(d, axis=-1, keepdims=True)
        self.origin = np.asarray(camera.position, float)
        fwd = rot[2].copy()
        fwd[2] = 0.0
        fwd /= np.linalg.norm(fwd)
        self.light = _unit(np.array([0.0, 0.0, 1.0]) - 0.8 * fwd + 0.3 * np.cross(fwd, [0, 0, 1]))
        self.floor_xy, self.depth, self.color = self._background(
            fwd, wall_distance, np.asarray(center, float), np.random.default_rng(seed)
        )

    def _background(
        self, fwd: np.ndarray, wall_distance: float, center: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        o, d = self.origin, self.rays
        with np.errstate(divide="ignore", invalid="ignore"):
            t_floor = np.where(d[..., 2] < -1e-6, -o[2] / d[..., 2], np.inf)
            plane = center @ fwd[:2] + wall_distance
            t_wall = np.where(d @ fwd > 1e-6, (plane - o @ fwd) / (d @ fwd), np.inf)
        floor = t_floor <= t_wall
        t = np.minimum(t_floor, t_wall)
        t = np.where(np.isfinite(t), t, 1e3)
        p = o + t[..., None] * d
        color = np.empty(d.shape)
        color[floor] = self._floor_texture(p[floor])
        color[~floor] = self._wall_texture(p[~floor], fwd, rng)
        # distance fog keeps far texture calm
        fade = np.clip((t - 6.0) / 20.0, 0.0, 0.6)[..., None]
        color = color * (1 - fade) + 0.7 * fade
        floor_xy = np.where(floor[..., None], p[..., :2], np.nan)
        return floor_xy, t, color

    def _floor_texture(self, p: np.ndarray) -> np.ndarray:
        x, y = p[:, 0], p[:, 1]
        if self.setting == "track":
            base = np.array([0.62, 0.26, 0.18])
            col = np.tile(base, (len(x), 1))
            lane = np.abs(((y + 0.61) % 1.22) - 0.61) < 0.025
            col[lane] = 0.92
            grain = 0.06 * np.sin(37 * x + 3 * np.sin(11 * y)) * np.sin(41 * y)
            return np.clip(col + grain[:, None], 0, 1)
        plank = np.floor(y / 0.18)
        shade = 0.08 * np.sin(plank * 12.9898 + 78.233) + 0.06 * np.sin(plank * 4.1 + 1.3)
        grain = 0.035 * np.sin(23 * x + 5 * np.sin(3 * x + plank)) + 0.015 * np.sin(90 * x)
        seam = (np.abs(((y / 0.18) % 1.0) - 0.5) > 0.47) * -0.15
        wood = np.array([0.72, 0.55, 0.36])
        col = wood[None, :] * (1 + shade + grain + seam)[:, None]
        belt = (np.abs(y) < 0.3) & (np.abs(x) < 0.95)
        rail = (np.abs(y) >= 0.3) & (np.abs(y) < 0.4) & (np.abs(x) < 1.05)
        col[belt] = 0.16 + 0.02 * np.sin(60 * x[belt])[:, None]
        col[rail] = np.array([0.55, 0.56, 0.6])
        return np.clip(col, 0, 1)

    def _wall_texture(self, p: np.ndarray, fwd: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        side = np.cross(fwd, [0.0, 0.0, 1.0])
        s, z = p @ side, p[:, 2]
        paint = np.array([0.80, 0.79, 0.74]) + rng.uniform(-0.06, 0.06, 3)
        col = np.tile(paint, (len(s), 1))
        col *= (1 + 0.02 * np.sin(13 * s) * np.sin(17 * z))[:, None]
        col[z < 0.12] = np.array([0.35, 0.33, 0.3])
        # a few posters and a window-like panel
        for _ in range(3):
            cs, cz = rng.uniform(-4, 4), rng.uniform(1.3, 2.3)
            ws, hz = rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.6)
            inside = (np.abs(s - cs) < ws / 2) & (np.abs(z - cz) < hz / 2)
            col[inside] = rng.uniform(0.2, 0.9, 3) * (1 + 0.15 * np.sin(20 * s[inside])[:, None])
        return np.clip(col, 0, 1)

    def shadow(self, color: np.ndarray, at: np.ndarray, radius: float = 0.35) -> None:
        """Darken the floor around the floor point ``at`` (x, y), in place."""
        uv, z = self.camera.project(np.array([at[0], at[1], 0.0]))
        if not np.all(np.isfinite(uv)) or z <= 0:
            return
        rp = int(self.camera.focal_px * radius * 1.6 / z) + 2
        u0, v0 = int(uv[0]) - rp, int(uv[1]) - rp
        sl = (slice(max(v0, 0), max(v0 + 2 * rp, 0)), slice(max(u0, 0), max(u0 + 2 * rp, 0)))
        xy = self.floor_xy[sl]
        d2 = np.sum((xy - at[:2]) ** 2, axis=-1) / radius**2
        k = 1 - 0.4 * np.exp(-d2 * 1.5)
        k = np.where(np.isfinite(k), k, 1.0)
        color[sl] *= k[..., None]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _intersect(p: Primitive, ro: np.ndarray, rd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if p.kind == "sphere":
        return shapes.sphere(ro, rd, p.a, p.ra)
    if p.kind == "ellipsoid":
        assert p.axes is not None and p.radii is not None
        return shapes.ellipsoid(ro, rd, p.a, p.axes, p.radii)
    assert p.b is not None
    return shapes.round_cone(ro, rd, p.a, p.b, p.ra, p.rb)


def render(
    scene: Scene,
    prims: Sequence[Primitive],
    shadow_at: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Trace one frame.

    Parameters
    ----------
    scene
        Camera and background.
    prims
        The body's primitives.
    shadow_at
        Floor point (x, y) under the body for a soft contact shadow.

    Returns
    -------
    color : numpy.ndarray
        Linear RGB in [0, 1], shape (H, W, 3).
    depth : numpy.ndarray
        Ray distance of the nearest surface, shape (H, W).

    """
    cam = scene.camera
    color = scene.color.copy()
    depth = scene.depth.copy()
    if shadow_at is not None:
        scene.shadow(color, shadow_at)
    ro = scene.origin
    for p in prims:
        c, r = p.bounds()
        uv, z = cam.project(c)
        if not np.all(np.isfinite(uv)) or z - r <= 0.05:
            continue
        rp = cam.focal_px * r / (z - r) * 1.05 + 2
        u0, u1 = int(max(uv[0] - rp, 0)), int(min(uv[0] + rp + 1, cam.width))
        v0, v1 = int(max(uv[1] - rp, 0)), int(min(uv[1] + rp + 1, cam.height))
        if u1 <= u0 or v1 <= v0:
            continue
        rd = scene.rays[v0:v1, u0:u1].reshape(-1, 3)
        t, n = _intersect(p, ro, rd)
        dsub = depth[v0:v1, u0:u1].reshape(-1)
        win = t < dsub
        if not win.any():
            continue
        lam = np.clip(n[win] @ scene.light, 0.0, 1.0)
        face = np.clip(-np.einsum("ij,ij->i", n[win], rd[win]), 0.0, 1.0)
        shade = 0.22 + 0.58 * lam + 0.25 * face
        csub = color[v0:v1, u0:u1].reshape(-1, 3)
        csub[win] = np.asarray(p.color)[None, :] * shade[:, None]
        dsub[win] = t[win]
        color[v0:v1, u0:u1] = csub.reshape(v1 - v0, u1 - u0, 3)
        depth[v0:v1, u0:u1] = dsub.reshape(v1 - v0, u1 - u0)
    return color, depth


def finish(
    color: np.ndarray,
    *,
    blur_px: float = 0.0,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Gamma-encode to 8-bit sRGB-like values, with optional blur and sensor noise.

    Parameters
    ----------
    color
        Linear RGB in [0, 1], (H, W, 3).
    blur_px
        Gaussian blur sigma in pixels (0 = none).
    noise
        Standard deviation of additive noise in 8-bit units (0 = none).
    rng
        Random generator for the noise.

    Returns
    -------
    numpy.ndarray
        uint8 image (H, W, 3).

    """
    img = np.clip(color, 0.0, 1.0) ** (1 / 1.5)
    if blur_px > 0:
        img = ndimage.gaussian_filter(img, sigma=(blur_px, blur_px, 0))
    img = img * 255.0
    if noise > 0:
        gen = rng if rng is not None else np.random.default_rng(0)
        img = img + gen.normal(0.0, noise, img.shape)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


__all__ = ["Scene", "finish", "render"]
