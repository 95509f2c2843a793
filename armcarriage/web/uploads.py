"""Receive uploads: stream multipart bodies straight to disk, then check the content.

Nothing of a file is held in memory beyond one network chunk: each file part
is written to a temporary file under a server-chosen name as it arrives, and
the limits on each file, the whole request, the team's disk quota, the
number and size of text fields are enforced while streaming (the request is
cut off at the first byte over a limit, chunked bodies included). The first
bytes of each file are sniffed (still images are refused at once); a complete
file is flushed and ``fsync``-ed and its container headers are read, with the
decoders barred from frames larger than the size limit, and checked against
the duration, resolution and frame-count limits before the next file is read
and before any frame is decoded. Only then is it moved to its final,
server-chosen name (derived from the job id) and handed to the job queue.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from armcarriage.config import ServeConfig

NAME_MAX_BYTES = 255
"""Longest file name (one path component) Linux and macOS file systems accept, bytes."""

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_SNIFF_BYTES = 16


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


def display_name(raw: str, max_chars: int = 120) -> str:
    r"""Reduce a client-supplied file name to a harmless label (display only).

    Directory parts (``/`` or ``\\``), control characters and leading dots are
    removed, the text is NFC-normalised (one spelling of ``é``) and cut to
    ``max_chars`` characters, keeping a short extension. Storage names never
    come from it; see :func:`file_label` for the one place it names a file.
    """
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = name.strip().lstrip(".").strip()
    return _cut(name, lambda n: len(n) <= max_chars) or "upload"


def file_label(name: str) -> str:
    """Return ``name`` cut (on a character boundary, extension kept) to fit one file name.

    A display name of 120 characters in a non-Latin script is up to 480 bytes
    in UTF-8; file systems take :data:`NAME_MAX_BYTES`.
    """
    return _cut(name, lambda n: len(n.encode("utf-8")) <= NAME_MAX_BYTES) or "upload"


def _cut(name: str, fits: Callable[[str], bool]) -> str:
    """Shorten ``name`` until ``fits``, keeping an extension of up to 8 characters."""
    if fits(name):
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 8:
        stem, ext = name, ""
    tail = f".{ext}" if ext else ""
    while stem and not fits(stem.rstrip() + "…" + tail):
        stem = stem[:-1]
    return (stem.rstrip() + "…" + tail) if stem else ""


class QuotaMeter:
    """A team's disk quota, charged as upload bytes arrive.

    ``inflight`` is shared by the team's concurrent uploads (``{team: bytes}``),
    so two uploads together cannot pass the quota either.
    """

    def __init__(self, quota_mb: float, inflight: dict[str, int], team: str) -> None:
        self.limit = quota_mb * 1e6
        self.quota_mb = quota_mb
        self.inflight = inflight
        self.team = team
        self.stored_bytes = 0
        self.charged = 0

    def left(self) -> float:
        """Bytes the team may still send."""
        return self.limit - self.stored_bytes - self.inflight.get(self.team, 0)

    def charge(self, n: int) -> None:
        """Count ``n`` more bytes; raise 413 once the quota is passed."""
        self.inflight[self.team] = self.inflight.get(self.team, 0) + n
        self.charged += n
        if self.left() < 0:
            raise UploadError(
                413,
                f"the upload would pass your team's disk quota of {self.quota_mb:.1f} MB "
                f"(serve.team_quota_mb); {self.stored_bytes / 1e6:.1f} MB are stored",
            )

    def release(self) -> None:
        """Stop counting this upload's bytes (it was stored as jobs or refused)."""
        rest = self.inflight.get(self.team, 0) - self.charged
        self.charged = 0
        if rest > 0:
            self.inflight[self.team] = rest
        else:
            self.inflight.pop(self.team, None)


class _Receiver:
    """Multipart callbacks that write file parts to temporary files, within the limits."""

    def __init__(self, tmp_dir: Path, limits: ServeConfig, quota: QuotaMeter | None) -> None:
        self.tmp_dir = tmp_dir
        self.limits = limits
        self.max_bytes = int(limits.max_upload_mb * 1e6)
        self.quota = quota
        self.form = ReceivedForm()
        self.completed: list[ReceivedFile] = []
        self._headers: dict[str, bytes] = {}
        self._header_bytes = 0
        self._field = b""
        self._value = b""
        self._name = ""
        self._text: bytearray | None = None
        self._file: ReceivedFile | None = None
        self._head = b""

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

    def _count_header(self, n: int) -> None:
        self._header_bytes += n
        if self._header_bytes > self.limits.max_field_bytes:
            raise UploadError(
                413,
                f"a form part's headers are longer than {self.limits.max_field_bytes} bytes "
                "(serve.max_field_bytes)",
            )

    def part_begin(self) -> None:
        self._headers = {}
        self._header_bytes = 0
        self._field = self._value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
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
        self._name = params[b"name"].decode("utf-8", "replace")[:80]
        if b"filename" in params:
            if len(self.form.files) >= self.limits.max_files_per_upload:
                raise UploadError(
                    413,
                    "too many files in one upload: the limit is "
                    f"{self.limits.max_files_per_upload} (serve.max_files_per_upload)",
                )
            original = display_name(
                params[b"filename"].decode("utf-8", "replace"), self.limits.max_name_chars
            )
            tmp = self.tmp_dir / f"{uuid.uuid4().hex}.part"
            handle = open(tmp, "xb")  # closed in part_end or discard()
            self._file = ReceivedFile(tmp_path=tmp, original_name=original, handle=handle)
            self.form.files.append(self._file)
            self._text = None
            self._head = b""
        else:
            if len(self.form.fields) >= self.limits.max_fields:
                raise UploadError(
                    413,
                    f"too many form fields in one upload: the limit is {self.limits.max_fields} "
                    "(serve.max_fields)",
                )
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
            if self.quota is not None:
                self.quota.charge(n)
            if len(self._head) < _SNIFF_BYTES:
                self._head += data[start : start + _SNIFF_BYTES - len(self._head)]
                if len(self._head) >= _SNIFF_BYTES:
                    _refuse_image_bytes(self._head, self._file.original_name)
            assert self._file.handle is not None
            self._file.handle.write(data[start:end])
        elif self._text is not None:
            self._text += data[start:end]
            if len(self._text) > self.limits.max_field_bytes:
                raise UploadError(
                    413,
                    f"form field {self._name!r} is longer than {self.limits.max_field_bytes} "
                    "bytes (serve.max_field_bytes)",
                )

    def part_end(self) -> None:
        if self._file is not None:
            assert self._file.handle is not None
            _refuse_image_bytes(self._head, self._file.original_name)
            self._file.handle.flush()
            os.fsync(self._file.handle.fileno())
            self._file.handle.close()
            self._file.handle = None
            self.completed.append(self._file)
            self._file = None
        elif self._text is not None:
            self.form.fields[self._name] = self._text.decode("utf-8", "replace")
            self._text = None


def _refuse_image_bytes(head: bytes, name: str) -> None:
    """Refuse a file whose first bytes are those of a still image format."""
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            raise UploadError(415, f"{name}: a still image ({kind}), not a video")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise UploadError(415, f"{name}: a still image (WebP), not a video")


FileCheck = Callable[[ReceivedFile], Awaitable[None]]
"""Called with each file as soon as it is complete, before more of the body is read."""


async def receive_multipart(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    tmp_dir: Path,
    limits: ServeConfig,
    *,
    quota: QuotaMeter | None = None,
    check_file: FileCheck | None = None,
) -> ReceivedForm:
    """Stream a ``multipart/form-data`` body to temporary files, enforcing the limits.

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
        ``max_upload_mb`` (per file), ``max_request_mb`` (whole body, counted as it
        arrives), ``max_files_per_upload``, ``max_fields`` and ``max_field_bytes``.
    quota
        The team's disk quota, charged with the file bytes as they arrive.
    check_file
        Awaited with each complete file (e.g. its header probe) before the rest
        of the body is read; raise :class:`UploadError` to refuse it.

    Returns
    -------
    ReceivedForm
        Text fields and the files written (flushed and fsync-ed).

    Raises
    ------
    UploadError
        415 for a body that is not multipart or a file that is a still image,
        413 for a body, file, field or quota over its limit, 400 for a malformed
        body. Temporary files are removed.

    """
    mime, params = parse_options_header(content_type)
    if mime != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError(
            415, f"expected a multipart/form-data upload, got Content-Type {content_type!r}"
        )
    max_request, too_big = _request_limit(limits)
    _check_declared(content_length, max_request, too_big)
    _check_quota_left(quota, limits)
    receiver = _Receiver(tmp_dir, limits, quota)
    try:
        parser = MultipartParser(params[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
    except ValueError as exc:  # e.g. a boundary longer than multipart allows
        raise UploadError(400, f"malformed multipart upload: {str(exc)[:200]}") from None
    try:
        await _feed(parser, receiver, body, max_request, too_big, check_file)
    except UploadError:
        receiver.form.discard()
        raise
    except OSError as exc:  # disk full, quota, permissions: the server's problem, not the client's
        receiver.form.discard()
        raise UploadError(507, f"the server could not store the upload: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 (parser errors on a malformed body: answer 400)
        receiver.form.discard()
        raise UploadError(400, f"malformed multipart upload: {str(exc)[:200]}") from None
    except BaseException:  # client disconnect / cancellation: leave no temp file behind
        receiver.form.discard()
        raise
    if any(f.handle is not None for f in receiver.form.files):
        receiver.form.discard()
        raise UploadError(400, "the upload ended in the middle of a file")
    if not receiver.form.files:
        raise UploadError(400, "no file in the upload (expected a form field of type file)")
    return receiver.form


def _request_limit(limits: ServeConfig) -> tuple[int, str]:
    """Return the largest request body in bytes and the message that names its settings."""
    # no request needs more than its files at their largest plus 1 MB of fields and framing
    max_request = int(
        min(limits.max_request_mb, limits.max_upload_mb * limits.max_files_per_upload + 1.0) * 1e6
    )
    too_big = (
        f"the upload is larger than the request limit of {max_request / 1e6:.1f} MB "
        "(serve.max_request_mb, at most serve.max_upload_mb x serve.max_files_per_upload + 1 MB)"
    )
    return max_request, too_big


def _check_declared(content_length: str | None, max_request: int, too_big: str) -> None:
    """Refuse a Content-Length that is not a number or is over the request limit."""
    if content_length is None:
        return
    try:
        declared = int(content_length)
    except ValueError:
        raise UploadError(400, f"Content-Length {content_length!r} is not a number") from None
    if declared > max_request:
        raise UploadError(413, f"the upload is {declared / 1e6:.1f} MB; {too_big}")


def _check_quota_left(quota: QuotaMeter | None, limits: ServeConfig) -> None:
    """Refuse an upload from a team whose disk quota is already used up."""
    if quota is not None and quota.left() <= 0:
        raise UploadError(
            413,
            f"your team's disk quota of {limits.team_quota_mb:.1f} MB is used up "
            f"({quota.stored_bytes / 1e6:.1f} MB stored; serve.team_quota_mb)",
        )


async def _feed(
    parser: MultipartParser,
    receiver: _Receiver,
    body: AsyncIterator[bytes],
    max_request: int,
    too_big: str,
    check_file: FileCheck | None,
) -> None:
    """Write the body into the parser, checking each file as soon as it is complete."""
    received = 0
    async for chunk in body:
        if not chunk:
            continue
        received += len(chunk)
        if received > max_request:
            raise UploadError(413, too_big)
        parser.write(chunk)
        while receiver.completed and check_file is not None:
            await check_file(receiver.completed.pop(0))
    parser.finalize()
    while receiver.completed and check_file is not None:
        await check_file(receiver.completed.pop(0))


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
