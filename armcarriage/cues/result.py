"""What assessing the cues returns: the evidence, the cues and the whole assessment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from armcarriage.jsonio import jsonable


@dataclass
class Evidence:
    """What a fired cue rests on."""

    metric: str
    comparison: str
    threshold: float
    unit: str
    values: dict[str, float]
    """Median of the measured values per arm (``left``/``right``), or per-stride
    symmetry index (``symmetry_index``) for asymmetry rules."""
    affected_values: dict[str, float]
    """Median of the values that broke the threshold, per arm."""
    strides_affected: list[int]
    strides_measured: int
    fraction: float
    confidence: float
    key_stride: int
    key_frame_time: float
    key_frame: int
    sides: list[str]
    noise: float = 0.0
    """The rule's measured noise (metric unit): every counted stride passed the
    threshold by more than this."""
    reference: dict[str, Any] | None = None
    """For a rule against the athlete's own reference (:mod:`armcarriage.cues.own`): the
    reference used and the figures (``threshold`` is then the reference minus the drop)."""


@dataclass
class Cue:
    """A fired rule, ready to show."""

    rule_id: str
    title: str
    severity: str
    score: float
    cue: str
    why: str
    drills: list[str]
    basis: str
    side: str
    """``"left"``, ``"right"``, ``"both"`` or ``"pair"`` (asymmetry)."""
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (NaN becomes None)."""
        return jsonable(asdict(self))

    def headline(self) -> str:
        """One line: title, arm and how often, e.g. for a console."""
        ev = self.evidence
        arm = {"left": "left arm", "right": "right arm", "both": "both arms"}.get(self.side, "")
        where = f" ({arm})" if arm else ""
        return (
            f"{self.title}{where}: {len(ev.strides_affected)} of {ev.strides_measured} strides"
            f' -> "{self.cue}"'
        )


@dataclass
class Assessment:
    """Everything the cue engine found."""

    shown: list[Cue]
    fired: list[Cue]
    good: list[str]
    not_assessed: list[dict[str, str]]
    """One entry per rule that could not be checked: ``rule``, ``title``, ``reason``,
    ``better_view`` (what footage would let it be checked; may be empty)."""
    rules_source: str
    watch: list[str] = field(default_factory=list)
    """Faults close to their threshold: broken in some strides, too few to fire."""
    borderline: list[dict[str, Any]] = field(default_factory=list)
    """Rules whose figure lies within the measured noise of the threshold, one per rule
    and arm: ``rule``, ``title``, ``metric``, ``side``, ``value`` (median over the
    measured strides), ``threshold``, ``noise``, ``unit``, ``text``. Neither cued nor
    called good."""
    reference: list[dict[str, Any]] = field(default_factory=list)
    """Per rule against the athlete's own reference that a reference was given for: the
    reference used (``used``: :meth:`armcarriage.cues.reference.NeckReference.to_dict`, None
    when none fitted, ``note`` says why), the clip's ``neck_tl``, ``difference_tl``,
    ``threshold_tl``, ``noise_tl`` and ``outcome``. Empty without a reference."""
