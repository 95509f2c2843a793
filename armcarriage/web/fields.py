"""Check the text fields of an upload: athlete, date, view, capture rate, person, session."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from armcarriage.errors import InputError
from armcarriage.person import parse_person
from armcarriage.web.uploads import UploadError

VIEW_HINTS = ("", "auto", "side_left", "side_right", "front", "rear", "oblique")
SESSION_VALUES = ("1", "on", "true", "", "0", "off", "false")
"""Accepted values of the ``session`` field (the first three mean: the files are one run)."""
_ATHLETE_RE = re.compile(r"^[\w][\w .'-]{0,79}$", re.UNICODE)


def check_fields(fields: dict[str, str]) -> dict[str, Any]:
    """Validate the athlete, date, view-hint, capture-rate and person fields.

    Returns
    -------
    dict
        ``athlete``, ``date`` (ISO, today if empty), ``date_given`` (False when empty: the
        clip's recording time may then be used), ``view_hint``, ``capture_fps`` (the frame
        rate a slow-motion clip was filmed at; 0 when not given), ``person`` (whom to
        follow, as ``armcarriage analyze --person`` reads it; ``""`` = the runner) and
        ``session`` (True when the files are the clips of one run, to be merged).

    Raises
    ------
    UploadError
        400 naming the field and what was expected.

    """
    athlete = unicodedata.normalize("NFC", fields.get("athlete", "")).strip()
    if not _ATHLETE_RE.match(athlete):
        raise UploadError(
            400,
            f"field 'athlete': expected a name of 1-80 letters, digits, spaces, '.', \"'\" or '-', "
            f"got {athlete[:100]!r}",
        )
    raw_date = fields.get("date", "").strip()
    if raw_date:
        try:
            date = dt.date.fromisoformat(raw_date).isoformat()
        except ValueError:
            raise UploadError(
                400, f"field 'date': expected YYYY-MM-DD, got {raw_date[:40]!r}"
            ) from None
    else:
        date = dt.date.today().isoformat()
    view = fields.get("view", "").strip()
    if view not in VIEW_HINTS:
        raise UploadError(
            400,
            f"field 'view': expected one of {', '.join(repr(v) for v in VIEW_HINTS)}, "
            f"got {view[:40]!r}",
        )
    raw_capture = fields.get("capture_fps", "").strip()
    capture = 0.0
    if raw_capture:
        try:
            capture = float(raw_capture)
        except ValueError:
            capture = -1.0
        if not 0 < capture <= 10_000:
            raise UploadError(
                400,
                f"field 'capture_fps': expected the frame rate the clip was filmed at (frames "
                f"per second, e.g. 240 for slow motion) or nothing, got {raw_capture[:40]!r}",
            )
    try:
        person = parse_person(fields.get("person", "")[:40], "field 'person'").text()
    except InputError as exc:
        raise UploadError(400, str(exc)) from None
    return {
        "athlete": athlete,
        "date": date,
        "date_given": bool(raw_date),
        "view_hint": "" if view == "auto" else view,
        "capture_fps": capture,
        "person": "" if person == "auto" else person,
        "session": _session(fields),
    }


def _session(fields: dict[str, str]) -> bool:
    """Return whether the upload's files are one run (the ``session`` field)."""
    session = fields.get("session", "").strip().lower()
    if session not in SESSION_VALUES:
        raise UploadError(
            400, f"field 'session': expected on or off (1 or 0), got {session[:40]!r}"
        )
    return session in SESSION_VALUES[:3]
