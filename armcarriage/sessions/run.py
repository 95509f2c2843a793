"""Analyse the clips of one run and write the session, merged, with one report.

``OUTDIR/<clip name>/`` holds each clip's usual outputs (:func:`armcarriage.run_analysis`);
``OUTDIR/session.json`` the merged numbers (strict JSON) and ``OUTDIR/report.html`` the
session's page (:mod:`armcarriage.sessions.page`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.jsonio import dumps
from armcarriage.names import slug
from armcarriage.sessions.merge import SessionClip, SessionResult, merge_session

SESSION_FILES = ("session.json", "report.html")
"""What :func:`write_session` writes beside the clips' folders."""


def clip_folders(videos: Sequence[str | os.PathLike[str]]) -> list[str]:
    """One output folder name per clip: its file stem, made unique (``run``, ``run-2``)."""
    names: list[str] = []
    for video in videos:
        stem = slug(Path(video).stem)
        name, k = stem, 2
        while name in names or name in SESSION_FILES:
            name, k = f"{stem}-{k}", k + 1
        names.append(name)
    return names


def clip_names(videos: Sequence[str | os.PathLike[str]]) -> list[str]:
    """How notes name each clip: its file name, with its folder when two share a name."""
    base = [Path(v).name for v in videos]
    return [
        b if base.count(b) == 1 else f"{Path(v).parent.name}/{b}"
        for v, b in zip(videos, base, strict=True)
    ]


def write_session(result: SessionResult, outdir: str | Path, config: Config) -> dict[str, Path]:
    """Write ``session.json`` and the session's ``report.html`` into ``outdir``."""
    from armcarriage.sessions.page import session_page

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"session": write_text(out / "session.json", dumps(result.to_dict(), indent=2))}
    if config.report.html:
        paths["report"] = write_text(out / "report.html", session_page(result, out, config))
    return paths


def run_session(
    videos: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    config: Config | None = None,
    *,
    watch: Callable[[str], AbstractContextManager[Any]] | None = None,
) -> tuple[SessionResult, dict[str, Path]]:
    """Analyse each clip of one run through the pipeline, merge them, write the session.

    Parameters
    ----------
    videos
        The clips of one run (at least two), e.g. a side view and a front view.
    outdir
        The session's folder.
    config
        Settings, shared by every clip.
    watch
        ``watch(clip name)`` is entered around each clip's run; what it yields has the
        ``frames`` and ``stage`` callbacks of :func:`armcarriage.run_analysis` (as
        :func:`armcarriage.progress.run_progress` does).

    Returns
    -------
    SessionResult, dict
        The merged session and the files written (``session``, ``report``, and per clip
        ``<folder>/report`` and so on).

    Raises
    ------
    InputError
        For fewer than two clips, one clip given twice, or a bad clip.

    """
    from armcarriage.pipeline import run_analysis

    config = config or Config()
    if len(videos) < 2:
        raise InputError(f"a session: expected two clips or more of one run, got {len(videos)}")
    resolved = [Path(v).resolve() for v in videos]
    if len(set(resolved)) < len(resolved):
        raise InputError("a session: expected different clips, got one clip twice")
    out = Path(outdir)
    clips, outputs = [], {}
    for video, folder, name in zip(videos, clip_folders(videos), clip_names(videos), strict=True):
        with watch(name) if watch is not None else nullcontext() as shown:
            run = run_analysis(
                video,
                out / folder,
                config,
                progress=getattr(shown, "frames", None),
                stage=getattr(shown, "stage", None),
            )
        clips.append(SessionClip(name, run.analysis, Path(folder)))
        outputs.update({f"{folder}/{k}": Path(p) for k, p in run.outputs.items()})
    result = merge_session(clips, config)
    outputs.update(write_session(result, out, config))
    return result, outputs
