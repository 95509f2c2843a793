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

import logging
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from armcarriage.config import Config
from armcarriage.errors import ConfigError
from armcarriage.jsonio import jsonable
from armcarriage.metrics import METRICS, PER_ARM_METRICS, PER_STRIDE_METRICS, unit_words

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

log = logging.getLogger(__name__)

VIEWS = ("side_left", "side_right", "front", "rear", "oblique")
COMPARISONS = ("above", "below", "asymmetry")
SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}
WATCH_FRACTION = 0.25
"""A rule that does not fire but is broken in at least this share of strides is
reported as close to its threshold, and its fault is not called good."""

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
    values: dict[str, Any] = {}
    for name in _STR_FIELDS:
        if name in table:
            if not isinstance(table[name], str):
                raise _fail(path, rule_id, name, "a string", table[name])
            values[name] = table[name]
    for name in _FLOAT_FIELDS:
        if name in table:
            v = table[name]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise _fail(path, rule_id, name, "a finite number", v)
            values[name] = float(v)
    if "min_strides" in table:
        v = table["min_strides"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise _fail(path, rule_id, "min_strides", "a whole number >= 1", v)
        values["min_strides"] = v
    if "enabled" in table:
        if not isinstance(table["enabled"], bool):
            raise _fail(path, rule_id, "enabled", "true or false", table["enabled"])
        values["enabled"] = table["enabled"]
    for name in ("views", "drills"):
        if name in table:
            v = table[name]
            if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
                raise _fail(path, rule_id, name, "a list of strings", v)
            values[name] = tuple(v)
    rule = CueRule(id=rule_id, **values)
    _check_rule(rule, path)
    return rule


def _check_rule(rule: CueRule, path: Path) -> None:
    """Check the values of a rule (ranges and names)."""
    rid = rule.id
    if rule.metric not in KNOWN_METRICS:
        raise _fail(path, rid, "metric", f"one of {', '.join(KNOWN_METRICS)}", rule.metric)
    if rule.comparison not in COMPARISONS:
        raise _fail(path, rid, "comparison", f"one of {', '.join(COMPARISONS)}", rule.comparison)
    if rule.comparison == "asymmetry" and rule.metric not in ARM_METRICS:
        raise _fail(path, rid, "metric", "a per-arm metric for an asymmetry rule", rule.metric)
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


def _measured(strides: pd.DataFrame, metric: str, min_conf: float) -> pd.DataFrame:
    """Rows where ``metric`` is finite with confidence >= ``min_conf``."""
    if metric not in strides.columns:
        return strides.iloc[0:0]
    values = pd.to_numeric(strides[metric], errors="coerce")
    ok = np.isfinite(values.to_numpy(float))
    conf_col = f"{metric}_conf"
    if conf_col in strides.columns:
        conf = pd.to_numeric(strides[conf_col], errors="coerce").fillna(0).to_numpy(float)
        ok &= conf >= min_conf
    return strides.loc[ok]


def _limit(rule: CueRule) -> float:
    """Return the value a stride must pass: the threshold moved out by the rule's noise."""
    return (
        rule.threshold - rule.noise if rule.comparison == "below" else (rule.threshold + rule.noise)
    )


def _breaks(values: np.ndarray, rule: CueRule, limit: float | None = None) -> np.ndarray:
    lim = _limit(rule) if limit is None else limit
    if rule.comparison == "below":
        return values < lim
    return values > lim


def _exceedance(value: float, rule: CueRule) -> float:
    return abs(value - rule.threshold) / rule.scale


def _symmetry_index(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per-pair symmetry index |L-R| / mean(|L|,|R|) * 100 (Robinson et al., 1987)."""
    mean = (np.abs(left) + np.abs(right)) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        si = np.abs(left - right) / mean * 100.0
    return np.where(mean > 0, si, 0.0)


SERIES_OF = {
    "elbow_angle": "elbow_angle",
    "swing": "upper_arm_angle",
    "wrist": "wrist_forward",
    "crossing": "crossing",
    "shrug_neck": "neck_gap",
    "shrug": "shoulder_elevation",
    "trunk_rotation": "trunk_rotation",
}
"""Per-frame series (``Analysis.series``) behind each metric family, for key frames."""


def _series_column(analysis: Any, metric: str, side: str) -> str | None:
    series = getattr(analysis, "series", None)
    if not isinstance(series, pd.DataFrame):
        return None
    for prefix, name in SERIES_OF.items():
        if metric.startswith(prefix):
            for col in (f"{side}_{name}", name):
                if col in series.columns:
                    return col
    return None


def _key_frame(
    analysis: Any, rows: pd.DataFrame, worst: int, rule: CueRule, side: str
) -> tuple[int, float, int]:
    """Stride, time and frame where the fault shows most in the worst affected stride.

    The frame is the extreme of the metric's per-frame series inside the stride
    (lowest elbow angle for a tight elbow, highest shoulder for a shrug...), or
    the middle of the stride when the analysis has no such series.
    """
    row = rows.loc[rows["stride"] == worst].iloc[0]
    t0, t1 = float(row["t_start"]), float(row["t_end"])
    t = 0.5 * (t0 + t1)
    frame = int(round(0.5 * (float(row["frame_start"]) + float(row["frame_end"]))))
    col = _series_column(analysis, rule.metric, side)
    if col is None:
        return worst, t, frame
    series = analysis.series
    times = series["time"].to_numpy(float)
    inside = np.flatnonzero((times >= t0) & (times < t1))
    values = series[col].to_numpy(float)[inside]
    if not len(inside) or not np.isfinite(values).any():
        return worst, t, frame
    low = rule.comparison == "below" and not rule.metric.startswith("swing")
    i = int(inside[int(np.nanargmin(values) if low else np.nanargmax(values))])
    track = getattr(analysis, "track", None)
    if track is not None and track.n_frames == len(times):
        frame = int(np.asarray(track.ds["frame"].values)[i])
    else:
        frame = int(
            round(
                float(row["frame_start"])
                + (times[i] - t0)
                / max(t1 - t0, 1e-9)
                * (float(row["frame_end"]) - float(row["frame_start"]))
            )
        )
    return worst, float(times[i]), frame


def _stride_count(rows: pd.DataFrame) -> int:
    return int(rows["stride"].nunique()) if len(rows) else 0


def _evaluate_side(rule: CueRule, rows: pd.DataFrame) -> dict[str, Any] | None:
    """Check one arm (or the per-stride rows); return what fired or None."""
    values = pd.to_numeric(rows[rule.metric]).to_numpy(float)
    bad = _breaks(values, rule)
    n_bad, n = int(bad.sum()), len(values)
    if n == 0 or n_bad < rule.min_strides or n_bad / n < rule.min_fraction:
        return None
    bad_rows = rows.loc[bad]
    exc = np.array([_exceedance(v, rule) for v in values[bad]])
    worst = int(bad_rows["stride"].to_numpy()[int(np.argmax(exc))])
    conf_col = f"{rule.metric}_conf"
    conf = float(np.nanmedian(rows[conf_col])) if conf_col in rows.columns else 1.0
    return {
        "strides": sorted(int(s) for s in bad_rows["stride"]),
        "n": n,
        "fraction": n_bad / n,
        "median": float(np.median(values)),
        "affected": float(np.median(values[bad])),
        "exceedance": float(np.median(exc)),
        "worst": worst,
        "worst_exc": float(exc.max()),
        "confidence": conf,
    }


def _score(rule: CueRule, fraction: float, confidence: float, exceedance: float) -> float:
    """Rank: severity x share of strides x confidence x (1 + how far beyond, capped at 2)."""
    return SEVERITY_WEIGHT[rule.severity] * fraction * confidence * (1.0 + min(exceedance, 2.0))


def _check_per_arm(
    rule: CueRule, analysis: Any, rows: pd.DataFrame
) -> Cue | str | list[dict[str, Any]]:
    """Evaluate an above/below rule; return a cue, borderline arms or why it did not fire."""
    per_arm = "side" in rows.columns and rule.metric in ARM_METRICS
    if per_arm:
        groups = {s: rows.loc[rows["side"] == s] for s in ("left", "right")}
    else:
        groups = {"all": rows.drop_duplicates("stride")}
    fired = {}
    medians = {}
    for side, sub in groups.items():
        if len(sub):
            medians[side] = float(np.median(pd.to_numeric(sub[rule.metric]).to_numpy(float)))
        if len(sub) < rule.min_strides:
            continue
        res = _evaluate_side(rule, sub)
        if res is not None:
            fired[side] = res
    if not medians:
        return "not measured"
    if not fired:
        most = max(_stride_count(g) for g in groups.values())
        if most < rule.min_strides:
            return "too few"
        border = _borderline(rule, groups)
        if border:
            return border
        return _near(rule, groups) or "ok"
    best_side = max(fired, key=lambda s: fired[s]["fraction"] * (1 + min(fired[s]["worst_exc"], 2)))
    best = fired[best_side]
    side = "both" if len(fired) == 2 else best_side
    if side == "all":
        side = "both"
    key_side = best_side if best_side in ("left", "right") else "left"
    stride, t, frame = _key_frame(analysis, rows, best["worst"], rule, key_side)
    strides = sorted({s for r in fired.values() for s in r["strides"]})
    ev = Evidence(
        metric=rule.metric,
        comparison=rule.comparison,
        threshold=rule.threshold,
        unit=unit_of(rule.metric),
        values=medians,
        affected_values={s: r["affected"] for s, r in fired.items()},
        strides_affected=strides,
        strides_measured=max(_stride_count(g) for g in groups.values()),
        fraction=best["fraction"],
        confidence=best["confidence"],
        key_stride=stride,
        key_frame_time=t,
        key_frame=frame,
        sides=sorted(fired),
        noise=rule.noise,
    )
    score = _score(rule, best["fraction"], best["confidence"], best["exceedance"])
    return _make_cue(rule, side, score, ev)


def _borderline(rule: CueRule, groups: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Arms whose figure lies within the rule's noise of its threshold (none if noise is 0).

    An arm is borderline when the median of its measured strides is within ``noise`` of
    the threshold, or when enough strides pass the bare threshold to fire the rule but
    not by more than the noise.
    """
    if rule.noise <= 0:
        return []
    spec = METRICS.get(rule.metric)
    if spec is not None and not spec.per_arm and groups:  # one figure, on both arm rows
        groups = {"all": next(iter(groups.values()))}
    out = []
    unit = unit_of(rule.metric)
    for side, sub in groups.items():
        values = pd.to_numeric(sub[rule.metric]).to_numpy(float)
        if len(values) < rule.min_strides:
            continue
        med = float(np.median(values))
        bare = _breaks(values, rule, rule.threshold)
        would_fire = bare.sum() >= rule.min_strides and bare.mean() >= rule.min_fraction
        if abs(med - rule.threshold) > rule.noise and not would_fire:
            continue
        arm = "" if side == "all" else f"{side} arm, "
        out.append(
            {
                "rule": rule.id,
                "title": rule.title,
                "metric": rule.metric,
                "side": "both" if side == "all" else side,
                "value": med,
                "threshold": rule.threshold,
                "noise": rule.noise,
                "unit": unit,
                "text": (
                    f"{rule.title}: borderline ({arm}median {_fmt(med, unit)} against the "
                    f"threshold {_fmt(rule.threshold, unit)} ({rule.comparison}), within the "
                    f"measured noise of +/- {_fmt(rule.noise, unit)} in this view)."
                ),
            }
        )
    return out


def _near(rule: CueRule, groups: dict[str, pd.DataFrame]) -> str | None:
    """Describe an arm whose strides often break the threshold without firing."""
    worst: tuple[float, str] | None = None
    for side, sub in groups.items():
        values = pd.to_numeric(sub[rule.metric]).to_numpy(float)
        if not len(values):
            continue
        bad = int(_breaks(values, rule).sum())
        if bad and bad / len(values) >= WATCH_FRACTION:
            arm = "" if side == "all" else f"{side} arm, "
            text = (
                f"{rule.title}: close to the line ({arm}{bad} of {len(values)} strides "
                f"{rule.comparison} {_fmt(rule.threshold, unit_of(rule.metric))}; median "
                f"{_fmt(float(np.median(values)), unit_of(rule.metric))})."
            )
            if worst is None or bad / len(values) > worst[0]:
                worst = (bad / len(values), text)
    return worst[1] if worst else None


def _check_asymmetry(rule: CueRule, analysis: Any, rows: pd.DataFrame) -> Cue | str:
    """Evaluate an asymmetry rule on strides where both arms were measured."""
    if "side" not in rows.columns:
        return "not measured"
    left = rows.loc[rows["side"] == "left", ["stride", rule.metric, *_conf(rule, rows)]]
    right = rows.loc[rows["side"] == "right", ["stride", rule.metric, *_conf(rule, rows)]]
    pair = left.merge(right, on="stride", suffixes=("_l", "_r"))
    if pair.empty:
        return "one arm only"
    lv = pair[f"{rule.metric}_l"].to_numpy(float)
    rv = pair[f"{rule.metric}_r"].to_numpy(float)
    si = _symmetry_index(lv, rv)
    frame = pd.DataFrame({"stride": pair["stride"].to_numpy(), rule.metric: si})
    if len(frame) < rule.min_strides:
        return "too few"
    conf_cols = [c for c in pair.columns if c.endswith("_conf_l") or c.endswith("_conf_r")]
    if conf_cols:
        frame[f"{rule.metric}_conf"] = pair[conf_cols].min(axis=1).to_numpy(float)
    res = _evaluate_side(replace(rule, comparison="above"), frame)
    if res is None:
        return "ok"
    lower = "left" if float(np.median(lv)) < float(np.median(rv)) else "right"
    stride, t, key = _key_frame(analysis, rows, res["worst"], rule, lower)
    ev = Evidence(
        metric=rule.metric,
        comparison=rule.comparison,
        threshold=rule.threshold,
        unit="%",
        values={
            "left": float(np.median(lv)),
            "right": float(np.median(rv)),
            "symmetry_index": float(np.median(si)),
        },
        affected_values={"symmetry_index": res["affected"]},
        strides_affected=res["strides"],
        strides_measured=len(frame),
        fraction=res["fraction"],
        confidence=res["confidence"],
        key_stride=stride,
        key_frame_time=t,
        key_frame=key,
        sides=[lower],
        noise=rule.noise,
    )
    score = _score(rule, res["fraction"], res["confidence"], res["exceedance"])
    return _make_cue(rule, "pair", score, ev)


def _conf(rule: CueRule, rows: pd.DataFrame) -> list[str]:
    col = f"{rule.metric}_conf"
    return [col] if col in rows.columns else []


def _make_cue(rule: CueRule, side: str, score: float, ev: Evidence) -> Cue:
    return Cue(
        rule_id=rule.id,
        title=rule.title,
        severity=rule.severity,
        score=round(score, 4),
        cue=rule.cue,
        why=rule.why,
        drills=list(rule.drills),
        basis=rule.basis,
        side=side,
        evidence=ev,
    )


def _view_label(analysis: Any) -> str:
    view = getattr(analysis, "view", None) or {}
    return str(view.get("label", "")) if isinstance(view, dict) else ""


def _better_views(rule: CueRule) -> str:
    return " or ".join(v.replace("_", " ") for v in rule.views)


def assess(
    analysis: Any, config: Config | None = None, rules: list[CueRule] | None = None
) -> Assessment:
    """Apply every rule to an analysis.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        ``config.cues`` gives the rule file and the number of cues shown.
    rules
        Rules to apply instead of loading them from ``config``.

    Returns
    -------
    Assessment
        ``shown``: the top cues (ranked, one per fault group, at most
        ``max_cues``); ``fired``: every fired cue, ranked; ``good``: what is
        good; ``not_assessed``: rules that could not be checked and why.

    """
    config = config or Config()
    if rules is None:
        rules = load_rules(config.cues.rules_path or None)
    source = config.cues.rules_path or str(default_rules_path())
    view = _view_label(analysis)
    strides = getattr(analysis, "strides", None)
    fired: list[Cue] = []
    skipped: list[dict[str, str]] = []
    ok_groups: dict[str, list[CueRule]] = {}
    bad_groups: set[str] = set()
    watch: list[str] = []
    borderline: list[dict[str, Any]] = []
    if getattr(analysis, "status", "ok") != "ok" or strides is None or strides.empty:
        msg = getattr(analysis, "message", "") or "the analysis produced no strides"
        return Assessment([], [], [], [{"rule": "*", "title": "all cues", "reason": msg}], source)
    for rule in rules:
        if view and view not in rule.views:
            skipped.append(
                {
                    "rule": rule.id,
                    "title": rule.title,
                    "reason": f"not assessed from a {view.replace('_', ' ')} view; "
                    f"film from the {_better_views(rule)}",
                    "better_view": _better_views(rule),
                }
            )
            continue
        rows = _measured(strides, rule.metric, rule.min_confidence)
        result: Cue | str | list[dict[str, Any]] | None
        if rule.comparison == "asymmetry":
            result = _check_asymmetry(rule, analysis, rows)
        else:
            result = _check_per_arm(rule, analysis, rows)
        if isinstance(result, Cue):
            fired.append(result)
            bad_groups.add(rule.group_key)
        elif isinstance(result, list):
            borderline.extend(result)
            bad_groups.add(rule.group_key)
        elif result == "ok":
            ok_groups.setdefault(rule.group_key, []).append(rule)
        elif result.endswith("."):  # close to the line
            watch.append(result)
            bad_groups.add(rule.group_key)
        else:
            why = _missing_reason(strides, rule.metric)
            reason = {
                "not measured": f"{rule.metric} was not measured: {why}"
                if why
                else f"{rule.metric} was not measured with confidence >= {rule.min_confidence:g}",
                "too few": f"fewer than {rule.min_strides} strides measured with confidence",
                "one arm only": "needs both arms measured in the same strides; this view "
                "measures one arm",
            }[result]
            better = "two clips, one from each side" if result == "one arm only" else ""
            skipped.append(
                {"rule": rule.id, "title": rule.title, "reason": reason, "better_view": better}
            )
    fired.sort(key=lambda c: (-c.score, c.rule_id))
    shown: list[Cue] = []
    seen: set[str] = set()
    by_id = {r.id: r for r in rules}
    for cue in fired:
        group = by_id[cue.rule_id].group_key
        if group in seen:
            continue
        seen.add(group)
        shown.append(cue)
    shown = shown[: max(0, config.cues.max_cues)]
    good = _good(analysis, ok_groups, bad_groups)
    skipped = _drop_assessed(skipped, rules, view, fired, borderline)
    return Assessment(shown, fired, good, skipped, source, watch, borderline)


def _drop_assessed(
    skipped: list[dict[str, str]],
    rules: list[CueRule],
    view: str,
    fired: list[Cue],
    borderline: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """Drop "not assessed" entries of a metric that another rule assessed in this view.

    Rules come in pairs per view (front and side thresholds of one metric): the side
    rule is "not assessed from a front view" while the front rule cued the very same
    metric, and a metric must not read as both cued and not measured.
    """
    by_id = {r.id: r for r in rules}
    assessed = {c.evidence.metric for c in fired} | {b["metric"] for b in borderline}
    assessed |= {r.metric for r in rules if view and view in r.views}
    skipped_ids = {
        s["rule"]
        for s in skipped
        if s["rule"] in by_id and not s["reason"].startswith("not assessed from")
    }
    assessed -= {by_id[i].metric for i in skipped_ids}
    return [
        s
        for s in skipped
        if s["rule"] not in by_id
        or by_id[s["rule"]].metric not in assessed
        or s["rule"] in skipped_ids
    ]


def _missing_reason(strides: pd.DataFrame, metric: str) -> str:
    """Return the most frequent reason given for a metric missing in every stride, else ''.

    Where some values were measured (with too little confidence), the confidence is the
    reason, not why the others are missing.
    """
    reasons = strides.get(f"{metric}_reason")
    if reasons is None or strides[metric].notna().any():
        return ""
    given = reasons[reasons.astype(bool)]
    return str(given.mode().iloc[0]) if len(given) else ""


def _good(analysis: Any, ok_groups: dict[str, list[CueRule]], bad: set[str]) -> list[str]:
    """Positive statements for fault groups that were checked and did not fire."""
    out: list[str] = []
    strides: pd.DataFrame = analysis.strides
    for group, rules in ok_groups.items():
        if group in bad:
            continue
        rule = rules[0]
        text = rule.good or f"{rule.title}: not seen."
        vals = pd.to_numeric(strides.get(rule.metric, pd.Series(dtype=float)), errors="coerce")
        if rule.comparison != "asymmetry" and vals.notna().any():
            text += f" (median {_fmt(float(vals.median()), unit_of(rule.metric))})"
        if text not in out:
            out.append(text)
    return out


def _fmt(value: float, unit: str) -> str:
    if unit == "deg":
        return f"{value:.0f}°"
    if unit in ("torso lengths", "shoulder widths"):  # as the report shows them
        pct = 100.0 * value
        return f"{pct:.1f}% of {unit[:-1]}" if abs(pct) < 10 else f"{pct:.0f}% of {unit[:-1]}"
    return f"{value:.3g} {unit}".strip()


def evaluate_cues(analysis: Any, config: Config | None = None) -> list[Cue]:
    """Return the ranked cues to show for an analysis.

    Parameters
    ----------
    analysis
        An :class:`armcarriage.analysis.Analysis`.
    config
        ``config.cues.rules_path`` (user rules) and ``config.cues.max_cues``.

    Returns
    -------
    list of Cue
        At most ``config.cues.max_cues``, best first; empty when nothing fired.

    """
    return assess(analysis, config).shown


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
