"""Check a received upload's content: container headers first, then the first frame, then all.

:func:`probe_headers` reads only the container headers (no frame decoded) and
checks them against the size, duration and frame-count limits; it then decodes
the first frame with the decoders barred from frames over the size limit.
:func:`probe_upload` probes the whole clip once the headers passed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from armcarriage.config import Config, ServeConfig
from armcarriage.recorded import container_recording_date
from armcarriage.video import is_still_image
from armcarriage.web.uploads import UploadError

_CONTAINER_EXT = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv", "avi": "avi"}
_FIRST_FRAME_PACKETS = 300
"""Packets read while looking for the first frame (B-frame delay, leading audio-less gaps)."""


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
    name = original_name
    if path.stat().st_size == 0:
        raise UploadError(415, f"{name}: not a usable video: the file is empty (0 bytes)")
    info = _open_headers(path, name, int(limits.max_width) * int(limits.max_height))
    codec, fmt = info["codec"], info["container"]
    if is_still_image(fmt, codec, info["frames"]):
        raise UploadError(415, f"{name}: a still image ({fmt}, {codec}), not a video")
    problems = _header_problems(info, limits)
    if problems:
        raise UploadError(422, f"{name}: " + "; ".join(problems))
    from armcarriage.memory import release_free_memory

    with gate if gate is not None else contextlib.nullcontext():
        try:
            _check_first_frame(path, name, limits, info)
        finally:  # the decoder's tables went to this thread's heap arena, kept unless trimmed
            release_free_memory()
    return info


def _open_headers(path: Path, name: str, max_pixels: int) -> dict[str, Any]:
    """Read the first video stream's header fields, or refuse the file (415) saying why."""
    import av

    from armcarriage.video import _mp4_top_boxes

    options = {"max_pixels": str(max_pixels)}
    try:
        # skip_frame=all: the stream-information pass decodes nothing (sizes come from the
        # codec headers); a container whose headers state no size is opened again, its
        # decoding still bounded by max_pixels
        info = _read_headers(path, {**options, "skip_frame": "all"})
        if info is not None and (info["width"] <= 0 or info["height"] <= 0):
            info = _read_headers(path, options)
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
    return info


def _header_problems(info: dict[str, Any], limits: ServeConfig) -> list[str]:
    """Return what the stated frame size, duration and frame count break (empty = nothing)."""
    w, h = info["width"], info["height"]
    duration, frames = info["duration_s"], info["frames"]
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
    return problems


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
    recorded = container_recording_date(path)
    info["recorded_date"] = recorded.isoformat() if recorded is not None else ""
    info.pop("path", None)
    return info
