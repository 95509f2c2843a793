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
import datetime as dt
import os
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from armcarriage.config import Config, ServeConfig
from armcarriage.video import is_still_image

NAME_MAX_BYTES = 255
"""Longest file name (one path component) Linux and macOS file systems accept, bytes."""

VIEW_HINTS = ("", "auto", "side_left", "side_right", "front", "rear", "oblique")
_ATHLETE_RE = re.compile(r"^[\w][\w .'-]{0,79}$", re.UNICODE)
_CONTAINER_EXT = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv", "avi": "avi"}
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
_FIRST_FRAME_PACKETS = 300
"""Packets read while looking for the first frame (B-frame delay, leading audio-less gaps)."""


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
    # no request needs more than its files at their largest plus 1 MB of fields and framing
    max_request = int(
        min(limits.max_request_mb, limits.max_upload_mb * limits.max_files_per_upload + 1.0) * 1e6
    )
    too_big = (
        f"the upload is larger than the request limit of {max_request / 1e6:.1f} MB "
        "(serve.max_request_mb, at most serve.max_upload_mb x serve.max_files_per_upload + 1 MB)"
    )
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise UploadError(400, f"Content-Length {content_length!r} is not a number") from None
        if declared > max_request:
            raise UploadError(413, f"the upload is {declared / 1e6:.1f} MB; {too_big}")
    if quota is not None and quota.left() <= 0:
        raise UploadError(
            413,
            f"your team's disk quota of {limits.team_quota_mb:.1f} MB is used up "
            f"({quota.stored_bytes / 1e6:.1f} MB stored; serve.team_quota_mb)",
        )
    receiver = _Receiver(tmp_dir, limits, quota)
    try:
        parser = MultipartParser(params[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
    except ValueError as exc:  # e.g. a boundary longer than multipart allows
        raise UploadError(400, f"malformed multipart upload: {str(exc)[:200]}") from None
    received = 0
    try:
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


def check_fields(fields: dict[str, str]) -> dict[str, Any]:
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
    return {
        "athlete": athlete,
        "date": date,
        "view_hint": "" if view == "auto" else view,
        "capture_fps": capture,
    }


def probe_headers(
    path: Path,
    original_name: str,
    limits: ServeConfig,
    gate: contextlib.AbstractContextManager[Any] | None = None,
) -> dict[str, Any]:
    """Read a received file's container headers and check them, decoding no frame.

    The frame size comes from the stream's codec parameters, the duration and
    frame count from the container. FFmpeg's stream-information pass is told to
    decode no frame (``skip_frame=all``; it would otherwise decode the first
    frame, 590 MB for a 16000x16000 H.264 frame), and decoders are barred
    (``max_pixels``) from any frame larger than ``max_width x max_height``.
    Once the headers pass, the first frame is decoded under that bar, so a
    container that understates its frame size is refused too. Still images
    (PNG, JPEG, ... alone or as a one-frame container) are refused. ``gate``
    (e.g. a semaphore) is held while that frame is decoded: a decoder sets up
    its tables for the coded size before it refuses the frame (80 MB for
    16000x16000), so the number of such decodes at once is bounded.

    Returns
    -------
    dict
        ``width``, ``height`` (coded), ``duration_s``, ``frames``, ``codec`` and
        ``container`` as the headers state them.

    Raises
    ------
    UploadError
        415 if the content is not a readable video or is a still image, 422 if
        the headers exceed a limit.

    """
    import av

    from armcarriage.video import _mp4_top_boxes

    name = original_name
    if path.stat().st_size == 0:
        raise UploadError(415, f"{name}: not a usable video: the file is empty (0 bytes)")
    max_pixels = str(int(limits.max_width) * int(limits.max_height))
    try:
        # skip_frame=all: the stream-information pass decodes nothing (sizes come from the
        # codec headers); a container whose headers state no size is opened again, its
        # decoding still bounded by max_pixels
        info = _read_headers(path, {"max_pixels": max_pixels, "skip_frame": "all"})
        if info is not None and (info["width"] <= 0 or info["height"] <= 0):
            info = _read_headers(path, {"max_pixels": max_pixels})
    except av.error.EOFError:
        raise UploadError(
            415, f"{name}: not a usable video: the file ends before its first video frame"
        ) from None
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as exc:
        boxes = _mp4_top_boxes(path)
        if boxes and boxes[0] == "ftyp" and "moov" not in boxes:
            why = "truncated MP4/MOV (no 'moov' index box); the copy was probably interrupted"
        else:
            said = str(exc).replace(f": '{path}'", "").replace(str(path), "the file")
            why = f"expected a container such as mp4/mov/mkv/webm (the decoder said: {said})"
        raise UploadError(415, f"{name}: not a usable video: {why}") from None
    if info is None:
        raise UploadError(415, f"{name}: not a usable video: it holds no video stream")
    w, h, codec, fmt = info["width"], info["height"], info["codec"], info["container"]
    duration, frames = info["duration_s"], info["frames"]
    if is_still_image(fmt, codec, frames):
        raise UploadError(415, f"{name}: a still image ({fmt}, {codec}), not a video")
    problems = []
    if w <= 0 or h <= 0:
        problems.append(f"the headers state no valid frame size ({w}x{h})")
    elif not _fits(w, h, limits) and not _fits(h, w, limits):  # either way round (rotation)
        problems.append(
            f"frame size {w}x{h} exceeds the limit {limits.max_width}x{limits.max_height} "
            "(serve.max_width / serve.max_height)"
        )
    if duration > limits.max_duration_s:
        problems.append(
            f"duration {duration:.1f} s exceeds the limit of {limits.max_duration_s:.1f} s "
            "(serve.max_duration_s)"
        )
    if frames > limits.max_frames:
        problems.append(
            f"{frames} frames exceed the limit of {limits.max_frames} (serve.max_frames)"
        )
    if problems:
        raise UploadError(422, f"{name}: " + "; ".join(problems))
    from armcarriage.memory import release_free_memory

    with gate if gate is not None else contextlib.nullcontext():
        try:
            _check_first_frame(path, name, limits, info)
        finally:  # the decoder's tables went to this thread's heap arena, kept unless trimmed
            release_free_memory()
    return info


def _check_first_frame(path: Path, name: str, limits: ServeConfig, info: dict[str, Any]) -> None:
    """Decode the first frame with the decoder barred from frames over the size limit.

    A container can state a small frame size while the coded stream holds a
    huge one; the full probe would then decode it unbounded. Here the decoder
    refuses any frame over ``max_width x max_height`` pixels before allocating it.
    """
    limit = (
        f"the frame size limit {limits.max_width}x{limits.max_height} "
        "(serve.max_width / serve.max_height)"
    )
    stated = f"{info['width']}x{info['height']}"
    size, error = _first_frame_size(path, int(limits.max_width) * int(limits.max_height))
    # raised here, outside the decoding function: no traceback keeps its decoder alive
    if error:
        raise UploadError(
            422,
            f"{name}: the first frame cannot be decoded within {limit}; the headers state "
            f"{stated} ({error})",
        )
    if size is not None and not _fits(*size, limits) and not _fits(size[1], size[0], limits):
        raise UploadError(
            422,
            f"{name}: the first frame is {size[0]}x{size[1]} (the headers state {stated}), "
            f"over {limit}",
        )


def _first_frame_size(path: Path, max_pixels: int) -> tuple[tuple[int, int] | None, str]:
    """``((width, height) or None, decoder error or '')`` of the first decodable frame."""
    import av

    try:
        with av.open(str(path), mode="r", options={"skip_frame": "all"}) as container:
            stream = container.streams.video[0]
            cc = stream.codec_context
            cc.thread_count = 1  # frame threads would hold packets back and allocate per thread
            cc.options = {"max_pixels": str(max_pixels)}
            for n, packet in enumerate(container.demux(stream)):
                for frame in cc.decode(packet):
                    return (frame.width, frame.height), ""
                if n >= _FIRST_FRAME_PACKETS:
                    break  # no frame this early: the full probe says what is wrong
    except av.error.FFmpegError as exc:
        return None, exc.strerror or type(exc).__name__
    return None, ""


def _read_headers(path: Path, options: dict[str, str]) -> dict[str, Any] | None:
    """Open a container with decoder ``options``; the first video stream's header fields."""
    import av

    with av.open(str(path), mode="r", options=options) as container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        cc = stream.codec_context
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        return {
            "width": int(cc.width or 0),
            "height": int(cc.height or 0),
            "duration_s": duration,
            "frames": int(stream.frames or 0) or (int(round(duration * fps)) if fps else 0),
            "codec": cc.name or "",
            "container": container.format.name,
        }


def _fits(w: int, h: int, limits: ServeConfig) -> bool:
    return w <= limits.max_width and h <= limits.max_height


def probe_upload(path: Path, original_name: str, config: Config) -> dict[str, Any]:
    """Probe a received file fully (first frame decoded) once its headers passed.

    Call :func:`probe_headers` first: this decodes the first frame (for the
    display rotation), which is only bounded once the frame size is known.

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
    from armcarriage.config import MAX_DURATION_S, MAX_FRAME_SIDE, MAX_FRAMES
    from armcarriage.errors import VideoError
    from armcarriage.video import probe_video

    limits = config.serve
    # Readability only here; the serve limits below give their own messages.
    open_cfg = config.override(
        {
            "video.max_width": MAX_FRAME_SIDE,
            "video.max_height": MAX_FRAME_SIDE,
            "video.max_frames": MAX_FRAMES,
            "video.max_duration_s": MAX_DURATION_S,
        }
    )  # the widest the settings accept
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
