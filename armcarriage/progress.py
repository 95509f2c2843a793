"""Progress display for long work (rich), used by the command line.

:class:`RunProgress` shows a whole run in one display: the pose stage as a frame
bar, then one line per later stage (analysis, cues, each report, the annotated
video's frames), each with a spinner and its elapsed time, so the terminal never
sits still while work goes on. The pipeline reports stages through a plain
callback (:data:`StageProgress`), so it needs no rich. :class:`StageClock` follows
the same callbacks as plain text with the time left (the web app's job page).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

StageProgress = Callable[[str, int, int], None]
"""``stage(name, done, total)``: work ``name`` is under way, ``done`` of ``total``
units (``total`` 0 = no count, just a spinner). A new name ends the previous stage;
``"stage: part"`` names a part of the running stage."""


ASSEMBLING = "assembling the pose track"
"""Stage shown between the pose stage's last frame and the pipeline's next stage."""


class RunProgress:
    """One rich display for a run: a frame bar for the pose stage, then each later stage.

    Parameters
    ----------
    bar
        The running :class:`rich.progress.Progress`.
    label
        Text of the pose stage's bar.

    """

    def __init__(self, bar: Progress, label: str) -> None:
        self.bar = bar
        self.pose = bar.add_task(label, total=None, unit="frames", counted=True)
        self.current: TaskID | None = None
        self.name = ""

    def frames(self, done: int, total: int) -> None:
        """Report pose-stage progress: ``done`` of ``total`` frames.

        After the last frame the pose stage still picks the runner and assembles the
        track; a stage line says so until the pipeline names its next stage.
        """
        self.bar.update(self.pose, completed=done, total=total)
        if total and done >= total and not self.name:
            self.stage(ASSEMBLING)

    def stage(self, name: str, done: int = 0, total: int = 0) -> None:
        """Start stage ``name`` (ending the previous one) or advance it.

        A name ``"stage: part"`` whose stage is the running one renames its line
        (the report page's sections) instead of adding one.
        """
        if self.current is not None and name != self.name and _head(name) == _head(self.name):
            self.bar.update(self.current, description=name)
            self.name = name
        if name != self.name:
            self._finish_pose()
            self.end()
            self.current = self.bar.add_task(
                name, total=total or None, unit="frames" if total else "", counted=bool(total)
            )
            self.name = name
        if self.current is not None:
            self.bar.update(self.current, completed=done, total=total or None)

    def end(self) -> None:
        """Mark the running stage done."""
        if self.current is not None:
            task = self.bar.tasks[self._index(self.current)]
            finished = task.total if task.total is not None else 1
            self.bar.update(self.current, total=finished, completed=finished)
        self.current, self.name = None, ""

    def _finish_pose(self) -> None:
        task = self.bar.tasks[self._index(self.pose)]
        if task.total is not None and not task.finished:
            self.bar.update(self.pose, completed=task.total)

    def _index(self, task_id: TaskID) -> int:
        return next(i for i, t in enumerate(self.bar.tasks) if t.id == task_id)


def _head(name: str) -> str:
    return name.split(":", 1)[0]


POSE_STAGE = "pose"
"""Name of the pose stage in :class:`StageClock`'s text (the terminal's frame bar)."""
POSE_SHARE = 0.8
"""Share of a run's progress fraction given to the pose stage (the rest to later stages)."""


class StageClock:
    """The stages of a run as the terminal shows them, as one line of text with the time left.

    Fed by the same callbacks as :class:`RunProgress` (``frames(done, total)`` for the
    pose stage, ``stage(name, done, total)`` for each later one); :meth:`text` reads
    e.g. ``pose 120/360 frames, about 40 s left``, then ``strides and metrics``, then
    ``annotated.mp4 50/300 frames, about 12 s left``. The time left of a counted stage
    is its elapsed time per unit done times the units to go, as the terminal's
    remaining-time column estimates it; it is shown once ``min_elapsed_s`` have passed.

    Parameters
    ----------
    clock
        Monotonic time in seconds (tests pass their own).
    min_elapsed_s
        Elapsed time of a stage before its time left is estimated.

    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, min_elapsed_s: float = 2.0
    ) -> None:
        self.clock = clock
        self.min_elapsed_s = min_elapsed_s
        self.name = ""
        self.done = self.total = 0
        self.done0 = 0
        """Count of the running stage when it started (its rate counts from there)."""
        self.started = clock()
        self.stages = 0
        """Later stages (after the pose stage) finished so far."""

    def frames(self, done: int, total: int) -> None:
        """Report pose-stage progress; after the last frame the track is being assembled."""
        if total and done >= total:
            self.stage(ASSEMBLING)
        else:
            self.stage(POSE_STAGE, done, total)

    def stage(self, name: str, done: int = 0, total: int = 0) -> None:
        """Start stage ``name`` or advance it (``"stage: part"`` keeps its stage's clock)."""
        if _head(name) != _head(self.name):
            self.started, self.done0 = self.clock(), int(done)
            if self.name and self.name != POSE_STAGE:
                self.stages += 1
        self.name, self.done, self.total = name, int(done), int(total)

    def eta_s(self) -> float | None:
        """Seconds left in the running counted stage, or None when not yet known."""
        elapsed = self.clock() - self.started
        if not self.total or self.done <= self.done0 or elapsed < self.min_elapsed_s:
            return None
        return max(0.0, elapsed / (self.done - self.done0) * (self.total - self.done))

    def fraction(self) -> float:
        """Return the progress of the whole run, 0-1.

        The pose stage fills :data:`POSE_SHARE` by its frames; each later stage then
        halves what remains (their number is not known in advance), a counted one by its
        count.
        """
        if self.name == POSE_STAGE:
            return POSE_SHARE * min(1.0, self.done / self.total) if self.total else 0.0
        if not self.name:
            return 0.0
        lo, hi = 1.0 - 0.5**self.stages, 1.0 - 0.5 ** (self.stages + 1)
        part = min(1.0, self.done / self.total) if self.total else 0.0
        return POSE_SHARE + (0.99 - POSE_SHARE) * (lo + (hi - lo) * part)

    def text(self) -> str:
        """Return the running stage as the terminal names it, with its count and time left."""
        out = self.name or "starting"
        if self.total:
            out += f" {self.done}/{self.total} frames"
        eta = self.eta_s()
        if eta is not None:
            out += f", about {_duration(eta)} left"
        return out


def _duration(seconds: float) -> str:
    """``40 s``, ``2 min 05 s``, ``1 h 03 min``: the time left in words."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class _Count(MofNCompleteColumn):
    """``done/total unit`` for counted tasks, nothing for spinner-only ones."""

    def render(self, task: Any) -> Any:
        if not task.fields.get("counted", True):
            return ""
        out = super().render(task)
        unit = task.fields.get("unit", "")
        if unit:
            out.append(f" {unit}")
        return out


@contextlib.contextmanager
def run_progress(console: Console, label: str) -> Iterator[RunProgress]:
    """Yield a :class:`RunProgress` drawn on ``console`` until the block ends.

    Parameters
    ----------
    console
        Where to draw (stderr in the CLI).
    label
        Text before the pose stage's bar.

    Yields
    ------
    RunProgress

    """
    with Progress(
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        BarColumn(),
        _Count(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        run = RunProgress(bar, label)
        yield run
        run.end()


@contextlib.contextmanager
def frame_progress(console: Console, label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback that drives a rich progress bar.

    Parameters
    ----------
    console
        Where to draw (stderr in the CLI).
    label
        Text before the bar.

    Yields
    ------
    callable
        Call with frames done and frames expected.

    """
    with run_progress(console, label) as run:
        yield run.frames
