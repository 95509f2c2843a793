"""Reports of an analysis: tables, an HTML page and an annotated video.

:func:`write_reports` is what the pipeline calls; it writes into OUTDIR

``strides.csv`` + ``strides.units.json``
    one row per stride x arm; units in the sidecar.
``summary.json``
    schema-versioned summary: settings, model, view, validity, every metric's
    median/spread/confidence, cues, filming advice.
``report.html``
    self-contained page (``config.report.html``) with its player, which shows
``clip.mp4``
    the clip for the page's player: the source itself (hard link or copy) when
    browsers play it, else an H.264 proxy (``config.report.player_video``).
``annotated.mp4``
    H.264/yuv420p, faststart; only on request (``config.report.annotated_video``,
    ``armcarriage analyze --export-video``).

Every file is written atomically, so re-running overwrites cleanly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armcarriage.config import Config
from armcarriage.memory import release_free_memory

if TYPE_CHECKING:
    from armcarriage.cues import Assessment, CueRule
    from armcarriage.video import VideoInfo

log = logging.getLogger(__name__)


def write_reports(
    analysis: Any,
    video_path: str | Path | None,
    outdir: str | Path,
    config: Config | None = None,
    cues: Sequence[Any] | None = None,
    *,
    stage: Callable[[str, int, int], None] | None = None,
    assessment: Assessment | None = None,
    rules: Sequence[CueRule] | None = None,
    info: VideoInfo | None = None,
    brightness: float | None = None,
) -> dict[str, Path]:
    """Write every report of an analysis into ``outdir``.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    video_path
        The analysed clip (for key frames and the annotated video). If None or
        unreadable, those two are skipped with a warning.
    outdir
        Output folder (created if missing).
    config
        Settings (``config.report`` and ``config.cues``).
    cues
        The cues to show (from :func:`armcarriage.cues.evaluate_cues`); None
        evaluates them here.
    stage
        Called as ``stage(name, done, total)`` as each file is started and as the
        annotated video's frames are written (see :mod:`armcarriage.progress`).
    assessment, rules
        The run's :func:`armcarriage.cues.assess` result and the rules it applied, when
        the caller has them (the cues are assessed once per run); None assesses here.
    info
        The clip's probe when the caller has it (the clip is probed once per run).
    brightness
        The clip's mean brightness (0-255) when the caller has read it; None reads it
        off three frames of the analysed span.

    Returns
    -------
    dict
        ``{"strides", "strides_units", "summary", "player", "report", "annotated"}`` ->
        written paths (``player``/``report``/``annotated`` only when enabled and possible).

    """
    config = config or Config()

    def step(name: str, done: int = 0, total: int = 0) -> None:
        if not done:
            release_free_memory(collect=False)
        if stage is not None:
            stage(name, done, total)

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    assessment, rules = _judged(analysis, config, cues, assessment, rules)
    if info is not None and video_path:
        video: Path | None = Path(video_path)
    else:
        video, info = _probe(video_path, config)
    advice = _advice(analysis, config, video, info, brightness)
    step("strides.csv and summary.json")
    outputs = _write_tables(analysis, out, config, video, (assessment, rules, advice))
    if config.report.html:
        outputs.update(
            _write_page(analysis, video, info, out, config, (assessment, rules, advice), step)
        )
    # One after the other: beside the video (which keeps two cores busy), the page would
    # finish the pair 4 % sooner on the benchmark clip but add its 70 MB peak to the video's.
    if config.report.annotated_video and info is not None and video is not None:
        outputs["annotated"] = _write_video(
            analysis, (video, info), out, config, assessment.shown, step
        )
    return outputs


def _judged(
    analysis: Any,
    config: Config,
    cues: Sequence[Any] | None,
    assessment: Assessment | None,
    rules: Sequence[CueRule] | None,
) -> tuple[Assessment, Sequence[CueRule]]:
    """Return the run's assessment and rules (the caller's, or assessed here), ``cues`` shown."""
    from armcarriage.cues import assess, load_rules

    if rules is None:
        rules = load_rules(config.cues.rules_path or None)
    if assessment is None:
        assessment = assess(analysis, config, list(rules))
    if cues is not None:
        assessment.shown = list(cues)
    return assessment, rules


def _write_tables(
    analysis: Any,
    out: Path,
    config: Config,
    video: Path | None,
    judged: tuple[Any, Sequence[Any], Sequence[Any]],
) -> dict[str, Path]:
    """Write ``strides.csv`` and ``summary.json``; ``judged`` = (assessment, rules, advice)."""
    from armcarriage.report.html import not_assessed
    from armcarriage.report.tables import write_strides, write_summary

    assessment, rules, advice = judged
    outputs = write_strides(analysis, out)
    outputs["summary"] = write_summary(
        analysis,
        out,
        config,
        assessment.shown,
        video_path=video,
        good=assessment.good,
        not_assessed=not_assessed(assessment, rules, plain=False),
        watch=assessment.watch,
        borderline=assessment.borderline,
        advice=advice,
        reference=getattr(assessment, "reference", ()),
    )
    return outputs


def _write_video(
    analysis: Any,
    clip: tuple[Path, VideoInfo],
    out: Path,
    config: Config,
    cues: Sequence[Any],
    step: Callable[..., None],
) -> Path:
    """Write ``annotated.mp4`` of ``clip`` = (video, its probe), after the page."""
    release_free_memory()  # the page's memory, before the video's peak
    from armcarriage.report.video import write_annotated_video

    video, info = clip
    return write_annotated_video(
        analysis,
        video,
        out / "annotated.mp4",
        config,
        cues,
        progress=lambda done, total: step("annotated.mp4", done, total),
        info=info,
    )


def _probe(video_path: str | Path | None, config: Config) -> tuple[Path | None, Any]:
    """Return the clip and its probe (None when it cannot be read: no key frames, no video)."""
    from armcarriage.errors import VideoError
    from armcarriage.video import probe_video

    video = Path(video_path) if video_path else None
    if video is None:
        return None, None
    try:
        return video, probe_video(video, config)
    except VideoError as exc:
        log.warning("reports: %s; key frames and annotated video skipped", exc)
        return video, None


def _advice(
    analysis: Any, config: Config, video: Path | None, info: Any, known: float | None = None
) -> list[Any]:
    """Filming advice of the clip, with its brightness read off three of its frames."""
    from armcarriage.report.advice import filming_advice
    from armcarriage.report.geometry import time_stretch
    from armcarriage.report.keyframes import clip_brightness

    track = analysis.track
    ok = analysis.status == "ok"
    brightness = known if ok else None
    if ok and brightness is None and video is not None and info is not None and track.n_frames:
        stretch = time_stretch(analysis)
        times = [
            float(track.time[int(k * (track.n_frames - 1))]) / stretch for k in (0.25, 0.5, 0.75)
        ]
        brightness = clip_brightness(video, info, config, times, threads=False)
    return filming_advice(analysis, config, brightness)


def _write_page(
    analysis: Any,
    video: Path | None,
    info: Any,
    out: Path,
    config: Config,
    judged: tuple[Any, Sequence[Any], Sequence[Any]],
    step: Callable[..., None],
) -> dict[str, Path]:
    """Write the player's clip and ``report.html``; ``judged`` = (assessment, rules, advice)."""
    from armcarriage.report.html import write_html_report

    assessment, rules, advice = judged
    outputs: dict[str, Path] = {}
    player = None
    track = analysis.track
    if info is not None and video is not None and Path(video).is_file() and track.n_frames:
        from armcarriage.report.clip import PLAYER_NAME, write_player_clip

        step(PLAYER_NAME)
        player = write_player_clip(
            video,
            out,
            config,
            (float(track.time[0]), float(track.time[-1])),
            info,
            progress=lambda done, total: step(PLAYER_NAME, done, total),
        )
        if player is not None:
            outputs["player"] = player.path
    outputs["report"] = write_html_report(
        analysis,
        video or Path(""),
        out / "report.html",
        config,
        assessment,
        rules,
        info,
        stage=lambda part: step(f"report.html: {part}"),
        player=player,
        advice=advice,
    )
    return outputs


__all__ = ["write_reports"]
