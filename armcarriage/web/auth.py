"""Per-team access tokens for the web app.

Each team gets a secret token of at least :data:`MIN_TOKEN_BITS` bits (e.g.
:func:`new_token`); every request carries it (``Authorization: Bearer TOKEN``
for scripts, or a cookie set by the sign-in page for browsers) and sees only
its own team's jobs, reports and athletes.

Tokens come from, in order (all are merged):

1. the ``tokens`` argument of :func:`armcarriage.web.create_app`;
2. the environment variable ``ARMCARRIAGE_TOKENS``: ``TOKEN=TEAM`` pairs
   separated by commas, e.g. ``TOKEN_A=sharks,TOKEN_B=eagles``;
3. a tokens file (``armcarriage serve --tokens FILE`` or ``serve.tokens_file``):
   one ``TOKEN TEAM`` pair a line, ``#`` starts a comment.

With no token at all the app runs in single-user mode (every request belongs
to the team ``local``); that mode is refused unless the server binds to a
loopback address.
"""

from __future__ import annotations

import hmac
import math
import os
import re
import secrets
import string
from collections.abc import Mapping
from pathlib import Path

from armcarriage.errors import ConfigError

ENV_VAR = "ARMCARRIAGE_TOKENS"
LOCAL_TEAM = "local"
_TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MIN_TOKEN_BITS = 128
"""Least strength of an access token (an unguessable secret: 2^128 tries)."""


def new_token() -> str:
    """Return a fresh random token of 192 bits (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def token_bits(token: str) -> float:
    """Estimate a token's strength in bits: its length times log2 of its alphabet.

    The alphabet is the union of the character classes it uses (digits with
    ``a-f`` alone count as hex), at most four times its distinct characters, so
    a token repeating a few characters is weak at any length.
    """
    if not token:
        return 0.0
    upper = any(c in string.ascii_uppercase for c in token)
    lower = {c for c in token if c in string.ascii_lowercase}
    size = 10 if any(c in string.digits for c in token) else 0
    size += 26 if upper else 0
    if lower:
        size += 6 if lower <= set("abcdef") and not upper else 26
    if any(c not in string.ascii_letters + string.digits for c in token):
        size += 32
    size = min(size, 4 * len(set(token)))
    return len(token) * math.log2(max(size, 2))


def _check_pair(token: str, team: str, where: str) -> None:
    bits = token_bits(token)
    if bits < MIN_TOKEN_BITS:
        raise ConfigError(
            f"{where}: token for team {team!r} has about {bits:.0f} bits; expected at least "
            f"{MIN_TOKEN_BITS} (e.g. 32 random letters and digits; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`)"
        )
    if not _TEAM_RE.match(team):
        raise ConfigError(
            f"{where}: team name {team!r} must be 1-64 letters, digits, '_', '.' or '-'"
        )


def parse_env(value: str) -> dict[str, str]:
    """Parse ``TOKEN=TEAM,TOKEN=TEAM`` (the ``ARMCARRIAGE_TOKENS`` format)."""
    tokens: dict[str, str] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        token, sep, team = item.partition("=")
        if not sep:
            raise ConfigError(
                f"{ENV_VAR}: expected TOKEN=TEAM pairs separated by commas, got {item!r}"
            )
        token, team = token.strip(), team.strip()
        _check_pair(token, team, ENV_VAR)
        tokens[token] = team
    return tokens


def read_tokens_file(path: str | Path) -> dict[str, str]:
    """Read a tokens file: one ``TOKEN TEAM`` pair a line, ``#`` comments."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"tokens file {path}: not found") from None
    tokens: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ConfigError(
                f"tokens file {path}, line {number}: expected 'TOKEN TEAM', got {len(parts)} fields"
            )
        _check_pair(parts[0], parts[1], f"tokens file {path}, line {number}")
        tokens[parts[0]] = parts[1]
    return tokens


def load_tokens(
    tokens: Mapping[str, str] | None = None,
    tokens_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Merge tokens from the argument, the environment and a file.

    Returns
    -------
    dict
        ``{token: team}``; empty means single-user mode.

    """
    env = os.environ if environ is None else environ
    merged: dict[str, str] = {}
    if env.get(ENV_VAR):
        merged.update(parse_env(env[ENV_VAR]))
    if tokens_file:
        merged.update(read_tokens_file(tokens_file))
    for token, team in (tokens or {}).items():
        _check_pair(token, team, "tokens argument")
        merged[token] = team
    return merged


class TokenTable:
    """Look up the team of a token in constant time per entry."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        self._pairs = [(t.encode(), team) for t, team in tokens.items()]

    @property
    def open_mode(self) -> bool:
        """True when no token is configured (single-user, loopback only)."""
        return not self._pairs

    def team_of(self, token: str | None) -> str | None:
        """Return the token's team, or None if unknown."""
        if self.open_mode:
            return LOCAL_TEAM
        if not token:
            return None
        given = token.encode()
        found = None
        for known, team in self._pairs:
            if hmac.compare_digest(known, given):
                found = team
        return found
