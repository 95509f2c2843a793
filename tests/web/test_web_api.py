"""API tests of the web app: every limit and bad input, team isolation, results."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from web_fakes import make_clip

from armcarriage.config import Config
from armcarriage.errors import ConfigError, InputError
from armcarriage.web import create_app
from armcarriage.web.auth import load_tokens, parse_env, read_tokens_file
from armcarriage.web.store import JobStore

SHARKS = "sharks-token-1-4c9a2e7b1d8f3a6e"
EAGLES = "eagles-token-2-7d1f9b3c6a2e8d4f"
A = {"Authorization": f"Bearer {SHARKS}"}
B = {"Authorization": f"Bearer {EAGLES}"}
TOKENS = {SHARKS: "sharks", EAGLES: "eagles"}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 0.5 s, 12-frame, 64x48 H.264 clip."""
    return make_clip(tmp_path_factory.mktemp("clips") / "run.mp4")


def client(
    tmp_path: Path, workers: int = 0, analyze: str = "web_fakes:fake_analysis", **serve: Any
) -> TestClient:
    cfg = Config().override({f"serve.{k}": v for k, v in serve.items()}) if serve else Config()
    app = create_app(tmp_path / "data", cfg, tokens=TOKENS, analyze=analyze, workers=workers)
    return TestClient(app, base_url="http://localhost")


def upload(
    c: TestClient,
    content: bytes,
    name: str = "run.mp4",
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    data = {"athlete": "Sam Runner", "date": "2026-11-01", "view": "side_left", **fields}
    return c.post(
        "/api/jobs",
        files={"file": (name, content, "video/mp4")},
        data=data,
        headers=A if headers is None else headers,
    )


def leftovers(tmp_path: Path) -> tuple[list[str], list[str]]:
    data = tmp_path / "data"
    return sorted(os.listdir(data / "tmp")), sorted(os.listdir(data / "uploads"))


def wait_done(c: TestClient, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        job = c.get(f"/api/jobs/{job_id}", headers=A).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} not finished after {timeout} s")


# ---- accepted uploads -------------------------------------------------------
def test_upload_is_queued_under_a_server_chosen_name(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path) as c:
        r = upload(c, clip.read_bytes(), name="../../etc/passwd.mp4")
        assert r.status_code == 201, r.text
        (job,) = r.json()["jobs"]
        assert job["status"] == "queued"
        assert job["name"] == "passwd.mp4"  # display label only, directories stripped
        assert job["athlete"] == "Sam Runner" and job["date"] == "2026-11-01"
        assert job["view_hint"] == "side_left"
        assert job["video"] == {
            "width": 64, "height": 48, "fps": 24.0, "duration_s": 0.5, "frames": 12, "codec": "h264"
        }  # fmt: skip
        tmp, uploads = leftovers(tmp_path)
        assert tmp == [] and uploads == [f"{job['id']}.mp4"]
        assert not (tmp_path / "etc").exists()
        # the same file again is a new job with its own name: nothing is overwritten
        r2 = upload(c, clip.read_bytes(), name="passwd.mp4")
        assert r2.status_code == 201
        assert len(leftovers(tmp_path)[1]) == 2
        stored = JobStore(tmp_path / "data" / "jobs.sqlite").get(job["id"])
        assert (
            stored is not None and Path(stored.stored_path).parent == tmp_path / "data" / "uploads"
        )


def test_the_capture_rate_of_a_slow_motion_upload_is_kept_for_its_analysis(
    tmp_path: Path, clip: Path
) -> None:
    with client(tmp_path) as c:
        r = upload(c, clip.read_bytes(), capture_fps="240")
        assert r.status_code == 201, r.text
        (job,) = r.json()["jobs"]
        stored = JobStore(tmp_path / "data" / "jobs.sqlite").get(job["id"])
        assert stored is not None and stored.video_info["capture_fps_given"] == 240.0
        plain = upload(c, clip.read_bytes()).json()["jobs"][0]
        stored = JobStore(tmp_path / "data" / "jobs.sqlite").get(plain["id"])
        assert stored is not None and stored.video_info["capture_fps_given"] == 0.0


def test_the_person_tapped_before_upload_is_followed_by_its_analysis(
    tmp_path: Path, clip: Path
) -> None:
    with client(tmp_path, workers=1, analyze="web_fakes:person_analysis") as c:
        tapped = upload(c, clip.read_bytes(), person="0.750,0.400").json()["jobs"][0]
        plain = upload(c, clip.read_bytes(), person="").json()["jobs"][0]
        store = JobStore(tmp_path / "data" / "jobs.sqlite")
        assert store.get(tapped["id"]).video_info["person_given"] == "0.75,0.40"
        assert store.get(plain["id"]).video_info["person_given"] == ""
        seen = {}
        for job in (tapped, plain):
            assert wait_done(c, job["id"])["status"] == "done"
            (found,) = (tmp_path / "data" / "results" / job["id"]).glob("*/person.json")
            seen[job["id"]] = json.loads(found.read_text())
    assert seen[tapped["id"]] == {"person_x": 0.75, "person_y": 0.4}
    assert seen[plain["id"]] == {"person_x": -1.0, "person_y": -1.0}


def test_content_is_probed_not_the_file_name(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path) as c:
        r = upload(c, clip.read_bytes(), name="notes.txt")
        assert r.status_code == 201
        assert r.json()["jobs"][0]["video"]["codec"] == "h264"
        assert leftovers(tmp_path)[1][0].endswith(".mp4")  # extension from the container


def test_several_files_in_one_upload(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path) as c:
        files = [("file", (f"c{i}.mp4", clip.read_bytes(), "video/mp4")) for i in range(3)]
        r = c.post("/api/jobs", files=files, data={"athlete": "Ann"}, headers=A)
        assert r.status_code == 201
        assert [j["name"] for j in r.json()["jobs"]] == ["c0.mp4", "c1.mp4", "c2.mp4"]
        assert len(c.get("/api/jobs", headers=A).json()["jobs"]) == 3


# ---- limits -------------------------------------------------------------------
def test_too_big_is_413_while_streaming(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_upload_mb=0.001) as c:  # 1000 bytes; the clip is ~2 kB
        r = upload(c, clip.read_bytes())
        assert r.status_code == 413
        assert "serve.max_upload_mb" in r.json()["detail"]
        assert "run.mp4" in r.json()["detail"]
        assert leftovers(tmp_path) == ([], [])
        assert c.get("/api/jobs", headers=A).json()["jobs"] == []


def test_declared_content_length_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    with client(tmp_path, max_upload_mb=0.001, max_files_per_upload=1) as c:
        r = c.post(
            "/api/jobs",
            content=b"x" * 10,
            headers={**A, "Content-Type": "multipart/form-data; boundary=zz",
                     "Content-Length": "50000000"},
        )  # fmt: skip
        assert r.status_code == 413
        assert "50.0 MB" in r.json()["detail"]


def test_not_a_video_is_415(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = upload(c, b"just some text, renamed to look like a clip\n" * 20, name="clip.mp4")
        assert r.status_code == 415
        detail = r.json()["detail"]
        assert detail.startswith("clip.mp4: not a usable video")
        assert str(tmp_path) not in detail  # no server path leaks out
        assert leftovers(tmp_path) == ([], [])


def test_truncated_video_is_refused(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path) as c:
        r = upload(c, clip.read_bytes()[:300], name="cut.mp4")
        assert r.status_code == 415
        assert "cut.mp4" in r.json()["detail"]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = upload(c, b"", name="empty.mp4")
        assert r.status_code == 415
        assert "empty" in r.json()["detail"]


def test_too_long_is_422(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_duration_s=0.25) as c:
        r = upload(c, clip.read_bytes())
        assert r.status_code == 422
        assert r.json()["detail"] == (
            "run.mp4: duration 0.5 s exceeds the limit of 0.2 s (serve.max_duration_s)"
        )
        assert leftovers(tmp_path) == ([], [])


def test_too_many_frames_is_422(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_frames=10) as c:
        r = upload(c, clip.read_bytes())
        assert r.status_code == 422
        assert "12 frames exceed the limit of 10 (serve.max_frames)" in r.json()["detail"]


def test_too_large_frame_is_422(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_width=32) as c:
        r = upload(c, clip.read_bytes())
        assert r.status_code == 422
        assert "frame size 64x48 exceeds the limit 32x3840" in r.json()["detail"]


def test_too_many_files_is_413(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_files_per_upload=1) as c:
        files = [("file", (f"c{i}.mp4", clip.read_bytes(), "video/mp4")) for i in range(2)]
        r = c.post("/api/jobs", files=files, data={"athlete": "Ann"}, headers=A)
        assert r.status_code == 413
        assert "serve.max_files_per_upload" in r.json()["detail"]
        assert leftovers(tmp_path) == ([], [])


# ---- bad fields and bodies ------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"athlete": ""}, "field 'athlete'"),
        ({"athlete": "../../root"}, "field 'athlete'"),
        ({"athlete": "x" * 81}, "field 'athlete'"),
        ({"date": "01/11/2026"}, "field 'date': expected YYYY-MM-DD"),
        ({"view": "top"}, "field 'view'"),
        ({"capture_fps": "fast"}, "field 'capture_fps': expected the frame rate"),
        ({"capture_fps": "0"}, "field 'capture_fps': expected the frame rate"),
        ({"person": "tallest"}, "field 'person': expected auto, left, right, centre or X,Y"),
        ({"person": "1.5,0.5"}, "field 'person': expected auto, left, right, centre or X,Y"),
    ],
)
def test_bad_fields_are_400(
    tmp_path: Path, clip: Path, fields: dict[str, str], expected: str
) -> None:
    with client(tmp_path) as c:
        r = upload(c, clip.read_bytes(), **fields)
        assert r.status_code == 400
        assert expected in r.json()["detail"]
        assert leftovers(tmp_path) == ([], [])


def test_no_file_is_400(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post("/api/jobs", data={"athlete": "Sam"}, files={"x": (None, "y")}, headers=A)
        assert r.status_code == 400
        assert "no file" in r.json()["detail"]


def test_not_multipart_is_415(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post("/api/jobs", json={"athlete": "Sam"}, headers=A)
        assert r.status_code == 415
        assert "multipart/form-data" in r.json()["detail"]


def test_malformed_multipart_is_400(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post(
            "/api/jobs",
            content=b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
            b"\r\nabc",  # the body ends in the middle of the file
            headers={**A, "Content-Type": "multipart/form-data; boundary=zz"},
        )
        assert r.status_code == 400
        assert leftovers(tmp_path) == ([], [])


# ---- access control ---------------------------------------------------------------
def test_no_token_or_unknown_token_is_401(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path) as c:
        assert upload(c, clip.read_bytes(), headers={}).status_code == 401
        r = upload(c, clip.read_bytes(), headers={"Authorization": "Bearer wrong-token-9"})
        assert r.status_code == 401
        assert "access token" in r.json()["detail"]
        assert c.get("/api/jobs").status_code == 401
        assert leftovers(tmp_path) == ([], [])
        page = c.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"


def test_other_team_cannot_see_jobs_or_files(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        assert wait_done(c, job["id"])["status"] == "done"
        jid = job["id"]
        assert c.get(f"/api/jobs/{jid}", headers=A).status_code == 200
        assert c.get(f"/jobs/{jid}/files/report.html", headers=A).status_code == 200
        assert c.get(f"/api/jobs/{jid}", headers=B).status_code == 404
        assert c.get(f"/jobs/{jid}/files/report.html", headers=B).status_code == 404
        assert c.get(f"/jobs/{jid}/files/annotated.mp4", headers=B).status_code == 404
        assert c.get("/api/jobs", headers=B).json()["jobs"] == []
        c.cookies.set("armcarriage_token", EAGLES)
        assert c.get(f"/jobs/{jid}").status_code == 404
        assert jid not in c.get("/").text
        assert jid not in c.get("/athletes/Sam Runner").text
        c.cookies.set("armcarriage_token", SHARKS)
        assert jid in c.get("/").text and jid in c.get("/athletes/Sam Runner").text


def test_login_sets_a_cookie_only_for_a_known_token(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        bad = c.post("/login", data={"token": "nope-nope-nope"}, follow_redirects=False)
        assert bad.status_code == 401 and "Unknown access token" in bad.text
        ok = c.post("/login", data={"token": SHARKS}, follow_redirects=False)
        assert ok.status_code == 303
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert c.get("/").status_code == 200
        assert "team: sharks" in c.get("/").text


def test_open_mode_without_tokens(tmp_path: Path, clip: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("ARMCARRIAGE_TOKENS", raising=False)
    app = create_app(tmp_path / "data", workers=0)
    with TestClient(app, base_url="http://localhost") as c:
        r = c.post(
            "/api/jobs",
            files={"file": ("a.mp4", clip.read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
        )
        assert r.status_code == 201
        assert c.get("/").status_code == 200


# ---- results --------------------------------------------------------------------------
def test_finished_job_serves_report_video_with_ranges_and_downloads(
    tmp_path: Path, clip: Path
) -> None:
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        done = wait_done(c, job["id"])
        assert done["status"] == "done" and done["progress"] == 1.0 and done["attempts"] == 1
        assert done["outputs"] == ["report", "strides", "summary", "video"]
        base = f"/jobs/{job['id']}/files"
        video = c.get(f"{base}/annotated.mp4", headers={**A, "Range": "bytes=0-99"})
        assert video.status_code == 206
        size = len(clip.read_bytes())
        assert video.headers["content-range"] == f"bytes 0-99/{size}"
        assert video.content == clip.read_bytes()[:100]
        assert video.headers["content-type"] == "video/mp4"
        assert video.headers["accept-ranges"] == "bytes"
        csv = c.get(f"{base}/strides.csv?download=1", headers=A)
        assert csv.status_code == 200 and csv.text.startswith("stride,side,elbow_angle_mean")
        assert csv.headers["content-disposition"].startswith("attachment")
        assert c.get(f"{base}/plots/elbow.svg", headers=A).status_code == 200  # report assets
        c.cookies.set("armcarriage_token", SHARKS)
        page = c.get(f"/jobs/{job['id']}").text
        # the report is shown within the page, its files fetched from the job's file route
        assert "<iframe" not in page and f'data-base="{base}/"' in page
        assert "<h1 id='title'>Arm carriage report</h1>" in page
        assert f'href="{base}/report.html?download=1"' in page
        assert '<script src="/report-assets/player.js">' in page
        js = c.get("/report-assets/player.js")
        assert js.status_code == 200 and "acrPlayer" in js.text
        assert c.get("/report-assets/../app.py").status_code == 404
        assert f'src="{base}/annotated.mp4"' in page
        assert f'href="{base}/strides.csv?download=1"' in page
        assert f'href="{base}/summary.json?download=1"' in page


@pytest.mark.parametrize(
    "name",
    ["../../jobs.sqlite", "..%2F..%2Fjobs.sqlite", "%2e%2e/%2e%2e/jobs.sqlite", "/etc/passwd",
     "../attempt-1/../../../server.lock", "nothing.csv"],
)  # fmt: skip
def test_file_paths_cannot_leave_the_result_folder(tmp_path: Path, clip: Path, name: str) -> None:
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        wait_done(c, job["id"])
        r = c.get(f"/jobs/{job['id']}/files/{name}", headers=A)
        assert r.status_code == 404
        assert b"CREATE TABLE" not in r.content and b"root:" not in r.content


def test_bad_job_ids_are_404(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        for jid in ("..", "0" * 32, "xyz", "'; DROP TABLE web_jobs; --"):
            assert c.get(f"/api/jobs/{jid}", headers=A).status_code == 404


def test_failed_job_shows_the_pipeline_error(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, workers=1, analyze="web_fakes:failing_analysis") as c:
        job = upload(c, clip.read_bytes(), name="walk.mp4").json()["jobs"][0]
        done = wait_done(c, job["id"])
        assert done["status"] == "failed"
        assert done["error"] == (
            "walk.mp4: a person was found in 3% of frames; expected at least 20% "
            "(pose.min_detection_rate)"
        )
        c.cookies.set("armcarriage_token", SHARKS)
        assert "pose.min_detection_rate" in c.get(f"/jobs/{job['id']}").text
        assert c.get(f"/jobs/{job['id']}/files/report.html", headers=A).status_code == 404


def test_second_server_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    with client(tmp_path), pytest.raises(InputError, match="another armcarriage server"):
        with client(tmp_path):
            pass


# ---- tokens -----------------------------------------------------------------------------
def test_tokens_from_env_file_and_argument(tmp_path: Path) -> None:
    f = tmp_path / "tokens.txt"
    f.write_text(
        "# team tokens\nfile-token-123-x7Kq2Lm9Pz4Rt8Vw eagles\n\n"
        "other-token-45-x7Kq2Lm9Pz4Rt8Vw owls  # comment\n"
    )
    assert read_tokens_file(f) == {
        "file-token-123-x7Kq2Lm9Pz4Rt8Vw": "eagles",
        "other-token-45-x7Kq2Lm9Pz4Rt8Vw": "owls",
    }
    assert parse_env(
        "env-token-001-x7Kq2Lm9Pz4Rt8Vw=sharks, env-token-002-x7Kq2Lm9Pz4Rt8Vw=owls"
    ) == {
        "env-token-001-x7Kq2Lm9Pz4Rt8Vw": "sharks",
        "env-token-002-x7Kq2Lm9Pz4Rt8Vw": "owls",
    }
    merged = load_tokens(
        {"arg-token-0001-x7Kq2Lm9Pz4Rt8Vw": "bees"},
        f,
        {"ARMCARRIAGE_TOKENS": "env-token-001-x7Kq2Lm9Pz4Rt8Vw=sh"},
    )
    assert merged == {
        "env-token-001-x7Kq2Lm9Pz4Rt8Vw": "sh",
        "file-token-123-x7Kq2Lm9Pz4Rt8Vw": "eagles",
        "other-token-45-x7Kq2Lm9Pz4Rt8Vw": "owls",
        "arg-token-0001-x7Kq2Lm9Pz4Rt8Vw": "bees",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("short-token-1 team\n", "expected at least 128"),
        ("long-enough-token-x7Kq2Lm9Pz4Rt8Vw ../etc\n", "team name '../etc'"),
        ("only-one-field\n", "line 1: expected 'TOKEN TEAM'"),
    ],
)
def test_bad_tokens_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "tokens.txt"
    f.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        read_tokens_file(f)


def test_serve_refuses_other_hosts_without_tokens(monkeypatch: Any, tmp_path: Path) -> None:
    from armcarriage.web.cli import is_loopback, serve_command

    monkeypatch.delenv("ARMCARRIAGE_TOKENS", raising=False)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    with pytest.raises(InputError, match="without access tokens"):
        serve_command(host="0.0.0.0", data=tmp_path)


def test_analysis_past_the_time_limit_fails_the_job(
    tmp_path: Path, clip: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ARMCARRIAGE_FAKE_DELAY", "30")  # read by the worker process
    with client(tmp_path, workers=1, job_timeout_s=1.0) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        done = wait_done(c, job["id"], timeout=30)
        assert done["status"] == "failed"
        assert (
            done["error"]
            == "the analysis took longer than 1 s and was stopped (serve.job_timeout_s)"
        )
        assert done["attempts"] == 1


def test_plain_form_post_without_javascript_redirects_to_the_list(
    tmp_path: Path, clip: Path
) -> None:
    with client(tmp_path) as c:
        c.cookies.set("armcarriage_token", SHARKS)
        r = c.post(
            "/api/jobs",
            files={"file": ("a.mp4", clip.read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
            headers={"Accept": "text/html,application/xhtml+xml"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert len(c.get("/api/jobs").json()["jobs"]) == 1


def test_the_upload_page_says_how_to_film(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        assert c.post("/login", data={"token": SHARKS}, follow_redirects=False).status_code == 303
        page = c.get("/").text
    assert 'id="filming-guide"' in page and "How to film" in page
    assert "from the front for crossing" in page and "60 fps" in page
    guide = (Path(__file__).resolve().parents[2] / "docs" / "filming.md").read_text()
    assert "| the front |" in guide and "--capture-fps" in guide
