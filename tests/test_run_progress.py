"""Quiet, honest progress: native logs silenced, every stage shown, the terminal in words."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest
from rich.console import Console

from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.pipeline import RunResult, _analyse_and_report, check_span
from armcarriage.progress import run_progress

NATIVE = textwrap.dedent(
    """
    import os, sys
    from armcarriage.pose import quiet_native_logs
    with quiet_native_logs():
        os.write(2, b"W0000 native log line\\n")  # what C++ code does: fd 2, past sys.stderr
    os.write(2, b"after\\n")
    """
)


def _run(env_extra: dict[str, str]) -> str:
    import os

    env = {k: v for k, v in os.environ.items() if k != "ARMCARRIAGE_NATIVE_LOGS"}
    env.update(env_extra)
    res = subprocess.run(
        [sys.executable, "-c", NATIVE], capture_output=True, text=True, timeout=60, env=env
    )
    assert res.returncode == 0, res.stderr
    return res.stderr


def test_native_logs_are_silenced_at_the_descriptor_and_restored_after():
    assert _run({}) == "after\n"


def test_native_logs_pass_with_verbose():
    assert _run({"ARMCARRIAGE_NATIVE_LOGS": "1"}) == "W0000 native log line\nafter\n"


def _truth_result(fault: str, view: str, seconds: float) -> RunResult:
    pytest.importorskip("armcarriage_eval.synthetic.truth")
    from armcarriage_eval.synthetic.clip import ClipSpec, frame_times
    from armcarriage_eval.synthetic.gait import simulate
    from armcarriage_eval.synthetic.truth import truth_track

    from armcarriage.video import VideoInfo

    spec = ClipSpec(view=view, fault=fault, seconds=seconds)
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    track = truth_track(kin, spec.camera(), spec.fps, source="clip.mp4", view=view)
    info = VideoInfo(
        path="clip.mp4",
        width=spec.width,
        height=spec.height,
        fps=spec.fps,
        duration_s=seconds,
        frames=track.n_frames,
        rotation=0,
        codec="h264",
        container="mp4",
        coded_width=spec.width,
        coded_height=spec.height,
    )
    return RunResult(status="ok", video_info=info, track=track)


def test_every_stage_after_the_pose_stage_is_named(tmp_path):
    result = _truth_result("crossing", "front", 4.0)
    seen: list[str] = []
    cfg = Config().override({"report.annotated_video": False})
    _analyse_and_report(
        result,
        tmp_path / "none.mp4",
        tmp_path,
        cfg,
        stage=lambda name, done, total: seen.append(name),
    )
    assert list(dict.fromkeys(seen)) == [
        "strides and metrics",
        "cues",
        "strides.csv and summary.json",
        "report.html: cues and their key frames",
        "report.html: key frames",
        "report.html: plots",
        "report.html: left vs right",
        "report.html: fatigue drift",
        "report.html: stride table",
    ]


def test_stages_draw_in_one_display():
    buf = io.StringIO()
    console = Console(file=buf, width=100, force_terminal=False)
    with run_progress(console, "pose clip.mp4") as run:
        run.frames(10, 10)
        run.stage("strides and metrics")
        run.stage("report.html: plots")
        run.stage("report.html: stride table")  # renames the line, adds none
        run.stage("annotated.mp4", 5, 20)
        run.stage("annotated.mp4", 20, 20)
    text = buf.getvalue()
    for label in (
        "pose clip.mp4",
        "assembling the pose track",  # after the last frame, before the next stage
        "strides and metrics",
        "annotated.mp4",
        "20/20 frames",
    ):
        assert label in text
    assert "1/1" not in text  # a stage without a count shows no count
    assert "report.html: stride table" in text and "report.html: plots" not in text


def test_refused_clip_reads_in_words_on_the_terminal():
    from armcarriage.analysis import analyze
    from armcarriage.cli_text import outcome_lines

    result = _truth_result("none", "side_right", 1.0)
    result.analysis = analyze(result.track, Config())
    assert result.analysis.status == "too_few_strides"
    text = "\n".join(outcome_lines(result, "clip.mp4"))
    assert "nan" not in text.lower() and "too_few_strides" not in text
    assert "Too few strides" in text


def test_analysed_clip_reads_cadence_and_cues_in_words():
    from armcarriage.analysis import analyze
    from armcarriage.cli_text import outcome_lines
    from armcarriage.cues import evaluate_cues

    result = _truth_result("crossing", "front", 6.0)
    result.analysis = analyze(result.track, Config())
    result.cues = evaluate_cues(result.analysis)
    text = "\n".join(outcome_lines(result, "clip.mp4"))
    assert "steps/min" in text and "nan" not in text.lower()
    assert "Hands cross the midline" in text


@pytest.mark.parametrize(
    ("start", "end", "duration", "wrong"),
    [(-1.0, 0.0, 10.0, "--start/--end"), (5.0, 4.0, 10.0, "--end"), (12.0, 0.0, 10.0, "--start")],
)
def test_bad_time_range_is_refused_naming_the_option(start, end, duration, wrong):
    with pytest.raises(InputError, match=wrong):
        check_span(start, end, duration)
    check_span(1.0, 3.0, 10.0)


def test_stage_clock_names_the_terminal_s_stages_with_the_time_left():
    from armcarriage.progress import POSE_SHARE, StageClock

    now = [0.0]
    clock = StageClock(clock=lambda: now[0], min_elapsed_s=2.0)
    assert clock.text() == "starting" and clock.fraction() == 0.0
    clock.frames(0, 100)
    now[0] = 1.0
    clock.frames(10, 100)
    assert clock.text() == "pose 10/100 frames"  # too early to tell the time left
    now[0] = 4.0
    clock.frames(40, 100)  # 0.1 s per frame so far: 60 frames to go
    assert clock.text() == "pose 40/100 frames, about 6 s left"
    assert clock.fraction() == pytest.approx(0.4 * POSE_SHARE)
    clock.frames(100, 100)
    assert clock.text() == "assembling the pose track"
    fractions = [clock.fraction()]
    clock.stage("strides and metrics")
    fractions.append(clock.fraction())
    clock.stage("report.html: plots")
    clock.stage("report.html: stride table")  # a part of the same stage keeps its clock
    fractions.append(clock.fraction())
    now[0] = 10.0
    clock.stage("annotated.mp4", 30, 300)
    now[0] = 13.0
    clock.stage("annotated.mp4", 60, 300)  # 0.1 s per frame since the stage began
    assert clock.text() == "annotated.mp4 60/300 frames, about 24 s left"
    fractions.append(clock.fraction())
    clock.stage("annotated.mp4", 300, 300)
    fractions.append(clock.fraction())
    assert fractions == sorted(fractions) and POSE_SHARE <= fractions[0] and fractions[-1] < 1.0
    now[0] = 20.0
    clock.stage("player clip", 0, 1000)
    now[0] = 110.0
    clock.stage("player clip", 10, 1000)  # 9 s per frame: 8910 s to go
    assert clock.text().endswith("about 2 h 28 min left")
    now[0] = 120.0
    clock.stage("player clip", 700, 1000)
    assert clock.text().endswith("about 43 s left")
    clock.stage("player clip", 100, 1000)
    assert clock.text().endswith("about 15 min 00 s left")


def test_the_terminal_names_the_first_filming_advice(tmp_path):
    import json

    from armcarriage.cli_text import advice_lines

    advice = [
        {"topic": t, "limit": "", "change": f"change {t}", "unlocks": [f"{t} 1", f"{t} 2", "x"]}
        for t in ("view", "frame_rate", "strides")
    ]
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"filming_advice": advice}))
    assert advice_lines({"summary": summary}) == [
        "film next: change view (would measure: view 1; view 2)",
        "film next: change frame_rate (would measure: frame_rate 1; frame_rate 2)",
        "film next: 1 more in report.html (Film the next clip differently)",
    ]
    assert advice_lines({}) == []
    assert advice_lines({"summary": tmp_path / "missing.json"}) == []
