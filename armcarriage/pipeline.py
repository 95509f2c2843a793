"""One clip, end to end: probe -> pose -> analysis -> cues -> reports.

:func:`run_analysis` is the single entry point shared by the CLI, the batch
runner and the web app. Besides the pose stage's frame progress, it names every
later stage to an optional ``stage(name, done, total)`` callback
(:data:`armcarriage.progress.StageProgress`), so a display can show all the work.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armcarriage.atomic import atomic_folder
from armcarriage.config import Config
from armcarriage.memory import release_free_memory
from armcarriage.status import Status
from armcarriage.video import VideoInfo, probe_video

if TYPE_CHECKING:  # xarray, pandas and pyarrow stay out of the process until the pose
    # stage is done: beside the pose workers they would add about 80 MB to its peak
    from armcarriage.analysis import Analysis
    from armcarriage.cues.reference import NeckReference
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Stage = Callable[[str, int, int], None]


@dataclass
class RunResult:
    """What :func:`run_analysis` produced."""

    status: Status
    """:attr:`Status.OK` or the analysis status (:class:`armcarriage.status.Status`)."""
    video_info: VideoInfo
    track: PoseTrack
    analysis: Analysis | None = None
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
    start_s: float = 0.0,
    end_s: float = 0.0,
    while_waiting: Callable[[], None] | None = None,
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
    start_s, end_s
        Analyse only this part of the clip, seconds (``end_s`` 0 = to the end). An end
        alone keeps the worker processes; a start runs the pose model in this process,
        from the start (the chunked workers cover the clip from its beginning).
    while_waiting
        Later work to do in this process while the last worker processes finish
        (see :func:`armcarriage.parallel.estimate_pose_parallel`).

    Returns
    -------
    PoseTrack

    """
    import dataclasses

    from armcarriage.pose import estimate_pose, expected_frames

    info = info or probe_video(video, config)
    if end_s > 0:  # the pose stage's own limit, which the workers honour
        pc = config.pose
        stop = min(end_s, pc.max_seconds) if pc.max_seconds > 0 else end_s
        config = dataclasses.replace(config, pose=dataclasses.replace(pc, max_seconds=stop))
    if start_s > 0:
        from armcarriage.parallel import early

        early.discard()  # this pose stage runs in this process
        span = (config.pose.max_seconds or info.duration_s) - start_s
        total = expected_frames(info, config, span_s=max(span, 0.0))

        def rescaled(done: int, _total: int) -> None:
            if progress is not None:
                progress(done, max(total, done))

        return estimate_pose(video, config, info=info, progress=rescaled, start_s=start_s)
    from armcarriage.parallel import estimate_pose_parallel

    return estimate_pose_parallel(
        video, config, info=info, progress=progress, while_waiting=while_waiting
    )


def run_analysis(
    video: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    config: Config | None = None,
    progress: Progress | None = None,
    *,
    stage: Stage | None = None,
    start_s: float = 0.0,
    end_s: float = 0.0,
    info: VideoInfo | None = None,
    references: Sequence[NeckReference] = (),
) -> RunResult:
    """Analyse one clip and write every output into ``outdir``.

    Parameters
    ----------
    video
        The clip to analyse.
    outdir
        Output folder. The outputs are written into a hidden sibling folder and
        swapped in whole at the end, so the folder holds the previous run's
        outputs or this run's, never a mix, and none a run turned off (e.g. a
        stale ``report.html``); a killed run's leftovers are cleaned by the next
        (:func:`armcarriage.atomic.atomic_folder`).
    config
        Settings; defaults to :class:`~armcarriage.config.Config`.
    progress
        Called as ``progress(done, total)`` during the pose stage (frames).
    stage
        Called as ``stage(name, done, total)`` as each later stage starts and, for the
        annotated video, as its frames are written.
    start_s, end_s
        Analyse only this part of the clip, seconds (``end_s`` 0 = to the end).
    info
        The clip's probe when the caller has it (the clip is probed once per run).
    references
        The athlete's relaxed references (:mod:`armcarriage.cues.reference`): a held shrug
        is then also judged against the athlete's own neck.

    Returns
    -------
    RunResult

    Raises
    ------
    armcarriage.errors.InputError
        For a bad video, a missing model, no runner in view, a start or end outside
        the clip, or an output folder holding files that are not outputs of an analysis.

    """
    config = config or Config()
    out = Path(outdir)
    info = info or probe_video(video, config)
    check_span(start_s, end_s, info.duration_s)
    ahead = _Ahead(Path(video), info, config, (start_s, end_s))
    with atomic_folder(out, foreign=partial(_foreign_beside, Path(video))) as work:
        track = estimate_track(
            video,
            config,
            info=info,
            progress=progress,
            start_s=start_s,
            end_s=end_s,
            while_waiting=ahead,
        )
        # the container's capture rate travels with the track (playback times are kept in
        # it, as in the video); the analysis rescales time by it or by video.capture_fps
        track.ds.attrs["capture_fps_tag"] = float(info.capture_fps)
        if stage is not None:
            stage("saving the pose track", 0, 0)
        outputs = {"pose": track.save(work / "pose.parquet")}
        release_free_memory()  # what the pose stage and the save freed, before the next peaks
        result = RunResult(status=Status.OK, video_info=info, track=track, outputs=outputs)
        _analyse_and_report(result, video, work, config, stage, ahead.brightness, tuple(references))
    result.outputs = {
        name: out / Path(path).relative_to(work) if Path(path).is_relative_to(work) else path
        for name, path in result.outputs.items()
    }
    return result


def check_span(start_s: float, end_s: float, duration_s: float) -> None:
    """Check a requested part of a clip; raise InputError naming what is wrong.

    Parameters
    ----------
    start_s, end_s
        Requested start and end, seconds (``end_s`` 0 = the end of the clip).
    duration_s
        The clip's length (0 when unknown: only the order is checked).

    """
    from armcarriage.errors import InputError

    if start_s < 0 or end_s < 0:
        raise InputError(f"--start/--end: expected seconds >= 0, got {start_s:g} and {end_s:g}")
    if end_s > 0 and end_s <= start_s:
        raise InputError(f"--end: expected a time after --start ({start_s:g} s), got {end_s:g} s")
    if duration_s > 0 and start_s >= duration_s:
        raise InputError(
            f"--start: expected a time inside the clip (0-{duration_s:.1f} s), got {start_s:g} s"
        )


OUTPUT_FILES = frozenset(
    {
        "pose.parquet",
        "strides.csv",
        "strides.units.json",
        "summary.json",
        "report.html",
        "clip.mp4",
        "annotated.mp4",
    }
)
"""Every file :func:`run_analysis` may write: an existing output folder holding only
these, hidden temporary files and file-browser clutter (``IGNORED_FILES``) is replaced
by the new set."""

IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file browser leaves in folders it shows; replaced with the folder."""


def _foreign_beside(video: Path, folder: Path) -> list[str]:
    """Names in ``folder`` that no run writes, the clip among them when it lies there.

    The clip itself in the folder (say, a clip.mp4 beside its report) is never replaced.
    """
    inside = video.resolve().parent == folder.resolve()
    return list(dict.fromkeys(_foreign_files(folder) + ([video.name] if inside else [])))


def _foreign_files(folder: Path) -> list[str]:
    """Names in ``folder`` that no run of :func:`run_analysis` writes."""
    return [
        p.name
        for p in folder.iterdir()
        if p.name not in OUTPUT_FILES | IGNORED_FILES
        and not (p.name.startswith(".") and ".part" in p.name)
    ]


def _analyse_and_report(
    result: RunResult,
    video: str | os.PathLike[str],
    out: Path,
    config: Config,
    stage: Stage | None = None,
    brightness: float | None = None,
    references: tuple[NeckReference, ...] = (),
) -> None:
    """Run metrics, cues and reports, and add the written files to ``result.outputs``."""
    from armcarriage.analysis import analyze
    from armcarriage.cues import assess, load_rules
    from armcarriage.report import write_reports

    if stage is not None:
        stage("strides and metrics", 0, 0)
    analysis = analyze(result.track, config)
    release_free_memory()
    result.analysis = analysis
    result.status = analysis.status
    result.message = analysis.message
    if stage is not None:
        stage("cues", 0, 0)
    rules = load_rules(config.cues.rules_path or None)
    assessment = assess(analysis, config, rules, references)  # once: the reports take it as it is
    result.cues = assessment.shown
    result.outputs.update(
        write_reports(
            analysis,
            Path(video),
            out,
            config,
            result.cues,
            stage=stage,
            assessment=assessment,
            rules=rules,
            info=result.video_info,
            brightness=brightness,
        )
    )


class _Ahead:
    """The later stages' work that needs no pose, done while the pose workers finish.

    Called (at most once) by the parallel pose stage when this process has no chunk
    left: it reads the clip's brightness off three frames of the analysed span, which
    would otherwise run after the pose stage with one core idle. The analysis and
    report code is not loaded here: its libraries (pandas, SciPy, Matplotlib, Arrow)
    take about 175 MB, which beside the last pose worker would add to the run's peak.
    """

    def __init__(
        self, video: Path, info: VideoInfo, config: Config, span: tuple[float, float]
    ) -> None:
        self.video, self.info, self.config, self.span = video, info, config, span
        self.brightness: float | None = None

    def __call__(self) -> None:
        from armcarriage.report.keyframes import clip_brightness

        start, end = self.span
        stop = end if end > 0 else self.info.duration_s
        if self.config.pose.max_seconds > 0:
            stop = min(stop, self.config.pose.max_seconds)
        if stop > start:
            times = [start + k * (stop - start) for k in (0.25, 0.5, 0.75)]
            self.brightness = clip_brightness(
                self.video, self.info, self.config, times, threads=False
            )
