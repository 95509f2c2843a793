"""Corrections of a finished web job: leave out strides or a time range, with a reason.

The numbers and cues are recomputed from the job's saved pose track
(``pose.parquet``), without the pose model (:mod:`armcarriage.corrections`). Every
correction of a job is kept with its reason in ``corrections.json``; each new one
writes a fresh result folder (``results/JOB/corrected-N``, the earlier ones stay),
the job points at it, and the team's history session of the clip is replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from armcarriage.config import Config
from armcarriage.corrections import Exclusion, exclude_strides
from armcarriage.errors import InputError
from armcarriage.jsonio import dumps
from armcarriage.web.store import Job, JobStore

RECORD = "corrections.json"
"""File in a job's result folder listing the corrections its numbers include."""
TRACK = "pose.parquet"


@dataclass
class CorrectionForm:
    """What the job page's correction form sent."""

    strides: str
    times: str
    reason: str

    def exclusion(self) -> Exclusion:
        """Parse the fields (``3, 5`` and ``12.5-14, 20-21``) into an :class:`Exclusion`."""
        reason = self.reason.strip()
        if not reason:
            raise InputError("correction: expected a reason (why these strides are left out)")
        numbers = []
        for part in self.strides.replace(";", ",").split(","):
            if part.strip():
                try:
                    numbers.append(int(part))
                except ValueError:
                    raise InputError(
                        f"correction, strides: expected stride numbers like '3, 5', got {part!r}"
                    ) from None
        ranges = [r.strip() for r in self.times.replace(";", ",").split(",") if r.strip()]
        if not numbers and not ranges:
            raise InputError("correction: expected stride numbers or a time range START-END")
        return Exclusion.parse(numbers, ranges, reason[:300])


def applied(data: Path, job: Job) -> list[dict[str, Any]]:
    """Return the corrections a job's current numbers include (oldest first)."""
    if job.status != "done" or not job.result_dir:
        return []
    path = data / job.result_dir / RECORD
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return []


def _track_path(data: Path, job: Job) -> Path:
    rel = job.outputs.get("pose", TRACK)
    path = (data / job.result_dir / rel).resolve()
    if not path.is_file() or not path.is_relative_to((data / "results").resolve()):
        raise InputError(
            f"job {job.id}: no saved pose track to recompute from (expected {TRACK} in its "
            "results); analyse the clip again"
        )
    return path


def correct(
    store: JobStore, data: Path, job: Job, config: Config, form: CorrectionForm, *, history: bool
) -> list[dict[str, Any]]:
    """Apply a new correction to a finished job; return every correction now applied.

    Raises
    ------
    InputError
        When the job has no track or analysis per stride, or the form is invalid.

    """
    from armcarriage.analysis import analyze
    from armcarriage.cues import evaluate_cues
    from armcarriage.report import write_reports
    from armcarriage.track import PoseTrack

    if job.status != "done" or not job.result_dir:
        raise InputError(f"job {job.id}: only a finished job can be corrected ({job.status})")
    new = form.exclusion()
    track_file = _track_path(data, job)
    done = applied(data, job)
    capture = float(job.video_info.get("capture_fps_given") or 0.0)
    cfg = config.override({"video.capture_fps": capture}) if capture > 0 else config
    analysis = analyze(PoseTrack.load(track_file), cfg)
    for earlier in done:
        analysis = exclude_strides(analysis, _exclusion(earlier), cfg)
    before = len(analysis.settings.get("excluded", []))
    analysis = exclude_strides(analysis, new, cfg)
    out = _next_folder(data, job)
    os.link(track_file, out / TRACK)
    cues = evaluate_cues(analysis, cfg)
    outputs = {
        "pose": out / TRACK,
        **write_reports(analysis, Path(job.stored_path), out, cfg, cues),
    }
    record = [*done, _describe(new, analysis.settings.get("excluded", [])[before:])]
    (out / RECORD).write_text(dumps(record, indent=2) + "\n", encoding="utf-8")
    note = ""
    if history:
        note = _record(data, job, analysis, cues, config, out)  # the worker's settings hash
    store.set_result(
        job.id,
        result_dir=str(out.relative_to(data)),
        outputs={k: Path(v).relative_to(out).as_posix() for k, v in outputs.items()},
        result_status=analysis.status,
        error=" ".join(x for x in (analysis.message if analysis.status != "ok" else "", note) if x),
    )
    return record


def _exclusion(entry: dict[str, Any]) -> Exclusion:
    ranges = tuple((float(a), float(b)) for a, b in entry.get("ranges", []))
    return Exclusion(tuple(int(s) for s in entry.get("strides", [])), ranges, entry["reason"])


def _describe(new: Exclusion, gone: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "strides": list(new.strides),
        "ranges": [list(r) for r in new.ranges],
        "reason": new.reason,
        "left_out": sorted({int(e["stride"]) for e in gone}),
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _next_folder(data: Path, job: Job) -> Path:
    base = data / "results" / job.id
    n = 1 + sum(1 for p in base.glob("corrected-*") if p.is_dir())
    while (base / f"corrected-{n}").exists():
        n += 1
    out = base / f"corrected-{n}"
    out.mkdir(parents=True)
    return out


def _record(data: Path, job: Job, analysis: Any, cues: Any, config: Config, out: Path) -> str:
    """Replace the clip's session in the team's history; returns a note if that failed."""
    from armcarriage.web.worker import _record_history

    result = SimpleNamespace(analysis=analysis, cues=cues)
    return _record_history(data, job, result, config, out)
