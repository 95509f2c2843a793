"""Exceptions raised by armcarriage.

Every error says what was expected and what arrived. The CLI maps
:class:`InputError` and its subclasses to exit code 2 and anything else to 1.
"""

from __future__ import annotations


class ArmcarriageError(Exception):
    """Base class of every error raised on purpose by armcarriage."""


class InputError(ArmcarriageError):
    """The user's input (file, option, config) cannot be used."""


class VideoError(InputError):
    """A video file cannot be opened or decoded."""


class ModelNotFoundError(InputError):
    """The pose model bundle is missing or unreadable."""


class ConfigError(InputError):
    """A configuration file or override is malformed."""


class TrackError(ArmcarriageError):
    """A pose track does not satisfy the container's contract."""
