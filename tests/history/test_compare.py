"""Comparing two sessions: verdicts against the noise, on runners with known changes."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from armcarriage_eval.synthetic.clip import ClipSpec, frame_times
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.truth import truth_track

import armcarriage as ac
from armcarriage.cli import main
from armcarriage.history.compare import BEYOND, WITHIN, compare_sessions, load_session
from armcarriage.report import write_reports

NOISE_PX = 2.5
"""Keypoint noise added to the exact track, about the pose model's wrist error on the suite."""


@lru_cache(maxsize=8)
def _session(folder: str, elbow_deg: float, seed: int, fault: str = "none") -> str:
    spec = ClipSpec(
        view="side_left",
        fault=fault,
        seconds=6.0,
        seed=seed,
        runner={} if fault != "none" else {"both.elbow_deg": elbow_deg},
    )
    kin = simulate(spec.params(), frame_times(spec))
    track = truth_track(kin, spec.camera(), spec.fps, view=spec.view)
    rng = np.random.default_rng(seed)
    noisy = track.ds.copy(deep=True)
    noisy["position"] = noisy["position"] + rng.normal(0, NOISE_PX, noisy["position"].shape)
    analysis = ac.analyze(ac.PoseTrack(noisy.assign_attrs(depth="estimated")))
    assert analysis.status == "ok"
    write_reports(analysis, None, folder)
    return folder


def _verdicts(tmp: Path, before: tuple, after: tuple) -> dict[str, str]:
    a = load_session(_session(str(tmp / f"a{before}"), *before))
    b = load_session(_session(str(tmp / f"b{after}"), *after))
    comp = compare_sessions(a, b)
    rows = comp.rows[comp.rows["side"] == "left"]
    return dict(zip(rows["metric"], rows["verdict"], strict=True)), comp


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("compare")


def test_the_same_runner_filmed_twice_is_within_noise(tmp):
    verdicts, _ = _verdicts(tmp, (90.0, 1), (90.0, 2))
    measured = {m: v for m, v in verdicts.items() if v in (BEYOND, WITHIN)}
    assert measured["elbow_angle_mean"] == WITHIN
    assert [m for m, v in measured.items() if v == BEYOND] == []


def test_a_one_degree_change_is_within_noise(tmp):
    verdicts, _ = _verdicts(tmp, (90.0, 1), (89.0, 3))
    assert verdicts["elbow_angle_mean"] == WITHIN


def test_a_fifteen_degree_tighter_elbow_changed_beyond_noise(tmp):
    verdicts, comp = _verdicts(tmp, (90.0, 1), (75.0, 4))
    assert verdicts["elbow_angle_mean"] == BEYOND
    row = comp.rows[(comp.rows["metric"] == "elbow_angle_mean") & (comp.rows["side"] == "left")]
    assert row["difference"].iloc[0] == pytest.approx(-15.0, abs=2.0)
    assert row["difference_high"].iloc[0] < 0
    assert verdicts["swing_arc_deg"] == WITHIN  # the swing itself did not change


def test_cues_that_appear_are_listed_and_the_command_writes_strict_json(tmp, capsys):
    a = _session(str(tmp / "clean"), 90.0, 1)
    b = _session(str(tmp / "tight"), 90.0, 5, "tight_elbows")
    comp = compare_sessions(load_session(a), load_session(b))
    assert "tight_elbow" in " ".join(comp.cues_appeared)
    assert comp.cues_gone == []
    out = tmp / "cmp"
    assert main(["compare", a, b, "-o", str(out)]) == 0
    doc = json.loads((out / "compare.json").read_text(), parse_constant=lambda t: 1 / 0)
    assert doc["cues"]["appeared"] == comp.cues_appeared
    assert "changed beyond noise" in (out / "compare.html").read_text()
    assert "changed beyond noise: elbow_angle_mean (left)" in capsys.readouterr().out


def test_a_folder_without_outputs_is_a_usage_error(tmp, capsys):
    assert main(["compare", str(tmp), str(tmp)]) == 2
    assert "expected an output folder" in capsys.readouterr().err
