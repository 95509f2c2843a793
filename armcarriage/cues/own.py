"""Rules against the athlete's own reference: the clip's neck below their relaxed neck.

A rule of comparison ``below_reference`` (``cues.toml``) reads its ``threshold`` as a
drop from the reference, in the metric's unit: a stride counts when its value lies
more than ``threshold + noise`` below the reference, and the clip is borderline when
its median lies within ``noise`` of ``reference - threshold`` (as for the other rules,
:mod:`armcarriage.cues.borderline`). Without a reference the rule is left out, so the
assessment is the one made without it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from armcarriage.cues.evidence import _check_per_arm
from armcarriage.cues.reference import NeckReference, choose_reference, frame_fill
from armcarriage.cues.result import Cue
from armcarriage.cues.rules import CueRule

if TYPE_CHECKING:  # the type only: the analysis stage is not imported here
    from armcarriage.analysis import Analysis

REFERENCE_COMPARISON = "below_reference"


def clip_fill(analysis: Analysis) -> float:
    """Return the clip's framing: its median torso length over its frame height."""
    norms = (getattr(analysis, "settings", None) or {}).get("normalisers") or {}
    track = getattr(analysis, "track", None)
    height = (track.attrs.get("height") if track is not None else None) or float("nan")
    torso = norms.get("torso_length_px", float("nan"))
    return frame_fill(float(torso or float("nan")), float(height))


def check_reference(
    rule: CueRule,
    analysis: Analysis,
    rows: pd.DataFrame,
    references: tuple[NeckReference, ...],
    max_fill_ratio: float,
) -> tuple[Cue | str | list[dict[str, Any]] | None, dict[str, Any]]:
    """Hold the clip's strides against the athlete's own reference.

    Returns
    -------
    tuple
        The result as for the other rules (a cue, borderline entries, ``"ok"``, or why
        not assessed), None when no reference fits the clip; and the figures for the
        report (empty when no reference was given).

    """
    view = str((getattr(analysis, "view", None) or {}).get("label", ""))
    fill = clip_fill(analysis)
    ref, why = choose_reference(references, view, fill, max_fill_ratio)
    if ref is None:
        return None, ({"rule": rule.id, "used": None, "note": why} if references else {})
    derived = replace(rule, comparison="below", threshold=ref.neck_tl - rule.threshold)
    result = _check_per_arm(derived, analysis, rows)
    values = pd.to_numeric(rows.drop_duplicates("stride")[rule.metric]).to_numpy(float)
    neck = float(np.median(values)) if values.size else float("nan")
    figures = {
        "rule": rule.id,
        "used": ref.to_dict(),
        "reference": ref.describe(),
        "neck_tl": _round(neck),
        "difference_tl": _round(neck - ref.neck_tl),
        "threshold_tl": rule.threshold,
        "noise_tl": rule.noise,
        "strides": int(values.size),
        "fill": _round(fill),
        "note": why,
    }
    if isinstance(result, Cue):
        result.evidence.reference = figures
        figures["outcome"] = "flagged"
    elif isinstance(result, list):
        for entry in result:
            entry["reference"] = ref.describe()
            entry["text"] = _borderline_text(rule, neck, ref)
        figures["outcome"] = "borderline"
    else:
        figures["outcome"] = "not flagged" if result == "ok" or result.endswith(".") else result
    return result, figures


def _borderline_text(rule: CueRule, neck: float, ref: NeckReference) -> str:
    return (
        f"{rule.title}: borderline against the athlete's own reference (neck "
        f"{neck:.3f} torso lengths, {neck - ref.neck_tl:+.3f} from {ref.describe()}; flagged "
        f"beyond -{rule.threshold:g}, within the measured noise of +/- {rule.noise:g})."
    )


def _round(x: float) -> float | None:
    return round(x, 4) if math.isfinite(x) else None


def reference_from_analysis(
    analysis: Analysis, min_conf: float, source: str, session: str = "", date: str = ""
) -> NeckReference | None:
    """Return the relaxed reference an analysed clip offers (None without a measured neck).

    ``min_conf``: strides whose neck has a lower confidence are left out.
    """
    from armcarriage.cues.breaks import _measured
    from armcarriage.cues.reference import NECK_METRIC, view_class

    view = str((getattr(analysis, "view", None) or {}).get("label", ""))
    strides = getattr(analysis, "strides", None)
    if not view_class(view) or strides is None or strides.empty:
        return None
    rows = _measured(strides, NECK_METRIC, min_conf).drop_duplicates("stride")
    if rows.empty:
        return None
    return NeckReference(
        neck_tl=float(np.median(pd.to_numeric(rows[NECK_METRIC]).to_numpy(float))),
        strides=len(rows),
        view=view,
        source=source,
        session=session,
        date=date,
        fill=clip_fill(analysis),
    )
