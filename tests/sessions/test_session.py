"""One run filmed from the side and the front, merged into one session."""

from __future__ import annotations

import json

import pytest
from session_fixture import render, truth_pose

import armcarriage as ac
from armcarriage.cli import main
from armcarriage.sessions.merge import AGREE, DISAGREE, SessionClip, merge_session
from armcarriage.sessions.run import clip_folders, run_session

CROSSING = {"both__cross_deg": 90.0, "both__abduction_deg": 0.0}
"""The forearm turned across the body: a crossing the front view sees and the side cannot."""


def _strict(path):
    return json.loads(path.read_text(), parse_constant=lambda t: 1 / 0)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("renders")
    return render(folder, "side_left", 3, **CROSSING), render(folder, "front", 3, **CROSSING)


@pytest.fixture(scope="module")
def session(clips, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    truth_pose(mp)
    try:
        out = tmp_path_factory.mktemp("session")
        result, outputs = run_session(list(clips), out)
    finally:
        mp.undo()
    return result, outputs, out


def test_each_metric_comes_from_the_view_that_measures_it_and_says_so(session):
    result, _, _ = session
    crossing = result.metrics["crossing_max_sw"]
    assert crossing["source"] == "front_3.mp4"
    assert crossing["note"] == "from front_3.mp4 (front view)"
    assert crossing["both"]["median"] == pytest.approx(0.27, abs=0.05)
    elbow = result.metrics["elbow_angle_mean"]
    assert elbow["source"] == "side_left_3.mp4"
    assert elbow["note"] == "from side_left_3.mp4 (side view)"
    assert elbow["left"]["median"] == pytest.approx(85.3, abs=2.0)
    # measured from both views: the registry's better view wins, and the note says so
    shrug = result.metrics["shrug_level_tl"]
    assert shrug["source"] == "front_3.mp4"
    assert "also measured in side_left_3.mp4 (side view" in shrug["note"]
    assert "the front view measures it better" in shrug["note"]
    assert [a["clip"] for a in shrug["also"]] == ["side_left_3.mp4"]
    cadence = result.metrics["cadence_spm"]
    assert (
        cadence["source"] == "side_left_3.mp4"
        and "side view measures it better" in (cadence["note"])
    )


def test_cadence_agrees_and_the_cues_rest_on_the_merged_numbers(session):
    result, _, _ = session
    (check,) = result.cadence
    assert check["verdict"] == AGREE
    assert check["median_a"] == pytest.approx(check["median_b"], abs=1.5)
    shown = result.cues.assessment.shown
    assert [(c.rule_id, result.cues.clip(c)) for c in shown] == [
        ("midline_crossing", "front_3.mp4")
    ]
    # the elbow rules were assessed on the side clip: elbow bend is called good there
    assert any(
        g.startswith("Elbow bend sits in a relaxed range") for g in result.cues.assessment.good
    )


def test_the_session_folder_holds_each_clip_and_strict_json(session):
    _, outputs, out = session
    assert sorted(p.name for p in out.iterdir()) == [
        "front_3",
        "report.html",
        "session.json",
        "side_left_3",
    ]
    for clip in ("front_3", "side_left_3"):
        assert (out / clip / "report.html").is_file() and (out / clip / "clip.mp4").is_file()
    doc = _strict(outputs["session"])
    assert [c["view"] for c in doc["clips"]] == ["side_left", "front"]
    assert doc["metrics"]["crossing_max_sw"]["source"] == "front_3.mp4"
    assert doc["cues"]["shown"][0]["clip"] == "front_3.mp4"
    page = outputs["report"].read_text()
    assert page.count('class="acr-clip"') == 2
    assert 'data-base="front_3/"' in page and 'data-base="side_left_3/"' in page


def test_a_cadence_disagreement_beyond_noise_is_reported(session):
    result, _, _ = session
    side, front = result.clips
    # the front clip read at a wrong frame rate: every time 12 % longer
    ds = front.analysis.track.ds
    slow = ac.PoseTrack(ds.assign_coords(time=ds["time"] * 1.12).assign_attrs(ds.attrs))
    wrong = SessionClip("front_slow.mp4", ac.analyze(slow))
    merged = merge_session([side, wrong])
    (check,) = merged.cadence
    assert check["verdict"] == DISAGREE
    assert check["difference"] == pytest.approx(-176.5 * (1 - 1 / 1.12), abs=3.0)
    assert "beyond the noise" in check["text"] and "same run" in check["text"]


def test_a_metric_no_clip_measures_says_why_for_each_clip(session):
    result, _, _ = session
    contact = result.metrics["contact_time_s"]
    assert contact["source"] == "side_left_3.mp4"
    lift = result.metrics["wrist_lift_tl"]
    assert lift["source"] == "front_3.mp4"
    both_sides = merge_session(
        [result.clips[0], SessionClip("again.mp4", result.clips[0].analysis)]
    )
    missing = both_sides.metrics["crossing_max_sw"]
    assert missing["source"] is None
    assert missing["note"].startswith("not measured in any clip (side_left_3.mp4: ")
    assert "again.mp4: " in missing["note"]
    json.loads(json.dumps(both_sides.to_dict(), allow_nan=False))


def test_clip_folders_are_unique():
    assert clip_folders(["a/run.mp4", "b/run.mp4", "session.json.mp4"]) == [
        "run",
        "run-2",
        "session.json-2",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.mp4", "y.mp4"], "give --session"),
        (["x.mp4", "--session"], "expected two clips or more"),
    ],
)
def test_session_usage_errors_exit_2(args, message, capsys):
    assert main(["analyze", *args]) == 2
    assert message in capsys.readouterr().err


def test_the_command_writes_the_session(clips, tmp_path, monkeypatch, capsys):
    truth_pose(monkeypatch)
    out = tmp_path / "s"
    assert main(["analyze", str(clips[0]), str(clips[1]), "--session", "-o", str(out)]) == 0
    said = " ".join(capsys.readouterr().err.split())  # the console wraps lines
    assert "they agree within the noise" in said
    assert "Hands cross the midline" in said and "(from front_3.mp4)" in said
    assert _strict(out / "session.json")["metrics"]["elbow_angle_mean"]["source"] == (
        "side_left_3.mp4"
    )


def test_a_batch_merges_the_rows_of_one_session(clips, tmp_path):
    from session_fixture import truth_analysis

    from armcarriage.batch.runner import run_batch

    manifest = tmp_path / "squad.csv"
    manifest.write_text(
        "path,athlete,session\n"
        f"{clips[0]},Ana,monday run\n{clips[1]},Ana,monday run\n{clips[0]},Ben,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_batch(manifest, out, workers=1, analyse=truth_analysis)
    assert result.count("done") == 3
    folder = out / "Ana__session-monday-run"
    assert result.outputs["session Ana monday run"] == folder / "report.html"
    doc = _strict(folder / "session.json")
    assert [c["folder"] for c in doc["clips"]] == ["../Ana__side_left_3", "../Ana__front_3"]
    assert doc["metrics"]["crossing_max_sw"]["note"] == "from front_3.mp4 (front view)"
    page = (folder / "report.html").read_text()
    assert 'data-base="../Ana__front_3/"' in page
    assert not [p for p in out.iterdir() if "Ben__session" in p.name]


def test_a_refused_clip_leaves_its_metrics_unmeasured_with_its_reason(session, tmp_path):
    from armcarriage.config import Config
    from armcarriage.sessions.page import session_page

    result, _, _ = session
    side, front = result.clips
    short = SessionClip("short.mp4", ac.analyze(front.analysis.track.slice_time(0.0, 0.8)))
    assert short.analysis.status != "ok"
    merged = merge_session([side, short])
    assert merged.metrics["elbow_angle_mean"]["source"] == "side_left_3.mp4"
    crossing = merged.metrics["crossing_max_sw"]
    assert crossing["source"] is None
    assert f"short.mp4: {short.analysis.message}" in crossing["note"]
    assert merged.cadence == []  # nothing to cross-check against
    page = session_page(merged, tmp_path, Config())
    assert page.count('class="acr-clip-none"') == 2  # no clip folders written here
    assert "Not measured in any clip" in page


def test_two_side_clips_give_each_arm_from_the_clip_that_sees_it(tmp_path):
    # the right elbow clamped, the left relaxed: only the side_right camera sees the right arm
    tight = {"right__elbow_deg": 58.0, "right__elbow_osc_deg": 6.0}
    clips = [
        SessionClip(
            f"{view}.mp4",
            ac.analyze(ac.PoseTrack.load(str(path).replace(".mp4", ".truth.parquet"))),
        )
        for view, path in (
            ("side_left", render(tmp_path, "side_left", 5, **tight)),
            ("side_right", render(tmp_path, "side_right", 5, **tight)),
        )
    ]
    merged = merge_session(clips)
    elbow = merged.metrics["elbow_angle_mean"]
    assert elbow["arms"] == {"left": "side_left.mp4", "right": "side_right.mp4"}
    assert elbow["note"].endswith("; the right arm from side_right.mp4 (side view)")
    assert elbow["left"]["median"] == pytest.approx(90.0, abs=4.0)
    assert elbow["right"]["median"] == pytest.approx(58.0, abs=4.0)
    shown = [(c.rule_id, c.side, merged.cues.clip(c)) for c in merged.cues.assessment.shown]
    assert ("tight_elbow", "right", "side_right.mp4") in shown
    assert not any(g.startswith("Elbow bend sits") for g in merged.cues.assessment.good)
