"""Typed configuration: defaults, TOML files and overrides."""

from __future__ import annotations

import pytest

from armcarriage.config import Config
from armcarriage.errors import ConfigError


def test_override_converts_strings():
    cfg = Config().override(
        {"cleaning.cutoff_hz": "7.5", "report.html": "false", "pose.workers": "2"}
    )
    assert cfg.cleaning.cutoff_hz == 7.5
    assert cfg.report.html is False
    assert cfg.pose.workers == 2
    assert Config().cleaning.cutoff_hz != 7.5  # defaults untouched


def test_override_pairs_takes_set_strings():
    cfg = Config().override_pairs(["cleaning.cutoff_hz = 7.5", "pose.track_one_person=true"])
    assert cfg.cleaning.cutoff_hz == 7.5
    assert cfg.pose.track_one_person is True
    with pytest.raises(ConfigError, match=r"--set 'pose.workers': expected section.key=value"):
        Config().override_pairs(["pose.workers"])


def test_toml_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[cleaning]\ncutoff_hz = 6.5\n[pose]\nmax_seconds = 3\n")
    cfg = Config.from_toml(path)
    assert cfg.cleaning.cutoff_hz == 6.5
    assert cfg.pose.max_seconds == 3.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cleaning.nope": 1}, "unknown setting 'nope'; expected one of: "),
        ({"nosection.x": 1}, "unknown setting 'nosection'"),
        ({"cleaning.cutoff_hz": "fast"}, "cleaning.cutoff_hz: expected a float, got 'fast'"),
        ({"pose.workers": 1.5}, "pose.workers: expected a int, got 1.5"),
        ({"cutoff": 1}, "config key 'cutoff': expected 'section.setting'"),
    ],
)
def test_bad_overrides(values, message):
    with pytest.raises(ConfigError) as err:
        Config().override(values)
    assert message in str(err.value)


def test_bad_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[cleaning\n")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML"):
        Config.from_toml(path)
    path.write_text("cleaning = 3\n")
    with pytest.raises(ConfigError, match=r"expected a table \[cleaning\], got a int"):
        Config.from_toml(path)
