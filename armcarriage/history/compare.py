"""Compare two sessions of one runner: which metrics changed beyond their noise, which cues.

A session is an output folder of ``armcarriage analyze`` (``strides.csv`` + ``summary.json``).
Per metric and arm, each session's median over its strides gets a bootstrap interval, and the
difference of the medians a bootstrap interval too. A change is called *beyond noise* only when
that interval excludes zero **and** the difference is at least the metric's measurement noise
(:attr:`armcarriage.metrics.MetricSpec.noise`), so neither stride-to-stride scatter nor a small
setup difference reads as progress.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from armcarriage.atomic import write_text
from armcarriage.config import CompareConfig, Config
from armcarriage.errors import InputError
from armcarriage.jsonio import dumps
from armcarriage.metrics import METRICS, UNIT_WORDS

BEYOND = "changed beyond noise"
WITHIN = "within noise"
TOO_FEW = "too few strides"


@dataclass
class Session:
    """One analysed clip, read back from its output folder."""

    folder: Path
    strides: pd.DataFrame
    summary: dict[str, Any]

    @property
    def label(self) -> str:
        """The clip name, else the folder name."""
        clip = self.summary.get("clip") or {}
        return str(clip.get("file") or self.folder.name)

    @property
    def cue_ids(self) -> list[str]:
        """Rule ids of the cues that fired, in report order."""
        return [str(c.get("rule_id")) for c in self.summary.get("cues") or []]


@dataclass
class Comparison:
    """Per metric and arm the two medians, their difference and the verdict; cue changes."""

    a: Session
    b: Session
    rows: pd.DataFrame
    cues_appeared: list[str] = field(default_factory=list)
    cues_gone: list[str] = field(default_factory=list)
    cues_kept: list[str] = field(default_factory=list)
    interval: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes null when written with :func:`armcarriage.jsonio.dumps`)."""
        return {
            "a": {"folder": str(self.a.folder), "clip": self.a.label},
            "b": {"folder": str(self.b.folder), "clip": self.b.label},
            "metrics": self.rows.to_dict(orient="records"),
            "cues": {
                "appeared": self.cues_appeared,
                "gone": self.cues_gone,
                "kept": self.cues_kept,
            },
        }


def load_session(folder: str | Path) -> Session:
    """Read an output folder of ``armcarriage analyze``.

    Raises
    ------
    InputError
        When the folder lacks ``strides.csv`` or ``summary.json``.

    """
    path = Path(folder)
    missing = [n for n in ("strides.csv", "summary.json") if not (path / n).is_file()]
    if missing:
        raise InputError(
            f"compare: expected an output folder of 'armcarriage analyze' with strides.csv and "
            f"summary.json, got {path} without {' and '.join(missing)}"
        )
    strides = pd.read_csv(path / "strides.csv")
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    return Session(path, strides, summary)


def _values(s: Session, metric: str, side: str, min_conf: float) -> np.ndarray:
    """Per-stride values of one metric and arm with enough confidence.

    A per-stride metric (``side == "both"``) gives one value per stride.
    """
    frame = s.strides
    if metric not in frame.columns:
        return np.empty(0)
    rows = frame if side == "both" else frame[frame["side"] == side]
    if side == "both":
        rows = rows.drop_duplicates("stride")
    conf = pd.to_numeric(rows.get(f"{metric}_conf", 1.0), errors="coerce")
    values = pd.to_numeric(rows[metric], errors="coerce")
    keep = np.isfinite(values.to_numpy(float)) & (np.asarray(conf, float) >= min_conf)
    return values.to_numpy(float)[keep]


def _boot_medians(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(values), size=(n_boot, len(values)))
    return np.median(values[picks], axis=1)


def compare_metric(
    a: np.ndarray, b: np.ndarray, min_change: float, cfg: CompareConfig, rng: np.random.Generator
) -> dict[str, Any]:
    """Medians of two samples, the bootstrap interval of their difference, and the verdict."""
    out: dict[str, Any] = {"n_a": len(a), "n_b": len(b), "min_change": min_change}
    if min(len(a), len(b)) < cfg.min_strides:
        return {
            **out,
            "median_a": float(np.median(a)) if len(a) else None,
            "median_b": float(np.median(b)) if len(b) else None,
            "difference": None,
            "difference_low": None,
            "difference_high": None,
            "verdict": TOO_FEW,
        }
    boot_a = _boot_medians(a, cfg.n_boot, rng)
    boot_b = _boot_medians(b, cfg.n_boot, rng)
    tail = (1 - cfg.interval) / 2 * 100
    diff = float(np.median(b) - np.median(a))
    low, high = np.percentile(boot_b - boot_a, [tail, 100 - tail])
    beyond = (low > 0 or high < 0) and abs(diff) >= min_change
    return {
        **out,
        "median_a": float(np.median(a)),
        "median_a_low": float(np.percentile(boot_a, tail)),
        "median_a_high": float(np.percentile(boot_a, 100 - tail)),
        "median_b": float(np.median(b)),
        "median_b_low": float(np.percentile(boot_b, tail)),
        "median_b_high": float(np.percentile(boot_b, 100 - tail)),
        "difference": diff,
        "difference_low": float(low),
        "difference_high": float(high),
        "verdict": BEYOND if beyond else WITHIN,
    }


def compare_sessions(a: Session, b: Session, config: Config | None = None) -> Comparison:
    """Compare two sessions metric by metric (per arm where the metric is per arm)."""
    cfg = (config or Config()).compare
    min_conf = (config or Config()).metrics.min_confidence
    rng = np.random.default_rng(cfg.seed)
    rows = []
    for name, spec in METRICS.items():
        for side in ("left", "right") if spec.per_arm else ("both",):
            va, vb = (_values(s, name, side, min_conf) for s in (a, b))
            if not len(va) and not len(vb):
                continue
            min_change = spec.noise
            row = compare_metric(va, vb, min_change, cfg, rng)
            rows.append(
                {
                    "metric": name,
                    "side": side,
                    "title": spec.description,
                    "unit": UNIT_WORDS[spec.unit],
                    **row,
                }
            )
    ids_a, ids_b = a.cue_ids, b.cue_ids
    return Comparison(
        a,
        b,
        pd.DataFrame(rows),
        cues_appeared=[c for c in ids_b if c not in ids_a],
        cues_gone=[c for c in ids_a if c not in ids_b],
        cues_kept=[c for c in ids_b if c in ids_a],
        interval=cfg.interval,
    )


def write_comparison(
    comp: Comparison, outdir: str | Path, bases: tuple[str, str] | None = None
) -> dict[str, Path]:
    """Write ``compare.json`` (strict JSON) and ``compare.html`` into ``outdir``.

    ``bases`` are where the page finds each session's clip (URLs ending in ``/``); by
    default the session folders relative to ``outdir``.
    """
    from armcarriage.history.compare_page import compare_page

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": write_text(out / "compare.json", dumps(comp.to_dict(), indent=2))}
    if bases is None:
        bases = (_relative(comp.a.folder, out), _relative(comp.b.folder, out))
    paths["html"] = write_text(out / "compare.html", compare_page(comp, bases))
    return paths


def _relative(folder: Path, start: Path) -> str:
    """``folder`` as a page in ``start`` reaches it: a relative URL ending in ``/``."""
    rel = Path(os.path.relpath(folder.resolve(), start.resolve())).as_posix()
    return "" if rel == "." else quote(rel) + "/"
