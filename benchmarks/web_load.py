"""Load on the web app over loopback: N concurrent uploads, every job must finish once.

Starts the real server (uvicorn subprocess, 127.0.0.1 only) with a fake
analysis that takes no time, uploads N small clips at once, waits for every
job, and prints upload latency, the time until all jobs are done, the server's
peak memory and the exactly-once counts.

Usage: ``python benchmarks/web_load.py [N] [WORKERS]`` (defaults 50 and 2).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import httpx  # noqa: E402
from web_fakes import TOKEN, free_port, make_clip, read_log, start_server, wait_ready  # noqa: E402

from armcarriage.web.store import JobStore  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _upload_all(port: int, clips: list[Path]) -> list[tuple[int, float, str]]:
    limits = httpx.Limits(max_connections=len(clips), max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
    ) as client:

        async def one(i: int, clip: Path) -> tuple[int, float, str]:
            t0 = time.perf_counter()
            r = await client.post(
                "/api/jobs",
                files={"file": (f"clip{i}.mp4", clip.read_bytes(), "video/mp4")},
                data={"athlete": f"Runner {i % 5}", "date": "2026-11-20"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            jid = r.json()["jobs"][0]["id"] if r.status_code == 201 else ""
            return r.status_code, time.perf_counter() - t0, jid

        return await asyncio.gather(*(one(i, c) for i, c in enumerate(clips)))


def run_load(n: int = 50, workers: int = 2, timeout: float = 300.0) -> dict[str, Any]:
    """Run the load test and return its figures and exactly-once counts."""
    with tempfile.TemporaryDirectory(prefix="armcarriage-load-") as tmp:
        root = Path(tmp)
        clips = []
        for i in range(n):  # distinct bytes per clip (as real uploads are)
            clip = make_clip(root / f"clip{i}.mp4", n=12 + i % 5, size=(96, 64))
            clips.append(clip)
        data, log = root / "data", root / "fake.log"
        port = free_port()
        # one team sends all n at once: lift the per-team limit on uploads in flight
        extra = ("--set", f"serve.max_concurrent_uploads={n}")
        proc = start_server(
            data, port, workers=workers, log=log, stderr=root / "server.err", extra=extra
        )
        try:
            wait_ready(port, proc)
            t0 = time.perf_counter()
            results = asyncio.run(_upload_all(port, clips))
            upload_wall = time.perf_counter() - t0
            store = JobStore(data / "jobs.sqlite")
            while time.perf_counter() - t0 < timeout:
                counts = store.counts()
                if counts.get("done", 0) + counts.get("failed", 0) >= n:
                    break
                time.sleep(0.05)
            all_done = time.perf_counter() - t0
            rss = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
        jobs = store.list_jobs()
        events = read_log(log)
        latencies = sorted(r[1] for r in results)
        ids = [r[2] for r in results if r[2]]
        return {
            "uploads": n,
            "workers": workers,
            "accepted": sum(1 for r in results if r[0] == 201),
            "statuses": sorted({r[0] for r in results}),
            "distinct_jobs": len(set(ids)),
            "done": sum(1 for j in jobs if j.status == "done"),
            "completions": sorted({j.completions for j in jobs}),
            "ends_per_job": sorted({events.count(("end", j)) for j in ids}),
            "starts_total": sum(1 for e in events if e[0] == "start"),
            "upload_wall_s": upload_wall,
            "latency_p50_s": statistics.median(latencies),
            "latency_p95_s": latencies[int(0.95 * (len(latencies) - 1))],
            "latency_max_s": latencies[-1],
            "all_done_s": all_done,
            "jobs_per_s": n / all_done,
            "server_peak_rss_mb": rss,
        }


def main() -> None:
    """Print the figures of one run."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    figures = run_load(n, workers)
    for key, value in figures.items():
        print(f"{key:>20}: {value:.3f}" if isinstance(value, float) else f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
