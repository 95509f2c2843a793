"""Merge the analyses of one run filmed from several views into one set of numbers.

Each metric is taken from a clip whose view measures it (the registry's ``views``, as
each clip's ``validity`` says). When several clips measure it, the clip filmed from the
metric's better view (:attr:`armcarriage.metrics.MetricSpec.better_view`) is preferred,
then the one whose values are more confident; the note of the metric says which clip it
came from and which others measured it too. The cadence of every pair of clips is
cross-checked with the same test as comparing two sessions
(:func:`armcarriage.history.compare.compare_metric`): a disagreement beyond the noise is
reported (the clips may not be of one run, or a clip's frame rate is wrong), not hidden.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from armcarriage.config import Config
from armcarriage.history.compare import BEYOND, TOO_FEW, compare_metric
from armcarriage.jsonio import jsonable
from armcarriage.metrics import METRICS, UNIT_WORDS

VIEW_WORDS = {
    "side_left": "side view",
    "side_right": "side view",
    "front": "front view",
    "rear": "rear view",
    "oblique": "oblique view",
}
"""Each view label as a note names it."""

AGREE = "agree"
DISAGREE = "disagree beyond noise"


@dataclass
class SessionClip:
    """One clip of a session and its analysis.

    Attributes
    ----------
    name
        The clip's file name, as notes name it (``front.mp4``).
    analysis
        Its :class:`armcarriage.analysis.Analysis`.
    folder
        Its output folder, relative to the session's folder (``None`` when not written).

    """

    name: str
    analysis: Any
    folder: Path | None = None

    @property
    def view(self) -> str:
        """The clip's view label (``side_left``, ``front``, ...; ``unknown`` when refused)."""
        return str((self.analysis.view or {}).get("label") or "unknown")

    @property
    def where(self) -> str:
        """``front.mp4 (front view)``."""
        return f"{self.name} ({VIEW_WORDS.get(self.view, self.view.replace('_', ' '))})"


@dataclass
class SessionResult:
    """The merged numbers of a session (see the module docstring)."""

    clips: list[SessionClip]
    metrics: dict[str, dict[str, Any]]
    """Per metric: ``source`` (clip name or None), ``view``, ``note``, ``confidence``,
    ``left``/``right``/``both`` (the source clip's summary: median, iqr, n, confidence; an
    arm the source did not measure from a clip that did), ``arms`` (per-arm metrics: the clip
    of each arm), ``also`` (other clips that measured it) and ``reason`` when no clip did."""
    cadence: list[dict[str, Any]]
    """One cross-check per pair of clips with a measured cadence."""
    cues: Any = None
    """The :class:`armcarriage.sessions.cues.SessionCues` on the merged numbers."""
    settings: dict[str, Any] = field(default_factory=dict)

    def source_of(self, metric: str) -> SessionClip | None:
        """Return the clip a metric was taken from (None when no clip measured it)."""
        name = self.metrics.get(metric, {}).get("source")
        return next((c for c in self.clips if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (NaN and inf become None)."""
        return jsonable(
            {
                "schema_version": 1,
                "clips": [
                    {
                        "clip": c.name,
                        "view": c.view,
                        "status": c.analysis.status,
                        "message": c.analysis.message,
                        "cadence_spm": c.analysis.cadence_spm,
                        "folder": str(c.folder) if c.folder is not None else None,
                    }
                    for c in self.clips
                ],
                "metrics": self.metrics,
                "cadence_check": self.cadence,
                "cues": self.cues.to_dict() if self.cues is not None else None,
                "settings": self.settings,
            }
        )


def view_fits(better_view: str, view: str) -> bool:
    """Whether a clip's view label is the registry's better view (``side``, ``front or rear``)."""
    wanted = {w.strip() for w in better_view.replace(" or ", ",").split(",") if w.strip()}
    family = "side" if view.startswith("side") else view
    return view in wanted or family in wanted


def pick_source(metric: str, clips: list[SessionClip]) -> tuple[int | None, str, list[int]]:
    """Choose the clip a metric is taken from.

    Returns
    -------
    index, note, others
        The chosen clip's index (None when no clip measured it), the note that says so in
        words, and the indices of the other clips that measured it.

    """
    spec = METRICS[metric]
    valid = [c.analysis.validity.get(metric, {}) for c in clips]
    measured = [i for i, v in enumerate(valid) if v.get("measured")]
    if not measured:
        why = "; ".join(
            f"{c.name}: {v.get('reason') or 'not measured'}"
            for c, v in zip(clips, valid, strict=True)
        )
        return None, f"not measured in any clip ({why})", []

    def rank(i: int) -> tuple[bool, float]:
        return view_fits(spec.better_view, clips[i].view), float(valid[i].get("confidence", 0))

    best = max(measured, key=rank)  # the first clip wins a tie
    others = [i for i in measured if i != best]
    note = f"from {clips[best].where}"
    if others:
        also = ", ".join(
            f"{clips[i].where}, confidence {float(valid[i].get('confidence', 0)):.2f}"
            for i in others
        )
        why = (
            f"the {spec.better_view} view measures it better"
            if rank(best)[0] and not all(rank(i)[0] for i in others)
            else f"its values are more confident ({float(valid[best].get('confidence', 0)):.2f})"
        )
        note += f"; also measured in {also}; {clips[best].name} preferred: {why}"
    return best, note, others


def _also(metric: str, clip: SessionClip) -> dict[str, Any]:
    summary = clip.analysis.summary.get(metric, {})
    return {
        "clip": clip.name,
        "view": clip.view,
        "confidence": clip.analysis.validity.get(metric, {}).get("confidence"),
        "median": (summary.get("both") or {}).get("median"),
    }


def merged_metrics(clips: list[SessionClip]) -> dict[str, dict[str, Any]]:
    """Per metric the source clip's numbers and the note saying where they came from."""
    out: dict[str, dict[str, Any]] = {}
    for metric, spec in METRICS.items():
        best, note, others = pick_source(metric, clips)
        entry: dict[str, Any] = {
            "title": spec.description,
            "unit": UNIT_WORDS[spec.unit],
            "source": None,
            "view": None,
            "note": note,
        }
        if best is None:
            entry["reason"] = note
        else:
            clip = clips[best]
            summary = clip.analysis.summary.get(metric, {})
            entry.update(
                source=clip.name,
                view=clip.view,
                confidence=clip.analysis.validity[metric].get("confidence"),
                **{k: summary.get(k) for k in ("left", "right", "both")},
                also=[_also(metric, clips[i]) for i in others],
            )
            if spec.per_arm:
                _other_arms(entry, metric, clips, best, others)
        out[metric] = entry
    return out


def _arm_count(clip: SessionClip, metric: str, side: str) -> int:
    stats = (clip.analysis.summary.get(metric) or {}).get(side) or {}
    return int(stats.get("n") or 0)


def _other_arms(
    entry: dict[str, Any], metric: str, clips: list[SessionClip], best: int, others: list[int]
) -> None:
    """Take an arm the source clip did not measure from another clip that did (in place).

    A side view measures the near arm only: with a clip from each side, each arm comes from
    the clip that sees it, and ``arms`` and the note say which.
    """
    arms = {}
    for side in ("left", "right"):
        if _arm_count(clips[best], metric, side):
            arms[side] = clips[best].name
            continue
        seen = [i for i in others if _arm_count(clips[i], metric, side)]
        if not seen:
            continue
        pick = max(seen, key=lambda i: float(clips[i].analysis.summary[metric][side]["confidence"]))
        entry[side] = clips[pick].analysis.summary[metric][side]
        arms[side] = clips[pick].name
        entry["note"] += f"; the {side} arm from {clips[pick].where}"
    entry["arms"] = arms


def per_stride_cadence(analysis: Any, min_conf: float) -> np.ndarray:
    """Return the cadence of each stride measured with enough confidence (one value per stride)."""
    table = analysis.strides
    if not len(table) or "cadence_spm" not in table:
        return np.empty(0)
    rows = table.drop_duplicates("stride")
    values = rows["cadence_spm"].to_numpy(float)
    conf = rows["cadence_spm_conf"].to_numpy(float)
    return values[np.isfinite(values) & (conf >= min_conf)]


def cadence_check(clips: list[SessionClip], config: Config) -> list[dict[str, Any]]:
    """Cross-check the cadence of every pair of clips (the bootstrap test of ``compare``)."""
    rng = np.random.default_rng(config.compare.seed)
    noise = METRICS["cadence_spm"].noise
    out = []
    for a, b in itertools.combinations(clips, 2):
        va, vb = (per_stride_cadence(c.analysis, config.metrics.min_confidence) for c in (a, b))
        if not len(va) or not len(vb):
            continue
        row = compare_metric(va, vb, noise, config.compare, rng)
        verdict = {BEYOND: DISAGREE, TOO_FEW: TOO_FEW}.get(row["verdict"], AGREE)
        ma, mb = row["median_a"], row["median_b"]
        text = f"cadence {ma:.1f} steps/min in {a.name}, {mb:.1f} in {b.name}: "
        if verdict == DISAGREE:
            text += (
                f"they differ by {abs(mb - ma):.1f} steps/min, beyond the noise of "
                f"{noise:g}; were both clips filmed in the same run, at the frame rate "
                "their files give?"
            )
        elif verdict == AGREE:
            text += "they agree within the noise"
        else:
            text += "too few strides to check"
        out.append({"clips": [a.name, b.name], **row, "verdict": verdict, "text": text})
    return out


def merge_session(clips: list[SessionClip], config: Config | None = None) -> SessionResult:
    """Merge the analyses of one session's clips; assess the cues on the merged numbers.

    Parameters
    ----------
    clips
        The clips of one run, each analysed through the normal pipeline.
    config
        Settings (``compare`` for the cadence cross-check, ``cues`` for the rules).

    Returns
    -------
    SessionResult

    """
    from armcarriage.sessions.cues import assess_session

    config = config or Config()
    result = SessionResult(
        clips=list(clips),
        metrics=merged_metrics(list(clips)),
        cadence=cadence_check(list(clips), config),
    )
    result.cues = assess_session(result, config)
    return result
