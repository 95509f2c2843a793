"""A few numbers per frame from the person's segmentation mask.

The pose model can return a soft mask of the person (``output_segmentation_masks``).
The shoulder *landmark* follows the joint and barely moves when the shoulders are
held up, but the shoulder's outline does: the trapezius and the top of the shoulder
rise into the neck. The pose stage therefore reads, in each frame, a handful of
heights off the mask and keeps only those (the mask itself is dropped at once, so
memory does not grow with it):

``head_top``
    Image row (px) of the top of the head: the topmost silhouette pixel in a band of
    columns around the ears.
``neck_y``, ``neck_width``
    Row and width (px) of the narrowest horizontal run of the silhouette between
    the ears and the shoulder centre (the run that holds the line from the ear
    centre to the shoulder centre).
``shoulder_line``
    First row below the neck where that run is ``widen`` times the neck width: the
    top of the shoulders in any view (from the side, where the neck widens into the
    shoulder and upper back).
``left_shoulder_top``, ``right_shoulder_top``
    Top of the silhouette in the column of each shoulder landmark: the outline of
    that shoulder seen from the front or behind. NaN where the column reaches above
    the ears (a side view, where the shoulder lies under the head).
``trapezius_y``
    From the side: the first row below the neck where the silhouette's back outline
    (the side away from the nose) lies ``bend`` torso lengths further back than at
    the neck: where the back of the neck turns into the trapezius and shoulder. A
    held shrug raises the shoulder girdle, and the trapezius with it, towards the
    head, while the neck and head stay. NaN when the nose does not point sideways
    (a front or rear view).

All rows and widths are pixels of the full-resolution upright frame (y down), like
the landmarks; NaN where the mask does not show the part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SILHOUETTE_FEATURES: tuple[str, ...] = (
    "head_top",
    "neck_y",
    "neck_width",
    "shoulder_line",
    "left_shoulder_top",
    "right_shoulder_top",
    "trapezius_y",
)
"""Names of the per-frame silhouette numbers, in storage order."""

MIRROR_FEATURES: tuple[int, ...] = (0, 1, 2, 3, 5, 4, 6)
"""Feature order of the horizontally mirrored image (left and right shoulder exchange)."""

_NOSE, _L_EAR, _R_EAR, _L_SH, _R_SH, _L_HIP, _R_HIP = 0, 7, 8, 11, 12, 23, 24

WIDEN = 1.5
"""Neck-width multiple at which the silhouette counts as the shoulders (``shoulder_line``):
the neck of an adult is about 0.11-0.13 m across and deep, the shoulders 0.35-0.45 m
across and the upper trunk 0.2-0.25 m deep, so 1.5 times the neck is reached within a
few centimetres of the shoulder's top in a front and in a side view."""

BEND = 0.1
"""How far (torso lengths) the back outline must step back from the neck's to count as the
trapezius (``trapezius_y``): the neck of an adult is 0.11-0.13 m deep and the upper trunk
0.2-0.25 m, a 50 cm torso puts 0.1 at 5 cm, about half that step, so the row lies where the
outline has clearly left the neck, above the shoulder's widest point."""


def empty_features() -> np.ndarray:
    """Return the features of a frame without a mask (all NaN)."""
    return np.full(len(SILHOUETTE_FEATURES), np.nan)


def features_from_columns(columns: Any, n: int) -> np.ndarray | None:
    """Return the ``(n, F)`` silhouette numbers stored as ``silhouette_NAME`` columns.

    None when ``columns`` (a DataFrame or a mapping of arrays) holds none of them. A
    track written before a feature was added holds the others: the missing ones are
    NaN (not measured), so the older numbers stay in use.
    """
    names = [f"silhouette_{f}" for f in SILHOUETTE_FEATURES]
    if not any(k in columns for k in names):
        return None
    nan = np.full(n, np.nan)
    return np.stack(
        [np.asarray(columns[k], dtype=float) if k in columns else nan for k in names], axis=1
    )


def _row_runs(m: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Return per row ``ys[i]`` the ``[left, right)`` run of True that holds ``xs[i]``.

    Vectorised over the rows; ``(0, 0)`` where ``xs[i]`` lies outside
    the mask, ``(x, x)`` where the mask is False there.
    """
    w = m.shape[1]
    runs = np.zeros((ys.size, 2))
    inside = (xs >= 0) & (xs < w)
    if not inside.any():
        return runs
    rows, x = m[ys[inside]], xs[inside][:, None]
    cols = np.arange(w)[None, :]
    lo = np.where(~rows & (cols < x), cols, -1).max(axis=1) + 1
    hi = np.where(~rows & (cols > x), cols, w).min(axis=1)
    on = rows[np.arange(rows.shape[0]), x[:, 0]]
    runs[inside] = np.where(on[:, None], np.stack([lo, hi], axis=1), np.repeat(x, 2, axis=1))
    return runs


def _trapezius(runs: np.ndarray, ys: np.ndarray, nose_dx: float, step: float) -> float:
    """Return the first row whose back outline lies ``step`` px behind the first row's.

    ``runs`` are the silhouette runs ``[left, right)`` from the neck's row down; the
    back is the side away from the nose (``nose_dx`` = nose minus ear column). NaN
    when the nose does not point sideways or the outline never steps back.
    """
    if not np.isfinite(nose_dx) or abs(nose_dx) < 0.5 * step:
        return float("nan")
    back = -runs[:, 0] if nose_dx > 0 else runs[:, 1]
    found = np.flatnonzero((back - back[0] >= step) & (runs[:, 1] > runs[:, 0]))
    return float(ys[found[0]]) if found.size else float("nan")


def silhouette_features(
    mask: np.ndarray,
    landmarks: np.ndarray,
    width: int,
    height: int,
    widen: float = WIDEN,
    bend: float = BEND,
) -> np.ndarray:
    """Read the silhouette numbers of one person in one frame.

    Parameters
    ----------
    mask
        The person's segmentation mask, shape ``(h, w)`` or ``(h, w, 1)``, values 0-1
        (the image the model saw, possibly scaled down from the frame).
    landmarks
        The person's landmarks, shape ``(33, >=2)``, x and y in pixels of the
        full-resolution frame.
    width, height
        Size of the full-resolution frame.
    widen
        Neck-width multiple that marks the shoulders (:data:`WIDEN`).
    bend
        Step of the back outline that marks the trapezius (:data:`BEND`).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(SILHOUETTE_FEATURES),)``, full-resolution pixels; NaN where the
        landmarks or the mask do not show the part.

    """
    out = empty_features()
    m = np.asarray(mask)
    if m.ndim == 3:
        m = m[..., 0]
    h, w = m.shape
    if h < 8 or w < 8:
        return out
    sx, sy = w / float(width), h / float(height)
    p = np.asarray(landmarks, dtype=float)[:, :2] * np.array([sx, sy])
    ears = p[[_L_EAR, _R_EAR]]
    ear = np.nanmean(ears, axis=0) if np.isfinite(ears).all(axis=1).any() else p[_NOSE]
    sh = 0.5 * (p[_L_SH] + p[_R_SH])
    hip = 0.5 * (p[_L_HIP] + p[_R_HIP])
    torso = float(np.linalg.norm(sh - hip))
    if not (np.isfinite(ear).all() and np.isfinite(sh).all() and np.isfinite(torso)):
        return out
    if torso < 8 or sh[1] - ear[1] < 3:
        return out
    m, (x0, y0) = _crop(m, p, ear, sh, torso)
    p, ear, sh = p - (x0, y0), ear - (x0, y0), sh - (x0, y0)
    return _features(out, m, p, ear, sh, torso, (sx, sy), y0, widen, bend)


def _crop(
    mask: np.ndarray, p: np.ndarray, ear: np.ndarray, sh: np.ndarray, torso: float
) -> tuple[np.ndarray, tuple[int, int]]:
    """Threshold the part of the mask the features read, and return it with its origin.

    Rows from a torso length above the ears (the head's top) to below the shoulders,
    columns a torso length either side of the person's landmarks: the neck, shoulder
    and back runs all lie inside, and a frame's whole mask need not be thresholded.
    """
    h, w = mask.shape
    xs = p[:, 0][np.isfinite(p[:, 0])]
    x0 = int(np.clip(np.floor(min(xs.min(), ear[0]) - torso), 0, w - 1))
    x1 = int(np.clip(np.ceil(max(xs.max(), ear[0]) + torso), x0 + 1, w))
    y0 = int(np.clip(np.floor(ear[1] - torso), 0, h - 1))
    y1 = int(np.clip(np.ceil(sh[1] + 0.6 * torso), y0 + 1, h))
    return mask[y0:y1, x0:x1] > 0.5, (x0, y0)


def _features(
    out: np.ndarray,
    m: np.ndarray,
    p: np.ndarray,
    ear: np.ndarray,
    sh: np.ndarray,
    torso: float,
    scale: tuple[float, float],
    y0: int,
    widen: float,
    bend: float,
) -> np.ndarray:
    """Fill ``out`` from the thresholded crop ``m`` whose top row is frame row ``y0``."""
    sx, sy = scale

    out[0] = (_head_top(m, ear, torso) + y0) / sy
    neck = _neck(m, ear, sh, torso, widen)
    if neck is None:
        return out
    ys, runs, k = neck
    if k >= 0:
        widths = runs[:, 1] - runs[:, 0]
        out[1] = (ys[k] + y0) / sy
        out[2] = widths[k] / sx
        wide = np.flatnonzero(widths[k:] >= widen * widths[k])
        if wide.size:
            out[3] = (ys[k + wide[0]] + y0) / sy
        trap = _trapezius(runs[k:], ys[k:], p[_NOSE, 0] - ear[0], bend * torso)
        out[6] = (trap + y0) / sy
    for j, idx in enumerate((_L_SH, _R_SH)):
        out[4 + j] = (_column_top(m, p[idx], torso, ear[1]) + y0) / sy
    return out


def _head_top(m: np.ndarray, ear: np.ndarray, torso: float) -> float:
    """Return the topmost silhouette row in the columns around the ears (NaN if none)."""
    h, w = m.shape
    band = max(1, int(round(0.12 * torso)))
    x0, x1 = int(np.clip(ear[0] - band, 0, w - 1)), int(np.clip(ear[0] + band, 0, w - 1)) + 1
    y_from = int(np.clip(ear[1] - 0.8 * torso, 0, h - 1))
    y_to = int(np.clip(ear[1], 0, h - 1))
    rows = np.flatnonzero(m[y_from : y_to + 1, x0:x1].any(axis=1))
    return float(y_from + rows[0]) if rows.size and rows[0] > 0 else float("nan")


def _neck(
    m: np.ndarray, ear: np.ndarray, sh: np.ndarray, torso: float, widen: float
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Return the rows, the runs along the ear -> shoulder centre line and the neck's index.

    The neck is the narrowest run down to the shoulder centre (index -1 when no row
    there holds the silhouette); None when fewer than three rows lie on the line.
    """
    h = m.shape[0]
    y_end = int(np.clip(sh[1] + 0.3 * torso, 0, h - 1))
    ys = np.arange(int(np.clip(ear[1], 0, h - 1)), y_end + 1)
    if ys.size < 3:
        return None
    slope = (sh[0] - ear[0]) / (sh[1] - ear[1])
    xs = np.round(ear[0] + slope * np.minimum(ys - ear[1], sh[1] - ear[1])).astype(int)
    runs = _row_runs(m, ys, xs)
    widths = runs[:, 1] - runs[:, 0]
    upper = (ys <= sh[1]) & (widths > 0)
    k = int(np.flatnonzero(upper)[np.argmin(widths[upper])]) if upper.any() else -1
    return ys, runs, k


def _column_top(m: np.ndarray, point: np.ndarray, torso: float, ear_y: float) -> float:
    """Return the top of the silhouette in a shoulder landmark's column (NaN if none).

    The median over a few columns around the landmark of the top of the silhouette
    run that holds (or starts just below) the landmark; NaN above the ears, where the
    column is in the head.
    """
    h, w = m.shape
    px, py = point
    if not (np.isfinite(px) and np.isfinite(py)):
        return float("nan")
    half = max(0, int(round(0.03 * torso)))
    tops = []
    for x in range(int(round(px)) - half, int(round(px)) + half + 1):
        if not 0 <= x < w:
            continue
        col = m[:, x]
        start = int(np.clip(py, 0, h - 1))
        below = np.flatnonzero(col[start : min(h, start + int(0.2 * torso) + 1)])
        if not below.size:
            continue
        start += int(below[0])
        above = np.flatnonzero(~col[: start + 1])
        tops.append(int(above[-1]) + 1 if above.size else 0)
    if not tops:
        return float("nan")
    top = float(np.median(tops))
    return top if top > ear_y and top > 0 else float("nan")


__all__ = [
    "BEND",
    "MIRROR_FEATURES",
    "SILHOUETTE_FEATURES",
    "WIDEN",
    "empty_features",
    "features_from_columns",
    "silhouette_features",
]
