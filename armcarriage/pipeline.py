"""One clip, end to end: probe -> pose -> analysis -> cues -> reports.

:func:`run_analysis` is the single entry point shared by the CLI, the batch
runner and the web app.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armcarriage.config import Config
from armcarriage.memory import release_free_memory
from armcarriage.video import VideoInfo, probe_video

if TYPE_CHECKING:  # xarray, pandas and pyarrow stay out of the process until the pose
    # stage is done: beside the pose workers they would add about 80 MB to its peak
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class RunResult:
    """What :func:`run_analysis` produced."""

    status: str
    """``"ok"`` or the analysis status: ``"no_running"``, ``"too_few_strides"``, ``"no_runner"``."""
    video_info: VideoInfo
    track: PoseTrack
    analysis: Any = None
    """The :class:`armcarriage.analysis.Analysis`, when the analysis ran."""
    cues: list[Any] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    message: str = ""


def estimate_track(
    video: str | os.PathLike[str],
    config: Config,
    *,
    info: VideoInfo | None = None,
    progress: Progress | None = None,
) -> PoseTrack:
    """Run the pose stage, across worker processes when that pays off.

    Parameters
    ----------
    video
        The clip.
    config
        Settings; ``config.pose.workers`` picks the process count.
    info
        The probed clip.
    progress
        Called as ``progress(done, total)`` in frames.

    Returns
    -------
    PoseTrack

    """
    from armcarriage.pose import estimate_pose

    info = info or probe_video(video, config)
    try:
        from armcarriage.parallel import estimate_pose_parallel
    except ImportError:
        return estimate_pose(video, config, info=info, progress=progress)
    return estimate_pose_parallel(video, config, info=info, progress=progress)


def run_analysis(
    video: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    config: Config | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Analyse one clip and write every output into ``outdir``.

    Parameters
    ----------
    video
        The clip to analyse.
    outdir
        Output folder (created if missing); files in it are replaced atomically.
    config
        Settings; defaults to :class:`~armcarriage.config.Config`.
    progress
        Called as ``progress(done, total)`` during the pose stage (frames).

    Returns
    -------
    RunResult

    Raises
    ------
    armcarriage.errors.InputError
        For a bad video, a missing model or no runner in view.

    """
    config = config or Config()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    info = probe_video(video, config)
    track = estimate_track(video, config, info=info, progress=progress)
    # the container's capture rate travels with the track (playback times are kept in
    # it, as in the video); the analysis rescales time by it or by video.capture_fps
    track.ds.attrs["capture_fps_tag"] = float(info.capture_fps)
    outputs = {"pose": track.save(out / "pose.parquet")}
    release_free_memory()  # what the pose stage and the save freed, before the next peaks
    result = RunResult(status="ok", video_info=info, track=track, outputs=outputs)
    _analyse_and_report(result, video, out, config)
    return result


def _analyse_and_report(
    result: RunResult, video: str | os.PathLike[str], out: Path, config: Config
) -> None:
    """Run metrics, cues and reports, and add the written files to ``result.outputs``."""
    from armcarriage.analysis import analyze
    from armcarriage.cues import evaluate_cues
    from armcarriage.report import write_reports

    analysis = analyze(result.track, config)
    release_free_memory()
    result.analysis = analysis
    result.status = analysis.status
    result.message = analysis.message
    result.cues = evaluate_cues(analysis, config)
    result.outputs.update(write_reports(analysis, Path(video), out, config, result.cues))
