"""Depth of the arm from the body's planes, for oblique views.

The line through the shoulders and hips is the body's lateral axis; its direction in the pose
model's world landmarks (camera axes) tells how an oblique camera sees the body. A segment's
lateral component ``m`` (in segment lengths, + = towards the midline) is fixed by its image
horizontal span ``x`` and its depth ``z``: ``m = s (x hx + z hz)`` with ``(hx, hz)`` the unit
lateral axis and ``s`` the arm's medial sign. Anatomy holds ``m`` near a known value: the
upper arm hangs outside the shoulder (``m`` about -0.3, steady over the stride), the forearm
points towards the midline by a varying amount. So a prior on ``m`` is a depth hint,
``z = (s m0 - x hx) / hz`` with error ``sd / |hz|``: sharp when the lateral axis points
into the image (oblique and side views), empty from the front or behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from armcarriage.metrics.arm3d import (
    Arm3DSettings,
    ArmReconstruction,
    _interior,
    angle_and_error,
    depth_posterior,
)
from armcarriage.track import PoseTrack


@dataclass(frozen=True)
class BodyPlane:
    """The body's lateral axis in camera axes and the arm's priors on its lateral components.

    Attributes
    ----------
    hx, hz
        Unit lateral axis (left to right shoulder and hip) in the camera's horizontal plane.
    medial
        +1 for the left arm (its midline side is the axis' direction), -1 for the right.
    upper, fore
        ``(mean, sd)`` of the upper arm's and the forearm's medial component, segment lengths;
        the forearm's mean may be per frame (:func:`world_medial`).

    """

    hx: float
    hz: float
    medial: float
    upper: tuple[float, float]
    fore: tuple[float | np.ndarray, float]

    def hint(self, x_span: np.ndarray, segment: str) -> tuple[np.ndarray, float]:
        """Return a segment's depth hint ``dz / L`` per frame and its error.

        ``x_span``: the segment's horizontal image span over its true length.
        """
        m0, sd = self.upper if segment == "upper" else self.fore
        hz = self.hz if abs(self.hz) > 1e-6 else 1e-6
        return (self.medial * m0 - np.asarray(x_span, float) * self.hx) / hz, sd / abs(hz)


def world_medial(track: PoseTrack, side: str, axis: tuple[float, float]) -> np.ndarray:
    """Return the forearm's medial component per frame in the pose model's world landmarks.

    Segment lengths, + = the hand towards the midline; NaN where a landmark is missing.
    """
    hx, hz = axis
    d = track.world_xyz(f"{side}_wrist") - track.world_xyz(f"{side}_elbow")
    with np.errstate(invalid="ignore", divide="ignore"):
        m = (d[:, 0] * hx + d[:, 2] * hz) / np.linalg.norm(d, axis=1)
    return m if side == "left" else -m


def lateral_axis(track: PoseTrack) -> tuple[float, float]:
    """Return the clip's unit lateral axis ``(hx, hz)`` from the world landmarks (NaN if none).

    The median direction of the shoulders' plus the hips' lines in the horizontal plane.
    """
    lines = [
        track.world_xyz(f"right_{p}") - track.world_xyz(f"left_{p}") for p in ("shoulder", "hip")
    ]
    h = lines[0] + lines[1]
    ok = np.isfinite(h[:, 0]) & np.isfinite(h[:, 2])
    if not ok.any():
        return float("nan"), float("nan")
    yaw = np.arctan2(h[ok, 2], h[ok, 0])
    hx, hz = float(np.median(np.cos(yaw))), float(np.median(np.sin(yaw)))
    n = float(np.hypot(hx, hz))
    return hx / n, hz / n


def _posteriors(
    spans: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    lengths: tuple[float, float],
    plane: BodyPlane,
    st: Arm3DSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return both segments' depth posteriors (mean, sd) given their true lengths."""
    la, lb, xa, xb = spans
    big_a, big_b = lengths
    out = []
    for l_img, x, big, seg in ((la, xa, big_a, "upper"), (lb, xb, big_b, "fore")):
        hint, noise = plane.hint(x / big, seg)
        out += list(depth_posterior(l_img / big, hint, replace(st, hint_noise=noise)))
    return out[0], out[1], out[2], out[3]


def reconstruct_arm_in_plane(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    scale: np.ndarray,
    plane: BodyPlane,
    settings: Arm3DSettings | None = None,
) -> ArmReconstruction:
    """Rebuild one arm in 3D with depth hints from the body's lateral axis (oblique views).

    As :func:`armcarriage.metrics.arm3d.reconstruct_arm`, with the hints of
    :meth:`BodyPlane.hint` instead of the pose model's depth; the lengths are refined the
    same way (image length over the rebuilt cosine, median over the clip).
    """
    st = settings or Arm3DSettings()
    st = replace(st, prior_spread=st.plane_prior_spread)
    s2, e2, w2 = (np.asarray(p, dtype=float) for p in (shoulder, elbow, wrist))
    sc = np.asarray(scale, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        sc = np.where(sc > 1e-9, sc, np.nan)
        a = (e2 - s2) / sc[:, None]
        b = (w2 - e2) / sc[:, None]
    la = np.sqrt(np.sum(a * a, axis=1))
    lb = np.sqrt(np.sum(b * b, axis=1))
    nan = np.full(la.size, np.nan)
    angle_2d = _interior(s2 - e2, w2 - e2)
    if not (np.isfinite(la).any() and np.isfinite(lb).any()):
        return ArmReconstruction(nan, angle_2d, nan, nan, nan, nan, nan, nan, nan, *[np.nan] * 3)
    spans = (la, lb, a[:, 0], b[:, 0])
    big_a = float(np.nanpercentile(la, st.length_percentile))
    big_b = max(float(np.nanpercentile(lb, st.length_percentile)), st.forearm_min_ratio * big_a)
    for _ in range(3):
        ma, sa, mb, sb = _posteriors(spans, (big_a, big_b), plane, st)
        big_a = float(np.nanmedian(la / np.sqrt(np.clip(1.0 - ma**2 - sa**2, 0.01, None))))
        big_b = max(
            float(np.nanmedian(lb / np.sqrt(np.clip(1.0 - mb**2 - sb**2, 0.01, None)))),
            st.forearm_min_ratio * big_a,
        )
    ma, sa, mb, sb = _posteriors(spans, (big_a, big_b), plane, st)
    angle, error = angle_and_error((a, b, la, lb, big_a, big_b), (ma, sa), (mb, sb))
    with np.errstate(invalid="ignore", divide="ignore"):
        ra, rb = la / big_a, lb / big_b
    return ArmReconstruction(
        angle, angle_2d, error, ra, rb, ma, mb, sa, sb, big_a, big_b, float("nan")
    )


__all__ = ["BodyPlane", "lateral_axis", "reconstruct_arm_in_plane", "world_medial"]
