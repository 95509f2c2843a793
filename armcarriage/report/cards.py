"""The cue cards, what is working and the key frames of ``report.html``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from armcarriage.cues import Cue
from armcarriage.report import plots, words
from armcarriage.report.geometry import (
    KeyFrame,
    measured_sides,
    pick_key_frames,
    series_or_angles,
    time_stretch,
)
from armcarriage.report.keyframes import crop_to_runner, fit_image, grab_frames, pose_in_frame
from armcarriage.report.sectionbase import KEY_FRAME_OVERSAMPLING, E, SectionBase, fmt, img_tag


class CueSections(SectionBase):
    """Sections about the cues: cards with their key frames, what is working, key frames."""

    def cue_cards(self) -> str:
        """Top cues with evidence, key frame, drills and basis."""
        if not self.ok:
            body = f'<p class="empty">{E(words.refusal(self.a))}</p>'
            return (
                f'<section id="cues"><h2>No analysis of this clip</h2>{body}'
                '<p class="note">No cues and no per-stride numbers were made, so nothing '
                "about the runner's form can be said from it.</p></section>"
            )
        if not self.cues:
            body = (
                '<p class="empty"><b>No fault crossed its threshold in this clip.</b> '
                "Keep doing what you are doing; see what is working below.</p>"
            )
            return f'<section id="cues"><h2>Top cues</h2>{body}</section>'
        cards = [self._card(i + 1, c) for i, c in enumerate(self.cues)]
        more = len(self.assessment.fired) - len(self.cues)
        extra = (
            (
                f'<p class="note">{more} more rule(s) fired with lower priority; they are '
                "listed in summary.json.</p>"
            )
            if more > 0
            else ""
        )
        return (
            f'<section id="cues"><h2>Top cues</h2><p class="note">Ranked by severity, '
            "share of strides affected, how far past the threshold and confidence. "
            f"Say the bold phrase to yourself while running.</p>{''.join(cards)}{extra}"
            "</section>"
        )

    def _card(self, rank: int, cue: Cue) -> str:
        ev = cue.evidence
        arm = {
            "left": "left arm",
            "right": "right arm",
            "both": "both arms",
            "pair": "left vs right",
        }.get(cue.side, cue.side)
        if ev.comparison == "asymmetry":
            si = words.number(ev.values.get("symmetry_index"))
            vals = (
                f"{E(plots.label(ev.metric))}: left "
                f"<b>{E(self.fmt(ev.values.get('left'), ev.metric))}</b>, right "
                f"<b>{E(self.fmt(ev.values.get('right'), ev.metric))}</b> (medians); "
                f"symmetry index <b>{f'{si:.0f}%' if si is not None else '—'}</b> "
                f"(threshold {ev.threshold:g}%); the {E(ev.sides[0])} arm swings less"
            )
        else:
            per_side = ", ".join(
                f'<span class="{s}">{s}</span> <b>{E(self.fmt(v, ev.metric))}</b>'
                for s, v in ev.values.items()
                if s in ("left", "right", "all")
            )
            vals = (
                f"{E(plots.label(ev.metric))}: {per_side} "
                f"(median; flagged {E(ev.comparison)} {E(self.fmt(ev.threshold, ev.metric))})"
            )
            if ev.reference:  # against the athlete's own relaxed neck
                vals += f"; against the athlete's own reference: {E(ev.reference['reference'])}"
        strides = ", ".join(str(words.stride_number(s)) for s in ev.strides_affected[:20])
        if len(ev.strides_affected) > 20:
            strides += ", …"
        conf = words.number(ev.confidence)
        when = words.number(ev.key_frame_time)
        key = (
            f"; key frame at {when:.2f} s (stride {words.stride_number(ev.key_stride)})"
            if when is not None
            else ""
        )
        drills = "".join(f"<li>{E(d)}</li>" for d in cue.drills)
        image = self._cue_frame(cue)
        seek = card_t = ""
        if when is not None:
            card_t = f' data-t="{when:.4f}"'
            seek = (
                f'<button type="button" class="seek" data-t="{when:.4f}">▶ Watch stride '
                f"{words.stride_number(ev.key_stride)} at {when:.2f} s</button>"
            )
        return (
            f'<div class="cue {E(cue.severity)}"{card_t}><div>'
            f'<h3><span class="rank">{rank}</span>{E(cue.title)} — {E(arm)}'
            f'<span class="badge {E(cue.severity)}">{E(cue.severity)}</span></h3>'
            f'<div class="say">“{E(cue.cue)}”</div><div>{E(cue.why)}</div>'
            f'<p class="evidence">{vals}.<br>Seen in <b>{len(ev.strides_affected)} of '
            f"{ev.strides_measured}</b> measured strides ({strides})"
            f"{f'; confidence {conf:.2f}' if conf is not None else ''}{key}.</p>{seek}"
            f"<details open><summary>Drills and strength work</summary><ul>{drills}</ul>"
            f"</details><details><summary>Why this threshold</summary>{E(cue.basis)}</details>"
            f"</div><div>{image}</div></div>"
        )

    def _cue_frame(self, cue: Cue) -> str:
        """Show the cue's key frame beside the opposite swing extreme of the same stride."""
        ev = cue.evidence
        side = next((s for s in ev.sides if s in ("left", "right")), None)
        frames = pick_key_frames(self.a, 4, stride=ev.key_stride)
        if side:
            frames = [f for f in frames if f.side == side] or frames
        t = self.a.track.time
        if not len(t):
            return self._frames_img([], "")
        i = int(np.argmin(np.abs(t - ev.key_frame_time)))
        arm = side or (frames[0].side if frames else "left")
        key = KeyFrame(
            i, float(t[i]), ev.key_frame, arm, "key frame", float(series_or_angles(self.a, arm)[i])
        )
        other = max(frames[:2], key=lambda f: abs(f.time - key.time), default=None)
        shown = [key] + ([other] if other and abs(other.time - key.time) > 1e-6 else [])
        return self._frames_img(shown, f"key frames for {cue.title}", compact=True)

    def _frames_img(self, frames: Sequence[Any], alt: str, compact: bool = False) -> str:
        if not frames or self.info is None:
            return '<p class="note">Key frame not available (the clip could not be decoded).</p>'
        stretch = time_stretch(self.a)  # key frames are read at the video's own times
        grabbed = grab_frames(
            self.video_path, [f.time / stretch for f in frames], self.info, self.config
        )
        images = {f.time: grabbed[f.time / stretch] for f in frames if f.time / stretch in grabbed}
        panel_width = 2.0 if compact else plots.FRAME_PANEL_WIDTH
        panels = []
        times = []
        for f in frames:
            if f.time not in images:
                continue
            times.append(f.time)
            crop, xy = crop_to_runner(images[f.time], pose_in_frame(self.a, f.index, self.info))
            # twice the panel's pixels is as sharp as the full frame, and far cheaper to draw
            tall = plots.FRAME_PANEL_ASPECT * panel_width * self.dpi
            crop, xy = fit_image(crop, xy, int(KEY_FRAME_OVERSAMPLING * tall))
            elbow = fmt(f.elbow_deg, "elbow_angle_mean")
            caption = (
                f"{f.phase} · {f.time:.2f} s\n{f.side} elbow {elbow}"
                if compact
                else f"{f.side} arm, {f.phase} · {f.time:.2f} s · elbow {elbow}"
            )
            panels.append((crop, xy, caption))
        if not panels:
            return '<p class="note">Key frame not available (decoding failed).</p>'
        fig = (
            plots.frame_figure(panels, measured_sides(self.a), panel_width=panel_width, fontsize=11)
            if compact
            else plots.frame_figure(panels, measured_sides(self.a))
        )
        # the page's player seeks to the panel clicked (panels are equally wide)
        return img_tag(plots.to_png(fig, self.dpi), alt, cls="frames").replace(
            "<img ", f'<img data-times="{",".join(f"{t:.4f}" for t in times)}" ', 1
        )

    def good(self) -> str:
        """Render what is working."""
        items = "".join(f"<li>{E(g)}</li>" for g in self.assessment.good)
        items = (
            f'<ul class="good">{items}</ul>'
            if items
            else '<p class="note">Nothing could be confirmed as good from this clip.</p>'
        )
        watch = "".join(f"<li>{E(w)}</li>" for w in self.assessment.watch)
        if watch:
            watch = (
                '<h3 class="watch">Close to the line</h3><p class="note">Broken in some '
                "strides, too few for a cue; worth a look in the next clip.</p>"
                f'<ul class="watch">{watch}</ul>'
            )
        return (
            f'<section id="good"><h2>What is working</h2>{items}{watch}'
            f"{self.borderline()}{self.own_reference()}</section>"
        )

    def own_reference(self) -> str:
        """Render the athlete's own relaxed reference a held shrug was judged against."""
        rows = []
        for r in getattr(self.assessment, "reference", []):
            if r.get("used") is None:
                rows.append(f"<li>No reference of this view was used: {E(r.get('note', ''))}</li>")
                continue
            neck, diff = r.get("neck_tl"), r.get("difference_tl")
            figures = (
                f"neck {neck:.3f}, {diff:+.3f} from the reference"
                if neck is not None and diff is not None
                else "neck not measured in this clip"
            )
            rows.append(
                f"<li>Against {E(r['reference'])}: {figures} torso lengths; flagged more than "
                f"{r['threshold_tl']:g} below it, beyond the measured noise of "
                f"{r['noise_tl']:g}: <b>{E(str(r.get('outcome', '')))}</b>.</li>"
            )
        if not rows:
            return ""
        return (
            '<h3 id="own-reference">Against the athlete\'s own relaxed neck</h3>'
            f"<ul>{''.join(rows)}</ul>"
        )

    def borderline(self) -> str:
        """Figures within the measured noise of a cue's threshold: neither cued nor good."""
        rows = "".join(
            f"<li>{E(b['text'])}</li>" for b in getattr(self.assessment, "borderline", [])
        )
        if not rows:
            return ""
        return (
            '<h3 class="watch" id="borderline">Borderline</h3><p class="note">The '
            "figure lies within the measurement noise of the threshold in this view: "
            "no cue is given and it is not called good; film again (the front view "
            f'measures these most closely) to settle it.</p><ul class="watch">{rows}</ul>'
        )

    def keyframes(self) -> str:
        """Forward and backward swing extremes of a middle stride."""
        frames = pick_key_frames(self.a, self.config.report.key_frames)
        body = self._frames_img(frames, "key frames at swing extremes")
        return (
            f'<section id="keyframes"><h2>Key frames: swing extremes</h2><p class="note">'
            "Forward and backward ends of the arm swing in a stride from the middle of the "
            f'clip; <span class="left">left arm</span>, <span class="right">right arm</span>.'
            f"</p>{body}</section>"
        )
