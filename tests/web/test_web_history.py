"""Athlete page: finished web jobs land in the team's history database and are plotted."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
from fastapi.testclient import TestClient
from web_fakes import make_clip

from armcarriage.config import Config
from armcarriage.web import create_app
from armcarriage.web import history as web_history
from armcarriage.web.store import JobStore

SHARKS = "sharks-token-1-4c9a2e7b1d8f3a6e"
EAGLES = "eagles-token-2-7d1f9b3c6a2e8d4f"
A = {"Authorization": f"Bearer {SHARKS}"}
TOKENS = {SHARKS: "sharks", EAGLES: "eagles"}


def _wait_all(c: TestClient, n: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        jobs = c.get("/api/jobs", headers=A).json()["jobs"]
        if len(jobs) == n and all(j["status"] in ("done", "failed") for j in jobs):
            return jobs
        time.sleep(0.1)
    raise TimeoutError("jobs not finished")


def test_finished_jobs_build_the_athlete_history(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path / f"c{i}.mp4", n=10 + i) for i in range(2)]
    app = create_app(tmp_path / "data", tokens=TOKENS, analyze="batch_fakes:fake_analysis",
                     workers=1)  # fmt: skip
    with TestClient(app, base_url="http://localhost") as c:
        for clip, date in zip(clips, ("2026-10-01", "2026-11-01"), strict=True):
            r = c.post(
                "/api/jobs",
                files={"file": (clip.name, clip.read_bytes(), "video/mp4")},
                data={"athlete": "Ann Lee", "date": date, "view": "side_left"},
                headers=A,
            )
            assert r.status_code == 201
        jobs = _wait_all(c, 2)
        assert {j["status"] for j in jobs} == {"done"}
        assert all(j["error"] == "" for j in jobs)  # history written without a note
        c.cookies.set("armcarriage_token", SHARKS)
        page = c.get("/athletes/Ann Lee").text
        assert 'id="history-plot"' in page
        assert page.count('<td data-sort="2026-') == 2  # two sessions, by date
        assert page.count('<svg class="chart"') >= 6  # a chart per measured metric
        assert "relax the shoulders" in page  # the cues that fired
        png = c.get("/athletes/Ann Lee/history.png", headers=A)
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        other = c.get("/athletes/Ann Lee/history.png",
                      headers={"Authorization": f"Bearer {EAGLES}"})  # fmt: skip
        assert other.status_code == 404
    assert (tmp_path / "data" / "teams" / "sharks" / "history.sqlite").is_file()
    assert not (tmp_path / "data" / "teams" / "eagles").exists()


def test_recording_a_rerun_job_does_not_duplicate_the_session(tmp_path: Path) -> None:
    from batch_fakes import fake_analysis

    from armcarriage.history.db import get_engine
    from armcarriage.history.store import athlete_sessions

    clip = make_clip(tmp_path / "c.mp4")
    store = JobStore(tmp_path / "jobs.sqlite")
    jid = store.new_id()
    job = store.add(jid, team="sharks", stored_path=clip, athlete="Ann", session_date="2026-11-01",
                    original_name="c.mp4")  # fmt: skip
    for attempt in (1, 2):  # an interrupted first attempt that had already written history
        out = tmp_path / f"attempt-{attempt}"
        result = fake_analysis(clip, out)
        web_history.record_job(tmp_path, job, result, Config(), out)
    sessions = athlete_sessions(get_engine(web_history.history_path(tmp_path, "sharks")), "Ann")
    assert len(sessions) == 1
    assert sessions["clip_key"].tolist() == [f"web:{jid}"]


def test_result_without_analysis_is_not_recorded(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    job = store.add(store.new_id(), team="t", stored_path=tmp_path / "x.mp4", athlete="Ann")
    web_history.record_job(tmp_path, job, SimpleNamespace(analysis=None), Config(), tmp_path)
    assert not web_history.history_path(tmp_path, "t").exists()


def test_athlete_page_degrades_without_the_history_module(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(web_history, "available", lambda: "the history module is not installed")
    app = create_app(tmp_path / "data", tokens=TOKENS, workers=0)
    with TestClient(app, base_url="http://localhost") as c:
        c.cookies.set("armcarriage_token", SHARKS)
        page = c.get("/athletes/Ann")
        assert page.status_code == 200
        assert "History plots are unavailable: the history module is not installed" in page.text
        assert c.get("/athletes/Ann/history.png", headers=A).status_code == 404


def test_a_job_gets_the_athlete_s_earlier_relaxed_sessions(tmp_path: Path) -> None:
    import datetime as dt

    import pandas as pd

    from armcarriage.history import store
    from armcarriage.history.db import get_engine

    data = tmp_path / "data"
    db = web_history.history_path(data, "sharks")
    db.parent.mkdir(parents=True)
    engine = get_engine(db)
    for chash, date, view in (("h1", "2026-10-01", "front"), ("h2", "2026-12-01", "front")):
        record = store.SessionRecord(
            athlete="Ann Lee", clip=f"{chash}.mp4", clip_key=f"ann__{chash}",
            content_hash=chash, settings_hash="s", settings_json="{}", software_version="0",
            status="done", date=dt.date.fromisoformat(date), view=view, analysis_status="ok",
        )  # fmt: skip
        rows = pd.DataFrame(
            {"stride": [0, 1, 2], "side": "left", "metric": "shrug_neck_tl",
             "value": [0.35, 0.36, 0.37], "conf": 0.9, "reason": ""}
        )  # fmt: skip
        store.record_session(engine, record, rows)
    clip = make_clip(tmp_path / "c.mp4", n=10)
    job = SimpleNamespace(
        team="sharks", athlete="ann lee", session_date="2026-11-01", stored_path=str(clip)
    )
    refs = web_history.job_references(data, job, Config())  # type: ignore[arg-type]
    assert [(r.session, r.date, r.view, round(r.neck_tl, 3)) for r in refs] == [
        ("ann__h1", "2026-10-01", "front", 0.36)
    ]
    other = SimpleNamespace(team="eagles", athlete="Ann Lee", session_date="", stored_path="x")
    assert web_history.job_references(data, other, Config()) == ()  # type: ignore[arg-type]
