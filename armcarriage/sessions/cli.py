"""``armcarriage analyze A.mp4 B.mp4 --session``: the command's session branch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from armcarriage.config import Config
from armcarriage.errors import InputError


def session_lines(result: Any, outputs: dict[str, Path]) -> list[str]:
    """Return what the terminal says after a session: clips, cues and their clip, files."""
    from rich.markup import escape

    from armcarriage.report import words

    lines = []
    for clip in result.clips:
        a = clip.analysis
        state = "ok" if a.status == "ok" else f"not analysed: {words.refusal(a)}"
        lines.append(f"[bold]{escape(clip.where)}[/]: {escape(state)}")
    for check in result.cadence:
        style = "bold red" if check["verdict"].startswith("disagree") else ""
        text = escape(check["text"])
        lines.append(f"[{style}]{text}[/]" if style else text)
    shown = result.cues.assessment.shown
    if not shown:
        lines.append("cues: no fault crossed its threshold")
    for cue in shown[:3]:
        lines.append(
            f'cue: {escape(cue.title)}: "{escape(cue.cue)}" (from {escape(result.cues.clip(cue))})'
        )
    for key in ("session", "report"):
        if key in outputs:
            lines.append(f"  {key}: {escape(str(outputs[key]))}")
    return lines


def analyze_session(
    videos: list[Path],
    outdir: Path | None,
    config: Config,
    console: Any,
    session: bool,
    span: tuple[float | None, float | None],
) -> None:
    """Check the clips, run the session with a progress display, print what came of it."""
    from armcarriage.pose import resolve_model_path
    from armcarriage.progress import run_progress
    from armcarriage.sessions.run import run_session
    from armcarriage.video import probe_video

    if not session:
        raise InputError(
            f"analyze: expected one clip, got {len(videos)}; give --session for the clips of "
            "one run filmed from several views, or use 'armcarriage batch' for separate runs"
        )
    if len(videos) < 2:
        raise InputError("--session: expected two clips or more of one run, got one")
    if any(t is not None for t in span):
        raise InputError("--start/--end: apply to one clip; cut the clips of a session first")
    for video in videos:  # a bad clip or a missing model fails before any progress is drawn
        probe_video(video, config)
    resolve_model_path(config.pose.model_path or None)
    out = outdir or Path("armcarriage_out") / "-".join(v.stem for v in videos)
    result, outputs = run_session(
        videos, out, config, watch=lambda name: run_progress(console, f"pose {name}")
    )
    for line in session_lines(result, outputs):
        console.print(line, highlight=False)
