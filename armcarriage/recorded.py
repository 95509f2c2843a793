"""When a clip was filmed: the container's creation time, else the file's date (labelled so).

Phones and cameras write the recording time into the container: QuickTime's
``com.apple.quicktime.creationdate`` (local time with its offset) and the
format tag ``creation_time`` (UTC). A file's modification time is only when
it was last copied or saved, so it is used only when the container says
nothing, and is labelled :data:`FILE_DATE`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

GIVEN = "given"
"""The date was written by a person (manifest column, upload form)."""
RECORDED = "recorded"
"""The date is the container's recording time."""
FILE_DATE = "file date"
"""The date is the file's modification time: when it was copied, perhaps not when filmed."""

UPLOAD_DATE = "upload date"
"""The date is the day a clip was uploaded to the web app (it stated no recording time)."""

DATE_SOURCES = (GIVEN, RECORDED, FILE_DATE, UPLOAD_DATE)

_TAGS = ("com.apple.quicktime.creationdate", "creation_time")
"""Container tags holding the recording time, most telling first (local time before UTC)."""
_UNSET = (dt.date(1904, 1, 1), dt.date(1970, 1, 1))
"""Zero points of the QuickTime and Unix clocks: what a writer that knew no time leaves."""


def parse_creation_time(value: str) -> dt.date | None:
    """Return the date of an ISO 8601 creation time tag (None when unreadable or unset)."""
    text = value.strip()
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if stamp.date() in _UNSET else stamp.date()


def container_recording_date(path: str | Path) -> dt.date | None:
    """Return the recording date a video's container states, or None."""
    import av

    try:
        with av.open(str(path), mode="r") as container:
            tags = [dict(container.metadata)]
            tags += [dict(s.metadata) for s in container.streams.video[:1]]
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        return None
    for name in _TAGS:
        for found in tags:
            date = parse_creation_time(str(found.get(name, "")))
            if date is not None:
                return date
    return None


def recording_date(path: str | Path) -> tuple[dt.date, str]:
    """Return ``(date, source)``: the container's recording date, else the file date.

    ``source`` is :data:`RECORDED` or :data:`FILE_DATE`.
    """
    date = container_recording_date(path)
    if date is not None:
        return date, RECORDED
    return dt.date.fromtimestamp(Path(path).stat().st_mtime), FILE_DATE
