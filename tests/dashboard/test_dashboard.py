"""Team dashboard and recording dates: dates from the container, trends equal to the history."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html import unescape
from pathlib import Path

import av
import numpy as np
import pytest
from batch_fakes import fake_analysis, make_video_bytes

from armcarriage.batch.manifest import load_manifest
from armcarriage.batch.runner import run_batch
from armcarriage.history import db as hdb
from armcarriage.history.trends import session_medians
from armcarriage.metrics import METRICS
from armcarriage.recorded import FILE_DATE, GIVEN, RECORDED, parse_creation_time, recording_date


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    hdb.dispose_engines()


def _tagged_clip(path: Path, tags: dict[str, str]) -> Path:
    with av.open(str(path), "w") as container:
        for k, v in tags.items():
            container.metadata[k] = v
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_creation_time_tags_are_read_and_unset_ones_ignored():
    assert parse_creation_time("2025-03-04T05:06:07.000000Z") == dt.date(2025, 3, 4)
    assert parse_creation_time("2025-03-04T23:30:00+0200") == dt.date(2025, 3, 4)  # local day
    assert parse_creation_time("1970-01-01T00:00:00.000000Z") is None
    assert parse_creation_time("1904-01-01T00:00:00Z") is None
    assert parse_creation_time("yesterday") is None


def test_recording_date_prefers_the_container_and_labels_the_file_date(tmp_path):
    tagged = _tagged_clip(tmp_path / "tagged.mp4", {"creation_time": "2025-03-04T05:06:07Z"})
    os.utime(tagged, (1_700_000_000, 1_700_000_000))  # copied later: mtime 2023-11-14
    assert recording_date(tagged) == (dt.date(2025, 3, 4), RECORDED)
    plain = tmp_path / "plain.mp4"
    plain.write_bytes(make_video_bytes(1))
    os.utime(plain, (1_700_000_000, 1_700_000_000))
    assert recording_date(plain) == (dt.date.fromtimestamp(1_700_000_000), FILE_DATE)
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,athlete,date\ntagged.mp4,a,\nplain.mp4,b,\nplain.mp4,c,2026-01-02\n")
    clips = {c.athlete: c for c in load_manifest(manifest)}
    assert (clips["a"].date, clips["a"].date_source) == (dt.date(2025, 3, 4), RECORDED)
    assert clips["b"].date_source == FILE_DATE
    assert (clips["c"].date, clips["c"].date_source) == (dt.date(2026, 1, 2), GIVEN)


def _batch(tmp_path: Path) -> Path:
    rows = ["path,athlete,date"]
    names = ["Ana", "ana", "Ána", "Ben", "Cy"]
    for i in range(8):
        clip = tmp_path / f"c{i}.mp4"
        clip.write_bytes(make_video_bytes(i))
        rows.append(f"{clip.name},{names[i % 5]},2026-0{1 + i % 4}-1{i}")
    clip = tmp_path / "undated.mp4"
    clip.write_bytes(make_video_bytes(99))
    rows.append("undated.mp4,Cy,")
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    assert run_batch(tmp_path / "m.csv", out, workers=1, analyse=fake_analysis).exit_code == 0
    return out


def test_team_page_trends_are_the_history_database_medians(tmp_path):
    out = _batch(tmp_path)
    page = (out / "team.html").read_text()
    engine = hdb.get_engine(out)
    cards = re.findall(r'<article class="athlete" data-name="([^"]*)"', page)
    assert cards == ["ana", "ben", "cy"]  # Ana, ana, Ána: one athlete, named as first written
    assert ">Ana</a>" in page and "Ána</a>" not in page
    sparks = re.findall(
        r'<article class="athlete" data-name="([^"]*)"|<svg class="spark"[^>]*data-metric="([^"]*)"'
        r' data-values="([^"]*)" data-dates="([^"]*)"',
        page,
    )
    checked, athlete = 0, ""
    for name, metric, values, dates in sparks:
        if name:
            athlete = name
            continue
        expected = session_medians(engine, athlete)
        expected = expected[expected["metric"] == metric]
        assert json.loads(unescape(dates)) == [str(d) for d in expected["date"]]
        assert json.loads(unescape(values)) == pytest.approx(list(expected["median"]), rel=1e-5)
        checked += 1
    assert checked == 3 * 6
    ana = session_medians(engine, "ana")
    assert ana["session_id"].nunique() == 6 and set(ana["noise"]) >= {
        METRICS["elbow_angle_mean"].noise
    }
    # every link of the page and of the history pages resolves to a file
    for html_file in [out / "team.html", *sorted((out / "athletes").glob("*.html"))]:
        links = re.findall(r'href="([^"#]+)"', html_file.read_text())
        assert links
        for link in links:
            assert (html_file.parent / unescape(link)).resolve().is_file(), (html_file, link)
    assert "(file date)" in page  # the undated clip: its file's date, labelled


def test_batch_json_stays_strict_json(tmp_path):
    out = _batch(tmp_path)
    markers = sorted(out.glob("*/batch.json"))
    assert len(markers) == 9

    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    for marker in markers:
        data = json.loads(marker.read_text(), parse_constant=refuse)
        assert data["date_source"] in (GIVEN, FILE_DATE)


def test_web_upload_without_a_date_takes_the_clip_s_recording_date(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from armcarriage.web import create_app

    tagged = _tagged_clip(tmp_path / "tagged.mp4", {"creation_time": "2025-03-04T05:06:07Z"})
    plain = _tagged_clip(tmp_path / "plain.mp4", {})
    app = create_app(
        tmp_path / "data", tokens={"coach-token-7-1a2b3c4d5e6f7a8b9c": "team"}, workers=0
    )
    auth = {"Authorization": "Bearer " + "coach-token-7-1a2b3c4d5e6f7a8b9c"}
    with TestClient(app, base_url="http://localhost") as c:
        sent = [(tagged, ""), (plain, ""), (tagged, "2026-01-02")]
        for clip, date in sent:
            r = c.post("/api/jobs", files={"file": (clip.name, clip.read_bytes(), "video/mp4")},
                       data={"athlete": "Ann", "date": date}, headers=auth)  # fmt: skip
            assert r.status_code == 201, r.text
        jobs = sorted(app.state.store.list_jobs("team", None), key=lambda j: j.created)
    got = [(j.session_date, j.video_info["date_source"]) for j in jobs]
    assert got == [
        ("2025-03-04", RECORDED),
        (dt.date.today().isoformat(), "upload date"),
        ("2026-01-02", GIVEN),
    ]


def test_a_clip_analysed_again_under_new_settings_is_one_session(tmp_path):
    from batch_fakes import _strides

    from armcarriage.dashboard.model import load_athlete
    from armcarriage.history import store

    engine = hdb.get_engine(tmp_path)
    for i, (chash, shash) in enumerate([("c1", "old"), ("c2", "old"), ("c1", "new")]):
        record = store.SessionRecord(
            athlete="Ann", clip=f"{chash}.mp4", clip_key=chash, content_hash=chash,
            settings_hash=shash, settings_json="{}", software_version="v", status="done",
            date=dt.date(2026, 5, 1 + i), cues=[shash],
        )  # fmt: skip
        strides = _strides(np.random.default_rng(i))
        strides["elbow_angle_mean"] = 80.0 + 10 * i
        store.record_session(engine, record, store.strides_long(strides))
    medians = session_medians(engine, "Ann")
    elbow = medians[medians["metric"] == "elbow_angle_mean"]
    assert list(elbow["median"]) == [90.0, 100.0]  # c1 counts once, as analysed last
    athlete = load_athlete(engine, "ann", lambda s: None)
    assert [s.clip for s in athlete.sessions] == ["c2", "c1"]
    assert [s.cues for s in athlete.sessions] == [["old"], ["new"]]
    assert len(store.athlete_sessions(engine, "Ann")) == 3  # the history keeps every analysis


def test_web_team_page_and_merge_action(tmp_path):
    pytest.importorskip("fastapi")
    from batch_fakes import _strides
    from fastapi.testclient import TestClient

    from armcarriage.history import store
    from armcarriage.web import create_app

    data = tmp_path / "data"
    engine = hdb.get_engine(data / "teams" / "team" / "history.sqlite")
    for i, name in enumerate(["Ann", "ann", "Annie", "Bo"]):
        record = store.SessionRecord(
            athlete=name, clip=f"c{i}.mp4", clip_key=f"web:{i:032x}", content_hash=f"c{i}",
            settings_hash="s", settings_json="{}", software_version="v", status="done",
            date=dt.date(2026, 5, 1 + i), cues=[f"cue {i % 2}"],
        )  # fmt: skip
        store.record_session(engine, record, store.strides_long(_strides(np.random.default_rng(i))))
    token = "coach-token-7-1a2b3c4d5e6f7a8b9c"
    app = create_app(data, tokens={token: "team"}, workers=0)
    with TestClient(app, base_url="http://localhost") as c:
        assert c.get("/team", follow_redirects=False).status_code == 303  # sign in first
        c.cookies.set("armcarriage_token", token)
        page = c.get("/team").text
        assert re.findall(r'<article class="athlete" data-name="([^"]*)"', page) == [
            "ann",
            "annie",
            "bo",
        ]
        assert '<script src="/dashboard-assets/dashboard.js">' in page
        assert c.get("/dashboard-assets/dashboard.js").text.startswith("// armcarriage")
        assert c.get("/dashboard-assets/other.js").status_code == 404
        r = c.post("/athletes/Annie/merge", data={"into": "ANN"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/athletes/Ann"
        page = c.get("/athletes/annie").text
        assert '<h1 id="athlete-name">Ann</h1>' in page and page.count('data-sort="2026-') == 3
        r = c.post("/athletes/Ann/merge", data={"into": "Zed"})
        assert r.status_code == 400 and "no athlete &#39;Zed&#39;" in r.text
        r = c.post("/athletes/Ann/merge", data={"into": "annie"})
        assert r.status_code == 400 and "already one athlete" in r.text


def test_batch_names_athletes_by_the_manifest_s_first_spelling_whatever_finishes_first(tmp_path):
    from batch_fakes import slow_first_analysis

    (tmp_path / "slow.mp4").write_bytes(make_video_bytes(1))
    (tmp_path / "quick.mp4").write_bytes(make_video_bytes(2))
    (tmp_path / "m.csv").write_text("path,athlete\nslow.mp4,Chloé\nquick.mp4,chloe\n")
    out = tmp_path / "out"
    result = run_batch(tmp_path / "m.csv", out, workers=2, analyse=slow_first_analysis)
    assert [o.key for o in result.outcomes] == ["Chloé__slow", "chloe__quick"]
    finished = sorted(
        out.glob("*/batch.json"), key=lambda p: json.loads(p.read_text())["finished_at"]
    )
    assert finished[0].parent.name == "chloe__quick"  # the second row committed first
    from armcarriage.history.store import list_athletes

    assert list_athletes(hdb.get_engine(out)) == ["Chloé"]
