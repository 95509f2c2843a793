"""Athlete pages: an athlete's history of sessions, its plot, and merging duplicates."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from armcarriage.errors import InputError
from armcarriage.names import athlete_key
from armcarriage.web import history as web_history
from armcarriage.web.context import (
    api_team,
    job_json,
    page_team,
    read_form,
    render,
    web_state,
)
from armcarriage.web.sessions import athlete_sessions

router = APIRouter()


async def _athlete_context(request: Request, team: str, name: str) -> dict[str, Any]:
    """Gather what the athlete page shows."""
    from armcarriage.dashboard.render import history_fragment

    state = web_state(request)
    hist = await run_in_threadpool(web_history.athlete_history, state.data, team, name)
    athlete, others, keys = await run_in_threadpool(
        web_history.athlete_view, state.data, team, name
    )
    jobs = await run_in_threadpool(state.store.list_jobs, team, None, 2000)
    jobs = [j for j in jobs if athlete_key(j.athlete) in keys]  # every name of the athlete
    runs = await run_in_threadpool(athlete_sessions, state.data, team, name)
    return {
        "runs": runs,
        "athlete": athlete.name if athlete is not None else name,
        "history": hist,
        "has_history": athlete is not None and bool(athlete.sessions),
        "fragment": history_fragment(athlete) if athlete is not None else "",
        "others": others,
        "jobs": [job_json(j) for j in jobs],
        "merge_error": "",
    }


@router.get("/athletes/{name}", response_class=HTMLResponse)
async def athlete_page(request: Request, name: str) -> Response:
    """Show an athlete's metrics over dates with their noise bands, sessions, cues and jobs."""
    team = page_team(request)
    return render(request, "athlete.html", **await _athlete_context(request, team, name))


@router.post("/athletes/{name}/merge")
async def merge_athlete(request: Request, name: str) -> Response:
    """Merge this athlete into another (two names of one person); go to the one kept."""
    team = page_team(request)
    into = (await read_form(request)).get("into", "").strip()
    try:
        done = await run_in_threadpool(web_history.merge, web_state(request).data, team, name, into)
    except InputError as exc:
        context = await _athlete_context(request, team, name)
        context["merge_error"] = str(exc)
        return render(request, "athlete.html", status=400, **context)
    return RedirectResponse(f"/athletes/{quote(done.target, safe='')}", status_code=303)


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
