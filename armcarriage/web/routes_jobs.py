"""The job API: upload clips, list and read jobs, serve a finished job's files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from armcarriage.memory import release_free_memory
from armcarriage.web.context import WebState, api_team, job_json, team_job, web_state
from armcarriage.web.fields import check_fields
from armcarriage.web.probe import probe_headers, probe_upload
from armcarriage.web.security import FILE_CSP
from armcarriage.web.sessions import create_session
from armcarriage.web.store import Job, JobStore
from armcarriage.web.uploads import (
    QuotaMeter,
    ReceivedFile,
    ReceivedForm,
    UploadError,
    fsync_dir,
    receive_multipart,
)

router = APIRouter()


def _too_many(state: WebState, team: str) -> Response | None:
    """Answer 429 when the team already has the most uploads in progress."""
    limit = state.config.serve.max_concurrent_uploads
    if state.active.get(team, 0) < limit:
        return None
    return JSONResponse(
        {
            "detail": f"your team already has {state.active[team]} uploads in progress; the "
            f"limit is {limit} (serve.max_concurrent_uploads); "
            "send this one when one of them has finished"
        },
        status_code=429,
        headers={"Retry-After": "10"},
    )


async def _receive(request: Request, state: WebState, team: str) -> list[Job]:
    """Receive, check and queue the request's files (raises :class:`UploadError`)."""
    serve = state.config.serve

    async def check_headers(received: ReceivedFile) -> None:
        received.info = await run_in_threadpool(
            probe_headers, received.tmp_path, received.original_name, serve, state.decoding
        )

    def full_probe(received: ReceivedFile) -> dict[str, Any]:
        with state.decoding:
            try:
                return probe_upload(received.tmp_path, received.original_name, state.config)
            finally:
                release_free_memory()  # a 4K first frame's buffers, kept by the thread's arena

    form = ReceivedForm()
    meter = QuotaMeter(serve.team_quota_mb, state.inflight, team)
    try:
        meter.stored_bytes = await run_in_threadpool(state.store.team_bytes, team)
        form = await receive_multipart(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
            state.data / "tmp",
            serve,
            quota=meter,
            check_file=check_headers,
        )
        fields = check_fields(form.fields)
        if fields["session"] and len(form.files) < 2:
            raise UploadError(
                400,
                "field 'session': a session is the clips of one run filmed from several views; "
                f"expected two files or more in the upload, got {len(form.files)}",
            )
        infos = [await run_in_threadpool(full_probe, f) for f in form.files]
        jobs = await run_in_threadpool(_accept, state.store, state.data, team, fields, form, infos)
        if fields["session"]:
            sid = await run_in_threadpool(create_session, state.data, team, jobs)
            request.state.session_url = f"/sessions/{sid}"
        return jobs
    except BaseException:
        form.discard()
        raise
    finally:
        meter.release()


@router.post("/api/jobs", status_code=201)
async def upload(request: Request) -> Response:
    """Receive a multipart upload of one or more clips and queue a job for each.

    With ``session`` on, the clips are one run filmed from several views: the answer also
    gives the session page that merges them (``session``), where a form post is sent.
    """
    state = web_state(request)
    team = api_team(request)
    refused = _too_many(state, team)
    if refused is not None:
        return refused
    state.active[team] = state.active.get(team, 0) + 1
    try:
        jobs = await _receive(request, state, team)
    except UploadError as exc:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)
    finally:
        state.active[team] -= 1
        if not state.active[team]:
            del state.active[team]
    session = getattr(request.state, "session_url", None)
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "json" not in accept:
        return RedirectResponse(session or "/", status_code=303)
    body: dict[str, Any] = {"jobs": [job_json(j) for j in jobs]}
    if session:
        body["session"] = session
    return JSONResponse(body, status_code=201)


@router.get("/api/jobs")
async def list_jobs(request: Request, athlete: str | None = None) -> dict[str, Any]:
    """List the team's jobs, newest first (optionally of one athlete)."""
    team = api_team(request)
    jobs = await run_in_threadpool(web_state(request).store.list_jobs, team, athlete)
    return {"jobs": [job_json(j) for j in jobs]}


@router.get("/api/jobs/{job_id}")
async def get_job(request: Request, job_id: str) -> dict[str, Any]:
    """Return one job of the team."""
    return job_json(team_job(request, job_id, api_team(request)))


@router.get("/jobs/{job_id}/files/{name:path}")
async def job_file(request: Request, job_id: str, name: str, download: int = 0) -> Response:
    """Serve a finished job's output file (inline, or as a download with ``?download=1``)."""
    job = team_job(request, job_id, api_team(request))
    if job.status != "done" or not job.result_dir:
        raise HTTPException(404, f"job {job_id}: no results yet (status {job.status})")
    base = (web_state(request).data / job.result_dir).resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(404, f"job {job_id}: no output file {name[:80]!r}")
    return FileResponse(
        target,
        filename=target.name if download else None,
        content_disposition_type="attachment" if download else "inline",
        headers={"Content-Security-Policy": FILE_CSP},
    )


def _accept(
    store: JobStore,
    data: Path,
    team: str,
    fields: dict[str, str],
    form: ReceivedForm,
    infos: list[dict[str, Any]],
) -> list[Job]:
    """Move checked uploads to their final names and queue one job per file."""
    jobs = []
    for received, info in zip(list(form.files), infos, strict=True):
        job_id = store.new_id()
        date, date_source = session_date(fields, info)
        final = data / "uploads" / f"{job_id}.{info['ext']}"
        os.link(received.tmp_path, final)  # fails rather than overwrite an existing file
        received.tmp_path.unlink()
        received.tmp_path = final
        fsync_dir(final.parent)
        jobs.append(
            store.add(
                job_id,
                team=team,
                stored_path=final,
                athlete=fields["athlete"],
                session_date=date,
                view_hint=fields["view_hint"],
                original_name=received.original_name,
                size_bytes=received.size,
                video_info={
                    **info,
                    "capture_fps_given": fields.get("capture_fps", 0.0),
                    "person_given": fields.get("person", ""),
                    "date_source": date_source,
                },
            )
        )
        form.files.remove(received)  # accepted: no longer the request's to discard
    return jobs


def session_date(fields: dict[str, Any], info: dict[str, Any]) -> tuple[str, str]:
    """Return the session date and where it came from: the form, the clip, or the upload day.

    A date typed in the form wins; else the recording time the clip states; else the
    day of the upload (labelled so, as it may not be the day of filming).
    """
    from armcarriage.recorded import GIVEN, RECORDED, UPLOAD_DATE

    if fields.get("date_given", True):
        return str(fields["date"]), GIVEN
    if info.get("recorded_date"):
        return str(info["recorded_date"]), RECORDED
    return str(fields["date"]), UPLOAD_DATE
