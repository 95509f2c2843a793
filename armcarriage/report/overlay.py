"""What the annotated video draws on each frame: skeleton, elbow angles, midline, cue.

:class:`Overlay` holds the per-clip lookups and draws one frame's annotations in place;
:mod:`armcarriage.report.video` streams the frames through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

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
