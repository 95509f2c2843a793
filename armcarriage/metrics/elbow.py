"""Elbow angle per stride: mean, min, max, range and at the swing extremes.

The per-frame angle comes from each arm rebuilt in 3D in side views by default
(``metrics.elbow_source = "3d"``, :mod:`armcarriage.metrics.arm3d`): the 2D
angle equals the 3D one only while the arm moves in the image plane. Each
statistic's confidence carries the geometric expected error of its frames
(:func:`elbow_geometry_factor`): a stride's mean averages the depth errors of
two excursions out of the plane, a minimum or maximum picks the worst frame; a floor
for the pose model's keypoint error (:class:`ElbowErrorModel`) keeps one-frame statistics
below the confidence of the mean.
Measured figures: benchmarks/results/elbow3d.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def elbow_stride(elbow: np.ndarray, arm_angle: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the elbow angle series.

    Parameters
    ----------
    elbow
        Elbow angle per frame (deg), :func:`armcarriage.metrics.geometry.elbow_angle`.
    arm_angle
        Upper-arm angle per frame (deg, + = forward), used to find the forward
        and backward swing extremes.

    Returns
    -------
    dict
        ``elbow_angle_mean``, ``_min``, ``_max``, ``_range``, ``_forward`` (at the
        frame of the largest upper-arm angle), ``_backward`` (at the smallest);
        NaN where the series has no finite value.

    """
    e = np.asarray(elbow, dtype=float)
    a = np.asarray(arm_angle, dtype=float)
    ok = np.isfinite(e)
    out = dict.fromkeys(
        (
            "elbow_angle_mean",
            "elbow_angle_min",
            "elbow_angle_max",
            "elbow_angle_range",
            "elbow_angle_forward",
            "elbow_angle_backward",
        ),
        float("nan"),
    )
    if not ok.any():
        return out
    out["elbow_angle_mean"] = float(np.mean(e[ok]))
    out["elbow_angle_min"] = float(np.min(e[ok]))
    out["elbow_angle_max"] = float(np.max(e[ok]))
    out["elbow_angle_range"] = out["elbow_angle_max"] - out["elbow_angle_min"]
    both = ok & np.isfinite(a)
    if both.any():
        idx = np.flatnonzero(both)
        out["elbow_angle_forward"] = float(e[idx[np.argmax(a[idx])]])
        out["elbow_angle_backward"] = float(e[idx[np.argmin(a[idx])]])
    return out


EXTREME_OF_STRIDE = 1.87
"""Expected largest of about 20 standard normal draws (a stride's frames at 30 fps): a minimum
or maximum over a noisy series picks the frame whose error pushes it furthest."""


def stat_expected_error(error: np.ndarray, metric: str) -> float:
    """Return the expected error of one stride statistic from its frames' (deg).

    ``elbow_angle_mean``: the frames' mean over sqrt(2) (the arm leaves the image
    plane twice a stride, with independent depth errors); ``_forward`` and
    ``_backward``: the 90th percentile of the frames' (one frame at the swing
    extreme, where the arm is most foreshortened); ``_min`` and ``_max``:
    :data:`EXTREME_OF_STRIDE` times the mean (the extreme of a noisy series);
    ``_range``: sqrt(2) times that (two extremes). NaN without a finite error.
    """
    e = np.asarray(error, dtype=float)
    e = e[np.isfinite(e)]
    if not e.size:
        return float("nan")
    if metric == "elbow_angle_mean":
        return float(np.mean(e)) / np.sqrt(2.0)
    if metric in ("elbow_angle_forward", "elbow_angle_backward"):
        return float(np.percentile(e, 90))
    if metric == "elbow_angle_range":
        return float(np.sqrt(2.0) * EXTREME_OF_STRIDE * np.mean(e))
    return float(EXTREME_OF_STRIDE * np.mean(e))


@dataclass(frozen=True)
class ElbowErrorModel:
    """Expected error of one stride's elbow value (deg): a floor and the geometry's part.

    ``sqrt(floor^2 + (gain * e)^2)`` with ``e`` the statistic's geometric expected error
    (:func:`stat_expected_error`): the floor is the pose model's keypoint error that no
    geometry sees (the stride mean averages it over the stride, a minimum, maximum or swing
    extreme reads one frame; the range two), the gain calibrates the geometry's estimate.
    Both were fitted to the per-stride errors of rendered runners (benchmarks/elbow3d_conf.py).

    Attributes
    ----------
    floor_mean
        Floor of ``elbow_angle_mean`` (deg).
    floor_extreme
        Floor of the one-frame statistics: min, max, forward, backward (deg); the range's
        is sqrt(2) times it.
    gain
        Factor of the geometric expected error.
    half_deg
        Expected error at which the confidence factor is 0.5.

    """

    floor_mean: float = 1.4
    floor_extreme: float = 3.4
    gain: float = 1.3
    half_deg: float = 5.0

    @classmethod
    def from_settings(cls, mc: Any) -> ElbowErrorModel:
        """Return the model of ``metrics`` settings (:class:`armcarriage.config.MetricsConfig`)."""
        return cls(
            floor_mean=mc.elbow_floor_mean_deg,
            floor_extreme=mc.elbow_floor_extreme_deg,
            gain=mc.elbow_geometry_gain,
            half_deg=mc.elbow_error_deg,
        )

    def expected_error(self, error: np.ndarray, metric: str) -> float:
        """Return the expected error of ``metric`` over a stride whose frames err by ``error``.

        NaN when no frame has a geometric expected error (the angle was not rebuilt in 3D).
        """
        geo = stat_expected_error(error, metric)
        if not np.isfinite(geo):
            return float("nan")
        if metric == "elbow_angle_mean":
            floor = self.floor_mean
        elif metric == "elbow_angle_range":
            floor = float(np.sqrt(2.0)) * self.floor_extreme
        else:
            floor = self.floor_extreme
        return float(np.hypot(floor, self.gain * geo))


def elbow_geometry_factor(
    error: np.ndarray, metric: str, model: ElbowErrorModel | None = None
) -> float:
    """Confidence factor of one stride's elbow value from its expected error.

    Parameters
    ----------
    error
        Expected error per frame of the stride (deg), from
        :func:`armcarriage.metrics.arm3d.reconstruct_arm`; NaN where the angle
        was not rebuilt in 3D.
    metric
        The statistic (:func:`stat_expected_error`).
    model
        :class:`ElbowErrorModel` (``MetricsConfig.elbow_*`` settings).

    Returns
    -------
    float
        ``1 / (1 + (s / half_deg)^2)`` with ``s`` the value's expected error
        (:meth:`ElbowErrorModel.expected_error`): 0.8 at ``s = half_deg / 2``, where a normal
        error stays within ``half_deg`` 95 % of the time; 1 when no frame has an expected error.

    """
    m = model or ElbowErrorModel()
    value_error = m.expected_error(error, metric)
    if not np.isfinite(value_error) or m.half_deg <= 0:
        return 1.0
    return float(1.0 / (1.0 + (value_error / m.half_deg) ** 2))
