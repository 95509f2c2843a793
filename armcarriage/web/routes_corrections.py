"""Corrections from the job page: leave out strides or a time range, with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from armcarriage.errors import InputError
from armcarriage.web.context import page_team, read_form, render, team_job, web_state
from armcarriage.web.corrections import CorrectionForm, correct
from armcarriage.web.routes_pages import job_context

router = APIRouter()


@router.post("/jobs/{job_id}/corrections")
async def add_correction(request: Request, job_id: str) -> Response:
    """Recompute a finished job without the strides given, keeping the reason."""
    team = page_team(request)
    job = team_job(request, job_id, team)
    values = await read_form(request)
    form = CorrectionForm(
        strides=values.get("strides", ""),
        times=values.get("times", ""),
        reason=values.get("reason", ""),
    )
    state = web_state(request)
    try:
        await run_in_threadpool(
            correct,
            state.store,
            state.data,
            job,
            state.config,
            form,
            history=request.app.state.workers.settings.record_history,
        )
    except InputError as exc:
        context = await job_context(request, job)
        context.update(correction_error=str(exc), form=values)
        return render(request, "job.html", status=400, **context)
    return RedirectResponse(f"/jobs/{job.id}#corrections", status_code=303)
