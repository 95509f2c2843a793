"""Short renders of one synthetic runner, for session and compare tests.

``render(folder, view, seed, **runner)`` renders the runner (same kinematics for the same
``runner`` settings, whatever the view or seed: the seed changes the look and background)
and writes its exact track beside the clip; ``truth_pose`` stands the exact track in for
the pose stage, so the pipeline runs without the pose model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from armcarriage_eval.synthetic.clip import ClipSpec, make_clip, truth_paths

import armcarriage.pipeline
from armcarriage.track import PoseTrack

SECONDS = 4.0
"""Long enough for five strides at 176 steps/min."""
SIZE = (480, 360)


@lru_cache(maxsize=16)
def _render(folder: str, view: str, seed: int, runner: tuple[tuple[str, float], ...]) -> str:
    spec = ClipSpec(
        view=view,
        fault="none",
        seconds=SECONDS,
        seed=seed,
        width=SIZE[0],
        height=SIZE[1],
        runner=dict(runner),
    )
    out = Path(folder) / f"{view}_{seed}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    make_clip(out, spec)
    return str(out)


def render(folder: Path, view: str, seed: int, **runner: float) -> Path:
    """Render (once per process) a 4 s clip of the runner and its truth; return the clip."""
    key = tuple(sorted((k.replace("__", "."), float(v)) for k, v in runner.items()))
    return Path(_render(str(folder), view, seed, key))


def truth_pose(monkeypatch) -> None:
    """Make the pipeline read each clip's exact track instead of running the pose model."""

    monkeypatch.setattr(armcarriage.pipeline, "estimate_track", exact_track)


def exact_track(video, config=None, **_kw) -> PoseTrack:
    """The exact track rendered beside ``video`` (stands in for the pose stage)."""
    return PoseTrack.load(truth_paths(video)["truth"])


def truth_analysis(video, outdir, config=None, progress=None):
    """:func:`armcarriage.pipeline.run_analysis` on the exact track (for batch workers)."""
    armcarriage.pipeline.estimate_track = exact_track
    return armcarriage.pipeline.run_analysis(video, outdir, config, progress)


TRUTH_DIR_ENV = "ARMCARRIAGE_TRUTH_DIR"
"""Folder of the renders whose exact tracks :func:`web_truth_analysis` reads."""


def web_truth_analysis(video, outdir, config=None, progress=None):
    """The pipeline for the web app's workers: the exact track of the render of that name.

    The web app analyses its own copy of an upload (named as uploaded), so the render's
    truth is found by file name in ``$ARMCARRIAGE_TRUTH_DIR``.
    """
    import os

    rendered = Path(os.environ[TRUTH_DIR_ENV]) / Path(video).name
    armcarriage.pipeline.estimate_track = lambda *_a, **_kw: exact_track(rendered)
    return armcarriage.pipeline.run_analysis(video, outdir, config, progress)
