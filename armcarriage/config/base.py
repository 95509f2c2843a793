"""Building blocks shared by every configuration section.

:func:`setting` declares a default with the values it accepts; the helpers below check and
convert values when a configuration is made, overridden or loaded.
"""

from __future__ import annotations

import math
import operator
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

from armcarriage.errors import ConfigError

T = TypeVar("T")

MAX_FRAMES = 1_000_000
"""Most frames any clip limit may allow (about 70 min at 240 fps); with the rate cap
below it bounds the pose track and every per-frame array of one clip."""
MAX_FRAME_SIDE = 16384
"""Largest frame width or height any limit may allow (pixels)."""
MAX_DURATION_S = 86400.0
"""Longest clip any limit may allow (seconds)."""
MAX_RATE_HZ = 1000.0
"""Highest analysis, resampling or filter rate a setting may ask for (Hz)."""
VIEWS = ("side_left", "side_right", "front", "rear", "oblique")
"""View labels a comma-separated view setting may name."""
X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast",
    "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """What one setting accepts beyond its type.

    Numeric bounds are numbers or the name of another setting of the same
    section; ``choices`` lists the accepted strings, ``items`` the accepted
    entries of a comma-separated string, ``text`` describes free text.
    """

    ge: float | str | None = None
    gt: float | str | None = None
    le: float | str | None = None
    lt: float | str | None = None
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    text: str = ""

    def problem(self, value: Any, section: Any, name: str, relative: bool) -> str | None:
        """Return what is expected if ``value`` breaks this check, else None.

        ``relative`` picks the bounds to test: those naming another setting of
        ``section`` (called ``name``), or the fixed ones, choices and items.
        """
        if not relative and self.choices and value not in self.choices:
            return f"one of {', '.join(map(repr, self.choices))}"
        if not relative and self.items:
            names = [v.strip() for v in str(value).split(",") if v.strip()]
            if any(n not in self.items for n in names):
                return f"comma-separated names from {', '.join(self.items)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        parts, ok = [], True
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            compare = getattr(operator, attr)
            bound = getattr(self, attr)
            if bound is None:
                continue
            if isinstance(bound, str):
                parts.append(f"{sign} {name}.{bound} ({getattr(section, bound)!r})")
                bound = getattr(section, bound) if relative else None
            else:
                parts.append(f"{sign} {bound:g}")
                bound = None if relative else bound
            if bound is not None:
                ok = ok and bool(compare(value, bound))
        return None if ok else " and ".join(parts)


def setting(default: T, **check: Any) -> T:
    """Declare a setting's default with what it accepts (see :class:`Check`)."""
    return field(default=default, metadata={"check": Check(**check)})  # type: ignore[no-any-return]


def _apply(obj: T, values: dict[str, Any], where: str) -> T:
    """Replace fields of a dataclass tree from a nested mapping (``where``: dotted prefix)."""
    known = {f.name: f for f in fields(obj)}  # type: ignore[arg-type]
    hints = _hints(type(obj))
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(
                f"{where[:-1] + ': ' if where else ''}unknown setting {name!r}; "
                f"expected one of: {', '.join(sorted(known))}"
            )
        current = getattr(obj, name)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"setting {where}{name}: expected a table, got {value!r}")
            changes[name] = _apply(current, value, f"{where}{name}.")
        else:
            changes[name] = _coerce(value, hints[name], f"{where}{name}")
    return replace(obj, **changes)  # type: ignore[type-var]


_TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _hints(cls: type) -> dict[str, Any]:
    """Return the resolved field types of a settings class (cached)."""
    cached = _HINTS.get(cls)
    if cached is None:
        cached = _HINTS[cls] = typing.get_type_hints(cls)
    return cached


_HINTS: dict[type, dict[str, Any]] = {}


def _validate_section(section: Any, name: str) -> None:
    """Check the type, finiteness and declared range of every setting of one section."""
    hints = _hints(type(section))
    for f in fields(section):
        value = getattr(section, f.name)
        kind = hints[f.name]
        where = f"setting {name}.{f.name}"
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok and not math.isfinite(value):
                raise ConfigError(f"{where}: expected a finite number, got {value!r}")
        if not ok:
            raise ConfigError(f"{where}: expected {_TYPE_NAMES.get(kind, kind)}, got {value!r}")
    for relative in (False, True):  # a setting's own range before its relation to others
        for f in fields(section):
            check = f.metadata.get("check")
            value = getattr(section, f.name)
            expected = check.problem(value, section, name, relative) if check else None
            if expected is not None:
                raise ConfigError(f"setting {name}.{f.name}: expected {expected}, got {value!r}")


def _coerce(value: Any, kind: Any, where: str) -> Any:
    """Convert ``value`` to ``kind`` (bool, int, float or str)."""
    if isinstance(kind, types.UnionType):  # pragma: no cover - no unions yet
        kind = typing.get_args(kind)[0]
    try:
        if kind is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in {"1", "true", "yes", "on"}:
                    return True
                if low in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(value)
            if isinstance(value, bool):
                return value
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind is str:
            if isinstance(value, dict | list):
                raise ValueError(value)
            return str(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(
            f"setting {where}: expected a {getattr(kind, '__name__', kind)}, got {value!r}"
        ) from None
    return value  # pragma: no cover
