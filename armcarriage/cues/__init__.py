"""Coaching cues: rules from a TOML file applied to an analysis.

The rules ship in ``armcarriage/data/cues.toml`` (each states its metric,
threshold, the views where it applies, how many strides must break it, the
confidence it needs, a severity, a positive cue, a one-line explanation,
drills and the basis of its threshold). A user file given by
``config.cues.rules_path`` overrides shipped rules field by field, adds new
ones, or (with ``replace = true`` at the top) replaces the whole set.

:func:`evaluate_cues` returns the ranked cues to show (at most
``config.cues.max_cues``); :func:`assess` also returns every rule that fired,
what is good and which rules could not be assessed and why.

Examples
--------
>>> from armcarriage.cues import load_rules
>>> sorted(r.id for r in load_rules())[:2]
['low_arm_swing', 'midline_crossing']

"""

from __future__ import annotations

from armcarriage.cues.assessment import assess, evaluate_cues
from armcarriage.cues.result import Assessment, Cue, Evidence
from armcarriage.cues.rules import ARM_METRICS as ARM_METRICS
from armcarriage.cues.rules import STRIDE_METRICS as STRIDE_METRICS
from armcarriage.cues.rules import CueRule, default_rules_path, load_rules, unit_of
from armcarriage.cues.texts import cue_texts as cue_texts

__all__ = [
    "Assessment",
    "Cue",
    "CueRule",
    "Evidence",
    "assess",
    "default_rules_path",
    "evaluate_cues",
    "load_rules",
    "unit_of",
]
