"""Load and memory on loopback with the real server: exactly-once jobs, flat memory.

Timing figures are printed (``-s``) but never asserted; the benchmark script
``benchmarks/web_load.py`` prints the same figures on its own.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
from web_fakes import TOKEN, free_port, make_clip, start_server, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _load_benchmark():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("web_load", ROOT / "benchmarks" / "web_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_50_concurrent_uploads_each_job_finishes_exactly_once() -> None:
    figures = _load_benchmark().run_load(n=50, workers=2)
    print("\nload figures:", {k: round(v, 3) if isinstance(v, float) else v
                              for k, v in figures.items()})  # fmt: skip
    assert figures["accepted"] == 50 and figures["statuses"] == [201]
    assert figures["distinct_jobs"] == 50
    assert figures["done"] == 50
    assert figures["completions"] == [1]  # each job recorded as finished once
    assert figures["ends_per_job"] == [1]  # and its analysis ended once
    assert figures["starts_total"] == 50  # nothing ran twice


def _chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


def _endless(boundary: str, mb: int) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.mp4"\r\n\r\n'
    ).encode()
    for _ in range(mb):
        yield b"\0" * (1 << 20)
    yield f"\r\n--{boundary}--\r\n".encode()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _multipart_file(tmp: Path, clip: Path, padding_mb: int) -> tuple[Path, str]:
    """A multipart body on disk: athlete field + the clip followed by zero padding."""
    boundary = "armcarriageboundary7"
    body = tmp / "body.bin"
    with open(body, "wb") as f:
        f.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="athlete"\r\n\r\nSam\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n".encode()
        )
        f.write(clip.read_bytes())
        zeros = b"\0" * (1 << 20)
        for _ in range(padding_mb):
            f.write(zeros)
        f.write(f"\r\n--{boundary}--\r\n".encode())
    return body, boundary


def test_large_upload_is_streamed_with_flat_memory(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "run.mp4")
    body, boundary = _multipart_file(tmp_path, clip, padding_mb=80)
    port = free_port()
    proc = start_server(
        tmp_path / "data", port, workers=0, extra=("--set", "serve.max_upload_mb=90")
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        wait_ready(port, proc)
        small = httpx.post(
            f"http://127.0.0.1:{port}/api/jobs",
            files={"file": ("warm.mp4", clip.read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
            headers=auth,
        )
        assert small.status_code == 201
        before = _peak_rss_mb(proc.pid)
        t0 = time.perf_counter()
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/jobs",
            content=_chunks(body),
            headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=120,
        )
        took = time.perf_counter() - t0
        after = _peak_rss_mb(proc.pid)
        # a chunked stream with no Content-Length is cut off at the limit with 413
        too_big = httpx.post(
            f"http://127.0.0.1:{port}/api/jobs",
            content=_endless(boundary, 200),
            headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=120,
        )
    finally:
        proc.terminate()
        proc.wait(30)
    assert r.status_code == 201, r.text
    job = r.json()["jobs"][0]
    assert job["size_bytes"] == clip.stat().st_size + 80 * (1 << 20)
    stored = tmp_path / "data" / "uploads" / f"{job['id']}.mp4"
    assert stored.stat().st_size == job["size_bytes"]
    assert too_big.status_code == 413
    assert "90.0 MB (serve.max_upload_mb)" in too_big.json()["detail"]
    assert sorted(p.name for p in (tmp_path / "data" / "tmp").iterdir()) == []
    growth = after - before
    print(f"\n84 MB upload in {took:.2f} s; server peak RSS {before:.0f} -> {after:.0f} MB")
    assert growth < 25, f"server memory grew by {growth:.0f} MB for an 84 MB upload"
