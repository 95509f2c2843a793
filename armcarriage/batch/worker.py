"""What runs in a batch worker process: analyse one clip into a staging folder.

Workers never touch the database or the final clip folders; they return a
:class:`ClipOutcome` and the coordinating process commits it. A clip that
fails becomes an outcome with its error, never an exception.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from armcarriage.batch.manifest import ClipSpec
from armcarriage.config import Config
from armcarriage.shell import accepts_keyword

log = logging.getLogger(__name__)

AnalyseFn = Callable[..., Any]
"""Signature of :func:`armcarriage.pipeline.run_analysis`: ``(video, outdir, config, progress)``."""

PROGRESS_TOPIC = "armcarriage-batch-progress"
"""Dask event topic carrying per-clip progress."""

PROGRESS_INTERVAL_S = 0.25
"""Least time between two progress messages of one clip."""

MAX_WARNINGS = 20
"""Warnings kept per clip."""

_sink: Callable[[tuple[Any, ...]], None] | None = None
_warmed: set[str] = set()


@dataclass(frozen=True)
class ClipJob:
    """One clip to analyse.

    Attributes
    ----------
    spec
        The clip.
    content_hash, settings_hash
        Its key in the history.
    staging
        Folder the worker writes into (created by the worker).
    config
        Settings for :func:`armcarriage.pipeline.run_analysis`.
    analyse
        Replacement for ``run_analysis`` (tests); None means the real pipeline.
    references
        The athlete's relaxed references from the history
        (:func:`armcarriage.history.reference.history_references`); a held shrug is then
        also judged against the athlete's own neck.

    """

    spec: ClipSpec
    content_hash: str
    settings_hash: str
    staging: str
    config: Config
    analyse: AnalyseFn | None = None
    references: tuple[Any, ...] = ()


@dataclass
class ClipOutcome:
    """Result of one clip, sent back to the coordinating process."""

    key: str
    state: str
    """``done`` (analysed, whatever the analysis status), ``failed`` or ``skipped``."""
    error: str = ""
    error_type: str = ""
    analysis_status: str = ""
    message: str = ""
    view: str = ""
    view_confidence: float = float("nan")
    cues: list[str] = field(default_factory=list)
    row: dict[str, Any] = field(default_factory=dict)
    """Measured team-report columns (:func:`armcarriage.batch.team.clip_row`)."""
    strides: pd.DataFrame | None = None
    """Long stride table (:func:`armcarriage.history.store.strides_long`)."""
    summary: dict[str, Any] = field(default_factory=dict)
    video_info: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Warnings logged while the clip was analysed (e.g. a truncated stream)."""
    elapsed_s: float = 0.0


def init_local_worker(queue: Any, warm: bool, model_path: str) -> None:
    """Initialise a local pool process: progress channel, then the pose model.

    Parameters
    ----------
    queue
        A multiprocessing queue the coordinator reads progress messages from.
    warm
        Load the pose model now (False when a test replaces the pipeline).
    model_path
        ``config.pose.model_path`` ('' = the bundled model).

    """
    global _sink
    _sink = queue.put
    if warm:
        warm_up(model_path)


def warm_up(model_path: str = "") -> None:
    """Load the pose runtime and model bundle once per process.

    Imports MediaPipe's task runtime and reads the model bundle, so the first
    clip of each worker does not pay for it. (The landmarker graph itself is
    built per clip, since its video mode needs timestamps that start afresh.)

    Parameters
    ----------
    model_path
        ``config.pose.model_path`` ('' = the bundled model).

    """
    if model_path in _warmed:
        return
    from mediapipe.tasks.python import vision  # noqa: F401  (heavy import, done once)

    from armcarriage.pose import resolve_model_path

    resolve_model_path(model_path or None).read_bytes()
    _warmed.add(model_path)


class _WarningCollector(logging.Handler):
    """Keep the warnings the package logs in this thread while one clip is analysed."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and len(self.messages) < MAX_WARNINGS:
            self.messages.append(record.getMessage())


def _send(message: tuple[Any, ...]) -> None:
    if _sink is not None:
        _sink(message)
        return
    if "distributed" in sys.modules:
        from distributed import get_worker

        try:
            get_worker().log_event(PROGRESS_TOPIC, list(message))
        except ValueError:  # not inside a Dask worker
            return


def _progress_callback(key: str) -> Callable[[int, int], None]:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL_S:
            return
        last[0] = now
        _send(("progress", key, int(done), int(total)))

    return progress


def analyse_clip(job: ClipJob) -> ClipOutcome:
    """Analyse one clip into ``job.staging``; never raises for a bad clip.

    Parameters
    ----------
    job
        The clip and its settings.

    Returns
    -------
    ClipOutcome
        ``state="done"`` with the measured row and strides, or
        ``state="failed"`` with the error type and message.

    """
    key = job.spec.key
    start = time.monotonic()
    _send(("start", key, 0, 0))
    collector = _WarningCollector()
    package_log = logging.getLogger("armcarriage")
    package_log.addHandler(collector)
    try:
        outcome = _run(job)
    except Exception as exc:  # noqa: BLE001  (a bad clip must not stop the batch: record it)
        log.debug("clip %s failed:\n%s", key, traceback.format_exc())
        outcome = ClipOutcome(
            key=key,
            state="failed",
            error=str(exc) or repr(exc),
            error_type=type(exc).__name__,
        )
    finally:
        package_log.removeHandler(collector)
    outcome.warnings = collector.messages
    outcome.elapsed_s = time.monotonic() - start
    _send(("end", key, 0, 0))
    return outcome


def _run(job: ClipJob) -> ClipOutcome:
    from armcarriage.batch.team import clip_row
    from armcarriage.cues import cue_texts
    from armcarriage.history.store import strides_long

    analyse = job.analyse
    if analyse is None:
        from armcarriage.pipeline import run_analysis

        analyse = run_analysis
    staging = Path(job.staging)
    staging.mkdir(parents=True, exist_ok=True)
    more: dict[str, Any] = {}
    if job.references and accepts_keyword(analyse, "references"):
        more["references"] = job.references
    result = analyse(job.spec.path, staging, job.config, _progress_callback(job.spec.key), **more)
    analysis = getattr(result, "analysis", None)
    if analysis is None:
        raise RuntimeError(
            f"{job.spec.path}: the pipeline returned status {getattr(result, 'status', '?')!r} "
            f"without an analysis ({getattr(result, 'message', '')})"
        )
    cues = cue_texts(getattr(result, "cues", []) or [])
    info = getattr(result, "video_info", None)
    view = analysis.view or {}
    return ClipOutcome(
        key=job.spec.key,
        state="done",
        analysis_status=str(analysis.status),
        message=str(getattr(analysis, "message", "") or ""),
        view=str(view.get("label", "")),
        view_confidence=float(view.get("confidence", float("nan"))),
        cues=cues,
        row=clip_row(analysis, cues, job.config),
        strides=strides_long(analysis.strides),
        summary=analysis.summary or {},
        video_info=info.to_dict() if info is not None and hasattr(info, "to_dict") else {},
        outputs=sorted(
            str(Path(p).relative_to(staging)) if Path(p).is_relative_to(staging) else str(p)
            for p in (getattr(result, "outputs", {}) or {}).values()
        ),
    )
