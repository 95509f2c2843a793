"""Batch throughput (clips per second) with 1 and 2 worker processes.

Runs the real pipeline (pose model included) on copies-by-reference of one
shared clip (default: the 12 s treadmill clip): the manifest lists the same file
under different athletes, so every row is analysed. Prints clips/s per worker
count and the speed-up, and writes ``benchmarks/results/batch_scaling.json``.

    .venv/bin/python benchmarks/batch_scaling.py [--clips 8] [--workers 1 2]

The figures depend on the machine's other load, recorded alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from armcarriage.batch.runner import run_batch
from armcarriage.config import Config

SHARED_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "videos"
DEFAULT_CLIP = SHARED_VIDEOS / "treadmill_side_portrait.mp4"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--clips", type=int, default=8, help="rows in the manifest")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-video", action="store_true", help="skip the annotated video output")
    args = parser.parse_args(argv)
    if not args.clip.is_file():
        print(f"clip not found: {args.clip} (the shared data folder is needed)", file=sys.stderr)
        return 2
    cfg = Config()
    if args.no_video:
        cfg = cfg.override({"report.annotated_video": False})
    print(f"clip {args.clip.name}, {args.clips} clips per run, {os.cpu_count()} cores")
    results = {}
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "m.csv"
        rows = [f"{args.clip},athlete{i:02d}" for i in range(args.clips)]
        manifest.write_text("path,athlete\n" + "\n".join(rows) + "\n")
        for workers in args.workers:
            load = os.getloadavg()[0]
            start = time.perf_counter()
            result = run_batch(manifest, Path(tmp) / f"out{workers}", cfg, workers=workers)
            elapsed = time.perf_counter() - start
            done = result.count("done")
            if done != args.clips:
                failed = [o.error for o in result.outcomes if o.state == "failed"]
                print(f"  {workers} workers: only {done} clips analysed: {failed[:1]}")
                return 1
            results[workers] = done / elapsed
            rows.append(
                {
                    "workers": workers,
                    "seconds": round(elapsed, 2),
                    "clips_per_s": round(done / elapsed, 4),
                    "load_before": round(load, 2),
                    "load_after": round(os.getloadavg()[0], 2),
                }
            )
            print(
                f"  {workers} worker(s): {elapsed:6.1f} s, {results[workers]:.3f} clips/s "
                f"(load average before {load:.1f}, after {os.getloadavg()[0]:.1f})"
            )
    base = results[args.workers[0]]
    for workers, rate in results.items():
        print(f"  speed-up with {workers} worker(s): {rate / base:.2f}x")
    out = Path(__file__).resolve().parent / "results" / "batch_scaling.json"
    report = {
        "clip": args.clip.name,
        "clips": args.clips,
        "cores": os.cpu_count(),
        "runs": rows,
        "speedup": {str(w): round(r / base, 3) for w, r in results.items()},
    }
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
