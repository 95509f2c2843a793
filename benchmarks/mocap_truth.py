"""Print how ``analyze`` does on exact tracks projected from the mocap files.

Usage: ``.venv/bin/python benchmarks/mocap_truth.py [--views side_left,front] [--fixed]``

For each running BVH file and camera view: status, recognised view, cadence
error, foot strikes found within 1 frame, and the worst elbow error per arm
(per-stride min/max/mean against the 3D truth, and the per-frame series when
the analysis has one). Also the 2D-image elbow angle error of the exact
projection (what an image-only angle would miss), the camera slope fitted to
undo the front view's perspective (``strides.depth_corrected_views``), and the
walking file's status.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from armcarriage_eval import mocap
from armcarriage_eval.mocap_score import score

from armcarriage.config import Config

MOCAP = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mocap"
RUNS = (
    "bandai2_run_normal_001.bvh",
    "bandai2_run_normal_002.bvh",
    "bandai1_run_active_001.bvh",
    "bandai1_run_tired_001.bvh",
)
WALK = "bandai1_walk_normal_001.bvh"


def image_angle_error(trial: mocap.MocapTrial, truth: mocap.Truth, view: str) -> str:
    track = mocap.project_trial(trial, view)
    out = []
    for side in ("left", "right"):
        a2 = mocap.angle_deg(*(track.xy(f"{side}_{p}") for p in ("shoulder", "elbow", "wrist")))
        err = a2 - truth.elbow[f"{side}_elbow_angle"].to_numpy()
        out.append(f"{side[0].upper()} {np.mean(err):+.1f}/{np.max(np.abs(err)):.1f}")
    return " ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", default="side_left,side_right,front,rear,oblique")
    parser.add_argument("--fixed", action="store_true", help="also a fixed side camera")
    parser.add_argument("--elbow-source", default="world", choices=("world", "image"))
    args = parser.parse_args()
    if not MOCAP.is_dir():
        print(f"no mocap data at {MOCAP}")
        return 1
    from armcarriage.analysis import analyze

    config = Config().override(
        {"strides.min_strides": 1, "metrics.elbow_source": args.elbow_source}
    )
    cases = [(v, True) for v in args.views.split(",")]
    if args.fixed:
        cases.append(("side_right", False))
    print(
        "file view camera | status label tread | cadence meas/true err% | strikes found/true "
        "correct/reported mean-time-error | elbow L max err (meas/strides) series | R ... | "
        "2D-image angle err mean/max"
    )
    for name in (*RUNS, WALK):
        trial = mocap.load_trial(MOCAP / name)
        truth = mocap.truth(trial)
        for view, follow in cases:
            track = mocap.project_trial(trial, view, follow=follow)
            t0 = time.perf_counter()
            try:
                result = analyze(track, config)
            except NotImplementedError:
                print(f"{name} {view}: analyze is not implemented yet")
                return 2
            dt = time.perf_counter() - t0
            s = score(result, trial, truth)
            el = " | ".join(
                f"{e.max_error_deg:6.2f} ({e.n_measured}/{e.n_strides}) "
                f"{e.series_max_error_deg:6.2f}"
                for e in s.elbow.values()
            )
            print(
                f"{name[:22]} {view:10s} {'follow' if follow else 'fixed'} | {s.status} "
                f"{s.view_label} {s.treadmill} | {s.cadence_spm:6.1f}/{s.cadence_truth_spm:6.1f} "
                f"{s.cadence_error_pct:+6.2f} | {s.strikes.n_found}/{s.strikes.n_truth} "
                f"{s.strikes.n_correct}/{s.strikes.n_reported} "
                f"{1000 * s.strikes.errors['error_s'].mean():+.0f}ms | {el} | "
                f"{image_angle_error(trial, truth, view)} | {dt:.2f}s"
                + (
                    f" | perspective slope {slope}"
                    if (slope := result.settings.get("strides", {}).get("perspective_slope"))
                    is not None
                    else ""
                )
            )
            if s.strikes.n_found < s.strikes.n_truth:
                bad = s.strikes.errors[~(s.strikes.errors["error_s"].abs() <= 1 / 30 + 1e-9)]
                print(
                    "    strike misses (foot, truth frame, error ms):",
                    [(r.foot, r.truth_frame, round(1000 * r.error_s)) for r in bad.itertuples()],
                )
            if s.status != "ok":
                print("    message:", s.message)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
