"""Command line: exit codes and messages for bad input, info, config errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from armcarriage.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "armcarriage.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_not_a_video_exits_2_with_message(tmp_path):
    bad = tmp_path / "clip.mp4"
    bad.write_text("hello")
    res = run_cli("analyze", str(bad), "-o", str(tmp_path / "out"))
    assert res.returncode == 2
    assert f"error: {bad}: not a readable video" in res.stderr
    assert not (tmp_path / "out").exists()


def test_a_clip_without_a_runner_exits_2_with_its_outputs_and_the_reason(tmp_path, make_video):
    clip = make_video("empty.mp4", n=30)  # a moving test pattern: nobody in view
    out = tmp_path / "out"
    res = run_cli("analyze", str(clip), "-o", str(out), "--workers", "1")
    assert res.returncode == 2, res.stderr
    assert "no person was found in any frame" in res.stderr
    assert "No runner found" in res.stderr
    summary = (out / "summary.json").read_text()
    assert '"status": "no_runner"' in summary


def test_too_few_strides_exits_2_with_its_outputs(tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "side_right_clean.mp4"
    out = tmp_path / "short"
    res = run_cli("analyze", str(sample), "-o", str(out), "--end", "1.2", "--workers", "1")
    assert res.returncode == 2, res.stderr
    assert "Too few strides" in res.stderr and (out / "report.html").exists()
    assert '"status": "too_few_strides"' in (out / "summary.json").read_text()


def test_missing_file_and_model(tmp_path, make_video, capsys):
    assert main(["analyze", str(tmp_path / "none.mp4")]) == 2
    assert f"error: {tmp_path / 'none.mp4'}: file not found" in capsys.readouterr().err
    clip = make_video("c.mp4")
    assert main(["analyze", str(clip), "--model", str(tmp_path / "m.task")]) == 2
    assert "pose model not found: expected a MediaPipe .task bundle at" in capsys.readouterr().err


def test_bad_set_and_unknown_option(make_video, capsys):
    clip = make_video("c.mp4")
    assert main(["analyze", str(clip), "--set", "cleaning.cutoff_hz=fast"]) == 2
    assert "cleaning.cutoff_hz: expected a float, got 'fast'" in capsys.readouterr().err
    assert main(["analyze", str(clip), "--no-such-option"]) == 2


def test_info_names_versions_and_model():
    res = run_cli("info")
    assert res.returncode == 0, res.stderr
    assert "mediapipe 1." in res.stdout
    assert "pose_landmarker_full.task (found)" in res.stdout


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"]])
def test_help(args):
    res = run_cli(*args)
    assert res.returncode == 0
    assert "Usage" in res.stdout


def test_every_command_is_on_the_command_line(tmp_path):
    res = run_cli("--help")
    assert res.returncode == 0
    for name in ("analyze", "info", "metrics", "cues", "synth", "batch", "history", "serve"):
        assert f" {name} " in res.stdout, f"command {name!r} missing from --help"
    res = run_cli("metrics", str(tmp_path / "missing.parquet"))
    assert res.returncode == 2
    assert "missing.parquet" in res.stderr


# ------------------------------------------------------------------ exit codes


def _fake_batch(monkeypatch):
    from batch_fakes import fake_analysis

    from armcarriage.batch.runner import run_batch

    def fake_run_batch(*args, **kwargs):
        return run_batch(*args, **{**kwargs, "analyse": fake_analysis})

    monkeypatch.setattr("armcarriage.batch.runner.run_batch", fake_run_batch)


def test_batch_exits_1_when_a_clip_fails_and_0_when_all_pass(tmp_path, monkeypatch, capsys):
    import json

    from batch_fakes import make_video_bytes

    _fake_batch(monkeypatch)
    squad = tmp_path / "squad"
    squad.mkdir()
    (squad / "good.mp4").write_bytes(make_video_bytes(1))
    (squad / "bad.mp4").write_text("not a video")
    out = tmp_path / "out"
    args = ["batch", str(squad), "-o", str(out), "--workers", "1"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "1 analysed, 0 skipped (already analysed), 1 failed" in err
    assert "bad__bad" in err and "VideoError" in err
    marker = json.loads((out / "bad__bad" / "batch.json").read_text())
    assert (marker["state"], marker["error_type"]) == ("failed", "VideoError")
    (squad / "bad.mp4").unlink()
    assert main(args) == 0
    assert "0 analysed, 1 skipped" in capsys.readouterr().err


def test_ctrl_c_exits_130(tmp_path, monkeypatch, make_video, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("armcarriage.batch.runner.run_batch", interrupted)
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "o")]) == 130
    assert "interrupted" in capsys.readouterr().err
    monkeypatch.setattr("armcarriage.pipeline.run_analysis", interrupted)
    clip = make_video("c.mp4")
    assert main(["analyze", str(clip), "-o", str(tmp_path / "a")]) == 130
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args", [["batch"], ["batch", "x", "-o", "y", "--workers", "many"], ["no-such-command"]]
)
def test_bad_usage_exits_2(args):
    assert main(args) == 2


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        (["sqlalchemy", "dask", "distributed"], ["batch", "in", "-o", "out"], "batch"),
        (["sqlalchemy"], ["history", "alice"], "batch"),
        (["fastapi", "uvicorn", "starlette"], ["serve", "--port", "8123"], "web"),
    ],
)
def test_missing_extra_names_the_extra_and_exits_2(tmp_path, blocked, args, extra):
    # a module set to None in sys.modules cannot be imported, as if not installed
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "from armcarriage.cli import main\n"
        f"sys.exit(main({args!r}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert res.returncode == 2, res.stderr
    assert f"armcarriage {args[0]} needs the optional extra '{extra}'" in res.stderr
    assert f"pip install 'armcarriage[{extra}]'" in res.stderr
    assert "internal error" not in res.stderr


def test_capture_fps_reaches_the_analysis_and_a_slow_motion_refusal_exits_0(
    make_video, monkeypatch, capsys
):
    from types import SimpleNamespace

    import armcarriage.pipeline

    seen = {}

    def fake_run(video, outdir, config=None, progress=None, **_):
        seen["capture"] = config.video.capture_fps
        track = SimpleNamespace(n_frames=0, attrs={}, detection_rate=lambda: 0.0)
        analysis = SimpleNamespace(
            status="slow_motion",
            message="the clip looks like slow motion: give --capture-fps",
            view={},
            strides=[],
            cadence_spm=float("nan"),
            settings={},
        )
        return SimpleNamespace(
            status="slow_motion",
            track=track,
            analysis=analysis,
            cues=[],
            outputs={},
            message=analysis.message,
        )

    monkeypatch.setattr(armcarriage.pipeline, "run_analysis", fake_run)
    clip = make_video("c.mp4")
    assert main(["analyze", str(clip), "--capture-fps", "240"]) == 0
    assert seen["capture"] == 240.0
    assert main(["analyze", str(clip)]) == 0
    assert seen["capture"] == 0.0
    assert "--capture-fps" in capsys.readouterr().err
    assert main(["analyze", str(clip), "--capture-fps", "-5"]) == 2


def test_person_choice_reaches_the_pose_settings_and_a_bad_one_exits_2(
    make_video, monkeypatch, capsys
):
    from types import SimpleNamespace

    import armcarriage.pipeline
    from armcarriage.person import PersonChoice

    seen = []

    def fake_run(video, outdir, config=None, progress=None, **_):
        seen.append(PersonChoice.from_config(config))
        track = SimpleNamespace(n_frames=0, attrs={}, detection_rate=lambda: 0.0)
        return SimpleNamespace(track=track, analysis=None, cues=[], outputs={})

    monkeypatch.setattr(armcarriage.pipeline, "run_analysis", fake_run)
    clip = make_video("c.mp4")
    assert main(["analyze", str(clip), "--person", "right"]) == 0
    assert main(["analyze", str(clip), "--person", "0.25,0.6"]) == 0
    assert main(["analyze", str(clip)]) == 0
    assert seen == [PersonChoice(1.0, -1.0), PersonChoice(0.25, 0.6), PersonChoice()]
    assert main(["analyze", str(clip), "--person", "tallest"]) == 2
    assert "--person: expected auto, left, right, centre or X,Y" in capsys.readouterr().err
    assert len(seen) == 3


def test_a_reference_without_a_summary_exits_2_before_the_clip_is_read(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_text("never read")
    res = run_cli("analyze", str(clip), "--reference", str(tmp_path / "nothing"))
    assert res.returncode == 2
    assert "--reference" in res.stderr and "expected an output folder of analyze" in res.stderr
    rear = tmp_path / "rear.json"
    rear.write_text('{"neck_tl": 0.4, "view": "rear"}')
    res = run_cli("analyze", str(clip), "--reference", str(rear))
    assert res.returncode == 2 and "expected view side_left, side_right or front" in res.stderr
