"""The arm rebuilt in 3D from its 2D keypoints: the elbow angle out of the image plane.

The 2D angle of a foreshortened forearm is not the elbow angle: when a segment
leaves the image plane its image is shorter than the segment. Each segment
(upper arm, forearm) of true length ``L`` seen with image length ``l`` spans a
depth difference ``dz`` with ``l^2 + dz^2 = L^2`` (weak perspective). Three
sources of evidence about ``dz / L`` are fused per frame, and over time:

* the length: ``sqrt(1 - (dz/L)^2)`` should equal ``l / L``, up to the pose
  model's relative length noise (``length_noise``); it gives the size of the
  depth, not its sign, and is weak near the image plane;
* the depth hint: the pose model's relative landmark depth along the segment,
  scaled by a gain fitted on the clip's own clearly foreshortened frames (the
  model's depth has its own scale); it gives the sign and a noisy size;
* a prior holding segments near the image plane (``prior_spread``) and
  continuity: ``dz / L`` moves by about ``motion_noise`` between frames.

The posterior of ``dz / L`` on a grid, per frame, comes from forward-backward
over the clip (a hidden Markov model on the grid): the sign can change where the
segment passes through the image plane, not in the middle of an excursion, and
a whole excursion's hints decide it. The elbow angle is the one of the expected
3D segments: their dot product from the posterior mean depths, their lengths
from the posterior second moments (a depth of doubtful sign still lengthens
the segment but does not tilt the angle either way).

Lengths are in a body scale that follows the runner's distance from the camera
(the torso length per frame, smoothed by a running median). A segment's true
length is the median over the clip of its image length divided by the rebuilt
``sqrt(1 - E[(dz/L)^2])``, refined twice from a high percentile: a median, not a
maximum, so the noise of the pose model's lengths does not inflate it.

Every frame gets an expected error (deg) from the geometry alone: the RMS
change of the angle when both segments' depths move by their posterior
standard deviations (the four sign combinations: the angle depends on the
product of the two depths). It is large where a segment is far out of the plane with a doubtful
sign, or where the depth is poorly constrained, and small where both segments
lie in the plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_EPS = 1e-9


@dataclass(frozen=True)
class Arm3DSettings:
    """Settings of :func:`reconstruct_arm` (filled from :class:`armcarriage.config.MetricsConfig`).

    Attributes
    ----------
    length_percentile
        Percentile of a segment's scaled image length that starts the length estimate.
    forearm_min_ratio
        The forearm's true length is at least this fraction of the upper arm's.
    length_noise
        Relative error of a segment's image length (the pose model's keypoints).
    hint_noise
        Error of the gain-scaled depth hint, in segment lengths.
    prior_spread
        Standard deviation of the prior on ``dz / L`` (segments mostly near the plane).
    motion_noise
        Change of ``dz / L`` between frames (continuity), in segment lengths.
    hint_gain
        Gain of the depth hint when the clip has too few foreshortened frames to fit it.
    outward_strength
        Log-odds per segment length of depth that the upper arm's depth has the
        sign of the arm's outward side (:func:`depth_posterior`).
    scale_window_frames
        Running-median window of the body scale, frames.
    swing_smooth_frames
        Running-median window of the swing elbow's correction, frames
        (:func:`armcarriage.metrics.swing_elbow.elbow_on_upper_arm`).
    swing_min_fore_ratio
        Forearm foreshortening below which the swing elbow keeps its keypoint.
    grid
        Number of grid points of ``dz / L`` in [-1, 1].
    upper_medial, fore_medial
        ``(mean, sd)`` of the upper arm's and the forearm's medial component in segment
        lengths (:class:`armcarriage.metrics.sagittal.BodyPlane`); used in oblique views
        when ``body_plane``.
    body_plane
        Oblique views take the depth hints from the body's lateral axis and these priors
        instead of the pose model's depth.
    fore_world_sd
        With the body plane, the forearm's medial component is taken per frame from the
        pose model's world landmarks with this spread (0: the fixed ``fore_medial``).
    plane_prior_spread
        ``prior_spread`` of the segments' depth with the body plane's hints: an oblique
        camera sees the swing far out of the image plane, the hints hold the depth.

    """

    length_percentile: float = 90.0
    forearm_min_ratio: float = 0.8
    length_noise: float = 0.045
    hint_noise: float = 0.35
    prior_spread: float = 0.5
    motion_noise: float = 0.15
    hint_gain: float = 1.0
    outward_strength: float = 4.0
    scale_window_frames: int = 31
    swing_smooth_frames: int = 5
    swing_min_fore_ratio: float = 0.7
    grid: int = 41
    upper_medial: tuple[float, float] = (-0.3, 0.1)
    fore_medial: tuple[float, float] = (0.15, 0.4)
    body_plane: bool = False
    plane_prior_spread: float = 1.0
    fore_world_sd: float = 0.0


@dataclass(frozen=True)
class ArmReconstruction:
    """One arm rebuilt in 3D (see the module docstring).

    Attributes
    ----------
    angle
        Interior elbow angle per frame (deg, 180 = straight); NaN where a keypoint is missing.
    angle_2d
        The angle of the image points alone (deg).
    error
        Expected error of ``angle`` per frame (deg), from the geometry.
    upper_ratio, fore_ratio
        Foreshortening ``l / L`` of the upper arm and forearm per frame.
    upper_dz, fore_dz
        Posterior mean depth difference of each segment (elbow - shoulder,
        wrist - elbow) in lengths of that segment (+ = away from the camera).
    upper_dz_sd, fore_dz_sd
        Posterior standard deviations of ``upper_dz`` and ``fore_dz``.
    upper_length, fore_length
        True segment lengths in body-scale units.
    hint_gain
        The depth hint's gain used (fitted on the clip or the default).

    """

    angle: np.ndarray
    angle_2d: np.ndarray
    error: np.ndarray
    upper_ratio: np.ndarray
    fore_ratio: np.ndarray
    upper_dz: np.ndarray
    fore_dz: np.ndarray
    upper_dz_sd: np.ndarray
    fore_dz_sd: np.ndarray
    upper_length: float
    fore_length: float
    hint_gain: float


def body_scale(torso_length: np.ndarray, window: int) -> np.ndarray:
    """Return the torso length per frame smoothed by a centred running median (same unit).

    It follows the runner's distance from the camera (a runner crossing the
    view) while one bad frame's torso does not move it.
    """
    tl = pd.Series(np.asarray(torso_length, dtype=float))
    sm = tl.rolling(max(int(window), 1), center=True, min_periods=1).median()
    return sm.interpolate(limit_direction="both").to_numpy(float)


def _interior(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    nu = np.sqrt(np.sum(u * u, axis=-1))
    nv = np.sqrt(np.sum(v * v, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=-1) / (nu * nv)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def depth_posterior(
    ratio: np.ndarray,
    hint: np.ndarray,
    st: Arm3DSettings,
    outward: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and standard deviation of one segment's ``dz / L`` per frame.

    Parameters
    ----------
    ratio
        Foreshortening ``l / L`` per frame (NaN where a keypoint is missing:
        no length evidence there).
    hint
        Gain-scaled depth hint ``dz / L`` per frame (NaN where unknown).
    st
        Settings: ``length_noise``, ``hint_noise``, ``prior_spread``,
        ``motion_noise``, ``outward_strength``, ``grid``.
    outward
        Depth sign the body makes likely (-1 towards the camera, +1 away, 0
        none): a logistic prior on the sign, ``outward_strength`` log-odds per
        segment length of depth.

    Returns
    -------
    tuple
        ``(mean, sd)``, shape (T,) each; NaN where ``ratio`` is NaN.

    """
    z = np.linspace(-1.0, 1.0, max(int(st.grid), 5))
    n = ratio.size
    if n == 0:
        return np.zeros(0), np.zeros(0)
    cosz = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
    r = np.where(np.isfinite(ratio), np.minimum(ratio, 1.0 + 3 * st.length_noise), np.nan)
    log_e = -0.5 * ((cosz[None, :] - r[:, None]) / st.length_noise) ** 2
    log_e = np.where(np.isfinite(r)[:, None], log_e, 0.0)
    h = np.asarray(hint, dtype=float)
    log_h = -0.5 * ((z[None, :] - h[:, None]) / st.hint_noise) ** 2
    log_e = log_e + np.where(np.isfinite(h)[:, None], log_h, 0.0)
    log_e += -0.5 * (z / st.prior_spread) ** 2
    if outward:
        # the sign the body makes likely: log-odds growing with the depth's size
        log_e += -np.logaddexp(0.0, -2.0 * st.outward_strength * z * np.sign(outward))[None, :]
    emit = np.exp(log_e - log_e.max(axis=1, keepdims=True))
    trans = np.exp(-0.5 * ((z[:, None] - z[None, :]) / st.motion_noise) ** 2)
    trans /= trans.sum(axis=1, keepdims=True)
    fwd = np.empty((n, z.size))
    bwd = np.ones((n, z.size))
    fwd[0] = emit[0] / emit[0].sum()
    for t in range(1, n):
        f = (fwd[t - 1] @ trans) * emit[t]
        fwd[t] = f / f.sum()
    for t in range(n - 2, -1, -1):
        b = trans @ (emit[t + 1] * bwd[t + 1])
        bwd[t] = b / b.sum()
    post = fwd * bwd
    post /= post.sum(axis=1, keepdims=True)
    mean = post @ z
    sd = np.sqrt(np.clip(post @ (z * z) - mean**2, 0.0, None))
    missing = ~np.isfinite(ratio)
    return np.where(missing, np.nan, mean), np.where(missing, np.nan, sd)


def fit_hint_gain(
    ratios: list[np.ndarray],
    hints: list[np.ndarray],
    default: float,
    min_frames: int = 5,
) -> float:
    """Fit the scale of the raw depth hints to the depth the lengths imply.

    On frames where a segment is clearly foreshortened (``l / L < 0.9``) the
    length alone gives ``|dz| / L = sqrt(1 - r^2)`` well; the gain is the
    least-squares slope of ``|hint|`` on it, over all segments given. Returns
    ``default`` with fewer than ``min_frames`` such frames.
    """
    num = den = 0.0
    count = 0
    for r, h in zip(ratios, hints, strict=True):
        ok = np.isfinite(r) & np.isfinite(h) & (r < 0.9)
        span = np.sqrt(np.clip(1.0 - r[ok] ** 2, 0.0, None))
        num += float(np.sum(np.abs(h[ok]) * span))
        den += float(np.sum(span * span))
        count += int(ok.sum())
    if count < min_frames or den <= _EPS or num <= _EPS:
        return default
    return num / den


def _depth_spans(
    depth: tuple[np.ndarray, np.ndarray, np.ndarray] | None, sc: np.ndarray, outward: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the depth hints' spans along the upper arm and the forearm over the body scale.

    NaN where there is no hint; the upper arm's is NaN too when ``outward`` decides its sign.
    """
    nan = np.full(sc.size, np.nan)
    if depth is None:
        return nan, nan
    ds, de, dw = (np.asarray(d, dtype=float) for d in depth)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_a = (de - ds) / sc
        raw_b = (dw - de) / sc
    if outward:
        # the pose model's depth along the upper arm does not follow it (correlation
        # -0.2 to 0.5 with the truth on rendered runners): the body's side decides
        raw_a = nan
    return raw_a, raw_b


def _fit_lengths(
    lengths: tuple[np.ndarray, np.ndarray],
    raw: tuple[np.ndarray, np.ndarray],
    st: Arm3DSettings,
    outward: float,
) -> tuple[float, float, float]:
    """Return the upper arm's and the forearm's true lengths and the hint gain.

    Starting from a high percentile of the image lengths, each round rebuilds the depths
    and takes the image length over the rebuilt cosine, median over the clip.
    """
    la, lb = lengths
    raw_a, raw_b = raw
    big_a = float(np.nanpercentile(la, st.length_percentile))
    big_b = max(float(np.nanpercentile(lb, st.length_percentile)), st.forearm_min_ratio * big_a)
    gain = st.hint_gain
    for _ in range(3):
        with np.errstate(invalid="ignore", divide="ignore"):
            ra, rb = la / big_a, lb / big_b
        gain = fit_hint_gain([ra, rb], [raw_a / big_a, raw_b / big_b], st.hint_gain)
        ma, sa = depth_posterior(ra, raw_a / big_a / gain, st, outward)
        mb, sb = depth_posterior(rb, raw_b / big_b / gain, st)
        # the true length: image length over the rebuilt cosine, median over the clip
        big_a = float(np.nanmedian(la / np.sqrt(np.clip(1.0 - ma**2 - sa**2, 0.01, None))))
        big_b = max(
            float(np.nanmedian(lb / np.sqrt(np.clip(1.0 - mb**2 - sb**2, 0.01, None)))),
            st.forearm_min_ratio * big_a,
        )
    return big_a, big_b, gain


def angle_and_error(
    segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float],
    upper: tuple[np.ndarray, np.ndarray],
    fore: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Return the expected elbow angle and its spread from the two depth posteriors.

    ``upper`` and ``fore`` are each segment's posterior mean and sd of ``dz / L``. The
    angle depends on the product of the two depths, so the spread moves both together
    (the four corners of one sd either way).
    """
    (ma, sa), (mb, sb) = upper, fore
    angle = _expected_angle(segments, ma, mb, sa**2, sb**2)
    devs = [
        _expected_angle(segments, ma + ka * sa, mb + kb * sb, 0.0, 0.0) - angle
        for ka in (-1.0, 1.0)
        for kb in (-1.0, 1.0)
    ]
    return angle, np.sqrt(np.mean(np.square(devs), axis=0))


def _expected_angle(
    segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float],
    za: np.ndarray,
    zb: np.ndarray,
    va: np.ndarray | float,
    vb: np.ndarray | float,
) -> np.ndarray:
    """Return the elbow angle (deg) expected from the segments' depths.

    The depths have means ``za``, ``zb`` and variances ``va``, ``vb`` (segment lengths);
    ``segments`` = (upper arm, forearm, their image lengths, their true lengths).
    """
    a, b, la, lb, big_a, big_b = segments
    # expected dot product over the expected norms: the depths' means carry the
    # product (independent segments), their second moments the lengths
    dot = -np.sum(a * b, axis=1) - za * zb * big_a * big_b
    na = np.sqrt(la**2 + (za**2 + va) * big_a**2)
    nb = np.sqrt(lb**2 + (zb**2 + vb) * big_b**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arccos(np.clip(dot / (na * nb), -1.0, 1.0)))


def reconstruct_arm(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    scale: np.ndarray,
    depth: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    settings: Arm3DSettings | None = None,
    outward: float = 0.0,
) -> ArmReconstruction:
    """Rebuild one arm in 3D from its image keypoints and return its elbow angle.

    Parameters
    ----------
    shoulder, elbow, wrist
        Image points of the arm, shape (T, 2), pixels.
    scale
        Body scale per frame in pixels (:func:`body_scale`), shape (T,).
    depth
        Depth hints of the shoulder, elbow and wrist, shape (T,) each, in
        pixels on the scale of x (larger = farther), or None. Their scale is
        fitted on the clip (:func:`fit_hint_gain`).
    settings
        :class:`Arm3DSettings`.
    outward
        Depth sign of the arm's outward side (-1 towards the camera, +1 away, 0
        unknown). Given, the upper arm's depth sign comes from it (the elbow
        sits outside the shoulder) instead of the depth hint, which the pose
        model does not make follow the upper arm.

    Returns
    -------
    ArmReconstruction

    """
    st = settings or Arm3DSettings()
    s2, e2, w2 = (np.asarray(p, dtype=float) for p in (shoulder, elbow, wrist))
    sc = np.asarray(scale, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        sc = np.where(sc > _EPS, sc, np.nan)
        a = (e2 - s2) / sc[:, None]  # upper arm, shoulder -> elbow
        b = (w2 - e2) / sc[:, None]  # forearm, elbow -> wrist
    la = np.sqrt(np.sum(a * a, axis=1))
    lb = np.sqrt(np.sum(b * b, axis=1))
    angle_2d = _interior(s2 - e2, w2 - e2)
    n = la.size
    nan = np.full(n, np.nan)
    if not (np.isfinite(la).any() and np.isfinite(lb).any()):
        return ArmReconstruction(
            nan, angle_2d, nan, nan, nan, nan, nan, nan, nan, np.nan, np.nan, np.nan
        )
    raw_a, raw_b = _depth_spans(depth, sc, outward)
    big_a, big_b, gain = _fit_lengths((la, lb), (raw_a, raw_b), st, outward)
    with np.errstate(invalid="ignore", divide="ignore"):
        ra, rb = la / big_a, lb / big_b
    ma, sa = depth_posterior(ra, raw_a / big_a / gain, st, outward)
    mb, sb = depth_posterior(rb, raw_b / big_b / gain, st)
    angle, error = angle_and_error((a, b, la, lb, big_a, big_b), (ma, sa), (mb, sb))
    return ArmReconstruction(
        angle=angle,
        angle_2d=angle_2d,
        error=error,
        upper_ratio=ra,
        fore_ratio=rb,
        upper_dz=ma,
        fore_dz=mb,
        upper_dz_sd=sa,
        fore_dz_sd=sb,
        upper_length=big_a,
        fore_length=big_b,
        hint_gain=gain,
    )


__all__ = [
    "Arm3DSettings",
    "ArmReconstruction",
    "body_scale",
    "depth_posterior",
    "fit_hint_gain",
    "reconstruct_arm",
]
