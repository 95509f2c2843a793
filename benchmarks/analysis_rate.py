"""Which analysis frame rate keeps accuracy: a 240 fps synthetic clip analysed at lower rates.

The pose model's per-frame output does not depend on the frames before it (a chunk that
starts mid-clip gives the same landmarks from its first frame; see tests/parallel/test_parallel.py),
so analysing at ``target_fps`` equals decimating the full-rate track. One pose pass at 240
fps therefore gives the tracks at 240, 120, 60 and 30 fps, and each is compared with the
clip's exact truth on:

- elbow angle (2D, shoulder-elbow-wrist in the image) per arm: median over frames and the
  median absolute error per frame against the truth at the same timestamps;
- cadence (steps/min) from the fundamental of the left-right ankle separation.

Usage::

    python benchmarks/analysis_rate.py [--seconds 4] [--video CLIP_240FPS.mp4]

Writes ``benchmarks/results/analysis_rate.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "results" / "analysis_rate.json"
RATES = (240.0, 120.0, 60.0, 30.0)


def elbow_angle(track: Any, side: str) -> np.ndarray:
    """2D elbow angle in degrees per frame."""
    s, e, w = (track.xy(f"{side}_{k}") for k in ("shoulder", "elbow", "wrist"))
    a, b = s - e, w - e
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def cadence(track: Any) -> float:
    """Steps per minute from the fundamental of the ankle separation (2 steps a cycle)."""
    from scipy.signal import lombscargle

    t = track.time
    sep = track.xy("left_ankle")[:, 0] - track.xy("right_ankle")[:, 0]
    ok = np.isfinite(sep)
    t, sep = t[ok], sep[ok] - np.mean(sep[ok])
    freqs = np.linspace(0.8, 2.5, 3401)  # stride frequency, Hz
    power = lombscargle(t, sep, 2 * np.pi * freqs)
    return float(2 * 60 * freqs[int(np.argmax(power))])


def decimated(track: Any, fps: float) -> Any:
    """The frames :func:`armcarriage.parallel.decimate` would keep at ``fps``."""
    from armcarriage.parallel import decimate
    from armcarriage.video import Frame

    frames = [Frame(i, t, np.empty(0)) for i, t in enumerate(track.time)]
    keep = [f.index for f in decimate(frames, fps, track.fps)]
    return track.with_ds(track.ds.isel(time=keep))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--video", type=Path, default=None, help="A 240 fps synthetic clip")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    from armcarriage_eval.synthetic.clip import ClipSpec, make_clip, truth_paths

    from armcarriage.config import Config
    from armcarriage.pose import estimate_pose
    from armcarriage.track import PoseTrack

    CACHE.mkdir(parents=True, exist_ok=True)
    video = args.video or CACHE / f"synthetic_side_240fps_{args.seconds:g}s.mp4"
    if not video.exists():
        print(f"rendering {video.name} ...", flush=True)
        spec = ClipSpec(view="side_left", seconds=args.seconds, fps=240.0, seed=3)
        make_clip(video, spec)
    truth = PoseTrack.load(truth_paths(video)["truth"])
    pose_file = video.with_suffix(".pose.parquet")
    if pose_file.exists():
        track = PoseTrack.load(pose_file)
    else:
        print("pose at 240 fps ...", flush=True)
        t0 = time.perf_counter()
        track = estimate_pose(video, Config().override({"pose.target_fps": 0}))
        print(f"  {track.n_frames} frames in {time.perf_counter() - t0:.0f} s", flush=True)
        track.save(pose_file)
    meta = json.loads(truth_paths(video)["meta"].read_text())
    rows = []
    for fps in RATES:
        tr = decimated(track, fps)
        idx = np.searchsorted(truth.time, tr.time)
        row: dict[str, Any] = {"fps": fps, "frames": tr.n_frames, "cadence_spm": cadence(tr)}
        for side in ("left", "right"):
            est, ref = elbow_angle(tr, side), elbow_angle(truth, side)[idx]
            row[f"{side}_elbow_median_deg"] = float(np.nanmedian(est))
            row[f"{side}_elbow_abs_err_deg"] = float(np.nanmedian(np.abs(est - ref)))
        rows.append(row)
    report = {
        "video": video.name,
        "truth_cadence_spm": meta["cadence_spm"],
        "truth_elbow_median_deg": {
            s: float(np.nanmedian(elbow_angle(truth, s))) for s in ("left", "right")
        },
        "rates": rows,
    }
    from armcarriage.atomic import write_text

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(
        f"truth: cadence {report['truth_cadence_spm']:.1f} spm, elbow medians "
        f"{report['truth_elbow_median_deg']}"
    )
    print(
        f"{'fps':>5} {'frames':>6} {'cadence':>8} {'L elbow':>8} {'R elbow':>8} "
        f"{'L err':>6} {'R err':>6}"
    )
    for r in rows:
        print(
            f"{r['fps']:5.0f} {r['frames']:6d} {r['cadence_spm']:8.1f} "
            f"{r['left_elbow_median_deg']:8.1f} {r['right_elbow_median_deg']:8.1f} "
            f"{r['left_elbow_abs_err_deg']:6.1f} {r['right_elbow_abs_err_deg']:6.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
