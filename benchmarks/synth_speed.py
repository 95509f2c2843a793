"""Print how long the synthetic renderer takes for a 4 s 640x480 clip (acceptance: < 2 min).

Usage: ``.venv/bin/python benchmarks/synth_speed.py [--views side_left,rear] [--seconds 4]``

Prints wall-clock and CPU seconds per clip and per frame, rendering and H.264
encoding included, and the machine's load average (the figures are only
comparable at similar load).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from armcarriage_eval.synthetic.clip import ClipSpec, make_clip


def main(argv: list[str] | None = None) -> int:
    """Render one clip per view and print the timings."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--views", default="side_left,rear")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        for view in args.views.split(","):
            spec = ClipSpec(view=view, seconds=args.seconds, width=args.width, height=args.height)
            w0, c0 = time.perf_counter(), time.process_time()
            result = make_clip(Path(tmp) / f"{view}.mp4", spec)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            print(
                f"{view}: {result.n_frames} frames {args.width}x{args.height}: "
                f"wall {wall:.1f} s, cpu {cpu:.1f} s ({1000 * cpu / result.n_frames:.0f} ms "
                f"cpu per frame), truth files included"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
