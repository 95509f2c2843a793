"""The web app's sessions (several files of one run) and comparisons, through its API."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from web_fakes import make_clip

from armcarriage.web import create_app

SHARKS = "sharks-token-1-4c9a2e7b1d8f3a6e"
EAGLES = "eagles-token-2-7d1f9b3c6a2e8d4f"
A = {"Authorization": f"Bearer {SHARKS}"}
B = {"Authorization": f"Bearer {EAGLES}"}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "run.mp4")


def _client(tmp_path: Path, workers: int = 0) -> TestClient:
    app = create_app(
        tmp_path / "data",
        tokens={SHARKS: "sharks", EAGLES: "eagles"},
        analyze="web_fakes:fake_analysis",
        workers=workers,
    )
    return TestClient(app, base_url="http://localhost")


def _upload(c: TestClient, clip: Path, names: list[str], **fields: str) -> Any:
    files = [("file", (n, clip.read_bytes(), "video/mp4")) for n in names]
    data = {"athlete": "Sam Runner", "date": "2026-11-01", **fields}
    return c.post("/api/jobs", files=files, data=data, headers=A)


def test_a_session_needs_two_files_and_a_known_value(tmp_path: Path, clip: Path) -> None:
    with _client(tmp_path) as c:
        r = _upload(c, clip, ["side.mp4"], session="1")
        assert r.status_code == 400
        assert "expected two files or more in the upload, got 1" in r.json()["detail"]
        r = _upload(c, clip, ["side.mp4", "front.mp4"], session="maybe")
        assert r.status_code == 400 and "field 'session'" in r.json()["detail"]
        assert c.get("/api/jobs", headers=A).json()["jobs"] == []  # nothing queued


def test_a_session_upload_records_its_jobs_and_its_page_follows_them(
    tmp_path: Path, clip: Path
) -> None:
    with _client(tmp_path) as c:
        r = _upload(c, clip, ["side.mp4", "front.mp4"], session="1")
        assert r.status_code == 201, r.text
        body = r.json()
        url = body["session"]
        sid = url.rsplit("/", 1)[1]
        record = json.loads((tmp_path / "data/teams/sharks/sessions" / f"{sid}.json").read_text())
        assert record["jobs"] == [j["id"] for j in body["jobs"]]
        page = c.get(url, headers=A)
        assert page.status_code == 200 and 'id="session-pending"' in page.text
        assert "2 of 2 clips are still being analysed" in page.text
        assert c.get(url, headers=B).status_code == 404  # another team's session looks absent
        athlete = c.get("/athletes/Sam%20Runner", headers=A).text
        assert f'<a href="{url}">2026-11-01: 2 clips merged</a>' in athlete
        assert c.get("/sessions/nothex", headers=A).status_code == 404
        state = c.get(f"/api/sessions/{sid}", headers=A).json()
        assert state["pending"] == record["jobs"] and state["session"] is None
        # a plain form post goes to the session page
        r = _upload(c, clip, ["a.mp4", "b.mp4"], session="on")
        assert r.status_code == 201
        r = c.post(
            "/api/jobs",
            files=[("file", (n, clip.read_bytes(), "video/mp4")) for n in ("c.mp4", "d.mp4")],
            data={"athlete": "Sam Runner", "session": "1"},
            headers={**A, "Accept": "text/html"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/sessions/")


def test_a_session_of_clips_without_pose_tracks_says_there_is_nothing_to_merge(
    tmp_path: Path, clip: Path
) -> None:
    with _client(tmp_path, workers=1) as c:
        body = _upload(c, clip, ["side.mp4", "front.mp4"], session="1").json()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            state = c.get(f"/api/sessions/{body['session'].rsplit('/', 1)[1]}", headers=A).json()
            if not state["pending"]:
                break
            time.sleep(0.2)
        page = c.get(body["session"], headers=A)
        assert 'id="session-failed"' in page.text  # the fake analysis saves no pose track


def test_compare_needs_two_different_finished_jobs_of_the_team(tmp_path: Path, clip: Path) -> None:
    with _client(tmp_path) as c:
        jobs = _upload(c, clip, ["a.mp4", "b.mp4"]).json()["jobs"]
        a, b = (j["id"] for j in jobs)
        base = "/athletes/Sam%20Runner/compare"
        assert c.get(f"{base}?a={a}&b={a}", headers=A).status_code == 400
        assert c.get(f"{base}?a={a}&b={b}", headers=B).status_code == 404
        r = c.get(f"{base}?a={a}&b={b}", headers=A)
        assert r.status_code == 409 and "no finished analysis" in r.text
        assert c.get("/page-assets/sync.js").text.startswith("// armcarriage")
        assert c.get("/page-assets/other.js").status_code == 404


def test_a_finished_session_is_merged_once_and_served_as_strict_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from session_fixture import TRUTH_DIR_ENV, render

    renders = tmp_path / "renders"
    crossing = {"both__cross_deg": 90.0, "both__abduction_deg": 0.0}
    side, front = (render(renders, v, 3, **crossing) for v in ("side_left", "front"))
    monkeypatch.setenv(TRUTH_DIR_ENV, str(renders))
    app = create_app(
        tmp_path / "data",
        tokens={SHARKS: "sharks"},
        analyze="session_fixture:web_truth_analysis",
        workers=1,
    )
    with TestClient(app, base_url="http://localhost") as c:
        files = [("file", (p.name, p.read_bytes(), "video/mp4")) for p in (side, front)]
        body = c.post(
            "/api/jobs", files=files, data={"athlete": "Sam Runner", "session": "1"}, headers=A
        ).json()
        sid = body["session"].rsplit("/", 1)[1]
        t0 = time.monotonic()
        while time.monotonic() - t0 < 240:
            r = c.get(f"/api/sessions/{sid}", headers=A)
            if not r.json()["pending"]:
                break
            time.sleep(0.5)
        doc = json.loads(r.text, parse_constant=lambda t: 1 / 0)
        metrics = doc["session"]["metrics"]
        assert metrics["crossing_max_sw"]["note"] == "from front_3.mp4 (front view)"
        assert metrics["elbow_angle_mean"]["source"] == "side_left_3.mp4"
        assert doc["session"]["cadence_check"][0]["verdict"] == "agree"
        assert (tmp_path / "data/teams/sharks/sessions" / f"{sid}.merged.json").is_file()
        page = c.get(f"/sessions/{sid}", headers=A).text
        job = body["jobs"][1]["id"]
        assert f'data-base="/jobs/{job}/files/' in page  # the front clip's player
        assert '<script src="/page-assets/sync.js">' in page and "<script>" not in page
