"""What ``armcarriage analyze`` prints after a run: the outcome and the filming advice.

Kept apart from :mod:`armcarriage.cli` so that the command module holds the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def outcome_lines(result: Any, name: str) -> list[str]:
    """Return what the terminal says after a run: words, strides from 1, never ``nan``.

    Parameters
    ----------
    result
        A :class:`armcarriage.pipeline.RunResult`.
    name
        The clip's file name.

    Returns
    -------
    list of str
        Rich-markup lines.

    """
    from rich.markup import escape

    from armcarriage.report import words

    track = result.track
    rate = words.number(track.detection_rate()) if track.n_frames else None
    found = f"pose found in {100 * rate:.1f}%" if rate is not None else "no pose found"
    lines = [
        f"[bold]{escape(name)}[/]: {track.n_frames} frames, {found} "
        f"({escape(str(track.attrs.get('person', '')))})"
    ]
    a = result.analysis
    if a is not None and a.status != "ok":
        lines.append(f"[bold red]not analysed[/]: {escape(words.refusal(a))}")
    elif a is not None:
        view = str((a.view or {}).get("label") or "unknown").replace("_", " ")
        n = int(a.strides["stride"].nunique()) if len(a.strides) else 0
        lines.append(
            f"view: {view}   strides: {n}   cadence: {words.fmt(a.cadence_spm, 'cadence_spm')}"
        )
        timing = a.settings.get("time", {})
        if timing.get("capture_fps"):
            lines.append(
                f"time: filmed at {timing['capture_fps']:g} fps ({timing['capture_fps_source']}), "
                f"played at {timing['playback_fps']:g} fps: times are real time"
            )
        if not result.cues:
            lines.append("cues: no fault crossed its threshold")
        for cue in result.cues[:3]:
            lines.append(f'cue: {escape(cue.title)}: "{escape(cue.cue)}"')
    lines += advice_lines(result.outputs)
    for key, path in result.outputs.items():
        lines.append(f"  {key}: {escape(str(path))}")
    return lines


def advice_lines(outputs: Any, most: int = 2) -> list[str]:
    """Return the report's filming advice as terminal lines (the first ``most``), from summary.json.

    Parameters
    ----------
    outputs
        The run's written files by name (``"summary"`` is read).
    most
        Lines at most; the report and summary.json hold every one.

    """
    import json

    from rich.markup import escape

    path = dict(outputs or {}).get("summary")
    if path is None:
        return []
    try:
        advice = json.loads(Path(path).read_text(encoding="utf-8")).get("filming_advice", [])
    except (TypeError, OSError, ValueError, AttributeError):
        return []
    lines = []
    for a in advice[:most]:
        unlocks = "; ".join(a.get("unlocks", [])[:2])
        lines.append(
            f"film next: {escape(a['change'])}"
            + (f" (would measure: {escape(unlocks)})" if unlocks else "")
        )
    if len(advice) > most:
        lines.append(
            f"film next: {len(advice) - most} more in report.html (Film the next clip differently)"
        )
    return lines
