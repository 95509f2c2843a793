"""Receive uploads: stream multipart bodies straight to disk, then check the content.

Nothing of a file is held in memory beyond one network chunk: each file part
is written to a temporary file under a server-chosen name as it arrives, and
the size limit is enforced while streaming (the request is cut off at the
first byte over the limit). A complete file is flushed and ``fsync``-ed, then
its container is probed (the file name is never trusted) and checked against
the duration, resolution and frame-count limits. Only then is it moved to its
final, server-chosen name and handed to the job queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from armcarriage.config import Config, ServeConfig

CHUNK_FIELD_LIMIT = 4096
"""Longest accepted text field (athlete, date, view), bytes."""

VIEW_HINTS = ("", "auto", "side_left", "side_right", "front", "rear", "oblique")
_ATHLETE_RE = re.compile(r"^[\w][\w .'-]{0,79}$", re.UNICODE)
_CONTAINER_EXT = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv", "avi": "avi"}


class UploadError(Exception):
    """An upload was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ReceivedFile:
    """One file part written to disk."""

    tmp_path: Path
    original_name: str
    size: int = 0
    handle: BinaryIO | None = None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReceivedForm:
    """Fields and files of one upload request."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def discard(self) -> None:
        """Close and delete every temporary file."""
        for f in self.files:
            if f.handle is not None:
                f.handle.close()
                f.handle = None
            with contextlib.suppress(FileNotFoundError):
                f.tmp_path.unlink()


def display_name(raw: str) -> str:
    r"""Reduce a client-supplied file name to a harmless label (display only).

    Directory parts (``/`` or ``\\``), control characters and leading dots are
    removed; the result is never used as a path.
    """
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".")
    return name[:120] or "upload"


class _Receiver:
    """Multipart callbacks that write file parts to temporary files."""

    def __init__(self, tmp_dir: Path, max_bytes: int, max_files: int) -> None:
        self.tmp_dir = tmp_dir
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.form = ReceivedForm()
        self._headers: dict[str, bytes] = {}
        self._field = b""
        self._value = b""
        self._name = ""
        self._text: bytearray | None = None
        self._file: ReceivedFile | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._field = self._value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field = self._value = b""

    def headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get("content-disposition", b""))
        if disposition != b"form-data" or b"name" not in params:
            raise UploadError(
                400, "each form part needs 'Content-Disposition: form-data; name=...'"
            )
        self._name = params[b"name"].decode("utf-8", "replace")
        if b"filename" in params:
            if len(self.form.files) >= self.max_files:
                raise UploadError(
                    413,
                    f"too many files in one upload: the limit is {self.max_files} "
                    "(serve.max_files_per_upload)",
                )
            original = display_name(params[b"filename"].decode("utf-8", "replace"))
            tmp = self.tmp_dir / f"{uuid.uuid4().hex}.part"
            handle = open(tmp, "xb")  # closed in part_end or discard()
            self._file = ReceivedFile(tmp_path=tmp, original_name=original, handle=handle)
            self.form.files.append(self._file)
            self._text = None
        else:
            self._file = None
            self._text = bytearray()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            n = end - start
            self._file.size += n
            if self._file.size > self.max_bytes:
                raise UploadError(
                    413,
                    f"{self._file.original_name}: the file is larger than the upload limit of "
                    f"{self.max_bytes / 1e6:.1f} MB (serve.max_upload_mb)",
                )
            assert self._file.handle is not None
            self._file.handle.write(data[start:end])
        elif self._text is not None:
            self._text += data[start:end]
            if len(self._text) > CHUNK_FIELD_LIMIT:
                raise UploadError(
                    413, f"form field {self._name!r} is longer than {CHUNK_FIELD_LIMIT} bytes"
                )

    def part_end(self) -> None:
        if self._file is not None:
            assert self._file.handle is not None
            self._file.handle.flush()
            os.fsync(self._file.handle.fileno())
            self._file.handle.close()
            self._file.handle = None
            self._file = None
        elif self._text is not None:
            self.form.fields[self._name] = self._text.decode("utf-8", "replace")
            self._text = None


async def receive_multipart(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    tmp_dir: Path,
    limits: ServeConfig,
) -> ReceivedForm:
    """Stream a ``multipart/form-data`` body to temporary files.

    Parameters
    ----------
    content_type
        The request's Content-Type header.
    content_length
        The Content-Length header, if any (checked before reading).
    body
        The request body chunks.
    tmp_dir
        Folder for the temporary files (same file system as the uploads).
    limits
        ``max_upload_mb`` (per file) and ``max_files_per_upload``.

    Returns
    -------
    ReceivedForm
        Text fields and the files written (flushed and fsync-ed).

    Raises
    ------
    UploadError
        415 for a body that is not multipart, 413 for a body or file over the
        limit, 400 for a malformed body. Temporary files are removed.

    """
    mime, params = parse_options_header(content_type)
    if mime != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(
            415, f"expected a multipart/form-data upload, got Content-Type {content_type!r}"
        )
    max_bytes = int(limits.max_upload_mb * 1e6)
    max_files = max(1, limits.max_files_per_upload)
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise UploadError(400, f"Content-Length {content_length!r} is not a number") from None
        if declared > max_bytes * max_files + 1_000_000:
            raise UploadError(
                413,
                f"the upload is {declared / 1e6:.1f} MB; the limit is {limits.max_upload_mb:.1f} "
                "MB per file (serve.max_upload_mb)",
            )
    receiver = _Receiver(tmp_dir, max_bytes, max_files)
    parser = MultipartParser(params[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in body:
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except UploadError:
        receiver.form.discard()
        raise
    except OSError as exc:  # disk full, quota, permissions: the server's problem, not the client's
        receiver.form.discard()
        raise UploadError(507, f"the server could not store the upload: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 (parser errors on a malformed body: answer 400)
        receiver.form.discard()
        raise UploadError(400, f"malformed multipart upload: {exc}") from None
    except BaseException:  # client disconnect / cancellation: leave no temp file behind
        receiver.form.discard()
        raise
    if any(f.handle is not None for f in receiver.form.files):
        receiver.form.discard()
        raise UploadError(400, "the upload ended in the middle of a file")
    if not receiver.form.files:
        raise UploadError(400, "no file in the upload (expected a form field of type file)")
    return receiver.form


def check_fields(fields: dict[str, str]) -> dict[str, str]:
    """Validate the athlete, date, view-hint and capture-rate fields.

    Returns
    -------
    dict
        ``athlete``, ``date`` (ISO, today if empty), ``view_hint`` and ``capture_fps``
        (the frame rate a slow-motion clip was filmed at; 0 when not given).

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
    return {"athlete": athlete, "date": date, "view_hint": "" if view == "auto" else view,
            "capture_fps": capture}


def probe_upload(path: Path, original_name: str, config: Config) -> dict[str, Any]:
    """Probe a received file's container and check it against ``config.serve``.

    Returns
    -------
    dict
        The clip's :class:`~armcarriage.video.VideoInfo` fields plus ``ext``,
        the extension chosen from the container format.

    Raises
    ------
    UploadError
        415 if the content is not a readable video, 422 if it exceeds a limit.

    """
    from armcarriage.errors import VideoError
    from armcarriage.video import probe_video

    limits = config.serve
    # Readability only here; the serve limits below give their own messages.
    open_cfg = config.override(
        {
            "video.max_width": 1 << 30,
            "video.max_height": 1 << 30,
            "video.max_frames": 1 << 62,
            "video.max_duration_s": 1e12,
        }
    )
    try:
        info = probe_video(path, open_cfg).to_dict()
    except VideoError as exc:
        reason = str(exc).replace(str(path), "").lstrip(": ")
        raise UploadError(415, f"{original_name}: not a usable video: {reason}") from None
    problems = []
    if info["width"] > limits.max_width or info["height"] > limits.max_height:
        problems.append(
            f"frame size {info['width']}x{info['height']} exceeds the limit "
            f"{limits.max_width}x{limits.max_height} (serve.max_width / serve.max_height)"
        )
    if info["duration_s"] > limits.max_duration_s:
        problems.append(
            f"duration {info['duration_s']:.1f} s exceeds the limit of "
            f"{limits.max_duration_s:.1f} s (serve.max_duration_s)"
        )
    if info["frames"] > limits.max_frames:
        problems.append(
            f"{info['frames']} frames exceed the limit of {limits.max_frames} (serve.max_frames)"
        )
    if problems:
        raise UploadError(422, f"{original_name}: " + "; ".join(problems))
    info["ext"] = _CONTAINER_EXT.get(info.get("container", ""), "video")
    info.pop("path", None)
    return info


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
