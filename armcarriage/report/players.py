"""Pages with several players: a session's clips, or two sessions compared side by side.

Each player is the report's own (``armcarriage/data/player.js``) in a ``.acr-clip`` root
with its data block; the data are those of the clip's ``report.html`` (overlay, strides,
player offset), read back from it, so these pages need no second analysis. ``sync.js``
drives the other players of a page by stride phase.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from armcarriage.report.html import PAGE_CSS, asset

E = html.escape

_DATA = re.compile(r'<script type="application/json" id="acr-data">(.*?)</script>', re.S)

EXTRA_CSS = """
.acr .players{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
.acr .acr-clip{min-width:0}.acr .acr-clip h3{font-size:15px;margin:0 0 6px}
.acr .acr-clip section{margin:0}.acr .src{color:var(--muted);font-size:12px}
.acr tr.beyond td{background:#fff3cd}.acr .bad{color:var(--high);font-weight:600}
"""
"""Rules of the multi-player pages beside the report's."""


def report_data(report: Path) -> dict[str, Any] | None:
    """Return the data block of a written ``report.html`` (player, overlay, strides), or None."""
    try:
        page = report.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _DATA.search(page)
    if found is None:
        return None
    data = json.loads(found.group(1))
    return data if isinstance(data, dict) else None


def player_block(data: dict[str, Any] | None, base: str, heading: str, note: str = "") -> str:
    """One player in its own root: the clip at ``base + clip.mp4`` with the overlay.

    Parameters
    ----------
    data
        The clip's report data (:func:`report_data`); without a player, only the heading
        and a note say that the clip is not shown.
    base
        Prefix of the clip's name: a relative folder (``side/``) or a URL ending in ``/``.
    heading, note
        What the block is titled, and a line under it.

    """
    title = f"<h3>{E(heading)}</h3>" + (f'<p class="src">{E(note)}</p>' if note else "")
    if not data or not data.get("player"):
        return f'<div class="acr-clip-none">{title}<p class="note">No clip to show.</p></div>'
    rates = "".join(
        f'<button type="button" data-rate="{r}"{" class=on" if r == "1" else ""}>{r}×</button>'
        for r in ("0.25", "0.5", "1")
    )
    block = json.dumps({**data, "charts": []}, separators=(",", ":"), allow_nan=False)
    return (
        f'<div class="acr-clip" data-base="{E(base)}">{title}'
        '<section data-acr="player"><div class="stage" tabindex="0" '
        'aria-label="the clip; arrow keys step a frame">'
        '<video data-acr="video" playsinline muted preload="auto" data-src="clip.mp4"></video>'
        '<canvas data-acr="canvas"></canvas></div><div class="controls">'
        '<button type="button" data-act="play" aria-label="play or pause">▶ Play</button>'
        '<button type="button" data-act="prev" aria-label="previous frame">◀ Frame</button>'
        '<button type="button" data-act="next" aria-label="next frame">Frame ▶</button>'
        f'{rates}<label><input type="checkbox" data-acr="loop"> Loop stride</label>'
        '<input type="range" data-acr="seekbar" min="0" max="1" step="any" value="0" '
        'aria-label="position in the clip"><span class="readout" data-acr="readout"></span>'
        '</div><div class="cueline" data-acr="cueline"></div></section>'
        f'<script type="application/json" class="acr-data">{block.replace("<", chr(92) + "u003c")}'
        "</script></div>"
    )


def scripts(sync: bool) -> str:
    """Return the player's script (and the stride-phase sync) inlined."""
    names = ("player.js", "sync.js") if sync else ("player.js",)
    return "".join(f"<script>{script_text(n)}</script>" for n in names)


def script_text(name: str) -> str:
    """Return a script of the pages, safe to inline."""
    if name == "sync.js":
        from importlib.resources import files

        code = (files("armcarriage") / "data" / "sync.js").read_text(encoding="utf-8")
    else:
        code = asset(name)[0].decode("utf-8")
    return code.replace("</script", "<\\/script")


def _report_css() -> str:
    """Return the report's own stylesheet (``data/report.css``)."""
    return asset("report.css")[0].decode("utf-8")


def page(title: str, header: str, body: str, sync: bool = False) -> str:
    """Return a whole page: the report's style, a header, the sections and the scripts."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{E(title)}</title><style>{PAGE_CSS}{_report_css()}{EXTRA_CSS}</style></head><body>"
        f'<div class="acr"><header>{header}</header><main>{body}</main></div>'
        f"{scripts(sync)}</body></html>"
    )
