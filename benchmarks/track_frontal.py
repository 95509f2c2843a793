"""Square-on runners tracked or re-detected: the evidence behind ``pose.track_frontal``.

Usage: ``PYTHONPATH=$PWD:$PWD/evaluation python benchmarks/track_frontal.py [--mocap DIR]``

Runs every front and rear clip of ``benchmarks/accuracy_mocap.py`` twice, with the
default (re-detect the runner in every frame) and with ``pose.track_frontal = true``
(track one person from frame to frame), through the same cached renders and pose
caches (a missing track runs the pose model, one process), and compares per clip
the status, strides, cues and median wrist error, and per view x metric the error
against the 3D truth. Writes ``benchmarks/results/track_frontal.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy_mocap as am

from armcarriage.atomic import write_text
from armcarriage.config import Config

MODES = {"redetect": [], "tracked": ["pose.track_frontal=true"]}
OUT = am.ROOT / "benchmarks" / "results" / "track_frontal.md"


def run(mocap: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-clip summary and per-stride errors of both modes."""
    names = [n for n, s in am.SUITE.items() if s.view in ("front", "rear")]
    clips, errors = [], []
    for mode, pairs in MODES.items():
        config = Config().override_pairs(pairs)
        for name in names:
            c = am.run_case(name, am.SUITE[name], True, config, mocap)
            p = c["pipeline"]
            clips.append(
                dict(
                    clip=name,
                    view=c["view"],
                    fault=c["fault"],
                    mode=mode,
                    status=p["status"],
                    strides=p["strides"],
                    cues=",".join(p["cues_fired"]) or "-",
                    wrist_px=c["landmark_px"]["wrist"]["median"],
                )
            )
            errors.append(c["errors"]["pipeline"].assign(case=name, mode=mode, view=c["view"]))
            print(mode, name, p["status"], p["cues_fired"], flush=True)
    return pd.DataFrame(clips), pd.concat(errors, ignore_index=True)


def _stats(e: pd.Series) -> str:
    a = np.abs(e.to_numpy(float))
    return f"{a.mean():.3g} / {e.mean():+.3g} / {np.percentile(a, 95):.3g} ({a.size})"


def report(clips: pd.DataFrame, err: pd.DataFrame) -> str:
    """Markdown tables: per clip, per view x metric, crossing arms."""
    lines = [
        "# Square-on runners tracked or re-detected (benchmarks/track_frontal.py)",
        "",
        "Front and rear clips of the motion-capture suite (`accuracy_mocap.py`, crossing hands "
        "in front of the chest), pose model re-detecting the runner in every frame (default) "
        "against tracking one person (`pose.track_frontal = true`).",
        "",
        "| clip | fault | status (re-detect / tracked) | strides | cues (re-detect / tracked) "
        "| wrist px median |",
        "|---|---|---|---|---|---|",
    ]
    r, t = (clips[clips["mode"] == m].set_index("clip") for m in MODES)
    for name in r.index:
        a, b = r.loc[name], t.loc[name]
        lines.append(
            f"| {name} | {a['fault']} | {a['status']} / {b['status']} | {a['strides']} / "
            f"{b['strides']} | {a['cues']} / {b['cues']} | {a['wrist_px']} / {b['wrist_px']} |"
        )
    worse = int((t["wrist_px"] > r["wrist_px"]).sum())
    lines += [
        "",
        f"Wrist further from the truth tracked on {worse} of {len(r)} clips (median over clips "
        f"{r['wrist_px'].median():.2f} re-detected, {t['wrist_px'].median():.2f} tracked).",
        "",
        "Per view and metric, MAE / bias / p95 of |error| (n strides x arms):",
        "",
        "| view | metric | re-detect | tracked |",
        "|---|---|---|---|",
    ]
    for (view, metric), g in err.groupby(["view", "metric"], sort=True):
        cells = [
            _stats(g[g["mode"] == m]["error"]) if (g["mode"] == m).any() else "-" for m in MODES
        ]
        lines.append(f"| {view} | {metric} | {cells[0]} | {cells[1]} |")
    cross = err[(err["metric"] == "crossing_max_sw") & err["case"].str.contains("cross")]
    lines += ["", "Crossing arms, `crossing_max_sw` (shoulder widths), worst |error|:", ""]
    for m in MODES:
        e = cross[cross["mode"] == m]["error"]
        lines.append(f"- {m}: {_stats(e)}, worst {np.abs(e).max():.3f}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mocap", type=Path, default=am.MOCAP)
    args = ap.parse_args()
    if not args.mocap.is_dir():
        print(f"no motion capture at {args.mocap} (the shared data folder); nothing to do")
        return 0
    text = report(*run(args.mocap))
    print(text)
    write_text(OUT, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
