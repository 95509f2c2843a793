"""``report.html``: one self-contained page a coach and a runner can read offline.

Every image is a matplotlib figure (Agg) inlined as a base64 PNG; the page
loads nothing from the network. Sections (each has an ``id``): ``clip``,
``cues``, ``good``, ``keyframes``, ``plots``, ``lr``, ``drift``, ``strides``,
``unmeasured``, ``about``.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.cues import ARM_METRICS, Assessment, Cue, CueRule, unit_of
from armcarriage.report import plots
from armcarriage.report.geometry import (
    KeyFrame,
    measured_sides,
    pick_key_frames,
    series_or_angles,
)
from armcarriage.report.keyframes import crop_to_runner, fit_image, grab_frames, pose_in_frame
from armcarriage.video import VideoInfo

log = logging.getLogger(__name__)

E = html.escape

PLOT_METRICS = (
    "elbow_angle_mean",
    "swing_arc_deg",
    "wrist_arc_tl",
    "wrist_lift_tl",
    "crossing_max_sw",
    "shrug_rise_tl",
    "trunk_rotation_deg",
)
TABLE_METRICS = (
    "elbow_angle_mean",
    "elbow_angle_range",
    "swing_forward_deg",
    "swing_backward_deg",
    "swing_arc_deg",
    "wrist_arc_tl",
    "wrist_lift_tl",
    "crossing_max_sw",
    "shrug_rise_tl",
    "trunk_rotation_deg",
)
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

CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--left:#1e88e5;--right:#f4511e;
--high:#c62828;--medium:#ef6c00;--low:#2e7d32;--good:#2e7d32}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,
sans-serif;color:var(--ink);background:var(--bg)}
header{background:#102a43;color:#fff;padding:24px 32px}header h1{margin:0 0 4px;font-size:26px}
header .sub{color:#bcccdc}main{max-width:1040px;margin:0 auto;padding:8px 24px 48px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;
margin:18px 0}h2{margin:0 0 12px;font-size:19px}h3{margin:0;font-size:17px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}.chip{background:#243b53;
border-radius:16px;padding:3px 12px;font-size:13px}.chip b{color:#fff}
.status-ok{background:#2e7d32}.status-bad{background:#c62828}
.cue{border:1px solid var(--line);border-left:6px solid var(--medium);border-radius:8px;
padding:14px 16px;margin:12px 0;display:grid;grid-template-columns:1fr 380px;gap:16px}
.cue.high{border-left-color:var(--high)}.cue.low{border-left-color:var(--low)}
.cue .say{font-size:22px;font-weight:650;margin:6px 0;color:#102a43}
.cue .rank{display:inline-block;background:#102a43;color:#fff;border-radius:50%;width:26px;
height:26px;text-align:center;line-height:26px;margin-right:8px;font-size:14px}
.badge{font-size:12px;text-transform:uppercase;letter-spacing:.05em;padding:2px 8px;
border-radius:10px;color:#fff;background:var(--medium);margin-left:8px;vertical-align:middle}
.badge.high{background:var(--high)}.badge.low{background:var(--low)}
.evidence{font-size:14px;color:var(--muted)}.evidence b{color:var(--ink)}
.cue img{width:100%;border-radius:6px;border:1px solid var(--line)}
details{margin-top:6px;font-size:13px;color:var(--muted)}summary{cursor:pointer;color:#334e68}
ul.good li{margin:4px 0}ul.good li::marker{content:"✓  ";color:var(--good)}
h3.watch{margin-top:14px;font-size:15px;color:var(--medium)}ul.watch li::marker{content:"!  ";
color:var(--medium);font-weight:700}
img.plot{width:100%;display:block;margin:8px 0}img.frames{max-width:100%;display:block;
margin:8px auto}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:5px 8px;
border-bottom:1px solid var(--line);text-align:right}th{background:#f0f4f8;position:sticky;top:0}
td:first-child,th:first-child,td.l,th.l{text-align:left}.na{color:#9aa5b1}
.scroll{max-height:420px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.flag{color:var(--high);font-weight:600}.note{color:var(--muted);font-size:13px}
.left{color:var(--left);font-weight:600}.right{color:var(--right);font-weight:600}
.empty{padding:14px;background:#f0f4f8;border-radius:8px}
@media (max-width:760px){.cue{grid-template-columns:1fr}main{padding:4px 10px}}
@media print{body{background:#fff}section{break-inside:avoid}}
"""


def img_tag(png: bytes, alt: str, cls: str = "plot") -> str:
    """Return an ``<img>`` with the PNG inlined as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{cls}" alt="{E(alt)}" src="data:image/png;base64,{data}">'


def fmt(value: Any, metric: str = "") -> str:
    """Format a metric value for display; NaN/None as an em dash."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if not np.isfinite(v):
        return "—"
    unit = unit_of(metric)
    if unit == "deg":
        return f"{v:.0f}°"
    if unit in ("torso lengths", "shoulder widths"):
        return f"{v:.2f}"
    if unit == "%":
        return f"{v:.0f}%"
    if unit == "s":
        return f"{v:.3f} s"
    if unit == "steps/min":
        return f"{v:.0f}"
    return f"{v:.3g}"


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

    """

    def __init__(
        self,
        analysis: Any,
        video_path: Path,
        config: Config,
        assessment: Assessment,
        rules: Sequence[CueRule],
        info: VideoInfo | None,
    ) -> None:
        self.a = analysis
        self.video_path = video_path
        self.config = config
        self.assessment = assessment
        self.cues: list[Cue] = assessment.shown
        self.rules = list(rules)
        self.info = info
        self.dpi = config.report.plots_dpi
        self.strides: pd.DataFrame = analysis.strides
        self.view = str((analysis.view or {}).get("label", ""))

    # ---------------------------------------------------------- sections
    def clip(self) -> str:
        """Header: clip, view, validity."""
        a, info = self.a, self.info
        track = a.track
        n = int(self.strides["stride"].nunique()) if len(self.strides) else 0
        duration = info.duration_s if info else float(track.time[-1] - track.time[0])
        conf = (a.view or {}).get("confidence", np.nan)
        ok = a.status == "ok"
        view = VIEW_NAMES.get(self.view, self.view or "unknown")
        if conf is not None and np.isfinite(conf):
            view += f" ({100 * conf:.0f}% sure)"
        chips = [
            ("View", view),
            ("Length", f"{duration:.1f} s"),
            ("Frames", f"{info.frames if info else track.n_frames} @ "
                       f"{(info.fps if info else track.fps):.3g} fps"),
            ("Size", f"{info.width}×{info.height}" if info else f"{track.width}×{track.height}"),
            ("Strides", str(n)),
            ("Cadence", f"{a.cadence_spm:.0f} steps/min" if np.isfinite(a.cadence_spm) else "—"),
        ]
        if (a.view or {}).get("treadmill"):
            chips.append(("Setting", "treadmill"))
        chip_html = "".join(f'<span class="chip">{E(k)}: <b>{E(v)}</b></span>' for k, v in chips)
        status = (
            '<span class="chip status-ok">Analysis valid</span>'
            if ok
            else f'<span class="chip status-bad">{E(a.status)}: {E(a.message)}</span>'
        )
        name = self.video_path.name if self.video_path else track.attrs.get("source", "")
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f'<header id="clip"><h1>Arm carriage report</h1>'
            f'<div class="sub">{E(name)} · analysed {E(when)}</div>'
            f'<div class="chips">{status}{chip_html}</div></header>'
        )

    def cue_cards(self) -> str:
        """Top cues with evidence, key frame, drills and basis."""
        if self.a.status != "ok":
            body = (f'<p class="empty">No cues: {E(self.a.message or self.a.status)}. '
                    "Cues need a clip with at least a few running strides.</p>")
            return f'<section id="cues"><h2>Top cues</h2>{body}</section>'
        if not self.cues:
            body = ('<p class="empty"><b>No fault crossed its threshold in this clip.</b> '
                    "Keep doing what you are doing; see what is working below.</p>")
            return f'<section id="cues"><h2>Top cues</h2>{body}</section>'
        cards = [self._card(i + 1, c) for i, c in enumerate(self.cues)]
        more = len(self.assessment.fired) - len(self.cues)
        extra = (f'<p class="note">{more} more rule(s) fired with lower priority; they are '
                 "listed in summary.json.</p>") if more > 0 else ""
        return (f'<section id="cues"><h2>Top cues</h2><p class="note">Ranked by severity, '
                "share of strides affected, how far past the threshold and confidence. "
                f"Say the bold phrase to yourself while running.</p>{''.join(cards)}{extra}"
                "</section>")

    def _card(self, rank: int, cue: Cue) -> str:
        ev = cue.evidence
        arm = {"left": "left arm", "right": "right arm", "both": "both arms",
               "pair": "left vs right"}.get(cue.side, cue.side)
        if ev.comparison == "asymmetry":
            vals = (f"left <b>{fmt(ev.values.get('left'), ev.metric)}</b>, right "
                    f"<b>{fmt(ev.values.get('right'), ev.metric)}</b> "
                    f"({plots.label(ev.metric).lower()}); symmetry index "
                    f"<b>{ev.values.get('symmetry_index', np.nan):.0f}%</b> "
                    f"(threshold {ev.threshold:g}%); the {ev.sides[0]} arm swings less")
        else:
            per_side = ", ".join(
                f'<span class="{s}">{s}</span> <b>{fmt(v, ev.metric)}</b>'
                for s, v in ev.values.items() if s in ("left", "right", "all")
            )
            vals = (f"{E(plots.label(ev.metric))}: {per_side} "
                    f"(median; flagged {ev.comparison} {fmt(ev.threshold, ev.metric)})")
        strides = ", ".join(str(s + 1) for s in ev.strides_affected[:20])
        if len(ev.strides_affected) > 20:
            strides += ", …"
        drills = "".join(f"<li>{E(d)}</li>" for d in cue.drills)
        image = self._cue_frame(cue)
        return (
            f'<div class="cue {E(cue.severity)}"><div>'
            f'<h3><span class="rank">{rank}</span>{E(cue.title)} — {E(arm)}'
            f'<span class="badge {E(cue.severity)}">{E(cue.severity)}</span></h3>'
            f'<div class="say">“{E(cue.cue)}”</div><div>{E(cue.why)}</div>'
            f'<p class="evidence">{vals}.<br>Seen in <b>{len(ev.strides_affected)} of '
            f"{ev.strides_measured}</b> measured strides ({strides}); confidence "
            f"{ev.confidence:.2f}; key frame at {ev.key_frame_time:.2f} s (stride "
            f"{ev.key_stride + 1}).</p>"
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
        key = KeyFrame(i, float(t[i]), ev.key_frame, arm, "key frame",
                       float(series_or_angles(self.a, arm)[i]))
        other = max(frames[:2], key=lambda f: abs(f.time - key.time), default=None)
        shown = [key] + ([other] if other and abs(other.time - key.time) > 1e-6 else [])
        return self._frames_img(shown, f"key frames for {cue.title}", compact=True)

    def _frames_img(self, frames: Sequence[Any], alt: str, compact: bool = False) -> str:
        if not frames or self.info is None:
            return '<p class="note">Key frame not available (the clip could not be decoded).</p>'
        images = grab_frames(self.video_path, [f.time for f in frames], self.info, self.config)
        panel_width = 2.0 if compact else plots.FRAME_PANEL_WIDTH
        panels = []
        for f in frames:
            if f.time not in images:
                continue
            crop, xy = crop_to_runner(images[f.time], pose_in_frame(self.a, f.index, self.info))
            # twice the panel's pixels is as sharp as the full frame, and far cheaper to draw
            tall = plots.FRAME_PANEL_ASPECT * panel_width * self.dpi
            crop, xy = fit_image(crop, xy, int(KEY_FRAME_OVERSAMPLING * tall))
            elbow = fmt(f.elbow_deg, "x_deg")
            caption = (f"{f.phase} · {f.time:.2f} s\n{f.side} elbow {elbow}" if compact
                       else f"{f.side} arm, {f.phase} · {f.time:.2f} s · elbow {elbow}")
            panels.append((crop, xy, caption))
        if not panels:
            return '<p class="note">Key frame not available (decoding failed).</p>'
        fig = (plots.frame_figure(panels, measured_sides(self.a), panel_width=panel_width,
                                  fontsize=11)
               if compact else plots.frame_figure(panels, measured_sides(self.a)))
        return img_tag(plots.to_png(fig, self.dpi), alt, cls="frames")

    def good(self) -> str:
        """Render what is working."""
        items = "".join(f"<li>{E(g)}</li>" for g in self.assessment.good)
        items = (f'<ul class="good">{items}</ul>' if items else
                 '<p class="note">Nothing could be confirmed as good from this clip.</p>')
        watch = "".join(f"<li>{E(w)}</li>" for w in self.assessment.watch)
        if watch:
            watch = ('<h3 class="watch">Close to the line</h3><p class="note">Broken in some '
                     "strides, too few for a cue; worth a look in the next clip.</p>"
                     f'<ul class="watch">{watch}</ul>')
        return (f'<section id="good"><h2>What is working</h2>{items}{watch}'
                f"{self.borderline()}</section>")

    def borderline(self) -> str:
        """Figures within the measured noise of a cue's threshold: neither cued nor good."""
        rows = "".join(f"<li>{E(b['text'])}</li>"
                       for b in getattr(self.assessment, "borderline", []))
        if not rows:
            return ""
        return ('<h3 class="watch" id="borderline">Borderline</h3><p class="note">The '
                "figure lies within the measurement noise of the threshold in this view: "
                "no cue is given and it is not called good; film again (the front view "
                f'measures these most closely) to settle it.</p><ul class="watch">{rows}</ul>')

    def keyframes(self) -> str:
        """Forward and backward swing extremes of a middle stride."""
        frames = pick_key_frames(self.a, self.config.report.key_frames)
        body = self._frames_img(frames, "key frames at swing extremes")
        return (f'<section id="keyframes"><h2>Key frames: swing extremes</h2><p class="note">'
                "Forward and backward ends of the arm swing in a stride from the middle of the "
                f'clip; <span class="left">left arm</span>, <span class="right">right arm</span>.'
                f"</p>{body}</section>")

    def plots(self) -> str:
        """Per-frame elbow angle and per-stride metrics with stride boundaries."""
        parts = []
        track = self.a.track
        curves = {s: series_or_angles(self.a, s) for s in measured_sides(self.a)}
        fig = plots.series_figure(track.time, curves, self.strides, "Elbow angle through the clip "
                                  "(shaded bands = strides)", "elbow angle (°)")
        parts.append(img_tag(plots.to_png(fig, self.dpi), "elbow angle over time"))
        metrics = [m for m in PLOT_METRICS if self._measured(m)]
        if metrics:
            fig = plots.stride_metrics_figure(self.strides, metrics, self.rules)
            parts.append(img_tag(plots.to_png(fig, self.dpi), "per-stride metrics"))
        return (f'<section id="plots"><h2>Metrics over the clip</h2><p class="note">Dashed red '
                f"lines are cue thresholds.</p>{''.join(parts)}</section>")

    def _measured(self, metric: str) -> bool:
        return metric in self.strides and pd.to_numeric(self.strides[metric]).notna().any()

    def lr(self) -> str:
        """Left vs right comparison."""
        summary = self.a.summary
        metrics = [m for m in ARM_METRICS if m in summary
                   and all(np.isfinite(summary[m].get(s, {}).get("median") or np.nan)
                           for s in ("left", "right"))]
        if not metrics:
            return ('<section id="lr"><h2>Left vs right</h2><p class="empty">Only one arm was '
                    "measured from this view, so the arms cannot be compared. A front or rear "
                    "view shows both arms.</p></section>")
        fig = plots.lr_figure(summary, metrics)
        rows = []
        for m in metrics:
            s = summary[m]
            si = s.get("symmetry_index", np.nan)
            si = np.nan if si is None else si
            flag = si > self.config.metrics.symmetry_flag_percent
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td>{fmt(s['left'].get('median'), m)}</td>"
                f"<td>{fmt(s['right'].get('median'), m)}</td><td>{fmt(s.get('difference'), m)}"
                f'</td><td class="{"flag" if flag else ""}">{fmt(si, "x_pct")}</td></tr>')
        table = ('<div class="scroll"><table><tr><th>metric</th><th class="left">left</th>'
                 '<th class="right">right</th><th>left − right</th><th>symmetry index</th></tr>'
                 f"{''.join(rows)}</table></div>")
        image = img_tag(plots.to_png(fig, self.dpi), "left right comparison")
        return (f'<section id="lr"><h2>Left vs right</h2>{image}{table}'
                '<p class="note">Symmetry index = |L−R| / '
                f"mean(L, R); above {self.config.metrics.symmetry_flag_percent:g}% is marked."
                "</p></section>")

    def drift(self) -> str:
        """First third vs last third of the clip (fatigue drift)."""
        summary = self.a.summary
        frac = self.config.metrics.drift_flag_fraction
        rows = []
        for m in TABLE_METRICS:
            b = summary.get(m, {}).get("both", {})
            first, last = b.get("first_third"), b.get("last_third")
            if first is None or last is None or not np.isfinite(first) or not np.isfinite(last):
                continue
            change = (last - first) / abs(first) if first else np.nan
            flag = np.isfinite(change) and abs(change) > frac
            if not np.isfinite(change) or abs(change) < 0.01:
                shift = "→ no change"
            else:
                shift = f"{'↑' if change > 0 else '↓'} {abs(100 * change):.0f}%"
            rows.append(f"<tr><td>{E(plots.label(m))}</td><td>{fmt(first, m)}</td>"
                        f"<td>{fmt(last, m)}</td><td class=\"{'flag' if flag else ''}\">{shift}"
                        "</td></tr>")
        if not rows:
            return ('<section id="drift"><h2>Fatigue drift</h2><p class="empty">Too few strides '
                    "to compare the start and end of the clip.</p></section>")
        metrics = [m for m in ("elbow_angle_mean", "swing_arc_deg", "shrug_rise_tl")
                   if self._measured(m)]
        fig = img_tag(plots.to_png(plots.drift_figure(self.strides, metrics), self.dpi),
                      "drift over strides") if metrics and "side" in self.strides else ""
        return (f'<section id="drift"><h2>Fatigue drift</h2><p class="note">Median of the first '
                f"third of strides vs the last third; changes above {100 * frac:.0f}% are marked."
                "</p><table><tr><th>metric</th><th>first third</th><th>last third</th>"
                f"<th>change</th></tr>{''.join(rows)}</table>{fig}</section>")

    def stride_table(self) -> str:
        """Per stride x arm values of the main metrics."""
        s = self.strides
        cols = [m for m in TABLE_METRICS if m in s and self._measured(m)]
        head = "".join(f"<th>{E(plots.label(m))}<br><span class=note>"
                       f"{E(plots.unit_label(m))}</span></th>" for m in cols)
        rows = []
        min_conf = self.config.metrics.min_confidence
        arm_cols = [m for m in cols if m in ARM_METRICS]
        shown = s
        if arm_cols and "side" in s:
            measured = s[arm_cols].apply(pd.to_numeric, errors="coerce").notna().any(axis=1)
            shown = s.loc[measured]
        hidden = sorted(set(s.get("side", pd.Series(dtype=str))) - set(
            shown.get("side", pd.Series(dtype=str))))
        for _, r in shown.iterrows():
            cells = []
            for m in cols:
                reason = str(r.get(f"{m}_reason", "") or "")
                conf = pd.to_numeric(r.get(f"{m}_conf", 1.0), errors="coerce")
                text = fmt(r[m], m)
                if text == "—":
                    cells.append(f'<td class="na" title="{E(reason)}">—</td>')
                elif np.isfinite(conf) and conf < min_conf:
                    cells.append(f'<td class="na" title="low confidence ({conf:.2f}); not used">'
                                 f"{text}</td>")
                else:
                    cells.append(f"<td>{text}</td>")
            side = str(r.get("side", ""))
            rows.append(f"<tr><td>{int(r['stride']) + 1}</td><td class=\"l {E(side)}\">"
                        f"{E(side)}</td><td>{r['t_start']:.2f}</td>{''.join(cells)}</tr>")
        note = (f" The {' and '.join(hidden)} arm was not measured from this view and is left "
                "out." if hidden else "")
        return (f'<section id="strides"><h2>Stride table</h2><p class="note">One row per stride '
                "and arm; — = not measured, grey = low confidence (hover for the reason). Full "
                f'table with confidences: strides.csv.{E(note)}</p><div class="scroll"><table>'
                '<tr><th>stride</th><th class="l">arm'
                f"</th><th>start (s)</th>{head}</tr>{''.join(rows)}</table></div></section>")

    def unmeasured(self) -> str:
        """Render what could not be measured from this view and which view would."""
        rows = []
        for m, v in (self.a.validity or {}).items():
            if v.get("measured", True):
                continue
            rows.append(f"<tr><td>{E(plots.label(m))}</td><td class=l>{E(v.get('reason', ''))}"
                        f"</td><td class=l>{E(v.get('better_view', '') or '—')}</td></tr>")
        seen: set[str] = set()
        for item in self.assessment.not_assessed:
            if item["title"] in seen:
                continue
            seen.add(item["title"])
            rows.append(f"<tr><td>Cue: {E(item['title'])}</td><td class=l>"
                        f"{E(item['reason'])}</td><td class=l>{E(item.get('better_view') or '—')}"
                        "</td></tr>")
        if not rows:
            body = '<p class="empty">Every metric was measured from this view.</p>'
        else:
            body = ('<table><tr><th>what</th><th class=l>why not</th><th class=l>view that would '
                    f"measure it</th></tr>{''.join(rows)}</table>")
        return (f'<section id="unmeasured"><h2>Not measured from this view</h2>{body}'
                "</section>")

    def about(self) -> str:
        """Render settings, model and rule source."""
        attrs = self.a.track.attrs
        return (f'<section id="about"><h2>About these numbers</h2><p class="note">Pose model: '
                f"{E(str(attrs.get('model', '')))}. Cue rules: {E(self._rules_source())}"
                ". Thresholds are defaults with a stated basis, not a diagnosis; a coach can "
                "change them with a cue file (--cues). Angles are measured in the image plane; "
                "values flagged with low confidence are not used for cues. Full numbers: "
                "summary.json and strides.csv.</p></section>")

    def _rules_source(self) -> str:
        from armcarriage.cues import default_rules_path

        src = self.assessment.rules_source
        if Path(src) == default_rules_path():
            return "the defaults shipped with armcarriage (armcarriage/data/cues.toml)"
        return f"the defaults with overrides from {src}"

    def render(self) -> str:
        """Render the whole page."""
        ok = self.a.status == "ok" and len(self.strides)
        body = [self.cue_cards(), self.good()]
        if ok:
            for section in (self.keyframes, self.plots, self.lr, self.drift, self.stride_table):
                try:
                    body.append(section())
                except (ValueError, KeyError, IndexError) as exc:
                    log.warning("report section %s failed: %s", section.__name__, exc)
                    body.append(f'<section id="{section.__name__}"><h2>{section.__name__}</h2>'
                                f'<p class="note">Could not be drawn: {E(str(exc))}</p></section>')
        body += [self.unmeasured(), self.about()]
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Arm carriage report · {E(self.video_path.name)}</title>"
            f"<style>{CSS}</style></head><body>{self.clip()}<main>{''.join(body)}</main>"
            "</body></html>"
        )


def write_html_report(
    analysis: Any,
    video_path: Path,
    out_path: Path,
    config: Config,
    assessment: Assessment,
    rules: Sequence[CueRule],
    info: VideoInfo | None,
) -> Path:
    """Write ``report.html`` atomically; see :class:`ReportBuilder`."""
    page = ReportBuilder(analysis, video_path, config, assessment, rules, info).render()
    return write_text(out_path, page)
