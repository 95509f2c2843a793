"""Leaving out strides that went wrong: numbers and cues recomputed, the reason kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import armcarriage as ac
from armcarriage.cli import main
from armcarriage.corrections import Exclusion, exclude_strides
from armcarriage.errors import InputError

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
TRACK = SAMPLES / "side_left_tight_elbows.truth.parquet"


@pytest.fixture(scope="module")
def analysis():
    return ac.analyze(ac.PoseTrack.load(TRACK))


def test_a_stumble_is_left_out_and_the_summary_recomputed(analysis):
    table = analysis.strides
    first = int(table["stride"].min())  # 0-based: people read it as stride 1
    t0 = float(table.loc[table["stride"] == first + 2, "t_start"].iloc[0])
    out = exclude_strides(analysis, Exclusion.parse([1], [f"{t0 + 0.01}-{t0 + 0.02}"], "stumble"))
    assert set(out.strides["stride"]) == set(table["stride"]) - {first, first + 2}
    assert [e["stride"] for e in out.settings["excluded"]] == [1, 3]
    assert {e["reason"] for e in out.settings["excluded"]} == {"stumble"}
    n_before = analysis.summary["elbow_angle_mean"]["left"]["n"]
    assert out.summary["elbow_angle_mean"]["left"]["n"] == n_before - 2
    assert out.status == "ok"


def test_leaving_out_too_much_says_so(analysis):
    times = f"{analysis.strides['t_start'].min()}-{analysis.strides['t_end'].max()}"
    out = exclude_strides(analysis, Exclusion.parse([], [times], "wrong person"))
    assert out.status == "too_few_strides"
    assert "left after excluding" in out.message


@pytest.mark.parametrize("bad", ["5", "3-2", "a-b", "1-"])
def test_bad_time_ranges_are_refused(bad):
    with pytest.raises(InputError, match="START-END"):
        Exclusion.parse([], [bad])


def test_unknown_stride_numbers_are_refused(analysis):
    with pytest.raises(InputError, match="expected stride numbers"):
        exclude_strides(analysis, Exclusion.parse([999]))


def test_metrics_command_writes_recomputed_reports(tmp_path, analysis):
    first = int(analysis.strides["stride"].min())
    code = main(
        [
            "metrics",
            str(TRACK),
            "-o",
            str(tmp_path / "a.json"),
            "--exclude-stride",
            "1",
            "--reason",
            "tripped",
            "--reports",
            str(tmp_path / "rep"),
        ]
    )
    assert code == 0
    doc = json.loads((tmp_path / "a.json").read_text())
    assert first not in {row["stride"] for row in doc["strides"]}
    assert "1,left" not in (tmp_path / "rep" / "strides.csv").read_text()
    summary = (tmp_path / "rep" / "summary.json").read_text()
    assert "tripped" in summary
    assert (tmp_path / "rep" / "report.html").is_file()
