"""Sessions and comparisons through the pose model, against the synthetic runner's truth.

Usage: ``.venv/bin/python benchmarks/sessions.py``

1. **Session**: one runner whose forearm crosses the body, rendered from the side and from
   the front (same kinematics, two cameras, 4 s each; cached with their pose tracks under
   ``benchmarks/cache/sessions/``), analysed and merged (:func:`armcarriage.merge_session`):
   which clip each metric came from, its value against the truth, the cadence cross-check
   and the cues with their clips.
2. **Compare**: the accuracy suite's side clips (``benchmarks/accuracy.py``, its cache
   reused): the runner filmed twice with no change (clean and phone-like footage, for a
   relaxed and a tight elbow), and before and after the elbow closed from 90 to 62 deg;
   per comparison the metrics called *changed beyond noise* with the true change.

Printed and written to ``benchmarks/results/sessions.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
from armcarriage_eval.synthetic.clip import ClipSpec

import armcarriage as ac
from armcarriage.history.compare import BEYOND, compare_sessions, load_session
from armcarriage.jsonio import dumps
from armcarriage.report import write_reports
from armcarriage.sessions.merge import SessionClip

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import accuracy  # noqa: E402  (the suite's cached renders and pose tracks)

CACHE = HERE / "cache" / "sessions"
RESULTS = HERE / "results" / "sessions.json"
CROSSING = {"both.cross_deg": 90.0, "both.abduction_deg": 0.0}
PAIR = {
    view: ClipSpec(view=view, fault="none", seed=3, runner=CROSSING)
    for view in ("side_left", "front")
}
"""One runner, two cameras: same kinematics (the seed sets only the look)."""
SHOWN = ("elbow_angle_mean", "swing_arc_deg", "crossing_max_sw", "shrug_level_tl", "cadence_spm")
COMPARISONS = (
    ("side_left_clean", "side_left_clean_degraded"),
    ("side_left_tight", "side_left_tight_degraded"),
    ("side_left_clean", "side_left_tight"),
    ("side_left_clean_degraded", "side_left_tight_degraded"),
)


def _truth(video: Path) -> pd.DataFrame:
    return pd.read_csv(str(video).replace(".mp4", ".truth.csv"))


def session_case() -> dict[str, Any]:
    """Render, pose, analyse and merge the side+front pair; compare with the truth."""
    accuracy.CACHE = CACHE  # the suite's render and pose caches, in a folder of their own
    CACHE.mkdir(parents=True, exist_ok=True)
    clips, truth = [], {}
    for view, spec in PAIR.items():
        video, _ = accuracy.rendered(f"session_{view}", spec)
        track, spent = accuracy.pose_track(video)
        print(f"{video.name}: pose {'cached' if not spent else f'{spent:.0f} s'}")
        clips.append(SessionClip(f"{view}.mp4", ac.analyze(track)))
        truth[f"{view}.mp4"] = _truth(video)
    merged = ac.merge_session(clips)
    rows = []
    for metric in SHOWN:
        entry = merged.metrics[metric]
        source = entry["source"]
        true = truth[source][metric].median() if source else float("nan")
        value = (entry.get("both") or {}).get("median")
        rows.append({"metric": metric, "source": source, "value": value, "truth": true})
        print(f"  {metric:18s} {entry['note']}: {value if value is None else round(value, 3)} "
              f"(truth {true:.3g})")  # fmt: skip
    for check in merged.cadence:
        print(f"  {check['text']}")
    cues = [(c.rule_id, merged.cues.clip(c)) for c in merged.cues.assessment.shown]
    print(f"  cues: {cues}")
    return {"metrics": rows, "cadence_check": merged.cadence, "cues": cues}


def compare_cases(out: Path) -> list[dict[str, Any]]:
    """The four comparisons of the suite's side clips, with the true change of each call."""
    sessions, truths = {}, {}
    for name in {n for pair in COMPARISONS for n in pair}:
        video, _ = accuracy.rendered(name, accuracy.SUITE[name])
        track, _ = accuracy.pose_track(video)
        write_reports(ac.analyze(track), None, out / name)
        sessions[name] = load_session(out / name)
        truth = _truth(video)
        truths[name] = truth[truth["side"] == "left"]
    results = []
    for a, b in COMPARISONS:
        comp = compare_sessions(sessions[a], sessions[b])
        rows = comp.rows[comp.rows["side"].isin(["left", "both"])]
        called = [
            {
                "metric": r["metric"],
                "change": round(float(r["difference"]), 3),
                "true_change": round(
                    float(truths[b][r["metric"]].median() - truths[a][r["metric"]].median()), 3
                ),
            }
            for r in rows[rows["verdict"] == BEYOND].to_dict(orient="records")
        ]
        print(f"{a} -> {b}: {len(rows)} compared, beyond noise: "
              + (", ".join(f"{c['metric']} {c['change']:+g} (truth {c['true_change']:+g})"
                           for c in called) or "none"))  # fmt: skip
        results.append({"a": a, "b": b, "compared": len(rows), "beyond_noise": called})
    return results


def main() -> int:
    """Run both parts, print them and write the results file."""
    out = CACHE / "compare"
    compare = compare_cases(out)
    session = session_case()
    RESULTS.write_text(dumps({"session": session, "compare": compare}, indent=2) + "\n")
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
