"""The ``metrics`` command function (registered by the main CLI)."""

from __future__ import annotations

import json

import pytest
import typer
from metrics_fixture import Runner, side_runner
from typer.testing import CliRunner

from armcarriage.analysis_cli import metrics_command
from armcarriage.errors import InputError


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("metrics")(metrics_command)
    app.command("other")(lambda: None)
    return app


def test_metrics_command_writes_json(tmp_path):
    track = side_runner(Runner(seconds=4.0)).save(tmp_path / "t.parquet")
    out = tmp_path / "a.json"
    res = CliRunner().invoke(
        _app(), ["metrics", str(track), "--out", str(out), "--set", "cleaning.cutoff_hz=6"]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text())
    assert d["status"] == "ok" and d["schema_version"] == 1
    assert d["settings"]["cleaning"]["cutoff_hz"] == pytest.approx(6.0)
    assert d["cadence_spm"] == pytest.approx(168.0, abs=1.5)


def test_metrics_command_rejects_bad_input(tmp_path):
    res = CliRunner().invoke(_app(), ["metrics", str(tmp_path / "missing.parquet")])
    assert isinstance(res.exception, InputError)
    assert "missing.parquet" in str(res.exception)
    res = CliRunner().invoke(_app(), ["metrics", str(tmp_path / "x.parquet"), "--set", "bad"])
    assert isinstance(res.exception, InputError)
