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


# ------------------------------------------------------------------ validation

BAD_SETTINGS = [
    ("cleaning.cutoff_hz=0", "setting cleaning.cutoff_hz: expected > 0 and <= 1000, got 0.0"),
    ("cleaning.cutoff_hz=-8", "setting cleaning.cutoff_hz: expected > 0"),
    ("cleaning.arm_cutoff_hz=nan", "setting cleaning.arm_cutoff_hz: expected a finite number"),
    ("cleaning.hampel_sigmas=inf", "setting cleaning.hampel_sigmas: expected a finite number"),
    ("cleaning.filter_order=0", "setting cleaning.filter_order: expected >= 1 and <= 10, got 0"),
    ("cleaning.resample_fps=1e7", "setting cleaning.resample_fps: expected >= 0 and <= 1000"),
    ("strides.max_cadence_spm=0", "setting strides.max_cadence_spm: expected > 0"),
    (
        "strides.min_cadence_spm=400",
        "setting strides.min_cadence_spm: expected > 0 and < strides.max_cadence_spm (330.0), "
        "got 400.0",
    ),
    ("strides.world_height_views=behind", "setting strides.world_height_views: expected comma"),
    ("view.segment_s=0", "setting view.segment_s: expected >= 0.1"),
    ("metrics.far_arm_policy=keep", "expected one of 'exclude', 'low_confidence', got 'keep'"),
    ("metrics.elbow_source=depth", "setting metrics.elbow_source: expected one of '3d'"),
    ("report.video_preset=warp", "setting report.video_preset: expected one of 'ultrafast'"),
    ("report.plots_dpi=0", "setting report.plots_dpi: expected >= 20"),
    ("pose.num_poses=0", "setting pose.num_poses: expected >= 1"),
    ("pose.workers=-2", "setting pose.workers: expected >= 0"),
    ("pose.min_detection_confidence=1.5", "setting pose.min_detection_confidence: expected >= 0"),
    ("pose.chunk_overlap_seconds=30", "expected >= 0 and < pose.chunk_seconds (20.0), got 30.0"),
    ("pose.target_fps=1e9", "setting pose.target_fps: expected >= 0 and <= 1000"),
    ("video.max_frames=2000000", "setting video.max_frames: expected >= 1 and <= 1e+06"),
    ("video.max_width=0", "setting video.max_width: expected >= 1"),
    ("serve.port=70000", "setting serve.port: expected >= 1 and <= 65535, got 70000"),
    ("serve.workers=-1", "setting serve.workers: expected >= 0"),
    ("pose.workers=two", "setting pose.workers: expected a int, got 'two'"),
    ("report.html=maybe", "setting report.html: expected a bool, got 'maybe'"),
]


@pytest.mark.parametrize(("pair", "message"), BAD_SETTINGS, ids=[p for p, _ in BAD_SETTINGS])
def test_bad_setting_exits_2_naming_setting_and_range(pair, message, tmp_path, capsys):
    from armcarriage.cli import main

    # checked before the clip is even looked at
    code = main(["analyze", str(tmp_path / "clip.mp4"), "--set", pair])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: setting "), err
    assert message in err
    with pytest.raises(ConfigError, match=r"^setting "):
        Config().override_pairs([pair])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[cleaning]\ncutoff_hz = 0\n", "setting cleaning.cutoff_hz: expected > 0"),
        ("[cleaning]\ncutoff_hz = 'high'\n", "setting cleaning.cutoff_hz: expected a float"),
        ("[metrics]\nfar_arm_policy = 3\n", "setting metrics.far_arm_policy: expected one of"),
        ("[metrics]\nfar_arm_policy = [1]\n", "setting metrics.far_arm_policy: expected a str"),
        ("[cleaning]\nnope = 1\n", "cleaning: unknown setting 'nope'"),
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply"),
    ],
)
def test_bad_config_file_exits_2(tmp_path, capsys, text, message):
    from armcarriage.cli import main

    path = tmp_path / "c.toml"
    path.write_text(text)
    assert main(["analyze", str(tmp_path / "clip.mp4"), "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"error: config file {path}: " in err and message in err, err


def test_config_pointing_at_a_folder_exits_2(tmp_path, capsys):
    from armcarriage.cli import main

    assert main(["analyze", str(tmp_path / "clip.mp4"), "--config", str(tmp_path)]) == 2
    assert f"config file {tmp_path}: expected a TOML file, got a folder" in capsys.readouterr().err


def test_every_setting_declares_what_it_accepts():
    import dataclasses

    for section in dataclasses.fields(Config):
        for f in dataclasses.fields(section.default_factory):
            if f.type in ("bool", bool):
                continue
            assert "check" in f.metadata, f"{section.name}.{f.name}: declare it with setting()"


def test_construction_is_validated():
    from armcarriage.config import CleaningConfig

    with pytest.raises(ConfigError, match=r"setting cleaning.cutoff_hz: expected > 0"):
        Config(cleaning=CleaningConfig(cutoff_hz=0.0))
    with pytest.raises(ConfigError, match=r"setting cleaning.cutoff_hz: expected a number"):
        Config(cleaning=CleaningConfig(cutoff_hz="8"))
    assert Config(cleaning=CleaningConfig(cutoff_hz=9)).cleaning.cutoff_hz == 9


def test_resampled_track_is_bounded(monkeypatch):
    from metrics_fixture import Runner, side_runner

    from armcarriage.cleaning import clean
    from armcarriage.config import CleaningConfig
    from armcarriage.errors import InputError

    monkeypatch.setattr("armcarriage.cleaning.stage.MAX_FRAMES", 5_000)
    cfg = CleaningConfig(resample_fps=1000.0)
    short = clean(side_runner(Runner(fps=30.0, seconds=4.0)), cfg)
    assert short.track.n_frames == 3968  # 3.967 s at 1000 frames/s
    with pytest.raises(InputError, match=r"expected at most 5000 resampled frames, got 7968"):
        clean(side_runner(Runner(fps=30.0, seconds=8.0)), cfg)
