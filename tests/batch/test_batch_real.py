"""The batch with the real pipeline on short real clips (pose model included)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_file

from armcarriage.batch.runner import run_batch
from armcarriage.config import Config

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "side_right_clean.mp4"


@pytest.mark.slow
def test_real_batch_mixes_good_and_bad_clips(tmp_path):
    running = shared_file("videos", "field_side_short.mp4")
    walking = shared_file("videos", "walk_rear.mp4")
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "text.mp4").write_text("this is a text file, not a video\n")
    data = running.read_bytes()
    (folder / "cut.mp4").write_bytes(data[: len(data) // 3])  # some frames survive
    (folder / "stub.mp4").write_bytes(data[:1500])  # the download stopped in the header
    manifest = tmp_path / "squad.csv"
    manifest.write_text(
        "path,athlete,date,view,notes\n"
        f"{running},ann,2026-05-01,side,field\n"
        f"{walking},ben,2026-05-01,rear,walking\n"
        f"{folder / 'text.mp4'},cat,2026-05-01,,renamed text\n"
        f"{folder / 'cut.mp4'},dan,2026-05-01,,truncated\n"
        f"{folder / 'stub.mp4'},eve,2026-05-01,,truncated in the header\n"
        f"{SAMPLE},fay,2026-05-01,side,bundled sample\n"
    )
    cfg = Config().override({"pose.target_fps": 15.0, "report.annotated_video": False})
    out = tmp_path / "out"
    result = run_batch(manifest, out, cfg, workers=2)
    states = {o.key: o for o in result.outcomes}
    assert states["ann__field_side_short"].state == "done", states["ann__field_side_short"].error
    assert states["ben__walk_rear"].state == "done", states["ben__walk_rear"].error
    assert states["fay__side_right_clean"].state == "done", states["fay__side_right_clean"].error
    assert states["fay__side_right_clean"].analysis_status == "ok"
    # the walking clip is not running: an honest status, not invented strides
    assert states["ben__walk_rear"].analysis_status != "ok"
    assert states["cat__text"].state == "failed" and states["cat__text"].error_type == "VideoError"
    assert states["eve__stub"].state == "failed" and states["eve__stub"].error_type == "VideoError"
    # a file cut mid-stream still gives its first frames: analysed, with the damage reported
    assert any("truncated" in w for w in states["dan__cut"].warnings), states["dan__cut"]
    assert result.exit_code == 1
    team = pd.read_csv(out / "team.csv")
    assert sorted(team["athlete"]) == ["ann", "ben", "cat", "dan", "eve", "fay"]
    assert "truncated" in team.loc[team["athlete"] == "dan", "warnings"].item()
    marker = json.loads((out / "ann__field_side_short" / "batch.json").read_text())
    assert marker["video_info"]["width"] == 480 and marker["outputs"]
    again = run_batch(manifest, out, cfg, workers=2)
    assert again.count("skipped") == 4 and again.count("failed") == 2
