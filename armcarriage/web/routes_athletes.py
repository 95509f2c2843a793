"""Athlete pages: an athlete's history of sessions and its plot."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from armcarriage.web import history as web_history
from armcarriage.web.context import api_team, job_json, page_team, render, web_state
from armcarriage.web.sessions import athlete_sessions

router = APIRouter()


@router.get("/athletes/{name}", response_class=HTMLResponse)
async def athlete_page(request: Request, name: str) -> Response:
    """Show an athlete's sessions, metrics over time and jobs."""
    state = web_state(request)
    team = page_team(request)
    hist = await run_in_threadpool(web_history.athlete_history, state.data, team, name)
    jobs = await run_in_threadpool(state.store.list_jobs, team, name)
    sessions = await run_in_threadpool(athlete_sessions, state.data, team, name)
    has_plot = hist["metrics"] is not None and not hist["metrics"].empty
    return render(
        request,
        "athlete.html",
        athlete=name,
        history=hist,
        has_plot=has_plot,
        jobs=[job_json(j) for j in jobs],
        runs=sessions,
    )


@router.get("/athletes/{name}/history.png")
async def athlete_plot(request: Request, name: str) -> Response:
    """Plot the athlete's metrics over time as a PNG."""
    team = api_team(request)
    data = web_state(request).data
    hist = await run_in_threadpool(web_history.athlete_history, data, team, name)
    if hist["metrics"] is None or hist["metrics"].empty:
        raise HTTPException(404, f"no history for athlete {name[:80]!r} in your team")
    png = await run_in_threadpool(web_history.plot_png, hist["metrics"], name)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
