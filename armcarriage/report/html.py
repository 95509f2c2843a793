"""``report.html``: one self-contained page a coach and a runner can read offline.

The page inlines everything it runs: its style, plotly.js's basic bundle
(:data:`PLOTLY_BUNDLE`) for the interactive charts and ``armcarriage/data/player.js``
for the player, which shows ``clip.mp4`` beside the page with the skeleton,
elbow angles and body midline drawn over it from the track (embedded as
JSON). Key frames are matplotlib figures inlined as PNG; nothing is loaded
from the network. Sections (each has an ``id``): ``clip``, ``player``,
``cues``, ``good``, ``typical``, ``keyframes``, ``plots``, ``lr``, ``drift``,
``strides``, ``unmeasured``, ``filming``, ``about``. The report proper sits between
:data:`FRAGMENT_START` and :data:`FRAGMENT_END`, so the web app can show it in
its own page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.cues import Assessment, CueRule
from armcarriage.jsonio import dumps
from armcarriage.report import charts, words
from armcarriage.report.advice import Advice, advice_section
from armcarriage.report.cards import CueSections
from armcarriage.report.clip import PlayerClip
from armcarriage.report.geometry import overlay_data, time_stretch
from armcarriage.report.ranges import typical_section
from armcarriage.report.sectionbase import E, not_assessed, thresholds
from armcarriage.report.sections import NumberSections
from armcarriage.video import VideoInfo

log = logging.getLogger(__name__)

SECTION_NAMES = {
    "keyframes": "key frames",
    "plots": "plots",
    "lr": "left vs right",
    "drift": "fatigue drift",
    "stride_table": "stride table",
}
"""Sections as the progress display names them."""
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


class ReportBuilder(CueSections, NumberSections):
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
    advice
        Filming advice for this clip (:func:`armcarriage.report.advice.filming_advice`).

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
        advice: Sequence[Advice] = (),
    ) -> None:
        self.a = analysis
        self.player = player
        self.advice = list(advice)
        self.charts: list[dict[str, Any]] = []
        self.stage = stage
        self.video_path = video_path
        self.config = config
        self.assessment = assessment
        self.cues = assessment.shown
        self.rules = list(rules)
        self.info = info
        self.dpi = config.report.plots_dpi
        self.strides = analysis.strides
        self.view = str((analysis.view or {}).get("label", ""))
        self.rc = config.report
        self.ok = analysis.status == "ok" and len(self.strides) > 0

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
            body += [self.good(), typical_section(self.a, self.rc)]
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
        body += [self.unmeasured(), advice_section(self.advice), self.about()]
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
        css = asset("report.css")[0].decode("utf-8")
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Arm carriage report · {E(name)}</title>"
            f"<style>{PAGE_CSS}{css}</style></head><body>{fragment}{scripts}</body></html>"
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


PLOTLY_BUNDLE = "plotly-basic.min.js"
"""plotly.js's basic bundle (scatter, bar and pie traces; 1.2 MB against the full bundle's
4.8 MB), vendored in ``armcarriage/data`` from the npm package ``plotly.js-basic-dist-min``
4.1.1 with its MIT licence (``plotly-basic.LICENSE``). The report draws only scatter traces
(lines, markers, error bars) with shapes and category axes."""


@lru_cache(maxsize=len(ASSET_TYPES))
def asset(name: str) -> tuple[bytes, str]:
    """Content and media type of one of :data:`ASSET_TYPES`, all shipped in ``armcarriage/data``.

    ``plotly.min.js`` is :data:`PLOTLY_BUNDLE` (never a CDN).
    """
    if name not in ASSET_TYPES:
        raise KeyError(f"no report asset {name!r}; expected one of {', '.join(ASSET_TYPES)}")
    stored = PLOTLY_BUNDLE if name == "plotly.min.js" else name
    return (files("armcarriage") / "data" / stored).read_bytes(), ASSET_TYPES[name]


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
    advice: Sequence[Advice] = (),
) -> Path:
    """Write ``report.html`` atomically; see :class:`ReportBuilder`.

    ``stage(part)`` is called as each part of the page is started (progress display);
    ``player`` is the clip beside the page that its player shows; ``advice`` the filming
    advice of the clip.
    """
    page = ReportBuilder(
        analysis, video_path, config, assessment, rules, info, stage, player, advice
    ).render()
    return write_text(out_path, page)


__all__ = [
    "ASSET_TYPES",
    "FRAGMENT_END",
    "FRAGMENT_START",
    "ReportBuilder",
    "asset",
    "embedded_report",
    "injected_style_ids",
    "not_assessed",
    "thresholds",
    "write_html_report",
]
