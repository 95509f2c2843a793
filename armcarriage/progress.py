"""Progress display for long work (rich), used by the command line.

:class:`RunProgress` shows a whole run in one display: the pose stage as a frame
bar, then one line per later stage (analysis, cues, each report, the annotated
video's frames), each with a spinner and its elapsed time, so the terminal never
sits still while work goes on. The pipeline reports stages through a plain
callback (:data:`StageProgress`), so it needs no rich.
"""

from __future__ import annotations

import contextlib
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
