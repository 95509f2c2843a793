"""The status of an analysis: one closed set of names, written as plain strings.

``Status`` is a string enum, so JSON, CSV and comparisons with the plain strings (``"ok"``)
see the same text as before the type existed; code of the package compares with the members.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """What an analysis found; every status but ``OK`` comes with a message saying why."""

    OK = "ok"
    """Running, with strides: per-stride rows and metrics."""
    NO_RUNNER = "no_runner"
    """Too few frames with a body (or with shoulders and hips) to analyse."""
    NO_RUNNING = "no_running"
    """A person, but walking, standing or moving without a stride rhythm."""
    NO_RHYTHM = "no_rhythm"
    """Moving legs whose hips bounce as in running, but no stride rhythm to read a cadence from."""
    TOO_FEW_STRIDES = "too_few_strides"
    """Running, but too few strides in view for per-stride numbers."""
    SLOW_MOTION = "slow_motion"
    """The clip plays slower than it was filmed and no capture rate was given."""
    SPEED_CHANGE = "speed_change"
    """The clip's speed changes part way and no real-time stretch is long enough."""

    def __str__(self) -> str:
        """Return the plain string (``"ok"``), as written to JSON and CSV."""
        return str(self.value)

    def __format__(self, spec: str) -> str:
        """Format as the plain string, so f-strings read ``ok``, not ``Status.OK``."""
        return format(str(self.value), spec)


__all__ = ["Status"]
