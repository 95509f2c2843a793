"""Per-frame geometry that the report and the annotated video draw.

Everything here is computed from the cleaned track in image pixels: what is
drawn is exactly what the numbers next to it measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.skeleton import BONES, KEYPOINT_INDEX
from armcarriage.track import PoseTrack


def elbow_angles(track: PoseTrack, side: str) -> np.ndarray:
    """Interior elbow angle in the image plane per frame (deg, 180 = straight).

    Parameters
    ----------
    track
        A pose track.
    side
        ``"left"`` or ``"right"``.

    Returns
    -------
    numpy.ndarray
        Shape (T,), NaN where a point is missing.

    """
    s, e, w = (track.xy(f"{side}_{k}") for k in ("shoulder", "elbow", "wrist"))
    a, b = s - e, w - e
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def series_or_angles(analysis: Any, side: str) -> np.ndarray:
    """Elbow angle per track frame: the analysis series if it has one, else the image angle."""
    series = getattr(analysis, "series", None)
    col = f"{side}_elbow_angle"
    track: PoseTrack = analysis.track
    if isinstance(series, pd.DataFrame) and col in series and len(series) == track.n_frames:
        return series[col].to_numpy(float)
    return elbow_angles(track, side)


def forward_sign(view: str) -> float:
    """+1 if the runner faces image-right, -1 if image-left, 0 otherwise."""
    return {"side_right": 1.0, "side_left": -1.0}.get(view, 0.0)


def swing_coordinate(track: PoseTrack, side: str, view: str) -> np.ndarray:
    """How far forward the wrist is, per frame, in torso lengths.

    Side views use the wrist's horizontal offset from the hip along the
    running direction. Front, rear and oblique views cannot see fore-aft
    travel, so the wrist's height above the hip stands in (the hand rises at
    both ends of the swing, most at the front).
    """
    wrist = track.xy(f"{side}_wrist")
    hip = 0.5 * (track.xy("left_hip") + track.xy("right_hip"))
    sh = 0.5 * (track.xy("left_shoulder") + track.xy("right_shoulder"))
    torso = np.nanmedian(np.linalg.norm(sh - hip, axis=1))
    if not np.isfinite(torso) or torso <= 0:
        torso = 1.0
    sign = forward_sign(view)
    if sign:
        return sign * (wrist[:, 0] - hip[:, 0]) / torso
    return (hip[:, 1] - wrist[:, 1]) / torso


@dataclass(frozen=True)
class KeyFrame:
    """A frame chosen to show a swing extreme."""

    index: int
    """Index into the track's time axis."""
    time: float
    frame: int
    side: str
    phase: str
    """``"forward"`` or ``"backward"``."""
    elbow_deg: float


def _measured_sides(analysis: Any) -> list[str]:
    strides = analysis.strides
    sides = []
    for side in ("left", "right"):
        if "side" in strides and "elbow_angle_mean" in strides:
            vals = pd.to_numeric(strides.loc[strides["side"] == side, "elbow_angle_mean"])
            if vals.notna().any():
                sides.append(side)
        else:
            sides.append(side)
    return sides or ["left", "right"]


def measured_sides(analysis: Any) -> list[str]:
    """Arms whose elbow angle was measured (both when the table cannot tell)."""
    return _measured_sides(analysis)


def pick_key_frames(analysis: Any, count: int = 4, stride: int | None = None) -> list[KeyFrame]:
    """Frames at the forward and backward swing extremes of a middle stride.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    count
        How many frames at most: forward/backward pairs per measured arm.
    stride
        The stride to pick from (default: the middle stride of the clip).

    Returns
    -------
    list of KeyFrame

    """
    track: PoseTrack = analysis.track
    strides: pd.DataFrame = analysis.strides
    view = str((analysis.view or {}).get("label", ""))
    t = track.time
    if strides.empty or not len(t):
        return []
    ids = sorted(int(s) for s in strides["stride"].unique())
    start = ids.index(stride) if stride in ids else len(ids) // 2
    frames = np.asarray(track.ds["frame"].values)
    sides = _measured_sides(analysis)
    coords = {s: swing_coordinate(track, s, view) for s in sides}
    angles = {s: series_or_angles(analysis, s) for s in sides}
    out: list[KeyFrame] = []
    # one stride per measured arm pair; with one arm, the next stride fills the count
    for k in ids[start:] + ids[:start]:
        if len(out) >= count:
            break
        row = strides.loc[strides["stride"] == k].iloc[0]
        inside = np.flatnonzero((t >= float(row["t_start"])) & (t < float(row["t_end"])))
        for side in sides:
            coord = coords[side][inside]
            if not len(inside) or not np.isfinite(coord).any():
                continue
            for phase, pick in (("forward", np.nanargmax), ("backward", np.nanargmin)):
                i = int(inside[int(pick(coord))])
                out.append(
                    KeyFrame(i, float(t[i]), int(frames[i]), side, phase, float(angles[side][i]))
                )
    return out[:count]


MIDLINE_BELOW = 0.4
"""The drawn body midline runs from this share of the torso below the hip centre ..."""
MIDLINE_ABOVE = 0.6
"""... to this share of the torso above the shoulder centre."""
LABEL_OFFSET = (0.6, -0.5)
"""An elbow-angle label starts this far from the elbow (x, y), in label font sizes."""
OVERLAY_POINTS = tuple(dict.fromkeys(p for bone in BONES for p in bone))
"""Keypoints an overlay draws (every end of a skeleton bone), in a fixed order."""


def bone_side(a: str, b: str) -> str:
    """``"left"``/``"right"`` for a bone of one side of the body, ``""`` for one across it."""
    for side in ("left", "right"):
        if a.startswith(side) and b.startswith(side):
            return side
    return ""


def faint_bone(a: str, b: str, measured: list[str] | tuple[str, ...]) -> bool:
    """Whether a bone belongs to an arm that was not measured (drawn faint)."""
    side = bone_side(a, b)
    return bool(side) and side not in measured and ("elbow" in a or "elbow" in b)


def midline_ends(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the ends of the drawn body midline in ``xy`` (pixels, 33 x 2), or None.

    The line runs through the hip centre and the shoulder centre, extended by
    :data:`MIDLINE_BELOW` and :data:`MIDLINE_ABOVE` torso lengths.
    """
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    pts = np.array([xy[KEYPOINT_INDEX[n]] for n in names], dtype=float)
    if not np.isfinite(pts).all():
        return None
    top = pts[:2].mean(axis=0)
    bottom = pts[2:].mean(axis=0)
    d = top - bottom
    return bottom - MIDLINE_BELOW * d, top + MIDLINE_ABOVE * d


def time_stretch(analysis: Any) -> float:
    """Filmed seconds per second of video (below 1 for slow motion, else 1).

    A slow-motion clip is analysed on the time it was filmed on (``time_scale`` of
    :func:`armcarriage.strides.real_time_track`): a time ``t`` of the analysis is at
    ``t / time_stretch`` in the video.
    """
    track = getattr(analysis, "track", None)
    attrs = track.ds.attrs if track is not None else {}
    scale = float(attrs.get("time_scale", 1.0) or 1.0)
    return scale if scale > 0 else 1.0


def overlay_data(analysis: Any) -> dict[str, Any]:
    """Return the per-frame overlay of the report's player, as compact JSON-ready lists.

    The browser draws exactly what the annotated video draws: the skeleton's
    bones (:data:`BONES`), the elbow angles the metrics read
    (:func:`series_or_angles`) and the body midline (:func:`midline_ends`
    rule, via ``midline``).

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis` (its cleaned track).

    Returns
    -------
    dict
        ``t`` (track time per sample, s, 4 decimals), ``points`` (names),
        ``xy`` (per sample, per point ``x, y`` in whole track pixels,
        ``null`` where missing), ``angles`` (per measured arm, whole degrees),
        ``bones`` (index pairs with side and faintness), ``midline``, ``size``.

    """
    track: PoseTrack = analysis.track
    idx = [KEYPOINT_INDEX[p] for p in OVERLAY_POINTS]
    pos = np.asarray(track.ds["position"].values, dtype=float)[:, idx, :]
    xy = np.round(pos).reshape(len(pos), -1)
    rows = [[None if not np.isfinite(v) else int(v) for v in r] for r in xy.tolist()]
    sides = measured_sides(analysis)
    angles = {}
    for s in sides:
        a = series_or_angles(analysis, s)
        angles[s] = [None if not np.isfinite(v) else int(round(v)) for v in a.tolist()]
    order = {p: i for i, p in enumerate(OVERLAY_POINTS)}
    bones = [[order[a], order[b], bone_side(a, b), int(faint_bone(a, b, sides))] for a, b in BONES]
    return {
        "t": [round(float(t), 4) for t in track.time],
        "label": list(LABEL_OFFSET),
        "points": list(OVERLAY_POINTS),
        "xy": rows,
        "angles": angles,
        "sides": sides,
        "bones": bones,
        "midline": [MIDLINE_BELOW, MIDLINE_ABOVE],
        "size": [int(track.width), int(track.height)],
    }
