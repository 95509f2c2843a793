"""Corrections from the job page: strides left out with a reason, recomputed from the track."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from web_fakes import make_clip

from armcarriage.web import create_app

TOKEN = "coach-token-9-3e1f7a2b5c8d4e6f"
A = {"Authorization": f"Bearer {TOKEN}"}
TRUTH = (
    Path(__file__).resolve().parents[2] / "sample_videos" / "side_left_tight_elbows.truth.parquet"
)


def _finished(c: TestClient, job_id: str, timeout: float = 120.0) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        job = c.get(f"/api/jobs/{job_id}", headers=A).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise TimeoutError(job_id)


def _folder(c: TestClient, job_id: str) -> Path:
    job = c.app.state.store.get(job_id)
    return c.app.state.data / job.result_dir


def _summary(c: TestClient, job_id: str) -> dict:
    return json.loads((_folder(c, job_id) / "summary.json").read_text())


def _history_strides(data: Path) -> list[int]:
    with sqlite3.connect(data / "teams" / "coaches" / "history.sqlite") as con:
        return [
            r[0]
            for r in con.execute(
                "select count(distinct m.stride) from sessions s "
                "join stride_metrics m on m.session_id = s.id group by s.id"
            )
        ]


def test_strides_left_out_from_the_job_page_are_recomputed_and_the_reason_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARMCARRIAGE_FAKE_TRUTH", str(TRUTH))
    data = tmp_path / "data"
    app = create_app(data, tokens={TOKEN: "coaches"}, analyze="web_fakes:tracked_analysis",
                     workers=1)  # fmt: skip
    clip = make_clip(tmp_path / "run.mp4", n=12)
    with TestClient(app, base_url="http://localhost") as c:
        r = c.post("/api/jobs", files={"file": ("run.mp4", clip.read_bytes(), "video/mp4")},
                   data={"athlete": "Ann", "date": "2026-10-01"}, headers=A)  # fmt: skip
        job_id = r.json()["jobs"][0]["id"]
        assert _finished(c, job_id)["status"] == "done"
        c.cookies.set("armcarriage_token", TOKEN)
        page = c.get(f"/jobs/{job_id}").text
        assert 'id="correction-form"' in page
        before = _summary(c, job_id)["metrics"]["elbow_angle_mean"]["left"]["n"]
        n_before = _history_strides(data)
        r = c.post(f"/jobs/{job_id}/corrections",
                   data={"strides": "2", "times": "", "reason": "stumbled"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        assert _folder(c, job_id).name == "corrected-1"
        assert _summary(c, job_id)["metrics"]["elbow_angle_mean"]["left"]["n"] == before - 1
        page = c.get(f"/jobs/{job_id}").text
        assert "stumbled" in page and "Left out stride 2" in page
        assert _history_strides(data) == [n_before[0] - 1]  # the session replaced, not added
        # a second correction keeps the first; a time range leaves out what overlaps it
        record = json.loads((_folder(c, job_id) / "corrections.json").read_text())
        assert [c_["reason"] for c_ in record] == ["stumbled"]
        strides = pd.read_csv(_folder(c, job_id) / "strides.csv")
        fourth = strides[strides["stride"] == 4].iloc[0]
        mid = (fourth["t_start"] + fourth["t_end"]) / 2
        r = c.post(f"/jobs/{job_id}/corrections",
                   data={"strides": "", "times": f"{mid:.3f}-{mid + 0.01:.3f}",
                         "reason": "someone crossed"},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        assert _folder(c, job_id).name == "corrected-2"
        record = json.loads((_folder(c, job_id) / "corrections.json").read_text())
        assert [c_["reason"] for c_ in record] == ["stumbled", "someone crossed"]
        assert record[1]["left_out"] == [4]
        assert _history_strides(data) == [n_before[0] - 1 - len(record[1]["left_out"])]
        # no reason, or a stride that does not exist: refused with what was expected
        r = c.post(f"/jobs/{job_id}/corrections", data={"strides": "3", "reason": " "})
        assert r.status_code == 400 and "expected a reason" in r.text
        r = c.post(f"/jobs/{job_id}/corrections", data={"strides": "999", "reason": "x"})
        assert r.status_code == 400 and "expected stride numbers among" in r.text
