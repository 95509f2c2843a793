"""Per-frame geometric definitions of every arm-carriage quantity.

These functions are the single source of truth for what a metric *means*. The
analysis applies them to cleaned 2D image tracks; the synthetic runner and the
motion-capture loader apply the very same functions to their exact 2D or 3D
points to produce ground truth.

Conventions
-----------
Inputs are numpy arrays of points with shape ``(..., D)``, ``D = 2`` (image
pixels: x right, y down) or ``D = 3`` (any right-handed metric frame, e.g. the
world frame of :mod:`armcarriage_eval.camera` or MediaPipe world landmarks). All
leading axes broadcast (typically ``(T, D)`` for T frames). A NaN or inf in a
point, or a degenerate (zero-length) segment, gives NaN in the result for that
frame; no function raises on bad numbers.

Angles are degrees. Lengths are normalised: ``tl`` = torso lengths (distance
from the hip centre to the shoulder centre), ``sw`` = shoulder widths
(distance between the two shoulder landmarks).

``forward`` is the running direction as a vector in the same space as the
points: ``(+1, 0)`` for a runner facing image-right (view ``side_right``),
``(-1, 0)`` facing image-left (``side_left``), ``(1, 0, 0)`` in the world frame
of :mod:`armcarriage_eval.camera`. See :func:`image_forward`.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def _arr(x: np.ndarray | float) -> np.ndarray:
    out = np.asarray(x, dtype=float)
    return np.where(np.isfinite(out), out, np.nan)


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(v * v, axis=-1))


def _unit(v: np.ndarray) -> np.ndarray:
    """Return unit vectors along the last axis; NaN where the length is ~0."""
    n = _norm(v)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > _EPS, v / np.where(n > _EPS, n, 1.0), np.nan)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint of two points (e.g. hip centre from the two hips)."""
    return 0.5 * (_arr(a) + _arr(b))


def image_forward(facing: int, ndim: int = 2) -> np.ndarray:
    """Return the running direction in image coordinates for a side view.

    Parameters
    ----------
    facing
        ``+1`` when the runner faces image-right (``side_right``), ``-1`` when
        facing image-left (``side_left``).
    ndim
        2 for pixel coordinates.

    Returns
    -------
    numpy.ndarray
        ``(facing, 0)``.

    """
    out = np.zeros(ndim)
    out[0] = float(np.sign(facing) or 1.0)
    return out


def elbow_angle(shoulder: np.ndarray, elbow: np.ndarray, wrist: np.ndarray) -> np.ndarray:
    """Interior elbow angle, degrees, 180 = straight arm.

    Definition: the angle at ``elbow`` between the vectors elbow->shoulder and
    elbow->wrist, in [0, 180]. Landmarks: the arm's own shoulder, elbow and
    wrist. In a 2D image this is the projected angle, which equals the true
    angle only when the arm moves in the image plane (side view, near arm); in
    3D it is the true angle.

    Parameters
    ----------
    shoulder, elbow, wrist
        Points, shape ``(..., D)``, D = 2 or 3.

    Returns
    -------
    numpy.ndarray
        Angle in degrees, shape ``(...)``; NaN where undefined.

    """
    a = _unit(_arr(shoulder) - _arr(elbow))
    b = _unit(_arr(wrist) - _arr(elbow))
    cos = np.clip(_dot(a, b), -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def trunk_up(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> np.ndarray:
    """Return the unit trunk axis, from the hip centre to the shoulder centre (upwards)."""
    return _unit(midpoint(left_shoulder, right_shoulder) - midpoint(left_hip, right_hip))


def torso_length(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> np.ndarray:
    """Torso length: distance from the hip centre to the shoulder centre (same unit as input).

    The analysis normalises by the clip median of this per-frame length so that
    a normalised quantity is not divided by its own noise.
    """
    return _norm(midpoint(left_shoulder, right_shoulder) - midpoint(left_hip, right_hip))


def shoulder_width(left_shoulder: np.ndarray, right_shoulder: np.ndarray) -> np.ndarray:
    """Shoulder width: distance between the two shoulder landmarks (same unit as input)."""
    return _norm(_arr(left_shoulder) - _arr(right_shoulder))


def _forward_perp(up: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Return the unit vector perpendicular to the trunk axis, on the forward side."""
    down = -_arr(up)
    f = np.broadcast_to(_arr(forward), down.shape)
    return _unit(f - _dot(f, down)[..., None] * down)


def upper_arm_angle(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    up: np.ndarray,
    forward: np.ndarray,
) -> np.ndarray:
    """Signed upper-arm angle relative to the trunk in the sagittal plane, degrees.

    Definition: the upper arm is the vector shoulder->elbow. The reference is
    the downward trunk axis ``-up`` (from the shoulder centre towards the hip
    centre). The angle is ``atan2(arm . f, arm . (-up))`` where ``f`` is the
    unit vector perpendicular to the trunk axis on the running-direction side
    (``forward`` with its trunk-axis component removed). 0 = arm hanging along
    the trunk; positive = elbow in front of the trunk line (forward swing);
    negative = behind it (backward swing); range (-180, 180]. In 3D this is the
    angle of the upper arm projected onto the sagittal plane (abduction is
    ignored). Measured in side views (the image plane is the sagittal plane).

    Parameters
    ----------
    shoulder, elbow
        The arm's own shoulder and elbow, shape ``(..., D)``.
    up
        Trunk axis from :func:`trunk_up`, shape ``(..., D)``.
    forward
        Running direction, shape ``(D,)`` or ``(..., D)`` (see module docstring).

    Returns
    -------
    numpy.ndarray
        Degrees, shape ``(...)``.

    """
    arm = _arr(elbow) - _arr(shoulder)
    down = -_arr(up)
    f = _forward_perp(up, forward)
    ang = np.degrees(np.arctan2(_dot(arm, f), _dot(arm, down)))
    return np.where(_norm(arm) > _EPS, ang, np.nan)


def forward_offset(
    point: np.ndarray,
    hip_center: np.ndarray,
    forward: np.ndarray,
    torso_len: np.ndarray | float,
) -> np.ndarray:
    """Signed forward distance of a point from the hip centre, in torso lengths.

    Definition: ``((point - hip_center) . forward_unit) / torso_len``, where
    ``forward_unit`` is the running direction (horizontal in the side-view
    image, not tilted with the trunk). Positive = in front of the hip centre.
    Used for the wrist (``wrist_*_tl`` metrics, side view) and for the ankle of
    the opposite leg (arm-leg phase).

    Parameters
    ----------
    point
        E.g. the wrist, shape ``(..., D)``.
    hip_center
        Midpoint of the two hips, shape ``(..., D)``.
    forward
        Running direction, shape ``(D,)`` or ``(..., D)``.
    torso_len
        Torso length (scalar clip median, or per frame), same unit as points.

    Returns
    -------
    numpy.ndarray
        Torso lengths, shape ``(...)``.

    """
    f = _unit(_arr(forward))
    tl = _arr(torso_len)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tl > _EPS, _dot(_arr(point) - _arr(hip_center), f) / tl, np.nan)


def midline_crossing(
    wrist: np.ndarray,
    own_shoulder: np.ndarray,
    other_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
    width: np.ndarray | float | None = None,
) -> np.ndarray:
    """Signed distance of a wrist across the body midline, in shoulder widths.

    Definition: the midline passes through the shoulder centre along the trunk
    axis (shoulder centre - hip centre). ``n`` is the unit vector across the
    body towards the arm's own side: ``own_shoulder - other_shoulder`` with its
    trunk-axis component removed. The value is ``-(wrist - shoulder_centre) .
    n / width``: 0 on the midline, about -0.5 below the own shoulder, > 0 when
    the wrist is across the midline on the other side of the body. The same
    formula holds for 2D (front or rear view image) and 3D (distance from the
    mid-sagittal plane). Measured in front and rear views only.

    Parameters
    ----------
    wrist, own_shoulder, other_shoulder, left_hip, right_hip
        Points, shape ``(..., D)``.
    width
        Shoulder width to normalise by (the analysis uses the clip's 90th
        percentile of the per-frame width, i.e. the un-rotated width); None
        uses the per-frame width.

    Returns
    -------
    numpy.ndarray
        Shoulder widths, shape ``(...)``.

    """
    own = _arr(own_shoulder)
    other = _arr(other_shoulder)
    sh_c = midpoint(own, other)
    up = _unit(sh_c - midpoint(left_hip, right_hip))
    s = own - other
    n = _unit(s - _dot(s, up)[..., None] * up)
    w = shoulder_width(own, other) if width is None else _arr(width)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(w > _EPS, -_dot(_arr(wrist) - sh_c, n) / w, np.nan)


def shoulder_elevation(
    shoulder: np.ndarray,
    ear: np.ndarray,
    up: np.ndarray,
    torso_len: np.ndarray | float,
) -> np.ndarray:
    """Shoulder elevation towards the ear, in torso lengths (higher = more shrugged).

    Definition: ``-((ear - shoulder) . up) / torso_len``: minus the gap between
    the shoulder and the ear measured along the trunk axis (hip centre ->
    shoulder centre). Raising the shoulder towards the ear increases the value.
    The analysis uses the midpoint of both ears as ``ear`` (the head is one
    rigid body, and the far ear's estimate is steadier than none), the arm's
    own shoulder, and the clip-median torso length. ``shrug_level_tl`` and
    ``shrug_rise_tl`` are taken relative to the runner's own baseline in the
    clip (see :data:`armcarriage.metrics.METRICS`). Measured in every view but
    oblique.

    Parameters
    ----------
    shoulder, ear
        Points, shape ``(..., D)``.
    up
        Trunk axis from :func:`trunk_up`.
    torso_len
        Torso length (scalar or per frame).

    Returns
    -------
    numpy.ndarray
        Torso lengths, shape ``(...)``.

    """
    tl = _arr(torso_len)
    gap = _dot(_arr(ear) - _arr(shoulder), _arr(up))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tl > _EPS, -gap / tl, np.nan)


def trunk_rotation_3d(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> np.ndarray:
    """Signed rotation of the shoulder line relative to the pelvis line, degrees (3D only).

    Definition: the shoulder line ``s = left_shoulder - right_shoulder`` and the
    pelvis line ``p = left_hip - right_hip`` are projected onto the plane
    perpendicular to the trunk axis ``u`` (hip centre -> shoulder centre). The
    result is the signed angle from ``p`` to ``s`` about ``u``:
    ``atan2(u . (p x s), p . s)``. Positive = the shoulders are turned
    counter-clockwise relative to the pelvis seen from above (the right
    shoulder forward). Points must be in a right-handed frame.
    ``trunk_rotation_deg`` is the peak-to-peak of this per stride, which does
    not depend on the sign convention (so a mirrored clip gives the same).

    Returns
    -------
    numpy.ndarray
        Degrees in (-180, 180], shape ``(...)``.

    """
    ls, rs, lh, rh = (_arr(v) for v in (left_shoulder, right_shoulder, left_hip, right_hip))
    if ls.shape[-1] != 3:
        raise ValueError(f"trunk_rotation_3d: expected 3D points (..., 3), got {ls.shape}")
    u = _unit(midpoint(ls, rs) - midpoint(lh, rh))
    s = ls - rs
    p = lh - rh
    s = s - _dot(s, u)[..., None] * u
    p = p - _dot(p, u)[..., None] * u
    ang = np.degrees(np.arctan2(_dot(u, np.cross(p, s)), _dot(p, s)))
    ok = (_norm(s) > _EPS) & (_norm(p) > _EPS)
    return np.where(ok, ang, np.nan)


def line_yaw_2d(
    apparent_width: np.ndarray,
    full_width: np.ndarray | float,
    sign: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Yaw of a body line (shoulders or pelvis) from its 2D foreshortening, degrees.

    Definition: in a front or rear view a line of true length ``W`` turned by
    ``theta`` about the vertical appears with width ``W cos(theta)``, so
    ``theta = sign * arccos(min(apparent / full, 1))``. ``full_width`` is the
    un-rotated width (the analysis uses the clip's 95th percentile);
    ``sign`` (+1/-1) says which end is nearer the camera (from the landmarks'
    depth); without depth the sign cannot be known from one 2D view.

    Returns
    -------
    numpy.ndarray
        Degrees in [-90, 90], shape ``(...)``.

    """
    fw = _arr(full_width)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.clip(_arr(apparent_width) / fw, 0.0, 1.0)
    ratio = np.where(fw > _EPS, ratio, np.nan)
    return np.sign(_arr(sign)) * np.degrees(np.arccos(ratio))


def fundamental_phase_lag(
    arm: np.ndarray,
    leg: np.ndarray,
    time: np.ndarray,
    period: float,
) -> float:
    """Phase of an arm signal relative to a leg signal at the stride frequency, degrees.

    Definition: for ``omega = 2 pi / period`` the complex fundamental of each
    signal over the window is ``A = sum a(t) exp(-i omega t)`` (after removing
    the mean); the result is ``angle(A_arm * conj(A_leg))`` in (-180, 180].
    Positive = the arm reaches its forward extreme *before* the leg. The
    analysis uses the wrist forward offset and the forward offset of the
    opposite ankle (side view), so 0 = perfect contralateral coordination.

    Parameters
    ----------
    arm, leg
        Signals over one stride, shape (T,).
    time
        Times (s), shape (T,).
    period
        Stride period (s).

    Returns
    -------
    float
        Degrees, NaN if either signal is not finite or flat.

    """
    a = _arr(arm)
    b = _arr(leg)
    t = _arr(time)
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(t)
    if ok.sum() < 4 or not np.isfinite(period) or period <= 0:
        return float("nan")
    a, b, t = a[ok] - a[ok].mean(), b[ok] - b[ok].mean(), t[ok]
    w = np.exp(-2j * np.pi * t / period)
    fa, fb = np.sum(a * w), np.sum(b * w)
    if abs(fa) < _EPS or abs(fb) < _EPS:
        return float("nan")
    return float(np.degrees(np.angle(fa * np.conj(fb))))


__all__ = [
    "elbow_angle",
    "forward_offset",
    "fundamental_phase_lag",
    "image_forward",
    "line_yaw_2d",
    "midline_crossing",
    "midpoint",
    "shoulder_elevation",
    "shoulder_width",
    "torso_length",
    "trunk_rotation_3d",
    "trunk_up",
    "upper_arm_angle",
]
