"""Every JSON the project writes is strict JSON: ``null`` where a number is missing, never NaN."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import armcarriage as ac
from armcarriage.batch.runner import run_batch
from armcarriage.jsonio import dumps, jsonable
from armcarriage.report import write_reports
from tests.batch.test_batch import _squad
from tests.batch_fakes import fake_analysis

ROOT = Path(__file__).resolve().parents[1]


def _reject(token: str) -> float:
    raise ValueError(f"not strict JSON: {token}")


def _strict_files(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.json"))
    for path in files:
        json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject)
    return files


def test_jsonable_turns_every_non_finite_number_into_null():
    import numpy as np

    value = {"a": float("nan"), "b": np.float32("inf"), "c": [np.nan, 1.5], "d": np.int64(3)}
    assert jsonable(value) == {"a": None, "b": None, "c": [None, 1.5], "d": 3}
    assert json.loads(dumps(value), parse_constant=_reject)["c"] == [None, 1.5]


def test_reports_of_an_analysis_with_missing_values_are_strict(tmp_path):
    track = ac.PoseTrack.load(ROOT / "sample_videos" / "front_shrug.truth.parquet")
    analysis = ac.analyze(track)
    assert analysis.strides["elbow_angle_mean"].isna().all()  # not measured from the front
    write_reports(analysis, None, tmp_path)
    names = {p.name for p in _strict_files(tmp_path)}
    assert {"summary.json", "strides.units.json"} <= names
    assert "null" in (tmp_path / "summary.json").read_text(encoding="utf-8")
    doc = json.loads(dumps(analysis.to_dict(include_series=True)), parse_constant=_reject)
    assert all(row["elbow_angle_mean"] is None for row in doc["strides"])


def _too_few_strides(video, outdir, config=None, progress=None):
    """The fake analysis of a clip too short for strides: no cadence, no medians."""
    result = fake_analysis(video, outdir, config, progress)
    analysis = result.analysis
    analysis.strides.loc[:, analysis.strides.columns[2:]] = float("nan")
    analysis.cadence_spm = float("nan")
    analysis.status, analysis.message = "too_few_strides", "found 1 complete stride, need 3"
    result.status = analysis.status
    return result


def test_batch_outputs_are_strict(tmp_path):
    out = tmp_path / "out"
    result = run_batch(_squad(tmp_path), out, workers=1, analyse=_too_few_strides)
    assert result.exit_code == 1  # two of the squad's clips are broken on purpose
    files = _strict_files(out)
    assert len([p for p in files if p.name == "batch.json"]) == 5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -math.inf])
def test_dumps_never_writes_a_non_finite_number(value):
    assert dumps({"x": value}) == '{"x": null}'
