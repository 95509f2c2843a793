"""One typed configuration for every default and threshold.

The configuration is a tree of frozen dataclasses. Defaults live here and only
here; a TOML file (``armcarriage --config FILE``) and ``--set section.key=value``
overrides from the command line replace them.

Every setting declares its type and the values it accepts next to its field
(:func:`setting`); :meth:`Config.__post_init__` checks them all whenever a
configuration is made, overridden or loaded, so a bad value stops with
``setting X: expected ..., got ...`` (exit 2) before any work starts. The ranges
also bound the memory of one clip: no setting can ask for unbounded frame
counts, rates or sizes.

Examples
--------
>>> from armcarriage.config import Config
>>> cfg = Config().override({"cleaning.cutoff_hz": 8.0})
>>> cfg.cleaning.cutoff_hz
8.0

"""

from armcarriage.config.base import (
    MAX_DURATION_S,
    MAX_FRAME_SIDE,
    MAX_FRAMES,
    MAX_RATE_HZ,
    VIEWS,
    X264_PRESETS,
    Check,
    setting,
)
from armcarriage.config.cleaning import CleaningConfig, ViewConfig
from armcarriage.config.metrics import CueConfig, MetricsConfig
from armcarriage.config.pose import PoseConfig, VideoConfig
from armcarriage.config.report import CompareConfig, ReportConfig
from armcarriage.config.shells import BatchConfig, ServeConfig
from armcarriage.config.strides import StrideConfig
from armcarriage.config.tree import Config

__all__ = [
    "MAX_DURATION_S",
    "MAX_FRAMES",
    "MAX_FRAME_SIDE",
    "MAX_RATE_HZ",
    "VIEWS",
    "X264_PRESETS",
    "BatchConfig",
    "Check",
    "CleaningConfig",
    "CompareConfig",
    "Config",
    "CueConfig",
    "MetricsConfig",
    "PoseConfig",
    "ReportConfig",
    "ServeConfig",
    "StrideConfig",
    "VideoConfig",
    "ViewConfig",
    "setting",
]
