"""Which person to follow when several are in view: ``--person``, the manifest, the web.

One choice is written the same way everywhere (``armcarriage analyze --person``, a
batch manifest's ``person`` column, the web form's field): ``auto`` follows the
runner (the most prominent person over the clip); ``left``, ``right`` and ``centre``
the person at that side of the first frames; ``X,Y`` (fractions of the first frame's
width and height, 0,0 = top left) the person whose box contains that point, or is
nearest to it. :class:`PersonChoice` carries it as the settings ``pose.person_x``
and ``pose.person_y``, which :class:`armcarriage.pose.RunnerSelector` reads.

Examples
--------
>>> parse_person("right")
PersonChoice(x=1.0, y=-1.0)
>>> parse_person("0.25, 0.6").overrides()
{'pose.person_x': 0.25, 'pose.person_y': 0.6}

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from armcarriage.errors import InputError

WORDS: dict[str, tuple[float, float]] = {
    "left": (0.0, -1.0),
    "right": (1.0, -1.0),
    "centre": (0.5, 0.5),
    "center": (0.5, 0.5),
}
"""Named positions: a fraction of the width, and of the height (-1 = any height)."""

PERSON_HELP = (
    "Who to follow when several people are in view: auto (the runner: the most prominent "
    "person), left, right, centre, or X,Y as fractions of the first frame's width and "
    "height (0,0 = top left): the person whose box contains that point, or is nearest it, "
    "in the first second."
)
"""The option's help, shared by the command line and the docs."""


@dataclass(frozen=True)
class PersonChoice:
    """Who to follow: a point in the first frames, or the runner (``x < 0``).

    Attributes
    ----------
    x
        Fraction of the frame width (0 = left edge), or -1 for the runner.
    y
        Fraction of the frame height (0 = top), or -1 for any height.

    """

    x: float = -1.0
    y: float = -1.0

    @property
    def auto(self) -> bool:
        """Whether the runner is chosen by prominence (no position given)."""
        return self.x < 0

    def overrides(self) -> dict[str, float]:
        """Return the settings that carry this choice (``Config.override`` keys)."""
        return {"pose.person_x": self.x, "pose.person_y": self.y}

    @classmethod
    def from_config(cls, config: Any) -> PersonChoice:
        """Read the choice from ``config.pose``."""
        return cls(float(config.pose.person_x), float(config.pose.person_y))

    def text(self) -> str:
        """Return the choice as the option is written (``auto``, ``left``, ``0.25,0.60``)."""
        if self.auto:
            return "auto"
        for word, (x, y) in WORDS.items():
            if (x, y) == (self.x, self.y):
                return word
        return f"{self.x:.2f}" if self.y < 0 else f"{self.x:.2f},{self.y:.2f}"

    def words(self) -> str:
        """Say whom the choice follows, for the track's attributes and the report."""
        if self.auto:
            return "the most prominent person (largest extent over the clip)"
        if self.y < 0 and self.x in (0.0, 1.0):
            return f"the {'leftmost' if self.x == 0 else 'rightmost'} person in the first second"
        at = f"x={self.x:.2f}" if self.y < 0 else f"x={self.x:.2f}, y={self.y:.2f}"
        return f"the person at or nearest {at} of the frame in the first second"


def parse_person(text: str | None, where: str = "--person") -> PersonChoice:
    """Read a person choice as written by people (see the module notes).

    Parameters
    ----------
    text
        ``auto`` (or empty/None), ``left``, ``right``, ``centre``/``center``, or ``X,Y``.
    where
        Where the text came from, for the error message.

    Returns
    -------
    PersonChoice

    Raises
    ------
    InputError
        For anything else, or a point outside the frame.

    """
    word = (text or "").strip().lower()
    if word in ("", "auto"):
        return PersonChoice()
    if word in WORDS:
        return PersonChoice(*WORDS[word])
    parts = [p.strip() for p in word.split(",")]
    try:
        x, y = (float(p) for p in parts) if len(parts) == 2 else (float("nan"),) * 2
    except ValueError:
        x = y = float("nan")
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise InputError(
            f"{where}: expected auto, left, right, centre or X,Y as fractions of the frame "
            f"(0-1, e.g. 0.3,0.5), got {text!r}"
        )
    return PersonChoice(x, y)


__all__ = ["PERSON_HELP", "WORDS", "PersonChoice", "parse_person"]
