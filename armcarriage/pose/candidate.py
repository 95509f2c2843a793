"""One person the model found in a frame: landmarks, world points, silhouette numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from armcarriage.skeleton import KEYPOINT_INDEX

_TORSO = [KEYPOINT_INDEX[k] for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


@dataclass
class _Candidate:
    landmarks: np.ndarray  # (33, 5): x, y (px), depth (px), visibility, presence
    world: np.ndarray  # (33, 3) m
    silhouette: np.ndarray | None = None  # (len(SILHOUETTE_FEATURES),) px, or None

    @property
    def centre(self) -> np.ndarray:
        return _centre_and_torso(self.landmarks)[0]

    @property
    def size(self) -> float:
        pts = self.landmarks[:, :2]
        span = np.nanmax(pts, axis=0) - np.nanmin(pts, axis=0)
        return float(span[0] * span[1])


def _centre_and_torso(landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """Torso centre (px) and shoulder-mid to hip-mid distance (px, >= 10) of one pose."""
    xy = landmarks[_TORSO, :2].astype(float)
    d = float(np.linalg.norm((xy[0] + xy[1]) / 2 - (xy[2] + xy[3]) / 2))
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(xy, axis=0) if np.isfinite(xy).any() else np.full(2, np.nan)
    return centre, d if np.isfinite(d) and d > 10 else 10.0
