"""Hostile uploads and requests against the web app over loopback; memory and leftovers.

Starts the real server (uvicorn subprocess on 127.0.0.1, one worker with a fake
analysis that takes no time, five teams) and replays the hostile set: five
concurrent uploads of a 16000x16000 H.264 clip made with PyAV, 1 GB chunked
bodies streamed in pieces from a generator (one file, one text field, not
multipart), twenty junk files in one request, ten thousand fields, still
images, a long non-ASCII file name, a foreign Host, a cross-site POST, ``%00``
paths and a sign-in brute force; the same clip is also sent five times at once
in a container that states a 64x64 frame. It prints each answer, the bytes the server
took in before it answered, the peak resident memory of the server and its
workers over their idle level (300 MB extra at most is wanted) and what is
left on disk from refused uploads (nothing is wanted).

Not run in CI: it streams about 1.6 GB over loopback and writes up to 500 MB
to the data folder (deleted again). All traffic stays on 127.0.0.1 and every
loop is bounded.

Usage: ``python benchmarks/hostile.py [--out benchmarks/results/hostile.json]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import av  # noqa: E402
import httpx  # noqa: E402
import numpy as np  # noqa: E402
from web_fakes import (  # noqa: E402
    free_port,
    make_clip,
    multipart_parts,
    start_server,
    stream_raw,
    wait_ready,
)

MB = 1_000_000
WANTED_EXTRA_MB = 300.0


# ---- memory of the server and its workers ---------------------------------------------
def _status(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """Process ids whose parent chain leads to ``pid``."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        here = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == here]
        found += kids
        frontier += kids
    return found


class Sampler(threading.Thread):
    """Sample the resident memory of the server and of its workers every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_server = self.peak_workers = self.peak_total = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.02):
            server = _status(self.pid, "VmRSS")
            workers = sum(_status(p, "VmRSS") for p in descendants(self.pid))
            self.peak_server = max(self.peak_server, server)
            self.peak_workers = max(self.peak_workers, workers)
            self.peak_total = max(self.peak_total, server + workers)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


def reset_peak(pid: int) -> None:
    """Reset a process's VmHWM (Linux ``clear_refs`` 5) so it measures from now."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


# ---- hostile content ------------------------------------------------------------------
def huge_clip(path: Path, side: int = 16000) -> Path:
    """One black side x side H.264 frame in an MP4 (the encoder takes about 1.5 GB)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width = stream.height = side
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1)
        stream.options = {"preset": "ultrafast"}
        frame = av.VideoFrame(side, side, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def understated(src: Path, dst: Path) -> Path:
    """Remux ``src`` into a container that states a 64x64 frame over the coded one."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        lie = out.add_stream_from_template(stream)
        lie.codec_context.width = lie.codec_context.height = 64
        for packet in inp.demux(stream):
            if packet.dts is not None:
                packet.stream = lie
                out.mux(packet)
    return dst


def still(path: Path, codec: str) -> bytes:
    with av.open(str(path), "w", format="image2") as container:
        stream = container.add_stream(codec, rate=1)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "rgb24" if codec == "png" else "yuvj420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
        for packet in stream.encode(frame.reformat(format=stream.pix_fmt)):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


def junk(total: int, piece: int = 1 << 20) -> Iterator[bytes]:
    block = (b"\x00junk" * (piece // 5 + 1))[:piece]
    for _ in range(total // piece):
        yield block


def text_field(total: int) -> Iterator[bytes]:
    yield b'--b\r\nContent-Disposition: form-data; name="athlete"\r\n\r\n'
    yield from (b"A" * len(c) for c in junk(total))


def many_fields(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'.encode()
    yield b"--b--\r\n"


# ---- the run ----------------------------------------------------------------------------
def run(out: Path | None = None) -> dict[str, Any]:
    """Replay the hostile set against a fresh server and return the figures."""
    with tempfile.TemporaryDirectory(prefix="armcarriage-hostile-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        big = huge_clip(root / "huge.mp4")
        make_s = time.perf_counter() - t0
        liar = understated(big, root / "liar.mp4")
        clip = make_clip(root / "run.mp4")
        teams = {f"team{i}": secrets.token_urlsafe(24) for i in range(5)}
        tokens = root / "tokens.txt"
        tokens.write_text("".join(f"{t} {team}\n" for team, t in teams.items()))
        auth = [{"Authorization": f"Bearer {t}"} for t in teams.values()]
        data, port = root / "data", free_port()
        proc = start_server(data, port, workers=1, extra=("--tokens", str(tokens)))
        url = f"http://127.0.0.1:{port}"
        cases: list[dict[str, Any]] = []
        phases: dict[str, float] = {}

        def phase(label: str) -> None:
            """The server's peak memory over idle since the last phase, then start anew."""
            phases[label] = round(_status(proc.pid, "VmHWM") - idle_server, 1)
            reset_peak(proc.pid)

        def record(name: str, status: int, detail: Any, sent: int = 0, t: float = 0.0) -> None:
            text = detail if isinstance(detail, str) else detail.decode("utf-8", "replace")
            cases.append(
                {
                    "case": name,
                    "status": status,
                    "detail": text[:160],
                    "sent_mb": round(sent / MB, 1),
                    "seconds": round(t, 2),
                }
            )
            print(f"{name:28s} {status}  sent {sent / MB:7.1f} MB  {t:6.2f} s  {text[:110]}")

        def post_file(i: int, name: str, content: bytes) -> httpx.Response:
            return httpx.post(
                f"{url}/api/jobs",
                files={"file": (name, content, "video/mp4")},
                data={"athlete": "Sam"},
                headers=auth[i],
                timeout=120,
            )

        def streamed(name: str, body: Iterator[bytes], boundary: str = "b") -> None:
            headers = {**auth[0], "Content-Type": f"multipart/form-data; boundary={boundary}"}
            t = time.perf_counter()
            status, reply, sent = stream_raw(port, "/api/jobs", headers, body, timeout=300)
            record(name, status, reply, sent, time.perf_counter() - t)

        try:
            wait_ready(port, proc)
            warm = post_file(0, "warm.mp4", clip.read_bytes())  # a normal job, end to end
            warm_id = warm.json()["jobs"][0]["id"]
            for _ in range(600):
                if httpx.get(f"{url}/api/jobs/{warm_id}", headers=auth[0]).json()["status"] in (
                    "done",
                    "failed",
                ):
                    break
                time.sleep(0.1)
            time.sleep(1.0)
            workers = descendants(proc.pid)
            idle_server = _status(proc.pid, "VmRSS")
            idle_workers = sum(_status(p, "VmRSS") for p in workers)
            for pid in [proc.pid, *workers]:
                reset_peak(pid)
            sampler = Sampler(proc.pid)
            sampler.start()

            t = time.perf_counter()
            with ThreadPoolExecutor(5) as pool:
                replies = list(
                    pool.map(lambda i: post_file(i, "huge.mp4", big.read_bytes()), range(5))
                )
            took = time.perf_counter() - t
            for i, r in enumerate(replies):
                record(f"16000x16000 clip, team {i}", r.status_code, r.json()["detail"], 0, took)
            phase("5 concurrent 16000x16000 clips")
            t = time.perf_counter()
            with ThreadPoolExecutor(5) as pool:
                replies = list(
                    pool.map(lambda i: post_file(i, "liar.mp4", liar.read_bytes()), range(5))
                )
            took = time.perf_counter() - t
            for i, r in enumerate(replies):
                record(
                    f"16000x16000 said 64x64, team {i}", r.status_code, r.json()["detail"], 0, took
                )
            phase("5 concurrent 16000x16000 clips stated as 64x64")
            streamed("1 GB chunked, one file", multipart_parts("b", {"athlete": "Sam"}, [
                ("endless.mp4", junk(1000 * MB))]))  # fmt: skip
            streamed("1 GB chunked, text field", text_field(1000 * MB))
            streamed("1 GB chunked, no multipart", junk(1000 * MB), boundary="nowhere")
            streamed("20 junk files of 50 MB", multipart_parts("b", {"athlete": "Sam"}, [
                (f"j{i}.mp4", junk(50 * MB)) for i in range(20)]))  # fmt: skip
            streamed("10000 fields", many_fields(10_000))
            phase("1 GB chunked bodies, 20 junk files, 10000 fields")
            for codec, name in (("png", "photo.png"), ("mjpeg", "photo.jpg")):
                r = post_file(1, name, still(root / name, codec))
                record(f"still image {name}", r.status_code, r.json()["detail"])
            long_name = "跑步训练" * 50 + ".mp4"
            r = post_file(2, long_name, clip.read_bytes())
            long_id = r.json()["jobs"][0]["id"] if r.status_code == 201 else ""
            state = ""
            for _ in range(600):
                state = httpx.get(f"{url}/api/jobs/{long_id}", headers=auth[2]).json()["status"]
                if state in ("done", "failed"):
                    break
                time.sleep(0.1)
            record("600-byte non-ASCII name", r.status_code, f"job {state}")
            r = httpx.get(f"{url}/healthz", headers={"Host": "rebind.evil.example"})
            record("foreign Host", r.status_code, r.json()["detail"])
            r = httpx.post(
                f"{url}/api/jobs",
                files={"file": ("a.mp4", clip.read_bytes(), "video/mp4")},
                headers={**auth[3], "Origin": "http://evil.example"},
            )
            record("cross-site POST", r.status_code, r.json()["detail"])
            r = httpx.get(f"{url}/jobs/{warm_id}/files/report.html%00", headers=auth[0])
            record("%00 in a path", r.status_code, r.json()["detail"])
            codes = [
                httpx.post(f"{url}/login", data={"token": f"guess-{i:040d}"}).status_code
                for i in range(7)
            ]
            record("7 sign-in guesses", codes[-1], " ".join(map(str, codes)))
            time.sleep(0.5)
            sampler.stop()
            phase("still images, long name, Host, cross-site, %00, sign-in guesses")
            hwm_server = idle_server + max(phases.values())
            hwm_workers = sum(_status(p, "VmHWM") for p in descendants(proc.pid))
        finally:
            proc.terminate()
            proc.wait(30)
        left_tmp = sorted(os.listdir(data / "tmp"))
        uploads = sorted(os.listdir(data / "uploads"))
        accepted = {f"{warm_id}.mp4", f"{long_id}.mp4"}
        idle = idle_server + idle_workers
        figures: dict[str, Any] = {
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {
                "cpu_count": os.cpu_count(),
                "loadavg": [round(x, 2) for x in os.getloadavg()],
                "python": platform.python_version(),
                "pyav": av.__version__,
            },
            "huge_clip": {"side": 16000, "bytes": big.stat().st_size, "encode_s": round(make_s, 1)},
            "idle_rss_mb": {"server": round(idle_server, 1), "workers": round(idle_workers, 1)},
            "peak_rss_mb": {
                "server_sampled": round(sampler.peak_server, 1),
                "server_vmhwm": round(hwm_server, 1),
                "server_over_idle_by_phase": phases,
                "workers_sampled": round(sampler.peak_workers, 1),
                "workers_vmhwm": round(hwm_workers, 1),
                "total_sampled": round(sampler.peak_total, 1),
            },
            "extra_over_idle_mb": round(
                max(sampler.peak_total, hwm_server + hwm_workers) - idle, 1
            ),
            "wanted_extra_mb": WANTED_EXTRA_MB,
            "left_in_tmp": left_tmp,
            "unexpected_uploads": sorted(set(uploads) - accepted),
            "cases": cases,
        }
    extra = figures["extra_over_idle_mb"]
    print(
        f"\nidle RSS: server {idle_server:.0f} MB, workers {idle_workers:.0f} MB; peak extra over "
        f"idle {extra:.0f} MB (wanted <= {WANTED_EXTRA_MB:.0f}); server VmHWM {hwm_server:.0f} MB"
    )
    print(f"left in tmp: {left_tmp}; unexpected uploads: {figures['unexpected_uploads']}")
    if out is not None:
        out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {out}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    args = parser.parse_args()
    run(args.out)


if __name__ == "__main__":
    main()
