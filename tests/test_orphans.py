"""No orphans: pool processes end when the command that started them is killed (kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_fakes import make_video_bytes

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc (Linux)"
)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has ended and only waits to be reaped
            alive.add(pid)
    return alive


def _kill_and_check(proc: subprocess.Popen, ready, what: str) -> None:
    """Wait until ``ready(descendants)``, kill -9 ``proc``, expect every descendant gone."""
    deadline = time.monotonic() + 120
    kids: set[int] = set()
    try:
        while not ready(kids := _descendants(proc.pid)):
            assert proc.poll() is None, f"{what} ended early: {proc.communicate()}"
            assert time.monotonic() < deadline, f"{what}: workers never started: {kids}"
            time.sleep(0.05)
    except BaseException:
        proc.kill()
        raise
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while _running(kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {pid: _cmdline(pid) for pid in _running(kids)}
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{what}: processes outlived their killed parent: {left}"


def test_killed_analyze_leaves_no_pose_worker(tmp_path, make_video):
    # 10 s clip cut into 2 s chunks: a pool process takes chunks while the parent runs its own
    clip = make_video("long.mp4", n=300)
    cmd = [sys.executable, "-m", "armcarriage.cli", "analyze", str(clip), "-o", str(tmp_path / "o")]
    cmd += ["--workers", "3", "--set", "pose.chunk_seconds=2", "--set", "pose.min_chunk_seconds=1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def pool_started(kids: set[int]) -> bool:
        return sum("spawn_main" in _cmdline(pid) for pid in kids) >= 2

    _kill_and_check(proc, pool_started, "analyze")


def test_killed_batch_leaves_no_clip_worker(tmp_path):
    source = tmp_path / "clips"
    source.mkdir()
    for i in range(4):
        (source / f"runner{i}.mp4").write_bytes(make_video_bytes(200 + i))
    log = tmp_path / "started.log"
    env = {**os.environ, "ARMCARRIAGE_FAKE_LOG": str(log), "ARMCARRIAGE_FAKE_DELAY": "300"}
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "batch_fakes.py"), str(source), str(out), str(out), "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def both_analysing(kids: set[int]) -> bool:  # each worker is inside a 300 s clip
        return log.exists() and len(log.read_text().split()) >= 2

    _kill_and_check(proc, both_analysing, "batch")


def pool_analysis(video, outdir, config=None, progress=None):  # type: ignore[no-untyped-def]
    """A web job that starts a pose pool the way the pipeline does, then works for long."""
    import concurrent.futures as cf

    from armcarriage import parallel

    ctx = parallel._context()
    pool = cf.ProcessPoolExecutor(
        1, mp_context=ctx, initializer=parallel._init_worker, initargs=(ctx.Queue(), ctx.Event())
    )
    pid = pool.submit(os.getpid).result()
    Path(os.environ["ARMCARRIAGE_POOL_LOG"]).write_text(str(pid))
    pool.submit(time.sleep, 300).result()


def test_killed_server_leaves_no_job_worker_nor_its_pose_pool(tmp_path, monkeypatch):
    pytest.importorskip("uvicorn")
    import httpx
    from web_fakes import TOKEN, free_port, make_clip, start_server, wait_ready

    started = tmp_path / "pool.pid"
    monkeypatch.setenv("ARMCARRIAGE_POOL_LOG", str(started))
    port = free_port()
    proc = start_server(tmp_path / "data", port, extra=("--analyze", "test_orphans:pool_analysis"))
    try:
        wait_ready(port, proc)
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/jobs",
            files={"file": ("run.mp4", make_clip(tmp_path / "run.mp4").read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
    except BaseException:
        proc.kill()
        raise
    _kill_and_check(proc, lambda kids: started.exists(), "serve")


def test_ctrl_c_of_analyze_stops_its_pool_and_exits_130(tmp_path, make_video):
    clip = make_video("long.mp4", n=300)
    cmd = [sys.executable, "-m", "armcarriage.cli", "analyze", str(clip), "-o", str(tmp_path / "o")]
    cmd += ["--workers", "3", "--set", "pose.chunk_seconds=2", "--set", "pose.min_chunk_seconds=1"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    try:
        while sum("spawn_main" in _cmdline(pid) for pid in _descendants(proc.pid)) < 2:
            assert proc.poll() is None, f"analyze ended early: {proc.communicate()}"
            assert time.monotonic() < deadline, "the pose pool never started"
            time.sleep(0.05)
        kids = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    # 130, or ended by the SIGINT itself when it reached a pool worker still starting up:
    # a shell reports both as 130 (128 + SIGINT)
    assert proc.returncode in (130, -signal.SIGINT), err
    assert "interrupted" in err, err
    deadline = time.monotonic() + 10
    while _running(kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not {pid: _cmdline(pid) for pid in _running(kids)}, "processes outlived the stop"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4"]  # no half output set


def test_an_error_after_ctrl_c_in_the_parallel_run_is_an_interruption():
    # the pool breaks when Ctrl-C kills a pool process still starting, and this
    # process's own KeyboardInterrupt can be lost in a finaliser: still 130, not 1
    from concurrent.futures.process import BrokenProcessPool

    from armcarriage.parallel.run import _keep_ctrl_c

    with pytest.raises(KeyboardInterrupt) as caught, _keep_ctrl_c():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here
            pytest.fail("no KeyboardInterrupt")
        except KeyboardInterrupt:
            pass  # lost, as in a finaliser
        raise BrokenProcessPool("a pool process died")
    assert isinstance(caught.value.__cause__, BrokenProcessPool)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_without_ctrl_c_stays_itself_and_an_ignored_ctrl_c_stays_ignored():
    from concurrent.futures.process import BrokenProcessPool

    from armcarriage.parallel.run import _keep_ctrl_c

    with pytest.raises(BrokenProcessPool), _keep_ctrl_c():
        raise BrokenProcessPool("a pool process died")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a batch worker
    try:
        with pytest.raises(BrokenProcessPool), _keep_ctrl_c():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
            raise BrokenProcessPool("a pool process died")
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
