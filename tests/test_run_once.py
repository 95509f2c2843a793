"""One `armcarriage analyze` run probes the clip once and assesses its cues once."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

import armcarriage.cues
import armcarriage.cues.assessment
import armcarriage.video
from armcarriage.cli import app
from armcarriage.track import PoseTrack

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "side_right_clean.mp4"


def _count_calls(monkeypatch, original, calls: list[str]) -> None:
    """Replace ``original`` by a counting wrapper wherever a loaded module holds it."""

    def counted(*args, **kwargs):
        calls.append(original.__name__)
        return original(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("armcarriage") and getattr(module, original.__name__, None) is original:
            monkeypatch.setattr(module, original.__name__, counted)


def test_one_analyze_run_probes_the_clip_once_and_assesses_its_cues_once(tmp_path, monkeypatch):
    # every module that can take part in a run, loaded before the counters go in
    import armcarriage.parallel.run
    import armcarriage.pipeline
    import armcarriage.pose.run
    import armcarriage.report
    import armcarriage.report.clip
    import armcarriage.report.video
    import armcarriage.video.frames

    truth = PoseTrack.load(SAMPLE.with_suffix(".truth.parquet"))
    monkeypatch.setattr(armcarriage.pipeline, "estimate_track", lambda *a, **k: truth)
    probes: list[str] = []
    assessed: list[str] = []
    _count_calls(monkeypatch, armcarriage.video.probe_video, probes)
    _count_calls(monkeypatch, armcarriage.cues.assessment.assess, assessed)

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", str(SAMPLE), "-o", str(out), "--export-video"])

    assert res.exit_code == 0, res.output
    for name in ("summary.json", "report.html", "annotated.mp4", "clip.mp4"):
        assert (out / name).stat().st_size > 0
    assert len(probes) == 1
    assert len(assessed) == 1


def test_a_session_hands_each_clip_s_probe_to_its_run(tmp_path, make_video, monkeypatch):
    from armcarriage.config import Config
    from armcarriage.sessions import cli as session_cli
    from armcarriage.sessions import run as session_run

    clips = [make_video("side.mp4"), make_video("front.mp4", n=24)]
    probes: list[str] = []
    _count_calls(monkeypatch, armcarriage.video.probe_video, probes)
    handed: list[object] = []

    class StopError(Exception):
        pass

    def run_session(videos, out, config, *, watch=None, infos=None):
        handed.extend(infos or [])
        raise StopError

    monkeypatch.setattr(session_run, "run_session", run_session)
    try:
        session_cli.analyze_session(clips, tmp_path / "out", Config(), None, True, (None, None))
    except StopError:
        pass
    assert len(probes) == 2
    assert [getattr(i, "frames", None) for i in handed] == [20, 24]
