"""Sessions of a batch: manifest rows with the same athlete and ``session`` merged.

Every clip is analysed on its own as usual (its folder, its history row); after the batch,
the clips of one session (the manifest's ``session`` column, per athlete) are merged by
:func:`armcarriage.sessions.merge_session` into ``OUTDIR/<athlete>__session-<name>/``
(``session.json`` and ``report.html``, whose players show the clips' own folders). The
clips' analyses are rebuilt from their saved pose tracks with the settings the batch used.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from armcarriage.batch.manifest import ClipSpec
from armcarriage.config import Config
from armcarriage.names import slug

log = logging.getLogger(__name__)


def session_groups(clips: Sequence[ClipSpec]) -> dict[tuple[str, str], list[ClipSpec]]:
    """Clips per (athlete, session) for every session named in the manifest, in order."""
    groups: dict[tuple[str, str], list[ClipSpec]] = {}
    for clip in clips:
        if clip.session:
            groups.setdefault((clip.athlete, clip.session), []).append(clip)
    return groups


def session_folder(athlete: str, session: str, taken: set[str]) -> str:
    """Return the session's folder name, never one of the clips' (``taken``)."""
    name = f"{slug(athlete)}__session-{slug(session)}"
    if name.casefold() in {t.casefold() for t in taken}:
        name += "-" + hashlib.sha256(f"{athlete}\0{session}".encode()).hexdigest()[:8]
    return name


def write_batch_sessions(
    clips: Sequence[ClipSpec], outcomes: Sequence[Any], outdir: Path, config: Config
) -> dict[str, Path]:
    """Merge and write each session whose clips were analysed; return the pages written.

    A session with fewer than two analysed clips is skipped with a warning naming it.
    """
    from armcarriage.analysis import analyze
    from armcarriage.batch.runner import clip_config
    from armcarriage.sessions.merge import SessionClip, merge_session
    from armcarriage.sessions.run import write_session
    from armcarriage.track import PoseTrack

    state = {o.key: o.state for o in outcomes}
    taken = {c.key for c in clips}
    written: dict[str, Path] = {}
    for (athlete, session), members in session_groups(clips).items():
        ready = [c for c in members if (outdir / c.key / "pose.parquet").is_file()]
        ready = [c for c in ready if state.get(c.key, "skipped") != "failed"]
        if len(ready) < 2:
            log.warning(
                "session %r of %s: %d of %d clips analysed, need two to merge",
                session,
                athlete,
                len(ready),
                len(members),
            )
            continue
        merged = [
            SessionClip(
                c.path.name,
                analyze(PoseTrack.load(outdir / c.key / "pose.parquet"), clip_config(config, c)),
                Path("..") / c.key,
            )
            for c in ready
        ]
        folder = session_folder(athlete, session, taken)
        paths = write_session(merge_session(merged, config), outdir / folder, config)
        written[f"session {athlete} {session}"] = paths.get("report", paths["session"])
    return written
