"""The ``cues`` command: lists the rules in force and rejects a malformed file."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from armcarriage.cues import load_rules
from armcarriage.cues_cli import cues_command
from armcarriage.errors import ConfigError


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(cues_command)
    return app


def test_lists_shipped_rules_with_an_override_applied(app, tmp_path):
    path = tmp_path / "coach.toml"
    path.write_text("[rules.tight_elbow]\nthreshold = 55.0\n")
    result = CliRunner().invoke(app, ["--cues", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "elbow_angle_mean below 55 deg" in result.output
    assert "midline_crossing" in result.output
    assert f"{len(load_rules())} rules OK" in result.output


def test_malformed_file_raises_naming_rule_and_field(app, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[rules.low_arm_swing]\nviews = ["top"]\n')
    result = CliRunner().invoke(app, ["--cues", str(path)])
    assert isinstance(result.exception, ConfigError)
    assert "rule 'low_arm_swing', field 'views'" in str(result.exception)
