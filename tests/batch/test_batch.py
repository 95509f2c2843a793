"""Batch runner with a fake pipeline: manifests, hashing, bad clips, skip/--force, team report."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import typer
from batch_fakes import METRICS, N_STRIDES, fake_analysis, make_video_bytes
from typer.testing import CliRunner

from armcarriage.batch import team
from armcarriage.batch.manifest import ManifestError, load_manifest
from armcarriage.batch.runner import run_batch
from armcarriage.config import Config
from armcarriage.cues import cue_texts
from armcarriage.history.hashing import content_hash, settings_hash


def _squad(root: Path) -> Path:
    """alice/a1, alice/a2, bob/b1 good; a text file renamed .mp4 and a truncated mp4."""
    folder = root / "squad"
    for i, rel in enumerate(["alice/a1.mp4", "alice/a2.mp4", "bob/b1.mp4"]):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(make_video_bytes(i))
    (folder / "notes.mp4").write_text("not a video, just text\n")
    (folder / "cut.mp4").write_bytes(make_video_bytes(7, truncated=True))
    (folder / "readme.txt").write_text("ignored: not a video suffix")
    return folder


def _sessions(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "select a.name, s.clip_key, s.status, s.content_hash, s.settings_hash "
            "from sessions s join athletes a on a.id = s.athlete_id order by s.clip_key"
        ).fetchall()


# ------------------------------------------------------------------ manifest


def test_folder_lists_videos_with_athlete_from_subfolder(tmp_path):
    clips = load_manifest(_squad(tmp_path))
    assert [(c.athlete, c.key) for c in clips] == [
        ("alice", "alice__a1"),
        ("alice", "alice__a2"),
        ("bob", "bob__b1"),
        ("cut", "cut__cut"),
        ("notes", "notes__notes"),
    ]


def test_manifest_reads_columns_and_resolves_relative_paths(tmp_path):
    folder = _squad(tmp_path)
    manifest = folder / "squad.csv"
    manifest.write_text(
        "Path,Athlete,Date,View hint,Notes\n"
        "alice/a1.mp4,Alice Smith,2026-05-01,side_left,easy run\n"
        "bob/b1.mp4,Bob,2026-05-02,,\n"
    )
    clips = load_manifest(manifest)
    assert clips[0].path == (folder / "alice/a1.mp4").resolve()
    assert (clips[0].athlete, str(clips[0].date), clips[0].view_hint, clips[0].notes) == (
        "Alice Smith",
        "2026-05-01",
        "side_left",
        "easy run",
    )
    assert clips[0].key.startswith(
        "Alice-Smith__a1-"
    )  # a space made a dash: the name is kept by a hash
    assert clips[1].view_hint == ""


def test_manifest_capture_fps_column_sets_the_clip_s_capture_rate(tmp_path):
    from armcarriage.batch.runner import clip_config

    folder = _squad(tmp_path)
    manifest = folder / "squad.csv"
    manifest.write_text("path,athlete,capture fps\nalice/a1.mp4,Alice,240\nbob/b1.mp4,Bob,\n")
    clips = load_manifest(manifest)
    assert [c.capture_fps for c in clips] == [240.0, 0.0]
    assert clip_config(Config(), clips[0]).video.capture_fps == 240.0
    assert clip_config(Config(), clips[1]) == Config()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("path,capture_fps\na.mp4,fast\n", "line 2, column 'capture fps': expected the frame"),
        ("path,capture_fps\na.mp4,-30\n", "line 2, column 'capture fps': expected the frame"),
        ("path,athlete,date\na.mp4,al,2026-13-01\n", "line 2, column 'date': expected a date"),
        ("path,view\na.mp4,sideways\n", "line 2, column 'view': expected one of"),
        ("path,athlete\n,al\n", "line 2, column 'path': expected a video path"),
        ("athlete,date\nal,2026-01-01\n", "line 1: expected a 'path' column"),
        ("path,athelete\na.mp4,al\n", "line 1, column 2: unknown column 'athelete'"),
        ("path,athlete\na.mp4,al\nb.mp4,bo\na.mp4,al\n", "line 4, column 'path'"),
        ("path\na.mp4,extra\n", "line 2: expected 1 columns, got 2"),
    ],
)
def test_manifest_errors_name_line_and_column(tmp_path, body, expected):
    manifest = tmp_path / "m.csv"
    manifest.write_text(body)
    with pytest.raises(ManifestError, match=expected):
        load_manifest(manifest)


def test_manifest_lists_every_bad_row(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,date\na.mp4,yesterday\nb.mp4,2026-02-30\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    assert "line 2" in str(info.value) and "line 3" in str(info.value)


def test_input_errors(tmp_path):
    with pytest.raises(ManifestError, match="not found"):
        load_manifest(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(ManifestError, match=r"expected a folder of videos or a \.csv"):
        load_manifest(tmp_path / "x.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ManifestError, match="no clips found"):
        load_manifest(tmp_path / "empty")


def test_clashing_names_get_distinct_keys(tmp_path):
    for sub in ("w1", "w2"):
        (tmp_path / "al" / sub).mkdir(parents=True)
        (tmp_path / "al" / sub / "run.mp4").write_bytes(b"x")
    keys = [c.key for c in load_manifest(tmp_path)]
    assert len(set(keys)) == 2 and all(k.startswith("al__run-") for k in keys)


# ------------------------------------------------------------------ hashing


def test_hashes(tmp_path):
    import hashlib

    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"abc" * 1000)
    assert content_hash(clip) == content_hash(clip, chunk_bytes=7)
    assert content_hash(clip) == hashlib.sha256(b"abc" * 1000).hexdigest()
    base = Config()
    assert settings_hash(base) == settings_hash(Config())
    assert settings_hash(base) != settings_hash(base.override({"cleaning.cutoff_hz": 6.5}))
    # where results go and how many processes run do not change the numbers
    assert settings_hash(base) == settings_hash(
        base.override({"batch.workers": 4, "pose.workers": 3, "serve.port": 9})
    )


# ------------------------------------------------------------------ runner


def test_batch_records_bad_clips_and_goes_on(tmp_path):
    out = tmp_path / "out"
    result = run_batch(_squad(tmp_path), out, workers=2, analyse=fake_analysis)
    states = {o.key: o.state for o in result.outcomes}
    assert states == {
        "alice__a1": "done",
        "alice__a2": "done",
        "bob__b1": "done",
        "cut__cut": "failed",
        "notes__notes": "failed",
    }
    assert result.exit_code == 1
    errors = {o.key: o.error for o in result.outcomes if o.state == "failed"}
    assert "expected an MP4 file" in errors["notes__notes"]
    assert "truncated MP4" in errors["cut__cut"]
    # one committed folder per clip, each with its marker; nothing left in staging
    for key, state in states.items():
        marker = json.loads((out / key / "batch.json").read_text())
        assert marker["state"] == state
    assert (out / "alice__a1" / "report.html").is_file()
    assert not (out / ".staging").exists()
    # the database holds every clip once; failed ones with their error and no strides
    rows = _sessions(out / "history.sqlite")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("alice", "alice__a1", "done"),
        ("alice", "alice__a2", "done"),
        ("bob", "bob__b1", "done"),
        ("cut", "cut__cut", "failed"),
        ("notes", "notes__notes", "failed"),
    ]
    with sqlite3.connect(out / "history.sqlite") as con:
        per_session = dict(
            con.execute(
                "select s.clip_key, count(m.id) from sessions s "
                "left join stride_metrics m on m.session_id = s.id group by s.id"
            ).fetchall()
        )
        error = con.execute("select error from sessions where clip_key='notes__notes'").fetchone()
    assert per_session["alice__a1"] == N_STRIDES * 2 * len(METRICS)
    assert per_session["notes__notes"] == 0
    assert error[0].startswith("VideoError:")
    # the team report lists all clips, failed ones with their error
    frame = pd.read_csv(out / "team.csv")
    assert list(frame["clip"]) == ["alice__a1", "alice__a2", "bob__b1", "cut__cut", "notes__notes"]
    assert frame.loc[frame["clip"] == "notes__notes", "error"].str.contains("VideoError").all()
    assert frame.loc[frame["state"] == "done", "cadence_spm"].between(150, 190).all()
    page = (out / "team.html").read_text()
    assert "notes__notes" in page and "<script>" in page and "5 clips, 2 failed" in page


def test_rerun_skips_and_force_reanalyses(tmp_path, monkeypatch):
    squad = _squad(tmp_path)
    out = tmp_path / "out"
    log = tmp_path / "analysed.log"
    monkeypatch.setenv("ARMCARRIAGE_FAKE_LOG", str(log))
    run_batch(squad, out, workers=1, analyse=fake_analysis)
    first = _sessions(out / "history.sqlite")
    log.write_text("")
    again = run_batch(squad, out, workers=1, analyse=fake_analysis)
    assert again.count("skipped") == 3 and again.count("failed") == 2
    # the two bad clips are tried again (they may have been fixed); good ones are not
    assert log.read_text().split() == []
    assert _sessions(out / "history.sqlite") == first
    # changing the clip's bytes or a setting analyses it again
    (squad / "bob" / "b1.mp4").write_bytes(make_video_bytes(42))
    third = run_batch(squad, out, workers=1, analyse=fake_analysis)
    assert {o.key for o in third.outcomes if o.state == "done"} == {"bob__b1"}
    cfg = Config().override({"cleaning.cutoff_hz": 7.0})
    fourth = run_batch(squad, out, cfg, workers=1, analyse=fake_analysis)
    assert fourth.count("done") == 3
    forced = run_batch(squad, out, cfg, workers=2, force=True, analyse=fake_analysis)
    assert forced.count("done") == 3 and forced.count("skipped") == 0
    rows = _sessions(out / "history.sqlite")
    keys = [(r[0], r[3], r[4]) for r in rows]
    assert len(keys) == len(set(keys)), "a session was duplicated"
    # alice a1: default settings + cutoff 7 -> two sessions; bob b1: old bytes, new bytes x2
    assert sum(r[1] == "alice__a1" for r in rows) == 2
    assert sum(r[1] == "bob__b1" for r in rows) == 3


def test_missing_manifest_file_is_a_failed_clip(tmp_path):
    folder = _squad(tmp_path)
    manifest = folder / "m.csv"
    manifest.write_text("path,athlete\nalice/a1.mp4,alice\ngone.mp4,carl\n")
    result = run_batch(manifest, tmp_path / "out", workers=1, analyse=fake_analysis)
    failed = [o for o in result.outcomes if o.state == "failed"]
    assert [o.key for o in failed] == ["carl__gone"]
    assert "m.csv line 3" in failed[0].error and "not found" in failed[0].error
    assert result.exit_code == 1


def test_pipeline_without_analysis_is_a_failure(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(make_video_bytes(1))
    result = run_batch(folder, tmp_path / "out", workers=1, analyse=_no_analysis)
    assert result.outcomes[0].state == "failed"
    assert "without an analysis" in result.outcomes[0].error


def _no_analysis(video, outdir, config=None, progress=None):
    from types import SimpleNamespace

    return SimpleNamespace(status="no_runner", analysis=None, message="nobody in view")


def test_batch_command_exit_code(tmp_path, monkeypatch):
    from armcarriage.batch import cli as batch_cli

    def fake_run_batch(*args, **kwargs):
        return run_batch(*args, **{**kwargs, "analyse": fake_analysis})

    monkeypatch.setattr("armcarriage.batch.runner.run_batch", fake_run_batch)
    app = typer.Typer()
    app.command("batch")(batch_cli.batch_command)
    app.command("other")(lambda: None)
    squad = _squad(tmp_path)
    res = CliRunner().invoke(
        app, ["batch", str(squad), "-o", str(tmp_path / "o"), "--workers", "1"]
    )
    assert res.exit_code == 1, res.output
    assert "3 analysed, 0 skipped" in res.output and "2 failed" in res.output
    for name in ("notes.mp4", "cut.mp4"):
        (squad / name).unlink()
    res = CliRunner().invoke(
        app, ["batch", str(squad), "-o", str(tmp_path / "o"), "--workers", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "0 analysed, 3 skipped" in res.output


# ------------------------------------------------------------------ team


def _row(athlete, clip, elbow_sym, swing_sym, drift):
    return {
        "athlete": athlete,
        "date": "2026-05-01",
        "clip": clip,
        "state": "done",
        "elbow_symmetry_pct": elbow_sym,
        "swing_symmetry_pct": swing_sym,
        "drift_metric": "elbow_angle_mean",
        "drift_pct": drift,
    }


def test_team_flags_largest_asymmetry_and_drift(tmp_path):
    rows = [
        _row("ann", "ann__1", 2.0, 40.0, 1.0),
        _row("ben", "ben__1", -25.0, 3.0, -30.0),
        _row("cat", "cat__1", 5.0, 10.0, 12.0),
        {"athlete": "dan", "date": "2026-05-01", "clip": "dan__1", "state": "failed", "error": "x"},
    ]
    frame = team.team_frame(rows)
    flagged = team.flags(frame, Config())
    assert list(flagged["asymmetry"]["athlete"]) == ["ann", "ben"]  # > 15 %, largest first
    assert list(flagged["drift"]["athlete"]) == ["ben", "cat"]  # > 10 %, largest first
    paths = team.write_team_report(rows, tmp_path, Config())
    page = paths["team_html"].read_text()
    assert "Largest asymmetries" in page and "<b>ann</b>" in page
    assert "elbow_angle_mean changes -30.0 %" in page  # the name comes from the row
    assert pd.read_csv(paths["team_csv"])["athlete"].tolist() == ["ann", "ben", "cat", "dan"]


def test_symmetry_index_from_arm_medians():
    summary = {"swing_arc_deg": {"left": {"median": 54.0}, "right": {"median": 66.0}}}
    assert team.symmetry_index(summary, "swing_arc_deg") == pytest.approx(-20.0)
    assert team.symmetry_index({"x": {"symmetry_index": 7.5}}, "x") == 7.5
    assert pd.isna(team.symmetry_index({}, "swing_arc_deg"))


def test_clip_row_from_a_rear_view_analysis_with_real_cues():
    from analysis_fixture import make_analysis

    from armcarriage.cues import evaluate_cues

    analysis = make_analysis(
        view="rear",
        side_values={"left": {"swing_arc_deg": 60.0}, "right": {"swing_arc_deg": 40.0}},
        per_stride={k: {"elbow_angle_mean": 110.0} for k in range(4, 6)},
    )
    cues = cue_texts(evaluate_cues(analysis, Config()))
    row = team.clip_row(analysis, cues, Config())
    assert row["view"] == "rear" and row["cadence_spm"] == 168.0
    assert row["swing_symmetry_pct"] == pytest.approx(40.0, abs=3.0)  # (60-40)/50
    assert abs(row["elbow_symmetry_pct"]) < 5.0
    assert row["drift_metric"] in ("elbow_angle_mean (left)", "elbow_angle_mean (right)")
    assert row["drift_pct"] == pytest.approx(100 * (110 - 90) / 90, abs=3.0)
    assert row["confidence"] == pytest.approx(0.9)
    assert row["top_cues"] == " | ".join(cues[:3])


def test_cue_texts_prefer_the_title():
    from types import SimpleNamespace

    cues = [SimpleNamespace(title="Arms cross", cue="Drive the elbows back"), {"cue": "Relax"}, "x"]
    assert cue_texts(cues) == ["Arms cross", "Relax", "x"]


def test_side_view_leaves_symmetry_unmeasured():
    from analysis_fixture import make_analysis

    row = team.clip_row(make_analysis(view="side_right"), [], Config())
    assert pd.isna(row["swing_symmetry_pct"]) and pd.isna(row["elbow_symmetry_pct"])
    # facing image-right, the right arm is the near one; the left one is hidden
    assert row["elbow_angle_right"] == pytest.approx(90.0, rel=0.05)
    assert pd.isna(row["elbow_angle_left"])


def test_second_batch_into_the_same_folder_is_refused(tmp_path):
    import fcntl

    from armcarriage.batch.runner import LOCK_FILE, BatchBusyError

    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BatchBusyError, match="another batch is writing"):
            run_batch(_squad(tmp_path), out, workers=1, analyse=fake_analysis)
    assert not list(out.glob("*__*"))


def test_a_clip_that_kills_its_worker_fails_alone(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"c{i}.mp4").write_bytes(make_video_bytes(i))
    (folder / "c1.mp4").write_bytes(b"CRASH")
    result = run_batch(folder, tmp_path / "out", workers=2, analyse=fake_analysis)
    states = {o.key: (o.state, o.error) for o in result.outcomes}
    assert states["c1__c1"] == ("failed", "the worker process died")
    assert [states[f"c{i}__c{i}"][0] for i in (0, 2)] == ["done"] * 2
    assert result.exit_code == 1


def test_local_backend_forwards_per_clip_progress(tmp_path):
    from armcarriage.batch.backends import LocalBackend
    from armcarriage.batch.manifest import ClipSpec
    from armcarriage.batch.worker import ClipJob

    clip = tmp_path / "a.mp4"
    clip.write_bytes(make_video_bytes(3))
    spec = ClipSpec(path=clip, athlete="a", date=None, key="a__a")
    job = ClipJob(spec, "h", "s", str(tmp_path / "stage"), Config(), fake_analysis)
    messages = []
    backend = LocalBackend(1, False, "", messages.append)
    try:
        outcomes = list(backend.run([job]))
    finally:
        backend.shutdown()
    assert [o.state for _, o in outcomes] == ["done"]
    assert messages[0] == ("start", "a__a", 0, 0) and messages[-1] == ("end", "a__a", 0, 0)
    assert ("progress", "a__a", 100, 100) in messages


def test_report_folders_keep_the_script_and_never_collide(tmp_path):
    # separate batches into one output: each clip's folder must be its own
    names = [
        "José",
        "Josè",
        "Алексей",
        "Мария",
        "李小龙",
        "王芳",
        "🏃",
        "clip",
        "Alice Smith",
        "Alice-Smith",
    ]
    keys = []
    for i, athlete in enumerate(names):
        folder = tmp_path / f"batch{i}" / athlete
        folder.mkdir(parents=True)
        (folder / "run.mp4").write_bytes(b"x")
        (clip,) = load_manifest(tmp_path / f"batch{i}")
        assert clip.athlete == athlete
        keys.append(clip.key)
    assert len(set(keys)) == len(names), keys
    assert keys[:6] == [f"{a}__run" for a in names[:6]]  # the script is kept as it is
    assert keys[6].startswith("clip__run-") and keys[7] == "clip__run"
    assert keys[8].startswith("Alice-Smith__run-") and keys[9] == "Alice-Smith__run"
    # the two spellings of José (composed, and e + accent as macOS names folders) are one athlete
    nfd = tmp_path / "nfd" / "Jose\u0301"
    nfd.mkdir(parents=True)
    (nfd / "run.mp4").write_bytes(b"x")
    (clip,) = load_manifest(tmp_path / "nfd")
    assert clip.athlete == "José" and clip.key == "José__run"
    # a long name in a non-Latin script fits one file name, and stays unique
    (tmp_path / ("跑" * 80 + ".mp4")).write_bytes(b"x")
    manifest = tmp_path / "long.csv"
    manifest.write_text(f"path,athlete\n{'跑' * 80}.mp4,{'走' * 200}\n", encoding="utf-8")
    (clip,) = load_manifest(manifest)
    assert len(clip.key.encode()) <= 255 and clip.key.startswith("走" * 33 + "__" + "跑" * 33)
    assert clip.athlete == "走" * 80
