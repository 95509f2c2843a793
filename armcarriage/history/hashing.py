"""Content hash of a video and settings hash of a configuration.

A clip is analysed again only when its bytes or the settings that shape the
numbers change; these two hashes are the key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from armcarriage.config import Config

CHUNK_BYTES = 1 << 20
"""Bytes read at a time while hashing a file."""

IGNORED_SETTINGS: frozenset[str] = frozenset({"batch", "serve", "pose.workers"})
"""Sections and settings that do not change the numbers of an analysis
(where results go, how many processes run), left out of the settings hash."""


def content_hash(path: str | Path, chunk_bytes: int = CHUNK_BYTES) -> str:
    """Return the SHA-256 of a file's bytes, read in chunks.

    Parameters
    ----------
    path
        The file.
    chunk_bytes
        Bytes read at a time (memory stays bounded for any file size).

    Returns
    -------
    str
        64 hexadecimal characters.

    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def settings_dict(config: Config) -> dict[str, Any]:
    """Return the settings that shape an analysis, as plain nested dictionaries.

    Parameters
    ----------
    config
        The configuration.

    Returns
    -------
    dict
        ``config.to_dict()`` without :data:`IGNORED_SETTINGS`.

    """
    data = config.to_dict()
    for key in IGNORED_SETTINGS:
        section, _, name = key.partition(".")
        if name:
            data.get(section, {}).pop(name, None)
        else:
            data.pop(section, None)
    return data


def settings_json(config: Config) -> str:
    """Return :func:`settings_dict` as canonical JSON (sorted keys, no spaces)."""
    return json.dumps(settings_dict(config), sort_keys=True, separators=(",", ":"))


def settings_hash(config: Config) -> str:
    """Return the SHA-256 of :func:`settings_json`.

    Parameters
    ----------
    config
        The configuration.

    Returns
    -------
    str
        64 hexadecimal characters; equal for configurations that give the same numbers.

    """
    return hashlib.sha256(settings_json(config).encode("utf-8")).hexdigest()
