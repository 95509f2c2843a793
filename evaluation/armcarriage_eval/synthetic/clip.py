"""Render one synthetic clip and write its ground truth beside it.

For ``OUT.mp4`` the files written are:

``OUT.truth.parquet``
    The exact pose track (:class:`~armcarriage.track.PoseTrack`).
``OUT.events.csv``
    True foot events: ``foot``, ``kind`` (strike/toe_off), ``time``, ``frame``.
``OUT.truth.csv``
    True per-stride metrics in the analyzer's columns (when the metrics
    module is available).
``OUT.truth.json``
    The clip's specification, the runner's parameters and a summary.
"""

from __future__ import annotations

import dataclasses
import json
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from armcarriage_eval.camera import Camera, view_camera
from armcarriage_eval.synthetic.encode import write_mp4
from armcarriage_eval.synthetic.figure import Look, figure_primitives, random_look
from armcarriage_eval.synthetic.gait import (
    HIP_LANDMARK_OUT_M,
    HIP_LANDMARK_UP_M,
    SHOULDER_LANDMARK_UP_M,
    Kinematics,
    simulate,
)
from armcarriage_eval.synthetic.metrics_truth import stride_truth, summarize_truth
from armcarriage_eval.synthetic.params import RunnerParams, runner_for_fault
from armcarriage_eval.synthetic.render import Scene, finish, render
from armcarriage_eval.synthetic.truth import truth_track

from armcarriage.atomic import write_text

RUNNER_HEIGHT_M = 1.8
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClipSpec:
    """What to render.

    Parameters
    ----------
    view
        ``side_left``, ``side_right``, ``front``, ``rear`` or ``oblique``.
    fault
        A key of :data:`armcarriage_eval.synthetic.params.FAULTS`.
    seconds, fps, width, height
        Length, frame rate and frame size.
    mode
        ``"treadmill"`` or ``"track"`` (the runner crosses a fixed camera's view).
    distance, camera_height
        Camera placement, metres.
    fill
        Fraction of the frame height the runner fills (sets the focal length).
    blur_px, noise, motion_blur
        Image degradations: Gaussian blur sigma (px), noise (8-bit units),
        sub-frames averaged per frame (1 = no motion blur).
    seed
        Seed of colours, background and noise.
    runner
        Extra runner parameters by dotted name (``{"left.elbow_deg": 80}``).
    crf
        x264 quality.

    """

    view: str = "side_left"
    fault: str = "none"
    seconds: float = 4.0
    fps: float = 30.0
    width: int = 640
    height: int = 480
    mode: str = "treadmill"
    distance: float = 4.0
    camera_height: float = 1.1
    fill: float = 0.62
    blur_px: float = 0.0
    noise: float = 0.0
    motion_blur: int = 1
    seed: int = 0
    runner: dict[str, Any] = field(default_factory=dict)
    crf: int = 23

    def params(self) -> RunnerParams:
        """Return the runner's parameters: the fault, then ``runner`` overrides."""
        base = runner_for_fault(self.fault, mode=self.mode).with_values(dict(self.runner))
        if self.mode == "track" and "start_x" not in self.runner:
            # the path is centred in the view
            base = dataclasses.replace(base, start_x=-base.speed_mps * self.seconds / 2)
        return base

    def camera(self) -> Camera:
        """Return the clip's fixed camera."""
        focal = self.fill * self.height * self.distance / RUNNER_HEIGHT_M
        if self.mode == "track":
            span = self.params().speed_mps * self.seconds + 2.0
            focal = min(focal, self.width * self.distance / span)
        return view_camera(
            self.view,
            distance=self.distance,
            height=self.camera_height,
            target_height=0.95,
            focal_px=focal,
            width=self.width,
            height_px=self.height,
        )


@dataclass
class ClipResult:
    """Files written for one clip and timing."""

    video: Path
    truth: Path
    events: Path
    strides: Path | None
    meta: Path
    n_frames: int
    render_s: float
    kinematics: Kinematics = field(repr=False)


def frame_times(spec: ClipSpec) -> np.ndarray:
    """Timestamps of the clip's frames (s)."""
    n = round(spec.seconds * spec.fps)
    return np.arange(n) / spec.fps


def iter_images(
    spec: ClipSpec,
    kin: Kinematics,
    progress: Progress | None = None,
) -> Iterator[np.ndarray]:
    """Render the clip's frames (uint8 RGB), one at a time."""
    rng = np.random.default_rng(spec.seed)
    look: Look = random_look(rng) if spec.seed else Look()
    scene = Scene(spec.camera(), setting=spec.mode, seed=spec.seed)
    n = len(kin.time)
    sub = max(int(spec.motion_blur), 1)
    params = kin.params
    for i in range(n):
        if sub == 1:
            color, _ = render(scene, figure_primitives(kin, i, look), kin.joints["pelvis"][i])
        else:
            ts = kin.time[i] + (np.arange(sub) - (sub - 1) / 2) / (spec.fps * sub * 2)
            k2 = simulate(params, ts, duration=kin.duration)
            color = np.mean(
                [
                    render(scene, figure_primitives(k2, s, look), k2.joints["pelvis"][s])[0]
                    for s in range(sub)
                ],
                axis=0,
            )
        yield finish(color, blur_px=spec.blur_px, noise=spec.noise, rng=rng)
        if progress is not None:
            progress(i + 1, n)


def make_clip(
    out: str | Path,
    spec: ClipSpec | None = None,
    *,
    progress: Progress | None = None,
) -> ClipResult:
    """Render a clip to ``out`` (mp4) and write its ground truth beside it.

    Parameters
    ----------
    out
        Target ``.mp4`` path.
    spec
        What to render (defaults to :class:`ClipSpec`).
    progress
        Called as ``progress(frames_done, frames_total)``.

    Returns
    -------
    ClipResult

    """
    spec = spec or ClipSpec()
    out = Path(out)
    params = spec.params()
    times = frame_times(spec)
    kin = simulate(params, times, duration=spec.seconds)
    cam = spec.camera()
    t0 = _time.perf_counter()
    write_mp4(iter_images(spec, kin, progress), out, spec.fps, crf=spec.crf)
    render_s = _time.perf_counter() - t0
    files = write_truth(out, spec, kin, cam)
    return ClipResult(
        out,
        files["truth"],
        files["events"],
        files.get("strides"),
        files["meta"],
        len(times),
        render_s,
        kin,
    )


def truth_paths(video: str | Path) -> dict[str, Path]:
    """Paths of the truth files that belong to ``video``."""
    v = Path(video)
    stem = v.with_suffix("")
    return {
        "truth": Path(f"{stem}.truth.parquet"),
        "events": Path(f"{stem}.events.csv"),
        "strides": Path(f"{stem}.truth.csv"),
        "meta": Path(f"{stem}.truth.json"),
    }


def write_truth(
    video: str | Path,
    spec: ClipSpec,
    kin: Kinematics,
    cam: Camera,
) -> dict[str, Path]:
    """Write the truth files of a clip (see the module docstring)."""
    paths = truth_paths(video)
    track = truth_track(kin, cam, spec.fps, source=Path(video).name, view=spec.view)
    track.save(paths["truth"])
    ev = kin.events.copy()
    ev["frame"] = np.rint(ev["time"] * spec.fps).astype(int)
    write_text(paths["events"], ev.to_csv(index=False, float_format="%.6f"))
    written = {"truth": paths["truth"], "events": paths["events"], "meta": paths["meta"]}
    strides = stride_truth(track, kin, view=spec.view, fps=spec.fps)
    write_text(paths["strides"], strides.to_csv(index=False, float_format="%.6g"))
    written["strides"] = paths["strides"]
    summary = summarize_truth(strides)
    meta = {
        "schema_version": 1,
        "spec": dataclasses.asdict(spec),
        "runner": _jsonable(dataclasses.asdict(kin.params)),
        "camera": dataclasses.asdict(cam),
        "stride_time_s": kin.params.stride_time_s,
        "cadence_spm": kin.params.cadence_spm,
        "n_frames": len(kin.time),
        "truth_summary": summary,
        "landmark_convention": (
            f"shoulder landmark {100 * SHOULDER_LANDMARK_UP_M:g} cm above the shoulder-joint "
            f"centre along the trunk; hip landmarks {100 * HIP_LANDMARK_UP_M:g} cm above and "
            f"{100 * HIP_LANDMARK_OUT_M:g} cm outside the hip-joint centres; elbows, wrists, "
            "knees, ankles at joint centres; face points on the head surface; metric truth "
            "in 3D with the analyzer's per-frame definitions, sampled at 600 Hz"
        ),
    }
    write_text(paths["meta"], json.dumps(_jsonable(meta), indent=2))
    return written


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


__all__ = [
    "ClipResult",
    "ClipSpec",
    "frame_times",
    "iter_images",
    "make_clip",
    "truth_paths",
    "write_truth",
]
