"""What a batch analyses: every video in a folder, or the rows of a CSV manifest.

A manifest is a CSV file with a header row. Columns (case and spaces do not
matter): ``path`` (required; relative paths are relative to the manifest's
folder), ``athlete``, ``date`` (``YYYY-MM-DD``), ``view`` (or ``view hint``:
one of :data:`VIEW_HINTS`), ``capture fps`` (the frame rate a slow-motion clip was
filmed at; empty = the container's tag, else real time), ``person`` (who to follow
when several people are in view, as ``armcarriage analyze --person``: ``auto`` or
empty, ``left``, ``right``, ``centre`` or ``X,Y``), ``session`` (clips of one run filmed
from several views share a name: after the batch they are merged into one session report,
:mod:`armcarriage.batch.sessions`) and ``notes``.

Examples
--------
>>> clips = load_manifest("squad.csv")                  # doctest: +SKIP
>>> clips[0].athlete, clips[0].date                     # doctest: +SKIP
('alice', datetime.date(2026, 5, 1))

"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from armcarriage.errors import InputError
from armcarriage.names import slug
from armcarriage.person import parse_person
from armcarriage.recorded import GIVEN, recording_date

VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
"""File name endings treated as videos when the input is a folder."""

VIEW_HINTS: frozenset[str] = frozenset(
    {"", "side", "side_left", "side_right", "front", "rear", "oblique"}
)
"""Accepted values of the manifest's view column (empty = detect)."""

COLUMNS: dict[str, str] = {
    "path": "path",
    "athlete": "athlete",
    "date": "date",
    "view": "view_hint",
    "view_hint": "view_hint",
    "notes": "notes",
    "capture_fps": "capture_fps",
    "person": "person",
    "session": "session",
}
"""Normalised header name -> field of :class:`ClipSpec`."""


class ManifestError(InputError):
    """A manifest or input folder cannot be used; the message names the line and column."""


@dataclass(frozen=True)
class ClipSpec:
    """One clip of a batch.

    Attributes
    ----------
    path
        Absolute path of the video.
    athlete
        Athlete name (the manifest's column, else the sub-folder, else the file stem).
    date
        Session date (the manifest's column, else the container's recording time, else
        the file's modification date; None when the file is missing).
    view_hint
        View given by the coach ('' = detect).
    notes
        Free text from the manifest.
    capture_fps
        Frame rate the clip was filmed at (slow motion); 0 = the container's tag, else
        the playback rate (``video.capture_fps``).
    person
        Who to follow, as written in the manifest (:func:`armcarriage.person.parse_person`;
        ``""`` = the runner).
    source
        Where the clip was listed, e.g. ``"squad.csv line 4"``, for error messages.
    key
        Name of the clip's report folder, unique within the batch.
    session
        Name of the run this clip is one view of ('' = a clip on its own).

    """

    path: Path
    athlete: str
    date: dt.date | None
    view_hint: str = ""
    notes: str = ""
    source: str = ""
    capture_fps: float = 0.0
    key: str = ""
    person: str = ""
    date_source: str = ""
    """Where :attr:`date` came from: ``given``, ``recorded`` or ``file date``
    (:mod:`armcarriage.recorded`)."""
    session: str = ""


def load_manifest(source: str | Path) -> list[ClipSpec]:
    """List the clips of a batch from a folder or a CSV manifest.

    Parameters
    ----------
    source
        A folder (every video under it, recursively; hidden entries skipped) or
        a ``.csv`` manifest.

    Returns
    -------
    list of ClipSpec
        In a stable order, each with a unique :attr:`ClipSpec.key`.

    Raises
    ------
    ManifestError
        If the input does not exist, holds no videos, or the manifest is
        malformed (every problem is listed with its line and column).

    """
    source = Path(source)
    if source.is_dir():
        clips = _from_folder(source)
    elif source.is_file():
        if source.suffix.lower() != ".csv":
            raise ManifestError(
                f"batch input {source}: expected a folder of videos or a .csv manifest, "
                f"got a {source.suffix or 'suffix-less'} file"
            )
        clips = _from_csv(source)
    else:
        raise ManifestError(
            f"batch input {source}: not found (expected a folder or a .csv manifest)"
        )
    if not clips:
        raise ManifestError(
            f"batch input {source}: no clips found (expected files ending in "
            f"{', '.join(sorted(VIDEO_SUFFIXES))} or manifest rows)"
        )
    return _assign_keys(clips)


def _from_folder(folder: Path) -> list[ClipSpec]:
    clips = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if not path.is_file() or path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        athlete = athlete_name(rel.parts[0] if len(rel.parts) > 1 else path.stem)
        date, date_source = recording_date(path)
        clips.append(
            ClipSpec(
                path=path.resolve(),
                athlete=athlete,
                date=date,
                source=str(path),
                date_source=date_source,
            )
        )
    return clips


def _from_csv(manifest: Path) -> list[ClipSpec]:
    errors: list[str] = []
    clips: list[ClipSpec] = []
    seen: dict[tuple[Path, str], int] = {}
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"manifest {manifest}: expected UTF-8 text ({exc})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise ManifestError(f"manifest {manifest}: empty file (expected a header row with 'path')")
    fields = _header_fields(manifest, header)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"manifest {manifest.name} line {line}"
        if len(row) > len(fields):
            errors.append(f"{where}: expected {len(fields)} columns, got {len(row)}")
            continue
        values = {fields[i]: cell.strip() for i, cell in enumerate(row)}
        clip, problems = _row_to_clip(manifest, values, where)
        errors.extend(problems)
        if clip is None:
            continue
        dup = (clip.path, clip.athlete)
        if dup in seen:
            errors.append(
                f"{where}, column 'path': {clip.path} for athlete {clip.athlete!r} "
                f"is already listed on line {seen[dup]}"
            )
            continue
        seen[dup] = line
        clips.append(clip)
    if errors:
        raise ManifestError("\n".join(errors))
    return clips


def _header_fields(manifest: Path, header: list[str]) -> list[str]:
    fields = []
    for col, name in enumerate(header, start=1):
        norm = re.sub(r"[\s\-]+", "_", name.strip().lower())
        if norm not in COLUMNS:
            raise ManifestError(
                f"manifest {manifest.name} line 1, column {col}: unknown column {name!r}; "
                f"expected some of: path, athlete, date, view, capture fps, person, session, notes"
            )
        fields.append(COLUMNS[norm])
    if "path" not in fields:
        raise ManifestError(
            f"manifest {manifest.name} line 1: expected a 'path' column, got {header!r}"
        )
    if len(set(fields)) != len(fields):
        raise ManifestError(
            f"manifest {manifest.name} line 1: a column appears twice in {header!r}"
        )
    return fields


def _row_to_clip(
    manifest: Path, values: dict[str, str], where: str
) -> tuple[ClipSpec | None, list[str]]:
    problems = []
    raw_path = values.get("path", "")
    if not raw_path:
        problems.append(f"{where}, column 'path': expected a video path, got an empty cell")
        path = None
    else:
        path = Path(raw_path).expanduser()
        path = (path if path.is_absolute() else manifest.parent / path).resolve()
    date: dt.date | None = None
    date_source = ""
    raw_date = values.get("date", "")
    if raw_date:
        try:
            date, date_source = dt.date.fromisoformat(raw_date), GIVEN
        except ValueError:
            problems.append(f"{where}, column 'date': expected a date YYYY-MM-DD, got {raw_date!r}")
    elif path is not None and path.is_file():
        date, date_source = recording_date(path)
    view = values.get("view_hint", "").lower()
    if view not in VIEW_HINTS:
        problems.append(
            f"{where}, column 'view': expected one of "
            f"{', '.join(sorted(v for v in VIEW_HINTS if v))} or empty, got {values['view_hint']!r}"
        )
    capture = 0.0
    raw_capture = values.get("capture_fps", "")
    if raw_capture:
        try:
            capture = float(raw_capture)
        except ValueError:
            capture = -1.0
        if not (0 < capture <= 10_000):
            problems.append(
                f"{where}, column 'capture fps': expected the frame rate the clip was filmed "
                f"at (frames per second, e.g. 240) or an empty cell, got {raw_capture!r}"
            )
    person = values.get("person", "")
    try:
        person = parse_person(person, f"{where}, column 'person'").text()
    except InputError as exc:
        problems.append(str(exc))
    if path is None or problems:
        return None, problems
    athlete = athlete_name(values.get("athlete", "") or path.stem)
    clip = ClipSpec(
        path=path,
        athlete=athlete,
        date=date,
        view_hint=view,
        notes=values.get("notes", ""),
        source=where,
        capture_fps=capture,
        session=values.get("session", ""),
        person="" if person == "auto" else person,
        date_source=date_source,
    )
    return clip, problems


ATHLETE_MAX_CHARS = 80
"""Athlete names are kept (for display and history) up to this many characters."""


def athlete_name(text: str) -> str:
    """Return an athlete name as stored: NFC-normalised, trimmed and length-capped.

    NFC makes the two spellings of ``José`` (one code point or ``e`` plus an
    accent, as macOS names folders) the same athlete.
    """
    return unicodedata.normalize("NFC", text).strip()[:ATHLETE_MAX_CHARS]


def _faithful(text: str, part: str) -> bool:
    """Return True when ``part`` (the slug of ``text``) is ``text`` unchanged.

    A space turned into ``-`` is a change too: ``Alice Smith`` and ``Alice-Smith`` would
    otherwise share a folder across batches written into one output.
    """
    return part == unicodedata.normalize("NFC", text).strip()


def _assign_keys(clips: list[ClipSpec]) -> list[ClipSpec]:
    """Give each clip a report folder name ``athlete__stem`` that no other clip can share.

    A name that the slug had to change (characters dropped, cut to length) gets
    a hash of the exact athlete and clip names, so ``José``/``Josè`` or two
    names that both reduce to ``clip`` never share a folder, in this batch or
    a later one into the same output. Names still equal in one batch (ignoring
    case, for case-insensitive disks) get a hash of the clip's path.
    """
    names = []
    for clip in clips:
        athlete, stem = slug(clip.athlete), slug(clip.path.stem)
        name = f"{athlete}__{stem}"
        if not (_faithful(clip.athlete, athlete) and _faithful(clip.path.stem, stem)):
            exact = unicodedata.normalize("NFC", f"{clip.athlete}\0{clip.path.stem}")
            name = f"{name}-{hashlib.sha256(exact.encode()).hexdigest()[:8]}"
        names.append(name)
    counts: dict[str, int] = {}
    for name in names:
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    out = []
    for clip, name in zip(clips, names, strict=True):
        if counts[name.casefold()] > 1:
            name = f"{name}-{hashlib.sha256(str(clip.path).encode()).hexdigest()[:8]}"
        out.append(ClipSpec(**{**clip.__dict__, "key": name}))
    return out
