"""Masks of unusable landmarks: wrists judged by their position, collapsed poses."""

from __future__ import annotations

import numpy as np

from armcarriage.metrics.geometry import torso_length


def usable_wrists(
    pos: np.ndarray,
    vis: np.ndarray,
    keypoints: list[str],
    min_visibility: float,
    forearm_ratio: float,
    jump_tl: float,
) -> np.ndarray:
    """Return, per frame and keypoint, where a wrist's position is usable whatever its score.

    The pose model scores a hand that passes in front of the body (from the front) or
    behind it (from behind) as barely visible, yet still places it close to the truth.
    A wrist counts as usable when its position is consistent with the arm:

    - its elbow is placed (visible, or at least present);
    - the forearm seen in the image (elbow to wrist) is at most ``forearm_ratio`` times
      the clip's forearm length (its 90th percentile over the frames where both points
      are visible; 0.55 torso lengths without such frames): foreshortening only makes
      a forearm shorter, a wrist placed on the other limb or the background makes it
      longer;
    - it moves continuously: it lies within ``jump_tl`` torso lengths of the midpoint of
      its neighbours in the previous and next frame (of its one neighbour at the ends).

    Parameters
    ----------
    pos
        Positions (T, K, 2), px.
    vis
        Visibility scores (T, K).
    keypoints
        Keypoint names.
    min_visibility
        Score from which a landmark is visible anyway.
    forearm_ratio, jump_tl
        The two bounds above (``CleaningConfig.wrist_forearm_ratio``, ``wrist_jump_tl``).

    Returns
    -------
    numpy.ndarray
        Boolean (T, K); True only at wrists that pass every test.

    """
    out = np.zeros(vis.shape, dtype=bool)
    tl = _torso_scale(pos, keypoints)
    if tl <= 0 or pos.shape[0] < 3:
        return out
    for side in ("left", "right"):
        if f"{side}_wrist" not in keypoints or f"{side}_elbow" not in keypoints:
            continue
        w, e = keypoints.index(f"{side}_wrist"), keypoints.index(f"{side}_elbow")
        pw, pe = pos[:, w], pos[:, e]
        placed = np.isfinite(pw).all(axis=1) & np.isfinite(pe).all(axis=1)
        fore = np.linalg.norm(pw - pe, axis=1)
        seen = placed & (vis[:, w] >= min_visibility) & (vis[:, e] >= min_visibility)
        ref = float(np.percentile(fore[seen], 90)) if seen.sum() >= 10 else 0.55 * tl
        mid = np.full_like(pw, np.nan)
        mid[1:-1] = 0.5 * (pw[:-2] + pw[2:])
        mid[0], mid[-1] = pw[1], pw[-2]  # the ends: their one neighbour
        with np.errstate(invalid="ignore"):
            jump = np.linalg.norm(pw - mid, axis=1)
            ok = placed & (fore <= forearm_ratio * ref) & (jump <= jump_tl * tl)
        out[:, w] = ok
    return out


def mask_collapsed(
    pos: np.ndarray,
    depth: np.ndarray,
    world: np.ndarray,
    t: np.ndarray,
    keypoints: list[str],
    ratio: float,
    window_s: float,
) -> int:
    """Set to NaN, in place, every frame whose pose is collapsed or blown up.

    Parameters
    ----------
    pos, depth, world
        Arrays of the track (frames first), modified in place.
    t
        Frame times, seconds.
    keypoints
        Keypoint names of the track.
    ratio
        A frame's torso length (shoulder centre to hip centre, image) below
        ``ratio`` or above ``1 / ratio`` times the median torso of the frames
        within +/- ``window_s`` marks the frame.
    window_s
        Half-width of the median's window, seconds.

    Returns
    -------
    int
        Frames masked.

    """
    torso = _torso_lengths(pos, keypoints)
    if torso is None or t.size == 0:
        return 0
    lo = np.searchsorted(t, t - window_s)
    hi = np.searchsorted(t, t + window_s, side="right")
    bad = np.zeros(t.size, dtype=bool)
    for i in np.flatnonzero(np.isfinite(torso)):
        near = torso[lo[i] : hi[i]]
        typical = np.median(near[np.isfinite(near)])
        bad[i] = not ratio * typical <= torso[i] <= typical / ratio
    pos[bad], depth[bad], world[bad] = np.nan, np.nan, np.nan
    return int(bad.sum())


def _torso_lengths(arr: np.ndarray, keypoints: list[str]) -> np.ndarray | None:
    """Return the per-frame torso length of (T, K, D) points (None without the four joints)."""
    need = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(k in keypoints for k in need):
        return None
    return torso_length(*(arr[:, keypoints.index(k)] for k in need))


def _torso_scale(arr: np.ndarray, keypoints: list[str]) -> float:
    """Return the median torso length (hip centre to shoulder centre) of (T, K, D) points."""
    d = _torso_lengths(arr, keypoints)
    if d is None:
        return 0.0
    d = d[np.isfinite(d)]
    return float(np.median(d)) if d.size else 0.0
