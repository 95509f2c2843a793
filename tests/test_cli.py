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
