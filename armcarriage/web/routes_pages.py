"""The pages of the web app: the job list with the upload form, a job with its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from armcarriage.web.context import job_json, page_team, render, team_job, web_state
from armcarriage.web.fields import VIEW_HINTS
from armcarriage.web.store import Job

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    """Show the team's jobs and the upload form."""
    state = web_state(request)
    team = page_team(request)
    jobs = await run_in_threadpool(state.store.list_jobs, team, None, 200)
    serve = state.config.serve
    return render(
        request,
        "index.html",
        team=team,
        jobs=[job_json(j) for j in jobs],
        views=[v for v in VIEW_HINTS if v],
        max_mb=serve.max_upload_mb,
        limits=serve,
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(request: Request, job_id: str) -> Response:
    """Show one job: its status, and its report once it is done."""
    team = page_team(request)
    job = team_job(request, job_id, team)
    return render(request, "job.html", **await job_context(request, job))


async def job_context(request: Request, job: Job) -> dict[str, Any]:
    """Gather what the job page shows."""
    from armcarriage.web.corrections import applied

    data = web_state(request).data
    report = await run_in_threadpool(report_fragment, data, job)
    skip: tuple[str, ...] = ()
    if report is not None:
        from armcarriage.report.html import injected_style_ids

        skip = await run_in_threadpool(injected_style_ids)
    return {
        "job": job_json(job),
        "files": job_files(job),
        "report": report,
        "skip_styles": skip,
        "corrections": await run_in_threadpool(applied, data, job),
        "can_correct": job.status == "done" and "pose" in job.outputs,
        "correction_error": "",
        "form": {},
    }


@router.get("/report-assets/{name}")
async def report_asset(name: str) -> Response:
    """Serve the report's style and scripts as files, so the job page runs no inline script."""
    from armcarriage.report.html import ASSET_TYPES, asset

    if name not in ASSET_TYPES:
        raise HTTPException(404, f"no report asset {name[:80]!r}")
    content, media_type = await run_in_threadpool(asset, name)
    return Response(
        content, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"}
    )


def report_fragment(data: Path, job: Job) -> str | None:
    """Return the report of a finished job, to show within the job page (None if there is none).

    The report's clip and other files are fetched from the job's file route.
    """
    rel = next((r for r in job.outputs.values() if r.endswith(".html")), None)
    if job.status != "done" or not job.result_dir or rel is None:
        return None
    # imported only for a finished job: the report's modules take seconds to import, which
    # the first look at a running job's page would otherwise wait for
    from armcarriage.report.html import embedded_report

    base = (data / job.result_dir).resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        return None
    fragment = embedded_report(path)
    if fragment is None:
        return None
    folder = Path(rel).parent.as_posix()
    prefix = f"/jobs/{job.id}/files/" + ("" if folder == "." else folder + "/")
    return fragment.replace('class="acr" data-base=""', f'class="acr" data-base="{prefix}"', 1)


def job_files(job: Job) -> dict[str, Any]:
    """Sort a finished job's outputs into report, video and downloads."""
    report = video = None
    downloads = []
    for name, rel in sorted(job.outputs.items()):
        url = f"/jobs/{job.id}/files/{rel}"
        if rel.endswith(".html") and report is None:
            report = url
        elif rel.endswith(".mp4") and video is None and name != "player":
            video = url
        else:
            downloads.append({"name": name, "file": Path(rel).name, "url": url + "?download=1"})
    return {"report": report, "video": video, "downloads": downloads}
