"""``report.html``: one self-contained page a coach and a runner can read offline.

The page inlines everything it runs: its style, plotly.js (from the installed
``plotly`` package) for the interactive charts and ``armcarriage/data/player.js``
for the player, which shows ``clip.mp4`` beside the page with the skeleton,
elbow angles and body midline drawn over it from the track (embedded as
JSON). Key frames are matplotlib figures inlined as PNG; nothing is loaded
from the network. Sections (each has an ``id``): ``clip``, ``player``,
``cues``, ``good``, ``keyframes``, ``plots``, ``lr``, ``drift``, ``strides``,
``unmeasured``, ``about``. The report proper sits between
:data:`FRAGMENT_START` and :data:`FRAGMENT_END`, so the web app can show it in
its own page.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.cues import Assessment, Cue, CueRule
from armcarriage.jsonio import dumps
from armcarriage.metrics import METRICS
from armcarriage.report import charts, plots, words
from armcarriage.report.clip import PlayerClip
from armcarriage.report.geometry import (
    KeyFrame,
    measured_sides,
    overlay_data,
    pick_key_frames,
    series_or_angles,
    time_stretch,
)
from armcarriage.report.keyframes import crop_to_runner, fit_image, grab_frames, pose_in_frame
from armcarriage.video import VideoInfo

log = logging.getLogger(__name__)

E = html.escape

TABLE_EXTRA = (
    "elbow_angle_range",
    "swing_forward_deg",
    "swing_backward_deg",
)
"""Metrics the stride table shows beside the cue metrics of the clip's view."""
DRIFT_PLOT_METRICS = ("elbow_angle_mean", "swing_arc_deg", "shrug_rise_tl")
ARM_METRICS = tuple(m for m, spec in METRICS.items() if spec.per_arm)
SECTION_NAMES = {
    "keyframes": "key frames",
    "plots": "plots",
    "lr": "left vs right",
    "drift": "fatigue drift",
    "stride_table": "stride table",
}
"""Sections as the progress display names them."""
KEY_FRAME_OVERSAMPLING = 2.0
"""Key-frame crops are scaled down to this many pixels per pixel of their panel before
matplotlib draws them: as sharp in the PNG as the full-size crop, whose drawing took a
fifth of the page's time and 80 MB on a 1080p clip."""
VIEW_NAMES = {
    "side_left": "side view (runner faces left)",
    "side_right": "side view (runner faces right)",
    "front": "front view",
    "rear": "rear view",
    "oblique": "oblique view",
}

PAGE_CSS = """
*{box-sizing:border-box}body{margin:0;background:#f5f7fa}
@media print{body{background:#fff}@page{size:auto;margin:12mm}}
"""
"""Rules of the standalone page only (the web app has its own page around the report)."""

CSS = """
.acr{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--left:#1e88e5;--right:#f4511e;
--high:#c62828;--medium:#ef6c00;--low:#2e7d32;--good:#2e7d32;font:15px/1.5 system-ui,
-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--bg);
overflow-wrap:break-word}
.acr *{box-sizing:border-box}
.acr>header{display:block;background:#102a43;color:#fff;padding:24px 32px}
.acr>header h1{margin:0 0 4px;font-size:26px;color:#fff}.acr>header .sub{color:#bcccdc}
.acr>main{max-width:1040px;margin:0 auto;padding:8px 24px 48px}
.acr section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;
margin:18px 0}.acr h2{margin:0 0 12px;font-size:19px}.acr h3{margin:0;font-size:17px}
.acr .chips{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}.acr .chip{background:#243b53;
border-radius:16px;padding:3px 12px;font-size:13px}.acr .chip b{color:#fff}
.acr .status-ok{background:#2e7d32}.acr .status-bad{background:#c62828}
.acr .cue{border:1px solid var(--line);border-left:6px solid var(--medium);border-radius:8px;
padding:14px 16px;margin:12px 0;display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px}
.acr .cue.high{border-left-color:var(--high)}.acr .cue.low{border-left-color:var(--low)}
.acr .cue .say{font-size:22px;font-weight:650;margin:6px 0;color:#102a43}
.acr .cue .rank{display:inline-block;background:#102a43;color:#fff;border-radius:50%;width:26px;
height:26px;text-align:center;line-height:26px;margin-right:8px;font-size:14px}
.acr .badge{font-size:12px;text-transform:uppercase;letter-spacing:.05em;padding:2px 8px;
border-radius:10px;color:#fff;background:var(--medium);margin-left:8px;vertical-align:middle}
.acr .badge.high{background:var(--high)}.acr .badge.low{background:var(--low)}
.acr .evidence{font-size:14px;color:var(--muted)}.acr .evidence b{color:var(--ink)}
.acr .cue img{width:100%;border-radius:6px;border:1px solid var(--line)}
.acr details{margin-top:6px;font-size:13px;color:var(--muted)}.acr summary{cursor:pointer;
color:#334e68}
.acr ul.good li{margin:4px 0}.acr ul.good li::marker{content:"✓  ";color:var(--good)}
.acr h3.watch{margin-top:14px;font-size:15px;color:var(--medium)}.acr ul.watch li::marker{
content:"!  ";color:var(--medium);font-weight:700}
.acr img.plot{width:100%;display:block;margin:8px 0}.acr img.frames{max-width:100%;
display:block;margin:8px auto}
.acr table{border-collapse:collapse;width:100%;font-size:13px}.acr th,.acr td{padding:5px 8px;
border-bottom:1px solid var(--line);text-align:right}.acr th{background:#f0f4f8;position:sticky;
top:0}
.acr td:first-child,.acr th:first-child,.acr td.l,.acr th.l{text-align:left}.acr .na{
color:#9aa5b1}
.acr .scroll{max-height:420px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.acr .flag{color:var(--high);font-weight:600}.acr .note{color:var(--muted);font-size:13px}
.acr .left{color:var(--left);font-weight:600}.acr .right{color:var(--right);font-weight:600}
.acr .empty{padding:14px;background:#f0f4f8;border-radius:8px}
.acr .stage{position:relative;background:#000;border-radius:8px;overflow:hidden}
.acr .stage video{display:block;width:100%;max-height:70vh;object-fit:contain;background:#000}
.acr .stage canvas{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}
.acr .controls{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:8px 0}
.acr .controls button,.acr .seek{font:inherit;font-size:14px;min-height:36px;min-width:44px;
padding:4px 10px;border:1px solid #bcccdc;border-radius:6px;background:#f0f4f8;color:#102a43;
cursor:pointer}.acr .controls button.on{background:#102a43;color:#fff;border-color:#102a43}
.acr .controls label{font-size:14px;display:flex;flex-direction:row;align-items:center;gap:4px;
min-height:36px;color:var(--ink)}
.acr .controls input[type=range]{flex:1 1 100%;min-width:0;margin:4px 0}
.acr .readout{font-size:13px;color:var(--muted);font-variant-numeric:tabular-nums}
.acr .cueline{font-size:14px;padding:6px 10px;border-radius:6px;background:#f0f4f8}
.acr .cueline.on{background:#fff3cd}
.acr .seek{min-height:32px;font-size:13px;margin-top:6px}
.acr [data-t]{cursor:pointer}.acr tr[data-t]:hover td{background:#f5f9ff}
.acr tr.current td{background:#fff3cd}
.acr .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.acr figure.chart-box{margin:0;min-width:0}.acr figure.chart-box h3{font-size:14px;
margin:6px 0 2px}.acr .chart{width:100%;min-height:240px}
.acr figure.chart-box.wide{grid-column:1/-1}
.acr .nojs{display:none}
@media (max-width:760px){.acr .cue{grid-template-columns:minmax(0,1fr)}.acr>main{
padding:4px 8px}.acr section{padding:14px 12px}.acr>header{padding:16px 14px}
.acr .cue .say{font-size:19px}.acr .charts{grid-template-columns:minmax(0,1fr)}}
@media print{.acr{background:#fff;font-size:11pt}.acr>header{background:#fff;color:#000;
padding:0 0 8px;border-bottom:2px solid #102a43}.acr>header h1{color:#000}.acr>header .sub{
color:#333}.acr .chip{background:#fff;color:#000;border:1px solid #999}.acr .chip b{color:#000}
.acr>main{max-width:none;padding:0}.acr section{border:0;border-top:1px solid #ccc;
border-radius:0;padding:8px 0;margin:8px 0}.acr #player,.acr .seek,.acr .controls{
display:none}.acr .cue,.acr figure.chart-box,.acr tr,.acr img{break-inside:avoid}
.acr .scroll{max-height:none;overflow:visible;border:0}.acr th{position:static}
.acr details>*{display:block}.acr .cue{grid-template-columns:minmax(0,1fr) 38%}
.acr .charts{display:block}.acr figure.chart-box{margin:0 0 8px}
.acr *{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
"""


def img_tag(png: bytes, alt: str, cls: str = "plot") -> str:
    """Return an ``<img>`` with the PNG inlined as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{cls}" alt="{E(alt)}" src="data:image/png;base64,{data}">'


def fmt(value: Any, metric: str = "", rc: Any = None) -> str:
    """Format a metric value for display; NaN/None as an em dash (see :mod:`.words`)."""
    return words.fmt(value, metric, rc)


def view_rules(rules: Sequence[CueRule], view: str) -> list[CueRule]:
    """Return the rules that apply to a clip seen from ``view`` (all when it is unknown)."""
    return [r for r in rules if not view or view in r.views]


def cue_metrics(rules: Sequence[CueRule], view: str, cues: Sequence[Cue]) -> list[str]:
    """Metrics a cue could be about in this view, in registry order; shown cues' first."""
    order = {m: i for i, m in enumerate(METRICS)}
    first = list(dict.fromkeys(c.evidence.metric for c in cues))
    rest = {r.metric for r in view_rules(rules, view)} - set(first)
    return first + sorted(rest, key=lambda m: order.get(m, len(order)))


def thresholds(rules: Sequence[CueRule], view: str) -> dict[str, list[plots.Threshold]]:
    """Per metric, the thresholds of the rules that apply in ``view``, each value once."""
    out: dict[str, list[plots.Threshold]] = {}
    for r in view_rules(rules, view):
        if r.comparison == "asymmetry":
            continue
        drawn = out.setdefault(r.metric, [])
        if all(abs(t.value - r.threshold) > 1e-12 for t in drawn):
            drawn.append(plots.Threshold(r.threshold, r.title))
    return out


def asymmetry_notes(rules: Sequence[CueRule], view: str) -> dict[str, str]:
    """Per metric, the asymmetry rule that reads it in ``view``, in words."""
    out: dict[str, str] = {}
    for r in view_rules(rules, view):
        if r.comparison == "asymmetry" and r.metric not in out:
            out[r.metric] = f"{r.title} cue: arms differ by > {r.threshold:g}%"
    return out


def not_assessed(
    assessment: Assessment, rules: Sequence[CueRule], plain: bool = True
) -> list[dict[str, str]]:
    """Return the rules not checked, less those whose fault another rule checked.

    A fault has one rule per view where its threshold differs (a shrug from the
    front and from the side); when one of them was checked, the others are not
    news, and a metric behind a shown cue is never listed as not assessed.
    Entries with the same title are merged.

    Parameters
    ----------
    assessment
        The cue engine's result.
    rules
        The rules it applied.
    plain
        Reasons without settings names or file references (for people).

    """
    skipped = {str(item.get("rule", "")) for item in assessment.not_assessed}
    by_id = {r.id: r for r in rules}
    checked = {r.group_key for r in rules if r.id not in skipped}
    cued = {c.evidence.metric for c in assessment.fired} | {
        c.evidence.metric for c in assessment.shown
    }
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in assessment.not_assessed:
        rule = by_id.get(str(item.get("rule", "")))
        if rule is not None and (rule.group_key in checked or rule.metric in cued):
            continue
        if item["title"] in seen:
            continue
        seen.add(item["title"])
        entry = dict(item)
        if plain:
            entry["reason"] = words.for_people(entry.get("reason", ""))
        out.append(entry)
    return out


class ReportBuilder:
    """Builds the sections of ``report.html`` for one analysis.

    Parameters
    ----------
    analysis
        The analysis.
    video_path
        The analysed clip (key frames are decoded from it).
    config
        Settings.
    assessment
        The cue engine's result (cues shown, what is good, what was not assessed).
    rules
        The cue rules (their thresholds are drawn on the plots).
    info
        The probed clip, or None when the clip cannot be read (no key frames).
    stage
        Called with the name of each part of the page as it is started.
    player
        The clip beside the page that the player shows (no player when None).

    """

    def __init__(
        self,
        analysis: Any,
        video_path: Path,
        config: Config,
        assessment: Assessment,
        rules: Sequence[CueRule],
        info: VideoInfo | None,
        stage: Callable[[str], None] | None = None,
        player: PlayerClip | None = None,
    ) -> None:
        self.a = analysis
        self.player = player
        self.charts: list[dict[str, Any]] = []
        self.stage = stage
        self.video_path = video_path
        self.config = config
        self.assessment = assessment
        self.cues: list[Cue] = assessment.shown
        self.rules = list(rules)
        self.info = info
        self.dpi = config.report.plots_dpi
        self.strides: pd.DataFrame = analysis.strides
        self.view = str((analysis.view or {}).get("label", ""))
        self.rc = config.report
        self.ok = analysis.status == "ok" and len(self.strides) > 0

    def fmt(self, value: Any, metric: str) -> str:
        """Format a value in words, with centimetres when the runner's height is known."""
        return words.fmt(value, metric, self.rc)

    # ---------------------------------------------------------- sections
    def clip(self) -> str:
        """Header: clip, view, validity."""
        a, info = self.a, self.info
        track = a.track
        n = int(self.strides["stride"].nunique()) if len(self.strides) else 0
        duration = info.duration_s if info else float(track.time[-1] - track.time[0])
        conf = words.number((a.view or {}).get("confidence"))
        view = VIEW_NAMES.get(self.view, self.view or "unknown")
        if conf is not None and conf > 0:
            view += f" ({100 * conf:.0f}% sure)"
        fps = words.number(info.fps if info else track.fps)
        chips = [
            ("View", view),
            ("Length", f"{duration:.1f} s" if words.number(duration) is not None else "—"),
            (
                "Frames",
                f"{info.frames if info else track.n_frames}" + (f" @ {fps:.3g} fps" if fps else ""),
            ),
            ("Size", f"{info.width}×{info.height}" if info else f"{track.width}×{track.height}"),
        ]
        if self.ok:
            chips += [("Strides", str(n)), ("Cadence", self.fmt(a.cadence_spm, "cadence_spm"))]
        if track.n_frames and len(track.time):
            t0, t1 = float(track.time[0]), float(track.time[-1])
            if t0 > 0.5 or (info and info.duration_s - t1 > 0.5):
                chips.append(("Analysed", f"{t0:.1f}-{t1:.1f} s of the clip"))
        if self.rc.height_cm > 0:
            chips.append(("Runner's height", f"{self.rc.height_cm:.0f} cm"))
        chip_html = "".join(f'<span class="chip">{E(k)}: <b>{E(v)}</b></span>' for k, v in chips)
        status = (
            '<span class="chip status-ok">Analysis valid</span>'
            if self.ok
            else '<span class="chip status-bad">Not analysed</span>'
        )
        name = self.video_path.name if self.video_path.name else track.attrs.get("source", "")
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f'<header id="clip"><h1>Arm carriage report</h1>'
            f'<div class="sub">{E(str(name))} · analysed {E(when)}</div>'
            f'<div class="chips">{status}{chip_html}</div></header>'
        )

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
            f"{self.borderline()}</section>"
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

    def chart(self, title: str, spec: dict[str, Any], note: str = "", wide: bool = False) -> str:
        """Register an interactive chart; return its place in the page (title above it)."""
        cid = f"chart-{len(self.charts) + 1}"
        self.charts.append({"id": cid, **spec})
        sub = f'<p class="note">{E(note)}</p>' if note else ""
        cls = "chart-box wide" if wide else "chart-box"
        return (
            f'<figure class="{cls}"><h3>{E(title)}</h3>{sub}'
            f'<div class="chart" id="{cid}" role="img" aria-label="{E(title)}"></div>'
            "</figure>"
        )

    def plots(self) -> str:
        """Per-frame elbow angle and one chart per metric a cue reads from this view."""
        parts = []
        track = self.a.track
        elbow = (self.a.validity or {}).get("elbow_angle_mean", {})
        if elbow.get("measured", self._measured("elbow_angle_mean")):
            curves = {s: series_or_angles(self.a, s) for s in measured_sides(self.a)}
            parts.append(
                self.chart(
                    "Elbow angle through the clip (°; shaded bands = strides)",
                    charts.elbow_series(track.time, curves, self.strides),
                    wide=True,
                )
            )
        metrics = [m for m in self.plotted() if self._measured(m)]
        # an asymmetry rule reads a metric only where both arms were measured
        notes = {
            m: text
            for m, text in asymmetry_notes(self.rules, self.view).items()
            if self._both_arms(m)
        }
        drawn = thresholds(self.rules, self.view)
        for m in metrics:
            parts.append(
                self.chart(
                    f"{plots.label(m)} ({plots.unit_label(m)})",
                    charts.stride_metric(self.strides, m, drawn.get(m, ())),
                    note=notes.get(m, ""),
                )
            )
        if not parts:
            return ""
        return (
            f'<section id="plots"><h2>Metrics over the clip</h2><p class="note">One chart '
            "per measured metric that a cue reads from this view; dashed red lines are the "
            "cue thresholds. Tap a point to see that moment in the player.</p>"
            f'<div class="charts">{"".join(parts)}</div></section>'
        )

    def plotted(self) -> list[str]:
        """Metrics given a per-stride panel: every cue's, then the rest of the view's rules'."""
        return cue_metrics(self.rules, self.view, self.cues)

    def _measured(self, metric: str) -> bool:
        return metric in self.strides and pd.to_numeric(self.strides[metric]).notna().any()

    def _both_arms(self, metric: str) -> bool:
        s = self.strides
        if metric not in s or "side" not in s:
            return False
        values = pd.to_numeric(s[metric], errors="coerce")
        return all(values[s["side"] == side].notna().any() for side in ("left", "right"))

    def lr(self) -> str:
        """Left vs right comparison."""
        summary = self.a.summary
        metrics = [
            m
            for m in ARM_METRICS
            if m in summary
            and all(
                words.number(summary[m].get(s, {}).get("median")) is not None
                for s in ("left", "right")
            )
        ]
        if not metrics:
            return (
                '<section id="lr"><h2>Left vs right</h2><p class="empty">Only one arm was '
                "measured from this view, so the arms cannot be compared. A front or rear "
                "view shows both arms.</p></section>"
            )
        rows = []
        ratio_ok = []
        limit = self.config.metrics.symmetry_flag_percent
        for m in metrics:
            s = summary[m]
            left, right = s["left"].get("median"), s["right"].get("median")
            si = words.number(s.get("symmetry_index"))
            if si is not None and words.above_noise([left, right], m, self.rc):
                ratio_ok.append(m)
                cell = f'<td class="{"flag" if si > limit else ""}">{si:.0f}%</td>'
            else:
                cell = (
                    '<td class="na" title="values too small for a percentage: they are '
                    'within the keypoint noise">—</td>'
                )
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td>{E(self.fmt(left, m))}</td>"
                f"<td>{E(self.fmt(right, m))}</td>"
                f"<td>{E(words.fmt(s.get('difference'), m, self.rc, signed=True))}</td>"
                f"{cell}</tr>"
            )
        table = (
            '<div class="scroll"><table><tr><th>metric</th><th class="left">left</th>'
            '<th class="right">right</th><th>left − right</th><th>symmetry index</th></tr>'
            f"{''.join(rows)}</table></div>"
        )
        image = (
            self.chart(
                "Left and right medians as a ratio to the two-arm median (1 = the "
                "same; bars: inter-quartile range)",
                charts.lr_chart(summary, ratio_ok),
                wide=True,
            )
            if ratio_ok
            else ""
        )
        return (
            f'<section id="lr"><h2>Left vs right</h2>{image}{table}'
            '<p class="note">Symmetry index = |L−R| / '
            f"mean(L, R); above {limit:g}% is marked. Values within the keypoint noise get "
            "no percentage.</p></section>"
        )

    def drift(self) -> str:
        """First third vs last third of the clip (fatigue drift), on long enough clips."""
        n = int(self.strides["stride"].nunique()) if len(self.strides) else 0
        need = self.rc.drift_min_strides
        if n < need:
            return (
                '<section id="drift"><h2>Fatigue drift</h2><p class="empty">Not assessed: '
                f"this clip has {n} strides and a comparison of the start and end of a run "
                f"needs at least {need}, so that each third holds enough strides. Film a "
                "longer stretch to see whether form changes as the runner tires.</p></section>"
            )
        summary = self.a.summary
        frac = self.config.metrics.drift_flag_fraction
        rows = []
        for m in self.table_metrics():
            b = summary.get(m, {}).get("both", {})
            first, last = words.number(b.get("first_third")), words.number(b.get("last_third"))
            if first is None or last is None:
                continue
            if words.above_noise([first], m, self.rc):
                change = (last - first) / abs(first)
                flag = abs(change) > frac
                shift = (
                    "→ no change"
                    if abs(change) < 0.01
                    else f"{'↑' if change > 0 else '↓'} {abs(100 * change):.0f}%"
                )
            else:
                flag = False
                shift = words.fmt(last - first, m, self.rc, signed=True)
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td>{E(self.fmt(first, m))}</td>"
                f'<td>{E(self.fmt(last, m))}</td><td class="{"flag" if flag else ""}">'
                f"{E(shift)}</td></tr>"
            )
        if not rows:
            return (
                '<section id="drift"><h2>Fatigue drift</h2><p class="empty">No metric was '
                "measured in both the first and the last third of the strides.</p></section>"
            )
        metrics = [m for m in DRIFT_PLOT_METRICS if self._measured(m)]
        fig = ""
        if metrics and "side" in self.strides:
            fig = (
                '<div class="charts">'
                + "".join(
                    self.chart(
                        f"{plots.label(m)} ({plots.unit_label(m)}), trend per arm",
                        charts.drift_chart(self.strides, m),
                    )
                    for m in metrics[:3]
                )
                + "</div>"
            )
        return (
            f'<section id="drift"><h2>Fatigue drift</h2><p class="note">Median of the first '
            f"third of strides vs the last third; changes above {100 * frac:.0f}% are marked; "
            "values within the keypoint noise show the change itself, not a percentage."
            "</p><table><tr><th>metric</th><th>first third</th><th>last third</th>"
            f"<th>change</th></tr>{''.join(rows)}</table>{fig}</section>"
        )

    def table_metrics(self) -> list[str]:
        """Metrics of the stride and drift tables: the plotted ones and a few more."""
        order = {m: i for i, m in enumerate(METRICS)}
        cols = set(self.plotted()) | set(TABLE_EXTRA)
        return [
            m for m in sorted(cols, key=lambda m: order.get(m, len(order))) if self._measured(m)
        ]

    def stride_table(self) -> str:
        """Per stride x arm values of the main metrics."""
        s = self.strides
        cols = self.table_metrics()
        head = "".join(
            f"<th>{E(plots.label(m))}<br><span class=note>{E(plots.unit_label(m))}</span></th>"
            for m in cols
        )
        rows = []
        min_conf = self.config.metrics.min_confidence
        arm_cols = [m for m in cols if m in ARM_METRICS]
        shown = s
        if arm_cols and "side" in s:
            measured = s[arm_cols].apply(pd.to_numeric, errors="coerce").notna().any(axis=1)
            shown = s.loc[measured]
        hidden = sorted(
            set(s.get("side", pd.Series(dtype=str))) - set(shown.get("side", pd.Series(dtype=str)))
        )
        for _, r in shown.iterrows():
            cells = []
            for m in cols:
                reason = words.for_people(r.get(f"{m}_reason", "") or "")
                conf = words.number(r.get(f"{m}_conf", 1.0))
                text = words.short(r[m], m, self.rc)
                if text == words.MISSING:
                    cells.append(f'<td class="na" title="{E(reason)}">—</td>')
                elif conf is not None and conf < min_conf:
                    cells.append(
                        f'<td class="na" title="low confidence ({conf:.2f}); not used">'
                        f"{E(text)}</td>"
                    )
                else:
                    cells.append(f"<td>{E(text)}</td>")
            side = str(r.get("side", ""))
            start = words.number(r["t_start"])
            end = words.number(r.get("t_end"))
            span = (
                f' data-t="{start:.4f}" data-t-end="{end:.4f}"'
                if start is not None and end is not None
                else ""
            )
            rows.append(
                f"<tr{span}><td>{words.stride_number(r['stride'])}</td>"
                f'<td class="l {E(side)}">{E(side)}</td>'
                f"<td>{f'{start:.2f}' if start is not None else '—'}</td>"
                f"{''.join(cells)}</tr>"
            )
        note = (
            f" The {' and '.join(hidden)} arm was not measured from this view and is left out."
            if hidden
            else ""
        )
        return (
            f'<section id="strides"><h2>Stride table</h2><p class="note">One row per stride '
            "and arm; — = not measured, grey = low confidence (hover for the reason); tap "
            "a row to play that stride in a loop. Full "
            f'table with confidences: strides.csv.{E(note)}</p><div class="scroll"><table>'
            '<tr><th>stride</th><th class="l">arm'
            f"</th><th>start (s)</th>{head}</tr>{''.join(rows)}</table></div></section>"
        )

    def unmeasured(self) -> str:
        """Render what could not be measured from this view, and which view would."""
        if not self.ok:
            return ""  # the refusal above says why, once
        rows = []
        for m, v in (self.a.validity or {}).items():
            if v.get("measured", True):
                continue
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td class=l>"
                f"{E(words.for_people(v.get('reason', '')))}</td><td class=l>"
                f"{E(v.get('better_view', '') or '—')}</td></tr>"
            )
        for item in not_assessed(self.assessment, self.rules):
            rows.append(
                f"<tr><td>Cue: {E(item['title'])}</td><td class=l>"
                f"{E(item['reason'])}</td><td class=l>{E(item.get('better_view') or '—')}"
                "</td></tr>"
            )
        if not rows:
            body = '<p class="empty">Every metric was measured from this view.</p>'
        else:
            body = (
                "<table><tr><th>what</th><th class=l>why not</th><th class=l>view that would "
                f"measure it</th></tr>{''.join(rows)}</table>"
            )
        return f'<section id="unmeasured"><h2>Not measured from this view</h2>{body}</section>'

    def about(self) -> str:
        """Render settings, model and rule source."""
        attrs = self.a.track.attrs
        rc = self.rc
        lengths = (
            "Distances are shares of the runner's own torso length (shoulders to hips) "
            "or shoulder width, so they do not depend on the camera distance"
        )
        if rc.height_cm > 0:
            lengths += (
                f"; centimetres are estimated from the height given, "
                f"{rc.height_cm:.0f} cm, with a torso length of "
                f"{rc.torso_height_ratio:g} × height and a shoulder width of "
                f"{rc.shoulder_width_height_ratio:g} × height (average adult "
                "proportions, Drillis and Contini 1966), so they are rough"
            )
        else:
            lengths += "; give the runner's height (--height-cm) to see them in centimetres too"
        return (
            f'<section id="about"><h2>About these numbers</h2><p class="note">Pose model: '
            f"{E(str(attrs.get('model', '')))}. Cue rules: {E(self._rules_source())}"
            ". Thresholds are defaults with a stated basis, not a diagnosis; a coach can "
            "change them with a cue file (--cues). Angles are measured in the image plane; "
            f"values flagged with low confidence are not used for cues. {E(lengths)}. "
            "Strides are numbered from 1 everywhere (this page, strides.csv, summary.json). "
            "Full numbers: summary.json and strides.csv.</p></section>"
        )

    def _rules_source(self) -> str:
        from armcarriage.cues import default_rules_path

        src = self.assessment.rules_source
        if Path(src) == default_rules_path():
            return "the defaults shipped with armcarriage (armcarriage/data/cues.toml)"
        return f"the defaults with overrides from {src}"

    def _step(self, part: str) -> None:
        if self.stage is not None:
            self.stage(part)

    def player_section(self) -> str:
        """Render the player: the clip with the overlay drawn in the browser, stepping, loop."""
        if self.player is None:
            return ""
        rates = "".join(
            f'<button type="button" data-rate="{r}"{" class=on" if r == "1" else ""}>{r}×</button>'
            for r in ("0.25", "0.5", "1")
        )
        return (
            '<section id="player"><h2>The clip, stride by stride</h2>'
            '<div class="stage" tabindex="0" aria-label="the clip; arrow keys step a frame">'
            '<video id="acr-video" playsinline muted preload="auto" '
            f'data-src="{E(self.player.path.name)}"></video><canvas id="acr-canvas"></canvas>'
            '</div><div class="controls">'
            '<button type="button" data-act="play" aria-label="play or pause">▶ Play</button>'
            '<button type="button" data-act="prev" aria-label="previous frame">◀ Frame</button>'
            '<button type="button" data-act="next" aria-label="next frame">Frame ▶</button>'
            f'{rates}<label><input type="checkbox" id="acr-loop"> Loop stride</label>'
            '<input type="range" id="acr-seekbar" min="0" max="1" step="any" value="0" '
            'aria-label="position in the clip"><span class="readout" id="acr-readout">'
            '</span></div><div class="cueline" id="acr-cueline"></div>'
            '<p class="note">Skeleton, elbow angles and body midline are drawn from the cleaned '
            'track the numbers are measured on (<span class="left">left</span>, '
            '<span class="right">right</span>; a faint arm was not measured). Tap a cue, a '
            "stride row, a chart point or a key frame to jump to that moment.</p></section>"
        )

    def data(self) -> dict[str, Any]:
        """Return what the page's script reads: player clip and overlay, strides, cues, charts."""
        strides = charts.stride_spans(self.strides) if len(self.strides) else []
        info = self.info
        out: dict[str, Any] = {"charts": self.charts, "strides": strides}
        if self.player is not None:
            out["player"] = {
                "offset": round(self.player.offset_s, 6),
                "stretch": time_stretch(self.a),
                "fps": float(info.fps if info and info.fps > 0 else self.a.track.fps),
                "overlay": overlay_data(self.a),
                "cues": [
                    {
                        "title": c.title,
                        "cue": c.cue,
                        "strides": [int(k) + 1 for k in c.evidence.strides_affected],
                    }
                    for c in self.cues
                ],
                "idle": (
                    "No fault past its threshold in this clip" if self.ok else words.refusal(self.a)
                ),
            }
        return out

    def fragment(self) -> str:
        """Render the report itself (header, sections, data), without page or scripts.

        The web app shows this within its own page (see :func:`embedded_report`).
        """
        self._step("cues and their key frames")
        body = [self.player_section(), self.cue_cards()]
        if self.ok:
            body.append(self.good())
            for section in (self.keyframes, self.plots, self.lr, self.drift, self.stride_table):
                self._step(SECTION_NAMES[section.__name__])
                try:
                    body.append(section())
                except (ValueError, KeyError, IndexError) as exc:
                    log.warning("report section %s failed: %s", section.__name__, exc)
                    body.append(
                        f'<section id="{section.__name__}"><h2>{section.__name__}</h2>'
                        f'<p class="note">Could not be drawn: {E(str(exc))}</p></section>'
                    )
        body += [self.unmeasured(), self.about()]
        data = dumps(self.data(), separators=(",", ":")).replace("<", "\\u003c")
        return (
            f'{FRAGMENT_START}<div class="acr" data-base="">{self.clip()}<main>'
            f"{''.join(body)}</main>"
            f'<script type="application/json" id="acr-data">{data}</script></div>'
            f"{FRAGMENT_END}"
        )

    def render(self) -> str:
        """Render the whole page: the fragment with its style and scripts inlined."""
        fragment = self.fragment()
        name = self.video_path.name or str(self.a.track.attrs.get("source", ""))
        scripts = "".join(
            "<script>" + asset(n)[0].decode("utf-8").replace("</script", "<\\/script") + "</script>"
            for n in ("plotly.min.js", "player.js")
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Arm carriage report · {E(name)}</title>"
            f"<style>{PAGE_CSS}{CSS}</style></head><body>{fragment}{scripts}</body></html>"
        )


FRAGMENT_START = "<!--armcarriage-report-->"
FRAGMENT_END = "<!--/armcarriage-report-->"
ASSET_TYPES = {
    "report.css": "text/css",
    "player.js": "text/javascript",
    "plotly.min.js": "text/javascript",
}
"""Files the report page needs beside its markup (inlined in ``report.html``, served by the
web app)."""


@lru_cache(maxsize=len(ASSET_TYPES))
def asset(name: str) -> tuple[bytes, str]:
    """Content and media type of one of :data:`ASSET_TYPES`.

    ``plotly.min.js`` is read from the installed ``plotly`` package (never a CDN);
    ``player.js`` is shipped in ``armcarriage/data``.
    """
    if name == "report.css":
        return CSS.encode("utf-8"), ASSET_TYPES[name]
    if name == "player.js":
        return (files("armcarriage") / "data" / "player.js").read_bytes(), ASSET_TYPES[name]
    if name == "plotly.min.js":
        return (files("plotly") / "package_data" / "plotly.min.js").read_bytes(), ASSET_TYPES[name]
    raise KeyError(f"no report asset {name!r}; expected one of {', '.join(ASSET_TYPES)}")


_INJECTED_STYLE = re.compile(
    r'getElementById\("([0-9a-f]{16,64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@lru_cache(maxsize=1)
def injected_style_ids() -> tuple[str, ...]:
    """Return the ids of the stylesheets plotly.js adds when loaded (those of map traces).

    plotly.js skips such a stylesheet when an element with its id is already in the page; a
    page with a strict Content-Security-Policy (the web app's) places one, so the browser is
    not asked to apply an inline style the policy forbids. The report draws no maps.
    """
    code = asset("plotly.min.js")[0].decode("utf-8")
    return tuple(dict.fromkeys(_INJECTED_STYLE.findall(code)))


def embedded_report(path: Path) -> str | None:
    """Return the report part of a written ``report.html`` (:meth:`ReportBuilder.fragment`).

    Returns None when the file is missing or was not written by this version.
    """
    try:
        page = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    start, end = page.find(FRAGMENT_START), page.find(FRAGMENT_END)
    if start < 0 or end < start:
        return None
    return page[start + len(FRAGMENT_START) : end]


def write_html_report(
    analysis: Any,
    video_path: Path,
    out_path: Path,
    config: Config,
    assessment: Assessment,
    rules: Sequence[CueRule],
    info: VideoInfo | None,
    stage: Callable[[str], None] | None = None,
    player: PlayerClip | None = None,
) -> Path:
    """Write ``report.html`` atomically; see :class:`ReportBuilder`.

    ``stage(part)`` is called as each part of the page is started (progress display);
    ``player`` is the clip beside the page that its player shows.
    """
    page = ReportBuilder(
        analysis, video_path, config, assessment, rules, info, stage, player
    ).render()
    return write_text(out_path, page)
