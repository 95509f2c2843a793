"""The pose workers started at the top of a command: adopted by the pose stage, or shut."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from armcarriage.parallel import early


def _alive(pool) -> list[int]:
    return [p.pid for p in (pool._processes or {}).values() if p.is_alive()]


def _wait_gone(procs, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(p.is_alive() for p in procs):
            return True
        time.sleep(0.1)
    return False


def test_started_pool_is_taken_once_with_its_queue_and_stop_flag():
    early.start(1)
    try:
        got = early.take(1)
        assert got is not None and got.processes == 1
        assert len(_alive(got.pool)) == 1  # spawned at once, not at the first chunk
        assert early.take(1) is None  # handed over once
        assert got.pool.submit(sum, [1, 2]).result(timeout=60) == 3
        assert not got.stop.is_set()
    finally:
        got.pool.shutdown(wait=True)


def test_a_pool_of_the_wrong_size_or_unused_is_shut_down():
    early.start(1)
    procs = list(early._EARLY["pool"].pool._processes.values())
    assert early.take(2) is None  # the stage wanted another count: this one is shut
    assert _wait_gone(procs)
    early.start(1)
    procs = list(early._EARLY["pool"].pool._processes.values())
    t = time.monotonic()
    early.discard()
    assert time.monotonic() - t < 1.0  # the caller does not wait for the worker's imports
    assert _wait_gone(procs)
    assert early.take(1) is None


def test_nothing_starts_for_no_process():
    early.start(0)
    assert early.take(0) is None and early._EARLY == {}


def test_resolve_workers_counts_cores_for_zero():
    assert early.resolve_workers(3) == 3
    assert early.resolve_workers(0) >= 1


def _spawned() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmd:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_bad_clip_exits_2_and_leaves_no_worker_behind(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    before = _spawned()
    cmd = [sys.executable, "-m", "armcarriage.cli", "analyze", str(bad), "-o", str(tmp_path / "o")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: set[int] = set()
    while proc.poll() is None:  # the early worker is spawned while the command runs
        seen |= _spawned() - before
        time.sleep(0.02)
    err = proc.stderr.read()
    assert proc.returncode == 2, err
    assert "notes.mp4" in err
    assert seen, "no pose worker was started early"
    end = time.monotonic() + 30
    while seen & _spawned() and time.monotonic() < end:
        time.sleep(0.1)
    assert not seen & _spawned()  # it ended with the command


def test_analyze_reaches_the_pose_stage_without_the_table_libraries(tmp_path):
    # pandas, xarray, SciPy and pyarrow loaded in this process before the pose stage would sit
    # beside the pose worker for the whole run (about 80 MB on the run's peak)
    code = (
        "import os, sys\n"
        "import armcarriage.parallel.run as r\n"
        "def stop(*a, **k):\n"
        "    heavy = {'pandas', 'xarray', 'scipy', 'pyarrow', 'sqlalchemy'} & set(sys.modules)\n"
        "    print(sorted(heavy), flush=True)\n"
        "    os._exit(0)\n"
        "if __name__ == '__main__':\n"
        "    r._run_pool = stop\n"
        "    from armcarriage.cli import main\n"
        "    main(sys.argv[1:])\n"
    )
    script = tmp_path / "probe.py"
    script.write_text(code)
    clip = Path(__file__).resolve().parents[2] / "sample_videos" / "side_right_clean.mp4"
    chunked = ["--set", "pose.min_chunk_seconds=2"]  # the 6 s sample in two chunks
    out = subprocess.run(
        [sys.executable, str(script), "analyze", str(clip), "-o", str(tmp_path / "o"), *chunked],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
