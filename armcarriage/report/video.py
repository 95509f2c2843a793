"""``annotated.mp4``: the clip with skeleton, elbow angles, midline, stride counter and cue.

Frames stream through one at a time (constant memory). The output is H.264
in yuv420p with the moov atom first (``movflags=+faststart``), so it plays in
every browser and on phones, and it has exactly as many frames as the input
yields.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from armcarriage.atomic import atomic_path
from armcarriage.config import Config
from armcarriage.cues import Cue
from armcarriage.report.geometry import measured_sides, series_or_angles
from armcarriage.skeleton import BONES, KEYPOINT_INDEX
from armcarriage.video import DecodeStats, iter_frames, probe_video

log = logging.getLogger(__name__)

LEFT_COLOUR = (66, 165, 245)
RIGHT_COLOUR = (255, 112, 67)
MID_COLOUR = (255, 255, 255)
CUE_COLOUR = (255, 214, 0)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (shipped with matplotlib) at ``size`` px."""
    from matplotlib import font_manager

    try:
        return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    except OSError:  # pragma: no cover - matplotlib always ships DejaVu
        return ImageFont.load_default()


def _bone_colour(a: str, b: str) -> tuple[int, int, int]:
    if a.startswith("left") and b.startswith("left"):
        return LEFT_COLOUR
    if a.startswith("right") and b.startswith("right"):
        return RIGHT_COLOUR
    return MID_COLOUR


class Overlay:
    """Draws one frame's annotations; holds the per-clip lookups.

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
        self.time = track.time
        self.pos = np.asarray(track.ds["position"].values, dtype=float)
        self.scale = np.array([width / track.width, height / track.height])
        dt = float(np.median(np.diff(self.time))) if len(self.time) > 1 else 1.0 / track.fps
        self.tolerance = 0.6 * dt
        self.sides = measured_sides(analysis)
        self.angles = {s: series_or_angles(analysis, s) for s in ("left", "right")}
        strides = analysis.strides
        if len(strides):
            spans = strides.groupby("stride")[["t_start", "t_end"]].first().reset_index()
            self.spans = spans.to_numpy(float)
        else:
            self.spans = np.zeros((0, 3))
        self.n_strides = len(self.spans)
        self.cues = list(cues)
        self.size = max(12, int(round(height / 34)))
        self.line = max(2, int(round(height / 240)))

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
        """Pixel position of a keypoint in the video frame."""
        p = xy[KEYPOINT_INDEX[name]] * self.scale
        return (float(p[0]), float(p[1])) if np.isfinite(p).all() else None

    def draw(self, image: Image.Image, t: float) -> None:
        """Draw every annotation for time ``t`` onto ``image`` in place."""
        draw = ImageDraw.Draw(image, "RGBA")
        i = self.sample(t)
        if i is not None:
            self._skeleton(draw, self.pos[i])
            self._midline(draw, self.pos[i])
            self._angles(draw, self.pos[i], i)
        self._banner(draw, image.size, t)

    def _skeleton(self, draw: ImageDraw.ImageDraw, xy: np.ndarray) -> None:
        for a, b in BONES:
            pa, pb = self.point(xy, a), self.point(xy, b)
            if pa and pb:
                colour = _bone_colour(a, b)
                side = a.split("_")[0]
                # an arm that was not measured (far arm of a side view) is drawn faint
                faint = side in ("left", "right") and side not in self.sides and (
                    "elbow" in a or "elbow" in b)
                draw.line([pa, pb], fill=(*colour, 90 if faint else 255), width=self.line + 1)
        r = self.line + 1
        for name in ("shoulder", "elbow", "wrist", "hip"):
            for side, colour in (("left", LEFT_COLOUR), ("right", RIGHT_COLOUR)):
                p = self.point(xy, f"{side}_{name}")
                if p:
                    draw.ellipse([p[0] - r, p[1] - r, p[0] + r, p[1] + r], fill=colour)

    def _midline(self, draw: ImageDraw.ImageDraw, xy: np.ndarray) -> None:
        names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
        pts = np.array([xy[KEYPOINT_INDEX[n]] for n in names], dtype=float) * self.scale
        if not np.isfinite(pts).all():
            return
        top = pts[:2].mean(axis=0)
        bottom = pts[2:].mean(axis=0)
        d = top - bottom
        a, b = bottom - 0.4 * d, top + 0.6 * d
        draw.line([tuple(a), tuple(b)], fill=(*MID_COLOUR, 170), width=max(1, self.line - 1))

    def _angles(self, draw: ImageDraw.ImageDraw, xy: np.ndarray, i: int) -> None:
        f = font(self.size)
        for side in self.sides:
            angle = self.angles[side][i]
            p = self.point(xy, f"{side}_elbow")
            if p is None or not np.isfinite(angle):
                continue
            colour = LEFT_COLOUR if side == "left" else RIGHT_COLOUR
            text = f"{angle:.0f}°"
            x, y = p[0] + self.size * 0.6, p[1] - self.size * 0.5
            box = draw.textbbox((x, y), text, font=f)
            draw.rectangle([box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2], fill=(0, 0, 0, 150))
            draw.text((x, y), text, font=f, fill=colour)

    def _banner(self, draw: ImageDraw.ImageDraw, size: tuple[int, int], t: float) -> None:
        w, h = size
        f = font(self.size)
        k = self.stride_at(t)
        counter = f"Stride {k + 1}/{self.n_strides}" if k is not None else "Stride -"
        top = self.size * 1.8
        draw.rectangle([0, 0, w, top], fill=(0, 0, 0, 140))
        draw.text((self.size * 0.5, self.size * 0.35), f"{counter}   t = {t:5.2f} s", font=f,
                  fill=(255, 255, 255))
        cue, active = self.cue_at(k)
        text = f"Cue: {cue.cue}" if cue else "Good form: no cue"
        colour = CUE_COLOUR if active else (230, 230, 230)
        if active and cue is not None:
            text = f"{cue.title}: {cue.cue}"
        lines = _wrap(draw, text, f, w - self.size, max_lines=2)
        step = self.size * 1.25
        height = step * len(lines) + self.size * 0.55
        draw.rectangle([0, h - height, w, h], fill=(0, 0, 0, 160))
        for n, line in enumerate(lines):
            draw.text((self.size * 0.5, h - height + self.size * 0.3 + n * step), line, font=f,
                      fill=colour)


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


def _even(n: int) -> int:
    return max(2, n - n % 2)


def write_annotated_video(
    analysis: Any,
    video_path: Path,
    out_path: Path,
    config: Config,
    cues: Sequence[Cue],
) -> Path:
    """Write the annotated clip.

    Parameters
    ----------
    analysis
        The analysis of ``video_path``.
    video_path
        The source clip.
    out_path
        Target ``.mp4``; written atomically.
    config
        Settings (video limits).
    cues
        Cues shown, best first; the one whose fault is seen in the current
        stride is highlighted.

    Returns
    -------
    Path
        ``out_path``.

    """
    info = probe_video(video_path, config)
    width, height = _even(info.width), _even(info.height)
    overlay = Overlay(analysis, cues, info.width, info.height)
    rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    stats = DecodeStats()
    with atomic_path(out_path) as tmp, av.open(
        tmp, mode="w", format="mp4", options={"movflags": "+faststart"}
    ) as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast"}
        stream.codec_context.thread_count = 2
        count = 0
        for frame in iter_frames(video_path, config, info=info, stats=stats):
            image = Image.fromarray(frame.image[:height, :width])
            overlay.draw(image, frame.time)
            vf = av.VideoFrame.from_image(image).reformat(format="yuv420p")
            vf.pts = count
            vf.time_base = 1 / rate
            for packet in stream.encode(vf):
                out.mux(packet)
            count += 1
        for packet in stream.encode():
            out.mux(packet)
    log.info("%s: %d frames annotated", out_path, count)
    return Path(out_path)
