"""The whole configuration: one section per stage, overrides and TOML loading."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from armcarriage.config.base import _apply, _validate_section
from armcarriage.config.cleaning import CleaningConfig, ViewConfig
from armcarriage.config.metrics import CueConfig, MetricsConfig
from armcarriage.config.pose import PoseConfig, VideoConfig
from armcarriage.config.report import CompareConfig, ReportConfig
from armcarriage.config.shells import BatchConfig, ServeConfig
from armcarriage.config.strides import StrideConfig
from armcarriage.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Config:
    """Every default and threshold of armcarriage."""

    video: VideoConfig = field(default_factory=VideoConfig)
    pose: PoseConfig = field(default_factory=PoseConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    strides: StrideConfig = field(default_factory=StrideConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    cues: CueConfig = field(default_factory=CueConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    batch: BatchConfig = field(default_factory=BatchConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)

    def __post_init__(self) -> None:
        """Check every setting's type and range (raises :class:`ConfigError`)."""
        for f in fields(self):
            _validate_section(getattr(self, f.name), f.name)

    def override(self, values: dict[str, Any]) -> Config:
        """Return a copy with dotted-key values replaced.

        Parameters
        ----------
        values
            Mapping such as ``{"cleaning.cutoff_hz": 8.0}``. Values given as
            strings are converted to the field's type.

        Returns
        -------
        Config
            A new configuration.

        Raises
        ------
        ConfigError
            If a key names no setting or a value has the wrong type.

        """
        nested: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            section, _, name = key.partition(".")
            if not name:
                raise ConfigError(
                    f"config key {key!r}: expected 'section.setting', e.g. 'cleaning.cutoff_hz'"
                )
            nested.setdefault(section, {})[name] = value
        return _apply(self, nested, "")

    def override_pairs(self, pairs: Iterable[str]) -> Config:
        """Return a copy with ``section.key=value`` strings (as ``--set`` takes them) applied.

        Parameters
        ----------
        pairs
            Strings such as ``"cleaning.cutoff_hz=8"``; the values are converted
            as in :meth:`override`.

        Returns
        -------
        Config
            A new configuration (this one when ``pairs`` is empty).

        Raises
        ------
        ConfigError
            If a string has no ``=``, a key names no setting or a value has the
            wrong type.

        """
        values: dict[str, Any] = {}
        for item in pairs:
            key, sep, value = item.partition("=")
            if not sep:
                raise ConfigError(f"--set {item!r}: expected section.key=value")
            values[key.strip()] = value.strip()
        return self.override(values) if values else self

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return the configuration as plain nested dictionaries."""
        return dataclasses.asdict(self)

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Read a TOML file of overrides on top of the defaults.

        Parameters
        ----------
        path
            A TOML file with one table per section, e.g. ``[cleaning]``.

        Returns
        -------
        Config
            The defaults with the file's values applied.

        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path}: not found") from None
        except IsADirectoryError:
            raise ConfigError(f"config file {path}: expected a TOML file, got a folder") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
        except RecursionError:
            raise ConfigError(
                f"config file {path}: expected tables of settings, got values nested too "
                "deeply to read"
            ) from None
        except OSError as exc:
            raise ConfigError(f"config file {path}: cannot be read ({exc.strerror})") from None
        for section, table in data.items():
            if not isinstance(table, dict):
                kind = type(table).__name__
                raise ConfigError(f"config file {path}: expected a table [{section}], got a {kind}")
        try:
            return _apply(cls(), data, "")
        except ConfigError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
