"""A pinhole camera: look-at placement and projection of 3D points to pixels.

World frame: metres, ``x`` forward (running direction), ``y`` to the runner's
left, ``z`` up. Image frame: pixels, ``u`` to the right, ``v`` down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A pinhole camera.

    Parameters
    ----------
    position
        Camera centre in world coordinates (m), shape (3,).
    target
        Point the optical axis passes through (m), shape (3,).
    focal_px
        Focal length in pixels.
    width, height
        Image size in pixels.

    """

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    focal_px: float
    width: int
    height: int

    @property
    def rotation(self) -> np.ndarray:
        """World-to-camera rotation (rows: camera right, down, forward)."""
        c = np.asarray(self.position, float)
        fwd = np.asarray(self.target, float) - c
        fwd /= np.linalg.norm(fwd)
        up = np.array([0.0, 0.0, 1.0])
        right = np.cross(fwd, up)
        if np.linalg.norm(right) < 1e-9:  # looking straight up or down
            right = np.array([0.0, -1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """Transform world points (..., 3) into camera coordinates (..., 3)."""
        p = np.asarray(points, float) - np.asarray(self.position, float)
        return p @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project world points (..., 3) to pixels.

        Returns
        -------
        uv : numpy.ndarray
            Pixel coordinates, shape (..., 2); NaN behind the camera.
        depth : numpy.ndarray
            Distance along the optical axis (m), shape (...).

        """
        pc = self.to_camera(points)
        z = pc[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.focal_px * pc[..., 0] / z + self.width / 2.0
            v = self.focal_px * pc[..., 1] / z + self.height / 2.0
        uv = np.stack([u, v], axis=-1)
        uv[z <= 0] = np.nan
        return uv, z


def view_camera(
    view: str,
    *,
    distance: float = 4.0,
    height: float = 1.1,
    target_height: float = 1.0,
    focal_px: float = 600.0,
    width: int = 640,
    height_px: int = 480,
    center: tuple[float, float] = (0.0, 0.0),
) -> Camera:
    """Place a camera for a named view of a runner moving along +x.

    Parameters
    ----------
    view
        ``"side_left"`` (the runner faces image-left: the camera stands on the
        runner's left, +y), ``"side_right"`` (faces image-right: camera on the
        runner's right, -y), ``"front"``, ``"rear"`` or ``"oblique"`` (45
        degrees between front and the runner's right side).
    distance
        Horizontal distance from ``center`` (m).
    height
        Camera height above the floor (m).
    target_height
        Height the camera aims at (m).
    focal_px, width, height_px
        Intrinsics.
    center
        (x, y) of the point the camera looks at, on the floor plan.

    Returns
    -------
    Camera

    """
    directions = {
        "side_left": (0.0, 1.0),
        "side_right": (0.0, -1.0),
        "front": (1.0, 0.0),
        "rear": (-1.0, 0.0),
        "oblique": (np.sqrt(0.5), -np.sqrt(0.5)),
    }
    if view not in directions:
        raise ValueError(f"view: expected one of {sorted(directions)}, got {view!r}")
    dx, dy = directions[view]
    cx, cy = center
    return Camera(
        position=(cx + dx * distance, cy + dy * distance, height),
        target=(cx, cy, target_height),
        focal_px=focal_px,
        width=width,
        height=height_px,
    )
