"""Check the text fields of an upload: athlete, date, view hint, capture frame rate, session."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from armcarriage.web.uploads import UploadError

VIEW_HINTS = ("", "auto", "side_left", "side_right", "front", "rear", "oblique")
SESSION_VALUES = ("1", "on", "true", "", "0", "off", "false")
"""Accepted values of the ``session`` field (the first three mean: the files are one run)."""
_ATHLETE_RE = re.compile(r"^[\w][\w .'-]{0,79}$", re.UNICODE)


def check_fields(fields: dict[str, str]) -> dict[str, Any]:
    """Validate the athlete, date, view-hint and capture-rate fields.

    Returns
    -------
    dict
        ``athlete``, ``date`` (ISO, today if empty), ``view_hint``, ``capture_fps``
        (the frame rate a slow-motion clip was filmed at; 0 when not given) and ``session``
        (True when the files are the clips of one run, to be merged into one session).

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
    session = fields.get("session", "").strip().lower()
    if session not in SESSION_VALUES:
        raise UploadError(
            400, f"field 'session': expected on or off (1 or 0), got {session[:40]!r}"
        )
    return {
        "athlete": athlete,
        "date": date,
        "view_hint": "" if view == "auto" else view,
        "capture_fps": capture,
        "session": session in SESSION_VALUES[:3],
    }
