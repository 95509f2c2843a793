"""Display texts of cues and numbers with their units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _fmt(value: float, unit: str) -> str:
    if unit == "deg":
        return f"{value:.0f}°"
    if unit in ("torso lengths", "shoulder widths"):  # as the report shows them
        pct = 100.0 * value
        return f"{pct:.1f}% of {unit[:-1]}" if abs(pct) < 10 else f"{pct:.0f}% of {unit[:-1]}"
    return f"{value:.3g} {unit}".strip()


def cue_texts(cues: Sequence[Any]) -> list[str]:
    """Return the display text of cues: their ``title`` (else ``cue``, ``text``, or the string)."""
    out = []
    for cue in cues:
        for attr in ("title", "cue", "text", "name"):
            value = cue.get(attr) if isinstance(cue, Mapping) else getattr(cue, attr, None)
            if isinstance(value, str) and value:
                out.append(value)
                break
        else:
            out.append(str(cue))
    return out
