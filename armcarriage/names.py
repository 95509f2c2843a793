"""Names people give (athletes, clips) made safe for folder names, keeping their script."""

from __future__ import annotations

import re
import unicodedata

KEY_PART_BYTES = 100
"""Longest athlete or clip part of a report folder name, UTF-8 bytes (two parts, the
separator and a hash stay within the 255-byte file-name limit)."""


def slug(text: str) -> str:
    """Return ``text`` reduced to a safe folder-name fragment, keeping its script.

    The text is NFC-normalised (one spelling of ``é``); letters, marks and
    digits of every script, ``_``, ``.`` and ``-`` are kept, every other run of
    characters becomes ``-``; the result is cut to :data:`KEY_PART_BYTES`.
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" or ch in "_.-" else "\0" for ch in text
    )
    out = re.sub("\0+", "-", kept).strip("-.")
    while len(out.encode("utf-8")) > KEY_PART_BYTES:
        out = out[:-1]
    return out.strip("-.") or "clip"


def athlete_key(name: str) -> str:
    """Return the key by which an athlete is found: no accents, case-folded, single spaces.

    ``Ana``, ``ana`` and ``Ána`` share the key ``ana`` (see :mod:`armcarriage.history.identity`).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
