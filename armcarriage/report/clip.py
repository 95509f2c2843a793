"""``clip.mp4``: the clip the report's player shows, beside ``report.html``.

A clip a browser plays as it is (H.264 in 8-bit 4:2:0, in MP4/MOV) is linked or
copied unchanged, so its timeline is the track's. Any other clip (HEVC, VP9,
MPEG-4 part 2, 10-bit, ...) is re-encoded with PyAV to a small H.264 proxy
(``report.player_max_side``, 720p for a 1080p clip) of the analysed span only,
each frame at its own time less the span's first frame time (the page is told
that offset, so overlay and video stay frame-aligned on variable frame rates).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from armcarriage.atomic import atomic_path
from armcarriage.config import Config
from armcarriage.errors import VideoError
from armcarriage.video import DecodeStats, VideoInfo, probe_video

log = logging.getLogger(__name__)

PLAYER_NAME = "clip.mp4"
"""File name of the player's clip in the output folder (the page refers to it relatively)."""
BROWSER_CODECS = frozenset({"h264"})
"""Codecs every browser decodes (Chrome, Firefox, Safari; phones included)."""
BROWSER_PIXEL_FORMATS = frozenset({"yuv420p", "yuvj420p"})
"""Pixel formats browsers decode in H.264 (10-bit and 4:2:2 H.264 play nowhere)."""
BROWSER_CONTAINERS = ("mp4", "mov")
"""Containers (as FFmpeg names them) that browsers open."""
_TIME_BASE = Fraction(1, 90_000)
"""Proxy timestamps: fine enough to keep every source frame time to 11 microseconds."""


@dataclass(frozen=True)
class PlayerClip:
    """The clip written for the player."""

    path: Path
    offset_s: float
    """Track time minus media time (0 for a copied clip)."""
    proxy: bool
    """Re-encoded (True) or the source unchanged (False)."""


def browser_playable(video_path: Path, info: VideoInfo) -> bool:
    """Whether browsers play ``video_path`` as it is (H.264, 8-bit 4:2:0, MP4/MOV)."""
    if info.codec not in BROWSER_CODECS:
        return False
    if not any(name in info.container.split(",") for name in BROWSER_CONTAINERS):
        return False
    try:
        with av.open(str(video_path)) as container:
            fmt = container.streams.video[0].codec_context.format
            return fmt is not None and fmt.name in BROWSER_PIXEL_FORMATS
    except (av.error.FFmpegError, IndexError):
        return False


def write_player_clip(
    video_path: Path,
    outdir: Path,
    config: Config,
    span: tuple[float, float] | None = None,
    info: VideoInfo | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PlayerClip | None:
    """Put the clip the report's player shows into ``outdir`` as :data:`PLAYER_NAME`.

    Parameters
    ----------
    video_path
        The analysed clip.
    outdir
        The report's folder.
    config
        Settings: ``report.player_video`` (``auto``, ``proxy``, ``none``),
        ``report.player_max_side`` and the x264 settings of the annotated video.
    span
        First and last analysed time (s); a proxy holds only this span.
    info
        The probed clip (probed here when None).
    progress
        Called as ``progress(frames_done, frames_expected)`` while a proxy is encoded.

    Returns
    -------
    PlayerClip or None
        None when ``report.player_video`` is ``none`` or the clip cannot be read.

    """
    rc = config.report
    if rc.player_video == "none":
        return None
    try:
        if not Path(video_path).is_file():  # moved or deleted since the pose stage read it
            raise VideoError(f"{video_path}: file not found")
        info = info or probe_video(video_path, config)
        target = Path(outdir) / PLAYER_NAME
        if rc.player_video == "auto" and browser_playable(video_path, info):
            _link_or_copy(Path(video_path), target)
            return PlayerClip(target, 0.0, proxy=False)
        return _encode_proxy(Path(video_path), target, config, info, span, progress)
    except VideoError as exc:
        log.warning("player clip skipped: %s", exc)
        return None


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target`` (no second copy of a big clip), else copy it.

    Either way the file appears under its name in one rename, never half written.
    """
    if target.exists() and os.path.samefile(source, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(source, tmp)
        except OSError:  # another file system, or links not allowed: copy
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _encode_proxy(
    video_path: Path,
    target: Path,
    config: Config,
    info: VideoInfo,
    span: tuple[float, float] | None,
    progress: Callable[[int, int], None] | None,
) -> PlayerClip:
    """Re-encode the analysed span to H.264 (yuv420p, faststart) at the player's size."""
    from armcarriage.report.video import _rgb_frames, annotated_size, prefetched

    rc = config.report
    width, height = annotated_size(info.width, info.height, rc.player_max_side)
    rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    half = 0.5 / float(rate)
    start, stop = (max(0.0, span[0] - half), span[1] + half) if span else (0.0, None)
    options = {"crf": str(rc.video_crf), "preset": rc.video_preset}
    if rc.video_x264_params:
        options["x264-params"] = rc.video_x264_params
    frames = _rgb_frames(video_path, config, info, (width, height), DecodeStats(), start, stop)
    expected = max(1, int(((stop or info.duration_s) - start) * float(rate)))
    first: float | None = None
    count = 0
    last_pts = -1
    with (
        atomic_path(target) as tmp,
        av.open(tmp, mode="w", format="mp4", options={"movflags": "+faststart"}) as out,
        closing(prefetched(frames, rc.video_prefetch_frames)) as ready,
    ):
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = _TIME_BASE
        stream.options = options
        stream.codec_context.thread_count = rc.video_threads
        for t, vf in ready:
            if first is None:
                first = t
            pts = max(last_pts + 1, int(round((t - first) / _TIME_BASE)))
            vf.pts, vf.time_base, last_pts = pts, _TIME_BASE, pts
            for packet in stream.encode(vf):
                out.mux(packet)
            count += 1
            if progress is not None and count % 10 == 0:
                progress(count, max(expected, count))
        for packet in stream.encode():
            out.mux(packet)
    log.info(
        "%s: %d frames re-encoded for the report's player at %dx%d", target, count, width, height
    )
    return PlayerClip(target, float(first or 0.0), proxy=True)
