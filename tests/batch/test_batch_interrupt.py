"""A real batch process stopped by SIGINT/SIGTERM mid-way, then run again to finish."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_fakes import METRICS, N_STRIDES, make_video_bytes

HERE = Path(__file__).resolve().parents[1]  # tests/
N_CLIPS = 8


def _start(source: Path, out: Path, log: Path, delay: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "ARMCARRIAGE_FAKE_LOG": str(log),
        "ARMCARRIAGE_FAKE_DELAY": str(delay),
    }
    return subprocess.Popen(
        [sys.executable, str(HERE / "batch_fakes.py"), str(source), str(out), str(out), "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _committed(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob("*/batch.json")}


def _db_state(db: Path) -> tuple[list[str], dict[str, int]]:
    with sqlite3.connect(db) as con:
        keys = [r[0] for r in con.execute("select clip_key from sessions order by 1")]
        strides = dict(
            con.execute(
                "select s.clip_key, count(m.id) from sessions s "
                "left join stride_metrics m on m.session_id = s.id group by s.id"
            ).fetchall()
        )
    return keys, strides


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_batch_resumes_without_duplicates(tmp_path, sig):
    source = tmp_path / "clips"
    source.mkdir()
    for i in range(N_CLIPS):
        (source / f"runner{i}.mp4").write_bytes(make_video_bytes(100 + i))
    out = tmp_path / "out"
    proc = _start(source, out, tmp_path / "first.log", delay=0.5)
    deadline = time.monotonic() + 90
    while len(_committed(out)) < 2:
        assert proc.poll() is None, f"batch ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "no clip committed within 90 s"
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err

    done_before = _committed(out)
    assert 2 <= len(done_before) < N_CLIPS, "the signal came too late to test anything"
    assert not (out / ".staging").exists()
    assert not list(out.glob("*.part*")) and not (out / "team.csv").exists()
    for key in done_before:  # every folder in place is complete
        marker = json.loads((out / key / "batch.json").read_text())
        assert marker["state"] == "done"
        assert (out / key / "report.html").is_file() and (out / key / "strides.csv").is_file()
    keys, strides = _db_state(out / "history.sqlite")
    assert sorted(keys) == sorted(done_before)  # no partial or orphan session
    assert set(strides.values()) == {N_STRIDES * 2 * len(METRICS)}

    rerun = _start(source, out, tmp_path / "second.log", delay=0.0)
    stdout, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    missing = N_CLIPS - len(done_before)
    assert f"done={missing} skipped={len(done_before)} failed=0" in stdout
    analysed_again = {
        f"{Path(n).stem}__{Path(n).stem}" for n in (tmp_path / "second.log").read_text().split()
    }
    assert analysed_again == {f"runner{i}__runner{i}" for i in range(N_CLIPS)} - done_before
    keys, strides = _db_state(out / "history.sqlite")
    assert sorted(keys) == sorted(f"runner{i}__runner{i}" for i in range(N_CLIPS))
    assert set(strides.values()) == {N_STRIDES * 2 * len(METRICS)}
    assert len((out / "team.csv").read_text().splitlines()) == N_CLIPS + 1
