"""Kill -9 the real server (uvicorn subprocess) mid-job: the job finishes exactly once.

Each test prints its figures (run with ``-s`` to see them).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
from web_fakes import TOKEN, free_port, make_clip, read_log, start_server, wait_ready  # noqa: E402

from armcarriage.web.store import JobStore  # noqa: E402

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _wait(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.05)
    raise TimeoutError(f"{what} not within {timeout} s")


def _submit(port: int, clip: Path) -> str:
    r = httpx.post(
        f"http://127.0.0.1:{port}/api/jobs",
        files={"file": ("run.mp4", clip.read_bytes(), "video/mp4")},
        data={"athlete": "Sam"},
        headers=AUTH,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()["jobs"][0]["id"]


def _job(port: int, jid: str) -> dict:  # type: ignore[type-arg]
    return httpx.get(f"http://127.0.0.1:{port}/api/jobs/{jid}", headers=AUTH, timeout=10).json()


def _stop(proc) -> None:  # type: ignore[no-untyped-def]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except Exception:  # noqa: BLE001 (last resort in a test teardown)
            proc.kill()
            proc.wait(5)


def test_kill_9_server_mid_job_then_restart_finishes_the_job_once(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "fake.log"
    clip = make_clip(tmp_path / "run.mp4")
    port = free_port()
    err = tmp_path / "server.err"
    proc = start_server(data, port, delay=3.0, log=log, stderr=err)
    try:
        ready1 = wait_ready(port, proc)
        jid = _submit(port, clip)
        _wait(lambda: ("start", jid) in read_log(log), 30, "the analysis start")
        _wait(lambda: _job(port, jid)["progress"] > 0, 10, "progress reported")
        worker_pid = int(log.read_text().split()[2])
        proc.kill()  # kill -9: no shutdown handler runs
        proc.wait(10)
        killed_at = time.monotonic()
        worker_gone = _wait(lambda: not _alive(worker_pid), 10, "the orphaned worker's death")
        stuck = JobStore(data / "jobs.sqlite").get(jid)
        assert stuck is not None and stuck.status == "running"  # as the crash left it

        proc = start_server(data, port, delay=3.0, log=log, stderr=err)
        ready2 = wait_ready(port, proc)
        _wait(lambda: _job(port, jid)["status"] in ("done", "failed"), 60, "the job's end")
        done_after = time.monotonic() - killed_at
        job = _job(port, jid)
    finally:
        _stop(proc)
    assert job["status"] == "done", job
    assert job["attempts"] == 2
    events = read_log(log)
    assert events.count(("start", jid)) == 2  # interrupted once, run again
    assert events.count(("end", jid)) == 1  # finished exactly once
    final = JobStore(data / "jobs.sqlite").get(jid)
    assert final is not None and final.completions == 1
    assert final.result_dir.endswith("attempt-2")
    print(
        f"\nrestart figures: first start {ready1:.2f} s; worker died {worker_gone:.2f} s after "
        f"kill -9 of the server; restart ready in {ready2:.2f} s; job done {done_after:.2f} s "
        f"after the kill (analysis takes 3 s); starts={events.count(('start', jid))} "
        f"ends={events.count(('end', jid))} completions={final.completions}"
    )


def test_killed_worker_is_replaced_and_its_job_requeued(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "fake.log"
    clip = make_clip(tmp_path / "run.mp4")
    port = free_port()
    proc = start_server(data, port, delay=2.0, log=log, stderr=tmp_path / "server.err")
    try:
        wait_ready(port, proc)
        jid = _submit(port, clip)
        _wait(lambda: ("start", jid) in read_log(log), 30, "the analysis start")
        worker_pid = int(log.read_text().split()[2])
        os.kill(worker_pid, signal.SIGKILL)
        took = _wait(lambda: _job(port, jid)["status"] == "done", 60, "the job's end")
        job = _job(port, jid)
        assert proc.poll() is None  # the server survived its worker
    finally:
        _stop(proc)
    events = read_log(log)
    assert job["attempts"] == 2
    assert events.count(("start", jid)) == 2 and events.count(("end", jid)) == 1
    assert int(log.read_text().splitlines()[-1].split()[2]) != worker_pid  # a new worker did it
    print(f"\nworker kill: job done {took:.2f} s after the worker was killed")


def test_graceful_stop_requeues_without_counting_an_attempt(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "fake.log"
    clip = make_clip(tmp_path / "run.mp4")
    port = free_port()
    proc = start_server(data, port, delay=5.0, log=log)
    try:
        wait_ready(port, proc)
        jid = _submit(port, clip)
        _wait(lambda: ("start", jid) in read_log(log), 30, "the analysis start")
    finally:
        _stop(proc)  # SIGTERM: uvicorn shuts down, the lifespan releases the lease
    job = JobStore(data / "jobs.sqlite").get(jid)
    assert job is not None and job.status == "queued" and job.attempts == 0
