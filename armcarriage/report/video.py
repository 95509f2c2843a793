"""``annotated.mp4``: the clip with skeleton, elbow angles, midline, stride counter and cue.

Frames stream through one at a time (constant memory), decoded straight to
the output size (at most ``report.video_max_side`` on the longer side, 720p for
a 1080p clip). The output is H.264 in yuv420p with the moov atom first
(``movflags=+faststart``), so it plays in every browser and on phones, and it
has exactly as many frames as the input yields.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from armcarriage.atomic import atomic_path
from armcarriage.config import Config
from armcarriage.cues import Cue
from armcarriage.report import words
from armcarriage.report.geometry import (
    LABEL_OFFSET,
    bone_side,
    faint_bone,
    measured_sides,
    midline_ends,
    series_or_angles,
    time_stretch,
)
from armcarriage.skeleton import BONES, KEYPOINT_INDEX
from armcarriage.video import (
    DecodeStats,
    VideoInfo,
    decode_frames,
    probe_video,
    scaled_size,
    upright,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

LEFT_COLOUR = (66, 165, 245)
RIGHT_COLOUR = (255, 112, 67)
MID_COLOUR = (255, 255, 255)
CUE_COLOUR = (255, 214, 0)
_PROGRESS_EVERY = 10
"""Frames between two progress reports of the annotated video."""


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (shipped with matplotlib) at ``size`` px."""
    from matplotlib import font_manager

    try:
        return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    except OSError:  # pragma: no cover - matplotlib always ships DejaVu
        return ImageFont.load_default()


def _bone_colour(a: str, b: str) -> tuple[int, int, int]:
    return {"left": LEFT_COLOUR, "right": RIGHT_COLOUR}.get(bone_side(a, b), MID_COLOUR)


class Overlay:
    """Draws one frame's annotations; holds the per-clip lookups.

    Drawing touches only the parts of the frame that carry annotations: the
    two banners and the box around the skeleton are cut out, drawn with PIL
    and written back, so the cost does not grow with the frame size.

    Parameters
    ----------
    analysis
        The analysis whose track and strides are drawn.
    cues
        Cues shown, best first.
    width, height
        Size of the video frames the overlay is drawn on.

    """

    def __init__(self, analysis: Any, cues: Sequence[Cue], width: int, height: int) -> None:
        track = analysis.track
        # a slow-motion clip is analysed on the time it was filmed on; the video plays slower
        stretch = time_stretch(analysis)
        self.time = track.time / stretch
        self.pos = np.asarray(track.ds["position"].values, dtype=float)
        self.scale = np.array([width / track.width, height / track.height])
        self.pixels = self.pos * self.scale
        """Keypoints in the drawn frame's pixels, (T, K, 2); NaN where missing."""
        dt = float(np.median(np.diff(self.time))) if len(self.time) > 1 else 1.0 / track.fps
        self.tolerance = 0.6 * dt
        self.sides = measured_sides(analysis)
        self.angles = {s: series_or_angles(analysis, s) for s in ("left", "right")}
        strides = analysis.strides
        if len(strides):
            spans = strides.groupby("stride")[["t_start", "t_end"]].first().reset_index()
            self.spans = spans.to_numpy(float)
            self.spans[:, 1:] /= stretch
        else:
            self.spans = np.zeros((0, 3))
        self.n_strides = len(self.spans)
        self.cues = list(cues)
        self.idle_text = (
            "No fault past its threshold in this clip"
            if getattr(analysis, "status", "ok") == "ok"
            else words.refusal(analysis)
        )
        """Banner text when no cue applies: never "good form" for a clip not analysed."""
        self.size = max(12, int(round(height / 34)))
        self.line = max(2, int(round(height / 240)))
        self.font = font(self.size)
        self._lines: dict[tuple[str, int], list[str]] = {}

    def sample(self, t: float) -> int | None:
        """Index of the track sample nearest ``t``, or None if none is close."""
        n = len(self.time)
        i = int(np.searchsorted(self.time, t))
        near = [j for j in (i - 1, i) if 0 <= j < n]
        if not near:
            return None
        j = min(near, key=lambda j: abs(self.time[j] - t))
        return j if abs(self.time[j] - t) <= self.tolerance else None

    def stride_at(self, t: float) -> int | None:
        """Position (0-based) of the stride containing ``t``."""
        hit = np.flatnonzero((self.spans[:, 1] <= t) & (t < self.spans[:, 2]))
        return int(hit[0]) if len(hit) else None

    def cue_at(self, stride: int | None) -> tuple[Cue | None, bool]:
        """Return the cue to show and whether this stride is one of its affected strides."""
        if stride is not None:
            number = int(self.spans[stride, 0])
            for cue in self.cues:
                if number in cue.evidence.strides_affected:
                    return cue, True
        return (self.cues[0], False) if self.cues else (None, False)

    def point(self, xy: np.ndarray, name: str) -> tuple[float, float] | None:
        """Position of a keypoint in ``xy`` (pixels, K x 2), or None if it is missing."""
        p = xy[KEYPOINT_INDEX[name]]
        return (float(p[0]), float(p[1])) if np.isfinite(p).all() else None

    def draw(self, frame: np.ndarray, t: float) -> None:
        """Draw every annotation for time ``t`` onto ``frame`` in place.

        Parameters
        ----------
        frame
            RGB ``uint8`` image (H, W, 3) of the size given to the constructor;
            it must be writable (a view of a video frame's buffer will do).
        t
            Presentation time of the frame in seconds.

        """
        h, w = frame.shape[:2]
        i = self.sample(t)
        if i is not None:
            xy = self.pixels[i]
            labels = self._labels(xy, i)
            box = self._figure_box(xy, labels, w, h)
            if box is not None:
                with _region(frame, box) as (draw, origin):
                    local = xy - origin
                    self._skeleton(draw, local)
                    self._midline(draw, local)
                    self._angles(draw, labels, origin)
        self._banner(frame, t)

    def _figure_box(
        self, xy: np.ndarray, labels: list[_Label], w: int, h: int
    ) -> tuple[int, int, int, int] | None:
        """Pixel box (x0, y0, x1, y1) holding the skeleton, midline and angle labels."""
        ends = [xy[np.isfinite(xy).all(axis=1)]]
        ends += [np.array(m) for m in [self._midline_ends(xy)] if m is not None]
        ends += [np.array([lab.rect[:2], lab.rect[2:]]) for lab in labels]
        pts = np.concatenate([e.reshape(-1, 2) for e in ends])
        if not len(pts):
            return None
        pad = 2 * self.line + 4  # line half-width, joint dots and rounding
        x0, y0 = np.floor(pts.min(axis=0) - pad)
        x1, y1 = np.ceil(pts.max(axis=0) + pad)
        box = (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
        return box if box[0] < box[2] and box[1] < box[3] else None

    def _skeleton(self, draw: ImageDraw.ImageDraw, xy: np.ndarray) -> None:
        for a, b in BONES:
            pa, pb = self.point(xy, a), self.point(xy, b)
            if pa and pb:
                colour = _bone_colour(a, b)
                # an arm that was not measured (far arm of a side view) is drawn faint
                faint = faint_bone(a, b, self.sides)
                draw.line([pa, pb], fill=(*colour, 90 if faint else 255), width=self.line + 1)
        r = self.line + 1
        for name in ("shoulder", "elbow", "wrist", "hip"):
            for side, colour in (("left", LEFT_COLOUR), ("right", RIGHT_COLOUR)):
                p = self.point(xy, f"{side}_{name}")
                if p:
                    draw.ellipse([p[0] - r, p[1] - r, p[0] + r, p[1] + r], fill=colour)

    @staticmethod
    def _midline_ends(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the ends of the body midline (hip centre to above the shoulders), or None."""
        return midline_ends(xy)

    def _midline(self, draw: ImageDraw.ImageDraw, xy: np.ndarray) -> None:
        ends = self._midline_ends(xy)
        if ends is None:
            return
        a, b = ends
        draw.line([tuple(a), tuple(b)], fill=(*MID_COLOUR, 170), width=max(1, self.line - 1))

    def _labels(self, xy: np.ndarray, i: int) -> list[_Label]:
        """Elbow-angle labels of sample ``i``, placed beside the elbows (frame pixels)."""
        out = []
        for side in self.sides:
            angle = self.angles[side][i]
            p = self.point(xy, f"{side}_elbow")
            if p is None or not np.isfinite(angle):
                continue
            text = f"{angle:.0f}°"
            x, y = p[0] + self.size * LABEL_OFFSET[0], p[1] + self.size * LABEL_OFFSET[1]
            box = _MEASURE.textbbox((x, y), text, font=self.font)
            rect = (box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2)
            colour = LEFT_COLOUR if side == "left" else RIGHT_COLOUR
            out.append(_Label(text, (x, y), rect, colour))
        return out

    def _angles(self, draw: ImageDraw.ImageDraw, labels: list[_Label], origin: np.ndarray) -> None:
        ox, oy = float(origin[0]), float(origin[1])
        for lab in labels:
            r = lab.rect
            draw.rectangle([r[0] - ox, r[1] - oy, r[2] - ox, r[3] - oy], fill=(0, 0, 0, 150))
            draw.text((lab.xy[0] - ox, lab.xy[1] - oy), lab.text, font=self.font, fill=lab.colour)

    def _wrapped(self, text: str, width: int) -> list[str]:
        """Lines of the cue banner (cached: the text changes only from stride to stride)."""
        key = (text, width)
        if key not in self._lines:
            self._lines[key] = _wrap(_MEASURE, text, self.font, width - self.size, max_lines=2)
        return self._lines[key]

    def _banner(self, frame: np.ndarray, t: float) -> None:
        h, w = frame.shape[:2]
        f = self.font
        k = self.stride_at(t)
        counter = f"Stride {k + 1}/{self.n_strides}" if k is not None else "Stride -"
        top = self.size * 1.8
        at = (self.size * 0.5, self.size * 0.35)
        text = f"{counter}   t = {t:5.2f} s"
        rows = max(top, _MEASURE.textbbox(at, text, font=f)[3])
        with _region(frame, (0, 0, w, min(h, int(np.ceil(rows)) + 2))) as (draw, _):
            draw.rectangle([0, 0, w, top], fill=(0, 0, 0, 140))
            draw.text(at, text, font=f, fill=(255, 255, 255))
        cue, active = self.cue_at(k)
        text = f"Cue: {cue.cue}" if cue else self.idle_text
        colour = CUE_COLOUR if active else (230, 230, 230)
        if active and cue is not None:
            text = f"{cue.title}: {cue.cue}"
        lines = self._wrapped(text, w)
        step = self.size * 1.25
        height = step * len(lines) + self.size * 0.55
        y0 = max(0, int(np.floor(h - height)) - 2)
        with _region(frame, (0, y0, w, h)) as (draw, _):
            draw.rectangle([0, h - height - y0, w, h - y0], fill=(0, 0, 0, 160))
            for n, line in enumerate(lines):
                draw.text(
                    (self.size * 0.5, h - height - y0 + self.size * 0.3 + n * step),
                    line,
                    font=f,
                    fill=colour,
                )


@dataclass(frozen=True)
class _Label:
    """One elbow-angle label: text, anchor and backing box, in frame pixels."""

    text: str
    xy: tuple[float, float]
    rect: tuple[float, float, float, float]
    colour: tuple[int, int, int]


_MEASURE = ImageDraw.Draw(Image.new("RGB", (1, 1)), "RGBA")
"""A drawing context used only to measure text (its bounding boxes do not depend on
the image drawn on)."""


@contextmanager
def _region(
    frame: np.ndarray, box: tuple[int, int, int, int]
) -> Iterator[tuple[ImageDraw.ImageDraw, np.ndarray]]:
    """Draw on the part ``box`` = (x0, y0, x1, y1) of ``frame``, then write it back.

    Yields an RGBA drawing context on a PIL copy of the region, with coordinates
    relative to its top-left corner ``origin`` (x, y). Only the region is
    copied to PIL and back, not the whole frame.
    """
    x0, y0, x1, y1 = box
    patch = Image.fromarray(frame[y0:y1, x0:x1])
    yield ImageDraw.Draw(patch, "RGBA"), np.array([x0, y0], dtype=float)
    frame[y0:y1, x0:x1] = np.asarray(patch)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, f: Any, width: float, max_lines: int = 2
) -> list[str]:
    """Split ``text`` into lines that fit ``width`` px; the last line is cut with an ellipsis."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=f) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        last = lines[-1] + " " + " ".join(words)
        while draw.textlength(last + "…", font=f) > width and len(last) > 4:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines


def rgb_view(frame: av.VideoFrame) -> np.ndarray:
    """Writable (H, W, 3) view of an ``rgb24`` frame's pixels (no copy).

    Parameters
    ----------
    frame
        A frame in ``rgb24``.

    Returns
    -------
    numpy.ndarray
        Shares memory with ``frame``: drawing on it draws on the frame.

    """
    if frame.format.name != "rgb24":
        raise ValueError(f"expected an rgb24 frame, got {frame.format.name}")
    plane = frame.planes[0]
    return np.ndarray(
        (plane.height, plane.width, 3),
        dtype=np.uint8,
        buffer=memoryview(plane),
        strides=(plane.line_size, 3, 1),
    )


def _rgb_frames(
    video_path: Path,
    config: Config,
    info: VideoInfo,
    size: tuple[int, int],
    stats: DecodeStats,
    start_s: float = 0.0,
    stop_s: float | None = None,
) -> Generator[tuple[float, av.VideoFrame], None, None]:
    """Decode a clip to upright ``rgb24`` frames of ``size`` (area-averaged when scaled).

    Yields ``(time, frame)``; the frames are the clip's, as :func:`decode_frames`
    keeps them (from ``start_s`` to ``stop_s`` when given).
    """
    width, height = size
    with closing(
        decode_frames(video_path, config, info=info, stats=stats, start_s=start_s, stop_s=stop_s)
    ) as frames:
        for _, t, decoded in frames:
            if info.rotation:
                coded = (height, width) if info.rotation in (90, 270) else (width, height)
                image = decoded.to_ndarray(
                    format="rgb24", width=coded[0], height=coded[1], interpolation="AREA"
                )
                yield t, av.VideoFrame.from_ndarray(upright(image, info.rotation), format="rgb24")
            else:
                # scaling and conversion in one swscale pass, into a frame the overlay
                # draws in and the encoder takes as it is
                yield (
                    t,
                    decoded.reformat(
                        width=width, height=height, format="rgb24", interpolation="AREA"
                    ),
                )


class _Failed:
    """An exception raised in :func:`prefetched`'s worker, passed to the consumer."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def prefetched(items: Generator[T, None, None], depth: int) -> Generator[T, None, None]:
    """Yield the items of ``items``, produced up to ``depth`` ahead in a worker thread.

    Decoding and colour conversion run outside the GIL, so a worker thread keeps
    them going while the caller draws and encodes; on two cores this cut the
    annotated video's wall time by a fifth. An exception in the worker is raised
    in the caller; closing the generator (or an exception in the caller) stops
    the worker and closes ``items``.

    Parameters
    ----------
    items
        A generator; it is advanced and closed only in the worker thread.
    depth
        Items waiting at most (0 = no thread: ``items`` is iterated in the caller).

    Yields
    ------
    object
        The items of ``items``, in order.

    """
    if depth <= 0:
        with closing(items):
            yield from items
        return
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    quit = threading.Event()

    def put(item: object) -> bool:
        while not quit.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, which raises it)
            put(_Failed(exc))
        finally:
            items.close()

    worker = threading.Thread(target=work, name="annotated-video-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast("T", item)
    finally:
        quit.set()
        worker.join()


def _even(n: int) -> int:
    return max(2, n - n % 2)


def annotated_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Size of ``annotated.mp4`` for an upright clip of ``width`` x ``height``.

    Parameters
    ----------
    width, height
        Upright frame size of the clip.
    max_side
        ``report.video_max_side``: longest side allowed (0 = no limit).

    Returns
    -------
    tuple of int
        Even ``(width, height)`` (yuv420p needs even sizes), scaled down as
        :func:`armcarriage.video.scaled_size` scales the decoded frames.

    """
    w, h = scaled_size(width, height, max_side)
    return _even(w), _even(h)


def write_annotated_video(
    analysis: Any,
    video_path: Path,
    out_path: Path,
    config: Config,
    cues: Sequence[Cue],
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the annotated clip.

    Frames are decoded straight to the output size (``report.video_max_side``,
    area-averaged) in a second thread (``report.video_prefetch_frames`` ahead),
    annotated in place and encoded with x264 (``report.video_preset``,
    ``video_x264_params``, ``video_crf``, ``video_threads``).

    Parameters
    ----------
    analysis
        The analysis of ``video_path``.
    video_path
        The source clip.
    out_path
        Target ``.mp4``; written atomically.
    config
        Settings (video limits, ``config.report``).
    cues
        Cues shown, best first; the one whose fault is seen in the current
        stride is highlighted.
    progress
        Called as ``progress(frames_done, frames_expected)`` as frames are written.

    Returns
    -------
    Path
        ``out_path``.

    """
    rc = config.report
    info = probe_video(video_path, config)
    width, height = annotated_size(info.width, info.height, rc.video_max_side)
    overlay = Overlay(analysis, cues, width, height)
    rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    options = {"crf": str(rc.video_crf), "preset": rc.video_preset}
    if rc.video_x264_params:
        options["x264-params"] = rc.video_x264_params
    stats = DecodeStats()
    frames = _rgb_frames(video_path, config, info, (width, height), stats)
    with (
        atomic_path(out_path) as tmp,
        av.open(tmp, mode="w", format="mp4", options={"movflags": "+faststart"}) as out,
        closing(prefetched(frames, rc.video_prefetch_frames)) as ready,
    ):
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = options
        stream.codec_context.thread_count = rc.video_threads
        count = 0
        expected = max(1, info.frames)
        for t, vf in ready:
            if progress is not None and count % _PROGRESS_EVERY == 0:
                progress(count, max(expected, count))
            overlay.draw(rgb_view(vf), t)
            stats.yielded += 1
            vf.pts = count
            vf.time_base = 1 / rate
            # the encoder converts to yuv420p, with one swscale context for the clip
            for packet in stream.encode(vf):
                out.mux(packet)
            count += 1
        for packet in stream.encode():
            out.mux(packet)
    if progress is not None:
        progress(count, count)
    log.info("%s: %d frames annotated at %dx%d", out_path, count, width, height)
    return Path(out_path)
