"""Camera view classification: side (facing image-left or -right), front, rear, oblique.

Method, per segment of ``ViewConfig.segment_s`` seconds:

* **Side vs frontal**: the median ratio of the 2D shoulder width to the torso
  length. A side view hides the shoulder line (ratio below
  ``side_ratio``), a front or rear view shows it whole (above
  ``frontal_ratio``); in between the view is oblique. The hip width gives a
  second vote with the same thresholds scaled by the typical hip/shoulder
  width ratio (0.6).
* **Frontal vs oblique**: the width ratio alone cannot tell a square front or
  rear view from a 45 degree one across runners (it depends on the body's
  proportions: 0.52-0.57 square-on for motion-capture skeletons, 0.48-0.51 at
  45 deg for the synthetic runner). The legs tell: a front or rear camera sees
  the fore-aft scissor of the legs end-on, an oblique one across. The leg
  spread, half the 5-95 percentile range of the left-minus-right ankle x over
  the segment in torso lengths, is about ``k sin(yaw)`` (``k`` 1.4-1.9, the
  ankles' fore-aft separation); above ``frontal_max_leg_spread`` a view wide
  enough to be frontal is oblique.
* **Facing (side views)**: the sign of nose minus ear centre and of toe minus
  heel along x (both point the way the runner faces). Negative = facing
  image-left (``side_left``: the camera stands on the runner's left, so the
  left arm is the near arm).
* **Front vs rear**: in a front view the runner's left shoulder and hip appear
  on the image right (``x_left > x_right``); in a rear view on the left. The
  face landmarks' visibility is a second vote (high from the front).
* **Treadmill vs moving**: the hip centre's speed across the image (least
  squares slope of x over time) in frame widths per second, against
  ``moving_fraction``.

The clip label is the label covering the most time; its confidence is the
time-weighted mean confidence of the segments with that label.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from armcarriage.config import ViewConfig
from armcarriage.metrics.geometry import midpoint, shoulder_width, torso_length
from armcarriage.skeleton import HIP_TO_SHOULDER_WIDTH
from armcarriage.track import PoseTrack

SIDE_LABELS = ("side_left", "side_right")


def near_side(label: str) -> str | None:
    """Return the body side nearer the camera in a side view (``None`` otherwise)."""
    return {"side_left": "left", "side_right": "right"}.get(label)


def facing_sign(label: str) -> int:
    """Return +1 for a runner facing image-right, -1 facing image-left, 0 for other views."""
    return {"side_left": -1, "side_right": 1}.get(label, 0)


def _nanmedian(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def leg_spread(track: PoseTrack, idx: np.ndarray, torso: np.ndarray) -> float:
    """Return the legs' fore-aft scissor seen across the image, in torso lengths.

    Half the 5-95 percentile range of ``x(left ankle) - x(right ankle)`` over
    the frames ``idx``, divided by the median torso length: near 0 from the
    front or rear (the legs swing along the line of sight; a constant step
    width cancels), about ``k sin(yaw)`` otherwise. NaN without ankles.

    Parameters
    ----------
    track
        The (cleaned) track.
    idx
        Frames of the segment.
    torso
        Torso length per frame of ``idx`` (px).

    Returns
    -------
    float
        Torso lengths; NaN with fewer than 3 frames holding both ankles.

    """
    d = track.xy("left_ankle")[idx, 0] - track.xy("right_ankle")[idx, 0]
    tl = _nanmedian(torso)
    d = d[np.isfinite(d)]
    if d.size < 3 or not np.isfinite(tl) or tl <= 0:
        return float("nan")
    lo, hi = np.percentile(d, [5.0, 95.0])
    return float(0.5 * (hi - lo) / tl)


def classify_segment(track: PoseTrack, idx: np.ndarray, cfg: ViewConfig) -> tuple[str, float]:
    """Classify the frames ``idx`` of a track.

    Returns
    -------
    tuple
        ``(label, confidence)``; ``("unknown", 0.0)`` without a visible torso.

    """
    ls, rs = track.xy("left_shoulder")[idx], track.xy("right_shoulder")[idx]
    lh, rh = track.xy("left_hip")[idx], track.xy("right_hip")[idx]
    tl = torso_length(ls, rs, lh, rh)
    sw = _nanmedian(shoulder_width(ls, rs) / tl)
    hw = _nanmedian(shoulder_width(lh, rh) / tl) / HIP_TO_SHOULDER_WIDTH
    if not np.isfinite(sw):
        return "unknown", 0.0
    ratio = sw if not np.isfinite(hw) else 0.5 * (sw + hw)
    if ratio < cfg.side_ratio:
        nose = track.xy("nose")[idx, 0]
        ears = midpoint(track.xy("left_ear")[idx], track.xy("right_ear")[idx])[:, 0]
        feet = [
            track.xy(f"{s}_foot_index")[idx, 0] - track.xy(f"{s}_heel")[idx, 0]
            for s in ("left", "right")
        ]
        votes = np.concatenate([np.sign(nose - ears), np.sign(feet[0]), np.sign(feet[1])])
        votes = votes[np.isfinite(votes)]
        if votes.size == 0:
            return "oblique", 0.3
        agree = float(np.mean(votes))
        label = "side_right" if agree > 0 else "side_left"
        margin = min(1.0, (cfg.side_ratio - ratio) / cfg.side_ratio + 0.5)
        return label, float(np.clip(abs(agree) * margin, 0.0, 1.0))
    spread = leg_spread(track, idx, tl)
    if ratio > cfg.frontal_ratio and spread > cfg.frontal_max_leg_spread:
        over = (spread - cfg.frontal_max_leg_spread) / cfg.frontal_max_leg_spread
        return "oblique", float(np.clip(0.5 + over, 0.2, 1.0))
    if ratio > cfg.frontal_ratio:
        order = np.concatenate([np.sign(ls[:, 0] - rs[:, 0]), np.sign(lh[:, 0] - rh[:, 0])])
        order = order[np.isfinite(order)]
        agree = float(np.mean(order)) if order.size else 0.0
        label = "front" if agree > 0 else "rear"
        margin = min(1.0, (ratio - cfg.frontal_ratio) / cfg.frontal_ratio + 0.5)
        return label, float(np.clip(abs(agree) * margin, 0.0, 1.0))
    mid = 0.5 * (cfg.side_ratio + cfg.frontal_ratio)
    half = 0.5 * (cfg.frontal_ratio - cfg.side_ratio)
    return "oblique", float(np.clip(1.0 - abs(ratio - mid) / half, 0.2, 1.0))


def treadmill_check(track: PoseTrack, cfg: ViewConfig) -> tuple[bool, float]:
    """Return ``(in_place, speed)``: speed of the hip centre in frame widths per second."""
    hc = midpoint(track.xy("left_hip"), track.xy("right_hip"))[:, 0]
    t = track.time
    ok = np.isfinite(hc)
    if ok.sum() < 3 or track.width <= 0:
        return True, 0.0
    slope = float(np.polyfit(t[ok], hc[ok], 1)[0]) / track.width
    return abs(slope) < cfg.moving_fraction, abs(slope)


@dataclass(frozen=True)
class View(Mapping[str, Any]):
    """The camera view of a clip, as :func:`classify_view` found it.

    It reads as the mapping it was before it had a type (``view["label"]``,
    ``view.get("near_side")``) and writes the same JSON: a view that was never
    classified (no runner in view) has no ``speed_widths_per_s`` or ``near_side``.
    """

    label: str = "unknown"
    """side_left, side_right, front, rear, oblique or unknown."""
    confidence: float = 0.0
    treadmill: bool | None = None
    """True when the runner stays in place in the image (treadmill or a following camera)."""
    speed_widths_per_s: float | None = None
    """How fast the hip centre crosses the image, frame widths per second."""
    near_side: str | None = None
    """The body side nearer the camera in a side view, else None."""
    segments: list[dict[str, Any]] = field(default_factory=list)
    """Per time segment: ``t_start``, ``t_end``, ``label``, ``confidence``."""
    classified: bool = True
    """False for the placeholder of a clip that was never classified."""

    def _keys(self) -> tuple[str, ...]:
        if self.classified:
            return (
                "label",
                "confidence",
                "treadmill",
                "speed_widths_per_s",
                "near_side",
                "segments",
            )
        return ("label", "confidence", "treadmill", "segments")

    def __getitem__(self, key: str) -> Any:
        """Return a field by its key, as the mapping did."""
        if key not in self._keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        """Iterate over the keys the view's JSON has."""
        return iter(self._keys())

    def __len__(self) -> int:
        """Return the number of keys."""
        return len(self._keys())

    def to_dict(self) -> dict[str, Any]:
        """Return the view as the plain dictionary written to JSON."""
        return {k: getattr(self, k) for k in self._keys()}

    @classmethod
    def unknown(cls) -> View:
        """Return the placeholder view of a clip with no runner to classify."""
        return cls(classified=False)


def classify_view(track: PoseTrack, config: ViewConfig | None = None) -> View:
    """Classify the camera view of a (cleaned) track, segment by segment.

    Parameters
    ----------
    track
        The cleaned pose track.
    config
        Settings; defaults to :class:`ViewConfig`.

    Returns
    -------
    View
        ``label``, ``confidence``, ``treadmill`` (bool), ``speed_widths_per_s``,
        ``near_side`` (side views) and ``segments`` (``t_start``, ``t_end``,
        ``label``, ``confidence``).

    """
    cfg = config or ViewConfig()
    t = track.time
    segments: list[dict[str, Any]] = []
    if t.size:
        edges = np.arange(t[0], t[-1] + cfg.segment_s, cfg.segment_s)
        for a, b in itertools.pairwise(edges):
            idx = np.flatnonzero((t >= a) & (t < b))
            if idx.size == 0:
                continue
            label, conf = classify_segment(track, idx, cfg)
            segments.append(
                {
                    "t_start": float(t[idx[0]]),
                    "t_end": float(t[idx[-1]]),
                    "label": label,
                    "confidence": round(conf, 3),
                    "n": int(idx.size),
                }
            )
    weights: dict[str, float] = {}
    for s in segments:
        if s["label"] != "unknown":
            weights[s["label"]] = weights.get(s["label"], 0.0) + s["n"]
    if weights:
        label = max(weights, key=lambda k: weights[k])
        mine = [s for s in segments if s["label"] == label]
        conf = sum(s["confidence"] * s["n"] for s in mine) / sum(s["n"] for s in segments)
    else:
        label, conf = "unknown", 0.0
    in_place, speed = treadmill_check(track, cfg) if t.size else (True, 0.0)
    for s in segments:
        s.pop("n")
    return View(
        label=label,
        confidence=round(float(conf), 3),
        treadmill=bool(in_place),
        speed_widths_per_s=round(speed, 4),
        near_side=near_side(label),
        segments=segments,
    )


__all__ = [
    "SIDE_LABELS",
    "View",
    "classify_segment",
    "classify_view",
    "facing_sign",
    "leg_spread",
    "near_side",
]
