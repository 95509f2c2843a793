"""What every command-line shell shares: settings from the command line, and logging.

The shells (``cli``, ``batch``, ``history``, ``web``) import this, never each other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from armcarriage.config import Config


def build_config(config_file: Path | None, sets: list[str] | None, **direct: Any) -> Config:
    """Combine the defaults, a TOML file, ``--set`` pairs and direct options.

    Parameters
    ----------
    config_file
        Optional TOML file.
    sets
        ``section.key=value`` strings.
    **direct
        Dotted keys to values from dedicated options; ``None`` values are skipped.

    Returns
    -------
    Config

    """
    cfg = Config.from_toml(config_file) if config_file else Config()
    cfg = cfg.override_pairs(sets or [])
    values = {k.replace("__", "."): v for k, v in direct.items() if v is not None}
    return cfg.override(values) if values else cfg


def setup_logging(verbose: int) -> None:
    """Configure logging for the command line (never done by the library)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def reference_option() -> Any:
    """Return the ``analyze --reference`` option: the athlete's relaxed clips to compare with."""
    import typer

    return typer.Option(
        "--reference",
        help="An earlier output folder (or its summary.json) of the same athlete running "
        "relaxed, side or front: a held shrug is then also judged against that neck "
        "(rules shrug_held_own, shrug_held_own_side). Repeatable; the longest neck of the "
        "same view class and similar framing is used.",
    )


def accepts_keyword(fn: Any, name: str) -> bool:
    """Whether ``fn`` takes the keyword argument ``name`` (by name or through ``**kwargs``).

    The batch and web shells pass the pipeline's newer keywords (``stage``,
    ``references``) only to analysis functions that take them (test fakes may not).
    """
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in params)
