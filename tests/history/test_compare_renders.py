"""Compare verdicts through the pose model on renders of one runner, against the truth.

Four comparisons of the accuracy suite's side clips (benchmarks/accuracy.py renders them
and caches the pose model's tracks in benchmarks/cache/accuracy, which these tests reuse):
the runner filmed twice without a change (clean and phone-like footage, for a relaxed and
a tight elbow), and before and after the elbow closed from 90 to 62 degrees (on clean
and on phone-like footage). A verdict is right when no metric is called changed between
two films of one runner, the elbow's change is called in both, and every metric called
changed truly changed, in the same direction, by at least half its noise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import armcarriage as ac
from armcarriage.history.compare import BEYOND, compare_sessions, load_session
from armcarriage.metrics import METRICS
from armcarriage.report import write_reports

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """Per clip name: its session folder (outputs of the analysis) and its true medians."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import accuracy
    finally:
        sys.path.remove(str(BENCHMARKS))
    out = tmp_path_factory.mktemp("suite")
    sessions = {}
    for name in (
        "side_left_clean",
        "side_left_clean_degraded",
        "side_left_tight",
        "side_left_tight_degraded",
    ):
        video, _ = accuracy.rendered(name, accuracy.SUITE[name])
        track, _ = accuracy.pose_track(video)  # cached after the first run
        analysis = ac.analyze(track)
        assert analysis.status == "ok"
        write_reports(analysis, None, out / name)
        truth = pd.read_csv(str(video).replace(".mp4", ".truth.csv"))
        sessions[name] = (load_session(out / name), truth[truth["side"] == "left"])
    return sessions


def _compare(suite, a: str, b: str):
    comp = compare_sessions(suite[a][0], suite[b][0])
    rows = comp.rows[comp.rows["side"].isin(["left", "both"])]
    beyond = rows[rows["verdict"] == BEYOND]
    true_change = {
        m: float(suite[b][1][m].median() - suite[a][1][m].median())
        for m in beyond["metric"]
        if m in suite[a][1]
    }
    return rows, beyond, true_change


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("side_left_clean", "side_left_clean_degraded"),
        ("side_left_tight", "side_left_tight_degraded"),
    ],
)
def test_one_runner_filmed_twice_changed_nothing(suite, a, b):
    rows, beyond, _ = _compare(suite, a, b)
    assert len(rows) > 10  # the side view's metrics were compared
    assert list(beyond["metric"]) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("side_left_clean", "side_left_tight"),
        ("side_left_clean_degraded", "side_left_tight_degraded"),
    ],
)
def test_a_closed_elbow_changed_beyond_noise_and_only_what_truly_changed(suite, a, b):
    rows, beyond, true_change = _compare(suite, a, b)
    elbow = rows[(rows["metric"] == "elbow_angle_mean") & (rows["side"] == "left")].iloc[0]
    assert elbow["verdict"] == BEYOND
    assert elbow["difference"] == pytest.approx(-28.0, abs=4.0)  # truth: 90.3 -> 62.3
    assert elbow["difference_high"] < 0
    for r in beyond.to_dict(orient="records"):
        truth = true_change[r["metric"]]
        assert truth * r["difference"] > 0, r["metric"]
        assert abs(truth) >= 0.5 * METRICS[r["metric"]].noise, r["metric"]
    unchanged = rows[rows["metric"].isin(["swing_arc_deg", "cadence_spm", "stride_time_s"])]
    assert set(unchanged["verdict"]) == {"within noise"}
