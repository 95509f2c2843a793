"""Rich progress display of a batch: one overall bar and one bar per running clip."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class BatchDisplay:
    """Progress bars driven by worker messages ``(kind, key, done, total)``.

    Parameters
    ----------
    total
        Clips in the batch.
    console
        Where to draw; None draws nothing.

    """

    def __init__(self, total: int, console: Console | None) -> None:
        self._lock = threading.Lock()
        self._clips: dict[str, TaskID] = {}
        self._progress = (
            Progress(
                TextColumn("{task.description}", justify="left"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            if console is not None
            else None
        )
        self._overall = (
            self._progress.add_task("[bold]clips", total=total) if self._progress else None
        )

    def __enter__(self) -> BatchDisplay:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def message(self, message: tuple[Any, ...]) -> None:
        """Apply one worker message (thread-safe)."""
        if self._progress is None:
            return
        kind, key, done, total = message
        with self._lock:
            task = self._clips.get(key)
            if kind == "start" and task is None:
                self._clips[key] = self._progress.add_task(f"  {key}", total=None)
            elif kind == "progress" and task is not None:
                self._progress.update(task, completed=done, total=total or None)
            elif kind == "end" and task is not None:
                self._progress.remove_task(task)
                del self._clips[key]

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more clips as finished (done, failed or skipped)."""
        if self._progress is not None and self._overall is not None:
            self._progress.advance(self._overall, n)

    def log(self, text: str) -> None:
        """Print a line above the bars."""
        if self._progress is not None:
            self._progress.console.print(text, highlight=False)
