"""Filming advice for a measured clip: what limited the numbers, what to change, what it unlocks.

A refused clip already says what to film instead; a measured one can still have
lost metrics to its view, contact times to its frame rate, steadiness to too few
strides, or precision to a small or dark runner. :func:`filming_advice` names each
limit with this clip's figure, the change (as ``docs/filming.md`` gives it) and the
metrics the change would measure or sharpen. The report and ``summary.json`` show it;
the web app's job page shows the report.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.metrics import METRICS, SIDE_VIEWS
from armcarriage.report import plots

E = html.escape

PLACEMENT = "on a tripod at hip to chest height (1.0-1.5 m), 3-5 m from the runner"
"""Where the camera goes, as docs/filming.md says."""
VIEW_CHANGES = {
    "side": f"film from the side: the camera square to the running direction, {PLACEMENT}",
    "front": f"film from the front: the camera on the runner's line, {PLACEMENT}",
    "front or rear": f"film from the front or behind: the camera on the runner's line, {PLACEMENT}",
}
"""The change that brings each better view (:attr:`armcarriage.metrics.MetricSpec.better_view`)."""
TIMING_METRICS = ("contact_time_s", "flight_time_s")
"""Metrics timed from foot strikes and toe-offs, which the frame rate limits."""
FRAMING_METRICS = (
    "elbow_angle_mean",
    "swing_arc_deg",
    "wrist_arc_tl",
    "crossing_max_sw",
    "shrug_level_tl",
)
"""One metric of each family, named when a small runner limits them all."""


@dataclass(frozen=True)
class Advice:
    """One thing to film differently.

    Attributes
    ----------
    topic
        ``view``, ``frame_rate``, ``strides``, ``framing`` or ``light``.
    limit
        What limited this clip, with its figure.
    change
        What to change when filming.
    unlocks
        What the change would measure, or measure more closely (metric names in words).

    """

    topic: str
    limit: str
    change: str
    unlocks: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the advice for ``summary.json``."""
        return {**asdict(self), "unlocks": list(self.unlocks)}


def filming_advice(analysis: Any, config: Config, brightness: float | None = None) -> list[Advice]:
    """Return the filming advice of a measured clip ([] for a refused one).

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        Settings (``config.report.advice_*`` thresholds).
    brightness
        Mean brightness of a few frames (0-255,
        :func:`armcarriage.report.keyframes.clip_brightness`); None when unknown.

    """
    if analysis.status != "ok" or not len(analysis.strides):
        return []
    out = _view_advice(analysis)
    for advice in (
        _frame_rate_advice(analysis, config),
        _stride_advice(analysis, config),
        _framing_advice(analysis, config),
        _light_advice(analysis, config, brightness),
    ):
        if advice is not None:
            out.append(advice)
    return out


def _labels(metrics: Sequence[str]) -> tuple[str, ...]:
    return tuple(plots.label(m) for m in metrics)


def _view_advice(analysis: Any) -> list[Advice]:
    """One advice per better view, for the metrics this clip's view cannot measure."""
    view = str((analysis.view or {}).get("label", ""))
    groups: dict[str, list[str]] = {}
    for m, v in (analysis.validity or {}).items():
        if m in METRICS and not v.get("measured", True) and view not in METRICS[m].views:
            groups.setdefault(METRICS[m].better_view, []).append(m)
    if "front" in groups and "front or rear" in groups:  # the front measures both
        groups["front"] += groups.pop("front or rear")
    name = view.split("_")[0] or "unknown"
    return [
        Advice(
            "view",
            f"a {name} view cannot measure {'it' if len(ms) == 1 else 'them'}",
            VIEW_CHANGES.get(better, f"film from the {better}, {PLACEMENT}"),
            _labels(ms),
        )
        for better, ms in groups.items()
    ]


def analysed_fps(analysis: Any) -> float:
    """Frames per second of real time the clip was filmed at (the capture rate of slow motion)."""
    timing = (analysis.settings or {}).get("time", {})
    capture = float(timing.get("capture_fps") or 0.0)
    return capture if capture > 0 else float(analysis.track.fps)


def _frame_rate_advice(analysis: Any, config: Config) -> Advice | None:
    """Contact and flight times need strikes placed within a few milliseconds."""
    view = str((analysis.view or {}).get("label", ""))
    fps = analysed_fps(analysis)
    need = config.report.advice_min_fps
    validity = analysis.validity or {}
    lost = [m for m in TIMING_METRICS if "fps" in str(validity.get(m, {}).get("reason", ""))]
    # a 59.94 fps clip is a 60 fps clip: the rate is compared as filmed, to the frame
    if not lost and (view not in SIDE_VIEWS or round(fps) >= need or fps <= 0):
        return None
    unlocks = (
        _labels(lost)
        if lost
        else tuple(
            f"{plots.label(m)} to {1000 / need:.0f} ms instead of {1000 / fps:.0f} ms"
            for m in TIMING_METRICS
        )
    )
    limit = (
        str(validity[lost[0]]["reason"])
        if lost
        else f"filmed at {fps:.0f} fps: each foot strike is placed within {1000 / fps:.0f} ms"
    )
    return Advice(
        "frame_rate",
        limit,
        f"film at {need:.0f} frames per second or more (a phone's 60 fps or slow-motion "
        "mode); fast runners' contacts need 120 fps",
        unlocks,
    )


def _stride_advice(analysis: Any, config: Config) -> Advice | None:
    rc = config.report
    n = int(analysis.strides["stride"].nunique())
    if n >= rc.advice_min_strides:
        return None
    stride_s = 120.0 / analysis.cadence_spm if analysis.cadence_spm > 0 else float("nan")
    seconds = (
        f" (about {rc.advice_min_strides * stride_s:.0f} s of running at this cadence)"
        if np.isfinite(stride_s)
        else ""
    )
    return Advice(
        "strides",
        f"{n} {'stride' if n == 1 else 'strides'} were measured",
        f"film at least {rc.advice_min_strides} steady strides{seconds}",
        (
            "every median on this page, steadier: one odd stride moves the median of a few",
            f"fatigue drift (first vs last third of the strides), from {rc.drift_min_strides} "
            "strides",
        ),
    )


def runner_fill(analysis: Any, config: Config) -> float:
    """Share of the frame height the runner fills (head to shoe, from the torso length)."""
    track = analysis.track
    if not track.n_frames or track.height <= 0:
        return float("nan")
    shoulders = (track.xy("left_shoulder") + track.xy("right_shoulder")) / 2
    hips = (track.xy("left_hip") + track.xy("right_hip")) / 2
    torso = np.linalg.norm(shoulders - hips, axis=1)
    if not np.isfinite(torso).any():
        return float("nan")
    body = float(np.nanmedian(torso)) / config.report.torso_height_ratio
    return body / float(track.height)


def _framing_advice(analysis: Any, config: Config) -> Advice | None:
    fill = runner_fill(analysis, config)
    if not np.isfinite(fill) or fill >= config.report.advice_min_fill:
        return None
    validity = analysis.validity or {}
    measured = [m for m in FRAMING_METRICS if validity.get(m, {}).get("measured")]
    portrait = analysis.track.height > analysis.track.width
    return Advice(
        "framing",
        f"the runner fills about {int(100 * fill)}% of the frame height",  # floor: below the bar
        "move the camera closer (3-5 m) or zoom in, so that the runner, head to shoe, fills "
        "half to two thirds of the frame height in every frame; "
        + (
            "portrait suits a treadmill, landscape a track where the runner crosses the picture"
            if portrait
            else "landscape suits a track; on a treadmill, portrait lets the runner fill more"
        ),
        tuple(f"{label}, measured more closely" for label in _labels(measured)),
    )


def _light_advice(analysis: Any, config: Config, brightness: float | None) -> Advice | None:
    if brightness is None or brightness >= config.report.advice_min_brightness:
        return None
    rate = analysis.track.detection_rate()
    low = [
        m
        for m, v in (analysis.validity or {}).items()
        if v.get("measured") and v.get("confidence", 1.0) < config.metrics.min_confidence
    ]
    return Advice(
        "light",
        f"the clip is dark (mean brightness {brightness:.0f} of 255); the pose was found in "
        f"{100 * rate:.0f}% of the frames",
        "put light on the runner, not behind them (daylight or a lit room), in clothes that "
        "contrast with the background",
        ("the pose in more frames", *(f"{label}, now low confidence" for label in _labels(low))),
    )


def advice_section(advice: Sequence[Advice]) -> str:
    """Render the advice as a report section ('' when there is none)."""
    if not advice:
        return ""
    items = "".join(
        f"<li><b>{E(a.change[0].upper() + a.change[1:])}.</b> This clip: {E(a.limit)}."
        + (f" Would measure: {E('; '.join(a.unlocks))}." if a.unlocks else "")
        + "</li>"
        for a in advice
    )
    return (
        '<section id="filming"><h2>Film the next clip differently</h2><p class="note">What '
        "limited the numbers of this clip, what to change and what the change would measure "
        f'(the filming guide: docs/filming.md).</p><ul class="advice">{items}</ul></section>'
    )
