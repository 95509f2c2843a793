"""armcarriage: what the arms and upper body do in running video, stride by stride.

The public API is imported lazily, so ``import armcarriage`` does no work.

Examples
--------
>>> import armcarriage as ac
>>> track = ac.estimate_pose("clip.mp4")          # doctest: +SKIP
>>> result = ac.analyze(track)                     # doctest: +SKIP
>>> result.strides.head()                          # doctest: +SKIP

"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Config": "armcarriage.config",
    "PoseTrack": "armcarriage.track",
    "probe_video": "armcarriage.video",
    "iter_frames": "armcarriage.video",
    "estimate_pose": "armcarriage.pose",
    "analyze": "armcarriage.analysis",
    "Analysis": "armcarriage.analysis",
    "run_analysis": "armcarriage.pipeline",
    "assess": "armcarriage.cues",
    "write_reports": "armcarriage.report",
    "Exclusion": "armcarriage.corrections",
    "exclude_strides": "armcarriage.corrections",
    "load_session": "armcarriage.history.compare",
    "compare_sessions": "armcarriage.history.compare",
    "merge_session": "armcarriage.sessions.merge",
    "run_session": "armcarriage.sessions.run",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'armcarriage' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
