"""Midline crossing per stride (front or rear view).

The midline is the vertical line of the body's centre *as a front or rear camera
sees it*: the plane through the shoulder centre that holds the trunk axis and
the running direction. A wrist's signed distance from it, along the shoulder
line seen along the running direction, is
:func:`armcarriage.metrics.geometry.midline_crossing` of the image points (2D)
or of :func:`frontal_shoulders` (3D truth). The shoulder line seen from the
front, not the thorax's own left-right axis, is the reference: a front or rear
image cannot tell the thorax's yaw, and the thorax's own axis turns with it (9
deg of thorax yaw moves a wrist 0.3 m in front of the shoulders by 0.13
shoulder widths against that axis, in every stride), while what a coach sees is
the hand's path across the line of progression.
"""

from __future__ import annotations

import numpy as np


def frontal_shoulders(
    own_shoulder: np.ndarray, other_shoulder: np.ndarray, forward: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two shoulders as a front or rear camera sees them (3D points).

    Each shoulder's offset from the shoulder centre loses its component along
    the running direction, so the shoulder line becomes its projection on the
    plane across the running direction (what an image taken along the line of
    progression shows). Pass the results as ``own_shoulder`` and
    ``other_shoulder`` of :func:`armcarriage.metrics.geometry.midline_crossing`
    to get the crossing a front or rear view measures, free of perspective.

    Parameters
    ----------
    own_shoulder, other_shoulder
        Points, shape ``(..., 3)``.
    forward
        Running direction, shape ``(3,)`` (need not be unit length).

    Returns
    -------
    tuple of numpy.ndarray
        The projected own and other shoulder, shapes as the inputs.

    """
    own = np.asarray(own_shoulder, dtype=float)
    other = np.asarray(other_shoulder, dtype=float)
    f = np.asarray(forward, dtype=float)
    f = f / np.linalg.norm(f)
    centre = 0.5 * (own + other)
    out = []
    for p in (own, other):
        d = p - centre
        out.append(centre + d - np.sum(d * f, axis=-1, keepdims=True) * f)
    return out[0], out[1]


def crossing_stride(crossing: np.ndarray) -> dict[str, float]:
    """Reduce one stride of the signed midline crossing (shoulder widths, > 0 = across).

    Parameters
    ----------
    crossing
        :func:`armcarriage.metrics.geometry.midline_crossing` per frame over the stride.

    Returns
    -------
    dict
        ``crossing_max_sw`` = max over the stride (negative when the wrist stays
        short of the midline: ``-0.25`` = a quarter shoulder width short);
        ``crossing_fraction_pct`` = percentage of the stride's (finite) frames
        with crossing > 0.

    """
    c = np.asarray(crossing, dtype=float)
    c = c[np.isfinite(c)]
    if not c.size:
        return {"crossing_max_sw": float("nan"), "crossing_fraction_pct": float("nan")}
    return {
        "crossing_max_sw": float(np.max(c)),
        "crossing_fraction_pct": float(100.0 * np.mean(c > 0)),
    }
