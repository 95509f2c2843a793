"""Cue rules: the shipped TOML file, a user's overrides, and their checks."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from armcarriage.errors import ConfigError
from armcarriage.metrics import METRICS, PER_ARM_METRICS, PER_STRIDE_METRICS, unit_words

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


VIEWS = ("side_left", "side_right", "front", "rear", "oblique")


COMPARISONS = ("above", "below", "asymmetry", "below_reference")
"""``below_reference``: ``threshold`` is a drop from the athlete's own reference
(:mod:`armcarriage.cues.own`)."""


SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}


ARM_METRICS = PER_ARM_METRICS
"""Per stride x arm metric columns (from the metric registry)."""


STRIDE_METRICS = PER_STRIDE_METRICS
"""Per stride metric columns (from the metric registry)."""


KNOWN_METRICS = ARM_METRICS + STRIDE_METRICS


@dataclass(frozen=True)
class CueRule:
    """One coaching rule; see ``armcarriage/data/cues.toml`` for the fields."""

    id: str
    title: str
    metric: str
    comparison: str
    threshold: float
    views: tuple[str, ...]
    cue: str
    why: str
    basis: str
    scale: float = 1.0
    min_strides: int = 3
    min_fraction: float = 0.5
    min_confidence: float = 0.5
    severity: str = "medium"
    group: str = ""
    drills: tuple[str, ...] = ()
    good: str = ""
    enabled: bool = True
    noise: float = 0.0
    """Measured noise of the metric in the rule's views (metric unit): a stride counts
    only when it passes the threshold by more than this; an arm closer than that is
    reported as borderline."""

    @property
    def group_key(self) -> str:
        """The fault group (the rule id when no group is given)."""
        return self.group or self.id


# ----------------------------------------------------------------- loading
_STR_FIELDS = ("title", "metric", "comparison", "cue", "why", "basis", "severity", "group", "good")


_FLOAT_FIELDS = ("threshold", "scale", "min_fraction", "min_confidence", "noise")


_REQUIRED = ("title", "metric", "comparison", "threshold", "views", "cue", "why", "basis")


def default_rules_path() -> Path:
    """Path of the rules shipped with the package."""
    return Path(str(resources.files("armcarriage") / "data" / "cues.toml"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"cue file {path}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cue file {path}: cannot be read as UTF-8 text ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cue file {path}: not valid TOML ({exc})") from None
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(
            f"cue file {path}: expected [rules.ID] tables, got 'rules' as a {type(rules).__name__}"
        )
    unknown = set(data) - {"rules", "schema_version", "replace"}
    if unknown:
        raise ConfigError(
            f"cue file {path}: unknown top-level key(s) {sorted(unknown)}; "
            "expected 'rules', 'schema_version' or 'replace'"
        )
    for rule_id, table in rules.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"cue file {path}: rule {rule_id!r}: expected a table [rules.{rule_id}], "
                f"got a {type(table).__name__}"
            )
    return data


def _fail(path: Path, rule_id: str, name: str, expected: str, got: Any) -> ConfigError:
    return ConfigError(
        f"cue file {path}: rule {rule_id!r}, field {name!r}: expected {expected}, got {got!r}"
    )


def _parse_rule(rule_id: str, table: dict[str, Any], path: Path) -> CueRule:
    """Validate one merged rule table and build a :class:`CueRule`."""
    known = {f for f in CueRule.__dataclass_fields__ if f != "id"}
    for name in table:
        if name not in known:
            raise _fail(path, rule_id, name, f"a known field ({', '.join(sorted(known))})", name)
    for name in _REQUIRED:
        if name not in table:
            raise _fail(path, rule_id, name, "a value (the field is required)", None)
    order = (*_STR_FIELDS, *_FLOAT_FIELDS, "min_strides", "enabled", "views", "drills")
    values = {n: _typed(rule_id, n, table[n], path) for n in order if n in table}
    rule = CueRule(id=rule_id, **values)
    _check_rule(rule, path)
    return rule


def _typed(rule_id: str, name: str, v: Any, path: Path) -> Any:
    """Return one field's value as its type, or raise naming what was expected."""
    if name in _STR_FIELDS:
        if not isinstance(v, str):
            raise _fail(path, rule_id, name, "a string", v)
        return v
    if name in _FLOAT_FIELDS:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise _fail(path, rule_id, name, "a finite number", v)
        return float(v)
    if name == "min_strides":
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise _fail(path, rule_id, "min_strides", "a whole number >= 1", v)
        return v
    if name == "enabled":
        if not isinstance(v, bool):
            raise _fail(path, rule_id, "enabled", "true or false", v)
        return v
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):  # views, drills
        raise _fail(path, rule_id, name, "a list of strings", v)
    return tuple(v)


def _check_rule(rule: CueRule, path: Path) -> None:
    """Check the values of a rule (ranges and names)."""
    rid = rule.id
    if rule.metric not in KNOWN_METRICS:
        raise _fail(path, rid, "metric", f"one of {', '.join(KNOWN_METRICS)}", rule.metric)
    if rule.comparison not in COMPARISONS:
        raise _fail(path, rid, "comparison", f"one of {', '.join(COMPARISONS)}", rule.comparison)
    if rule.comparison == "asymmetry" and rule.metric not in ARM_METRICS:
        raise _fail(path, rid, "metric", "a per-arm metric for an asymmetry rule", rule.metric)
    if rule.comparison == "below_reference" and rule.threshold < 0:
        raise _fail(path, rid, "threshold", "a drop >= 0 from the reference", rule.threshold)
    if rule.comparison == "asymmetry" and rule.threshold <= 0:
        raise _fail(path, rid, "threshold", "a percentage > 0 for asymmetry", rule.threshold)
    bad_views = [v for v in rule.views if v not in VIEWS]
    if bad_views or not rule.views:
        raise _fail(path, rid, "views", f"a non-empty list of {', '.join(VIEWS)}", list(rule.views))
    if rule.severity not in SEVERITY_WEIGHT:
        raise _fail(path, rid, "severity", "one of high, medium, low", rule.severity)
    if rule.scale <= 0:
        raise _fail(path, rid, "scale", "a number > 0", rule.scale)
    if rule.noise < 0:
        raise _fail(path, rid, "noise", "a number >= 0", rule.noise)
    if not 0.0 <= rule.min_fraction <= 1.0:
        raise _fail(path, rid, "min_fraction", "a fraction between 0 and 1", rule.min_fraction)
    if not 0.0 <= rule.min_confidence <= 1.0:
        raise _fail(path, rid, "min_confidence", "a value between 0 and 1", rule.min_confidence)
    if not rule.cue.strip():
        raise _fail(path, rid, "cue", "a non-empty phrase", rule.cue)


def load_rules(path: str | Path | None = None) -> list[CueRule]:
    """Load the shipped rules, with a user file's overrides applied.

    Parameters
    ----------
    path
        A user TOML file. Its ``[rules.ID]`` tables override the shipped rule
        of that id field by field, or add a new rule; ``replace = true`` at the
        top drops the shipped rules. ``None`` or ``""``: shipped rules only.

    Returns
    -------
    list of CueRule
        Enabled rules, in file order.

    Raises
    ------
    ConfigError
        Naming the file, the rule and the field that is malformed.

    """
    base_path = default_rules_path()
    base = _read_toml(base_path)
    tables: dict[str, dict[str, Any]] = {k: dict(v) for k, v in base["rules"].items()}
    where = base_path
    if path:
        where = Path(path)
        user = _read_toml(where)
        if user.get("replace", False) is True:
            tables = {}
        for rule_id, table in user.get("rules", {}).items():
            tables[rule_id] = {**tables.get(rule_id, {}), **table}
    rules = [_parse_rule(rid, table, where) for rid, table in tables.items()]
    return [r for r in rules if r.enabled]


# --------------------------------------------------------------- evaluation
def unit_of(metric: str) -> str:
    """Return the unit of a metric column: the registry's, else from the column's name suffix."""
    if metric in METRICS:
        return unit_words(metric)
    if metric.startswith("elbow_angle") or metric.endswith("_deg"):
        return "deg"
    for suffix, unit in (
        ("_tl", "torso lengths"),
        ("_sw", "shoulder widths"),
        ("_pct", "%"),
        ("_spm", "steps/min"),
        ("_s", "s"),
    ):
        if metric.endswith(suffix):
            return unit
    return ""
