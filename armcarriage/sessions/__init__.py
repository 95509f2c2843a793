"""Sessions of several clips: the views of one run merged into one set of numbers.

A session is the clips filmed of one run from several cameras (a side view and a front
view, say). Each clip goes through the normal pipeline; :func:`merge_session` then takes
every metric from the clip whose view measures it (:data:`armcarriage.metrics.METRICS`),
cross-checks the cadence between clips and assesses the cues on the merged numbers;
:func:`run_session` does it all for video files and writes one ``report.html``.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "SessionClip": "armcarriage.sessions.merge",
    "SessionResult": "armcarriage.sessions.merge",
    "merge_session": "armcarriage.sessions.merge",
    "run_session": "armcarriage.sessions.run",
    "write_session": "armcarriage.sessions.run",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'armcarriage.sessions' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
