"""The athlete's own relaxed neck: the reference a held shrug is measured against.

Necks differ between people as much as a few centimetres of shrug, so a held shrug is
best seen against the same athlete's relaxed clip of the same view class (side or
front) and similar framing. A :class:`NeckReference` comes from an earlier analysis
(its ``summary.json``, :func:`load_reference`) or from the history database
(:func:`armcarriage.history.reference.history_references`); :func:`choose_reference`
picks the one that fits a clip, and the rules of comparison ``below_reference``
(``cues.toml``) compare the clip's neck with it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from armcarriage.errors import InputError

NECK_METRIC = "shrug_neck_tl"
"""The metric a reference holds (the neck left visible below the ears)."""

VIEW_CLASSES = {"side_left": "side", "side_right": "side", "front": "front"}
"""View label -> view class: a side reference serves either side, a front one the front."""


def view_class(label: str) -> str:
    """Return ``"side"``, ``"front"`` or ``""`` (no reference serves rear or oblique views)."""
    return VIEW_CLASSES.get(str(label), "")


@dataclass(frozen=True)
class NeckReference:
    """The relaxed neck of one earlier clip of the athlete."""

    neck_tl: float
    """Median ``shrug_neck_tl`` of the clip's strides (torso lengths)."""
    strides: int
    """Strides it was measured in."""
    view: str
    """The clip's view label (``side_left``, ``side_right`` or ``front``)."""
    source: str
    """Where it came from: a file path, or ``history`` (the history database)."""
    session: str = ""
    """The clip or session (file name, or the history's clip key)."""
    date: str = ""
    """The session's date (ISO), empty when unknown."""
    fill: float = float("nan")
    """Framing: clip-median torso length over the frame height (NaN when unknown)."""

    @property
    def view_class(self) -> str:
        """``side`` or ``front``."""
        return view_class(self.view)

    def describe(self) -> str:
        """One phrase naming the reference, e.g. for a cue's evidence."""
        when = f" of {self.date}" if self.date else ""
        what = f"{self.session}{when}" if self.session else (self.date or "an earlier clip")
        return (
            f"{what} ({self.view.replace('_', ' ')}, {self.strides} strides, "
            f"neck {self.neck_tl:.3f} torso lengths; from {self.source})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (NaN becomes None)."""
        doc = asdict(self)
        doc["fill"] = None if not math.isfinite(self.fill) else round(self.fill, 4)
        doc["view_class"] = self.view_class
        return doc


def frame_fill(torso_px: float, height_px: float) -> float:
    """Return the framing figure: torso length over frame height (NaN when unknown)."""
    if not (math.isfinite(torso_px) and math.isfinite(height_px)) or height_px <= 0:
        return float("nan")
    return float(torso_px) / float(height_px)


def choose_reference(
    candidates: Sequence[NeckReference], view: str, fill: float, max_fill_ratio: float
) -> tuple[NeckReference | None, str]:
    """Pick the most relaxed reference (longest neck) that fits a clip.

    Parameters
    ----------
    candidates
        References on offer.
    view
        The clip's view label.
    fill
        The clip's framing (:func:`frame_fill`; NaN when unknown).
    max_fill_ratio
        A reference whose framing differs from the clip's by more than this factor is
        left out (``cues.reference_max_fill_ratio``); unknown framing is not held against it.

    Returns
    -------
    tuple
        The reference (None when none fits) and why the others were left out ('' if none).

    """
    cls = view_class(view)
    if not cls:
        return None, ""
    same = [c for c in candidates if c.view_class == cls and math.isfinite(c.neck_tl)]
    fits = [c for c in same if _framing_fits(c.fill, fill, max_fill_ratio)]
    why = ""
    if len(fits) < len(same):
        why = (
            f"{len(same) - len(fits)} reference(s) of the {cls} view left out: framed "
            f"differently (torso over frame height differs by more than a factor "
            f"{max_fill_ratio:g} from this clip's {fill:.2f})"
        )
    if not same and candidates:
        why = (
            f"no reference of the {cls} view (references given: "
            + ", ".join(sorted({c.view.replace("_", " ") for c in candidates}))
            + ")"
        )
    if not fits:
        return None, why
    return max(fits, key=lambda c: (c.neck_tl, c.date, c.session)), why


def _framing_fits(ref_fill: float, fill: float, max_ratio: float) -> bool:
    if not (math.isfinite(ref_fill) and math.isfinite(fill)) or ref_fill <= 0 or fill <= 0:
        return True
    return max(ref_fill, fill) / min(ref_fill, fill) <= max_ratio


def reference_from_summary(doc: Mapping[str, Any], source: str) -> NeckReference | None:
    """Return the reference held by an earlier analysis's ``summary.json`` document.

    None when that analysis did not measure the neck (another view, no strides).
    """
    view = doc.get("view") or {}
    label = str(view.get("label", "")) if isinstance(view, Mapping) else ""
    entry = (doc.get("metrics") or {}).get(NECK_METRIC) or {}
    both = entry.get("both") or {}
    median, n = both.get("median"), both.get("n")
    if not view_class(label) or median is None or not n:
        return None
    clip = doc.get("clip") or {}
    norms = ((doc.get("settings") or {}).get("analysis") or {}).get("normalisers") or {}
    torso = norms.get("torso_length_px")
    height = clip.get("height")
    fill = frame_fill(float(torso), float(height)) if torso and height else float("nan")
    return NeckReference(
        neck_tl=float(median),
        strides=int(n),
        view=label,
        source=source,
        session=str(clip.get("file", "")),
        date=str(doc.get("created", ""))[:10],
        fill=fill,
    )


def load_reference(path: str | Path) -> NeckReference:
    """Read a reference from an earlier output folder or its ``summary.json``.

    Parameters
    ----------
    path
        An output folder of ``analyze`` (holding ``summary.json``), such a
        ``summary.json``, or a JSON file of :meth:`NeckReference.to_dict`'s fields
        (``neck_tl``, ``strides``, ``view`` and optionally ``session``, ``date``, ``fill``).

    Raises
    ------
    InputError
        When the path is missing, not JSON, or holds no neck measured from the side or front.

    """
    p = Path(path)
    file = p / "summary.json" if p.is_dir() else p
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"--reference {path}: expected an output folder of analyze or its summary.json, "
            f"found no {file.name}"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"--reference {file}: expected a JSON file, got: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"--reference {file}: expected a JSON object, got {type(doc).__name__}")
    if "neck_tl" in doc:
        return _from_fields(doc, str(file))
    ref = reference_from_summary(doc, str(file))
    if ref is None:
        label = (doc.get("view") or {}).get("label", "?")
        raise InputError(
            f"--reference {file}: expected an analysis that measured {NECK_METRIC} from the "
            f"side or front, got view {label!r} with status {doc.get('status', '?')!r}"
        )
    return ref


def _from_fields(doc: Mapping[str, Any], source: str) -> NeckReference:
    """Build a reference from explicit fields; raise InputError naming a bad one."""
    try:
        neck, strides, view = float(doc["neck_tl"]), int(doc.get("strides", 0)), str(doc["view"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"--reference {source}: expected neck_tl (number) and view, got {exc}"
        ) from None
    if not view_class(view) or not math.isfinite(neck) or not 0 < neck < 2:
        raise InputError(
            f"--reference {source}: expected view side_left, side_right or front and "
            f"0 < neck_tl < 2 torso lengths, got {view!r} and {neck!r}"
        )
    fill = doc.get("fill")
    return NeckReference(
        neck_tl=neck,
        strides=strides,
        view=view,
        source=source,
        session=str(doc.get("session", "")),
        date=str(doc.get("date", "")),
        fill=float(fill) if fill is not None else float("nan"),
    )
