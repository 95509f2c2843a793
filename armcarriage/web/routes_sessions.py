"""Pages of several clips: a session (the views of one run merged) and two jobs compared.

Both pages show the report's players side by side, kept in step by stride phase
(``player.js`` and ``sync.js`` served as files, as the page's Content-Security-Policy
allows no inline script); their data come from the jobs' reports.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from armcarriage.errors import InputError
from armcarriage.jsonio import dumps
from armcarriage.web.context import api_team, job_json, page_team, render, team_job, web_state
from armcarriage.web.sessions import compare_jobs, session_view

router = APIRouter()

PAGE_ASSETS = {"sync.js": "text/javascript", "players.css": "text/css"}
"""Files of the multi-player pages beside the report's own (``/report-assets/``)."""


@router.get("/page-assets/{name}")
async def page_asset(name: str) -> Response:
    """Serve the stride-phase sync script and the multi-player style."""
    if name not in PAGE_ASSETS:
        raise HTTPException(404, f"no page asset {name[:80]!r}")
    if name == "players.css":
        from armcarriage.report.players import EXTRA_CSS

        content = EXTRA_CSS.encode("utf-8")
    else:
        content = (files("armcarriage") / "data" / name).read_bytes()
    return Response(
        content, media_type=PAGE_ASSETS[name], headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get("/athletes/{name}/compare", response_class=HTMLResponse)
async def compare_page(request: Request, name: str, a: str = "", b: str = "") -> Response:
    """Two of the athlete's finished jobs side by side: players in step, verdicts, cues."""
    state = web_state(request)
    team = page_team(request)
    if not a or not b or a == b:
        raise HTTPException(400, "compare: expected two different jobs as ?a=JOB&b=JOB")
    job_a, job_b = team_job(request, a, team), team_job(request, b, team)
    try:
        title, header, body = await run_in_threadpool(
            compare_jobs, state.data, state.config, job_a, job_b
        )
    except InputError as exc:
        raise HTTPException(409, str(exc)) from None
    return render(
        request,
        "players.html",
        athlete=name,
        title=title,
        header=header,
        body=body,
        jobs=[job_json(job_a), job_json(job_b)],
    )


@router.get("/sessions/{sid}", response_class=HTMLResponse)
async def session_page(request: Request, sid: str) -> Response:
    """Show a session's merged page, or its jobs' progress while they run."""
    state = web_state(request)
    team = page_team(request)
    view = await run_in_threadpool(session_view, state.data, state.store, state.config, team, sid)
    if view is None:
        raise HTTPException(404, f"no session {sid[:40]!r} for your team")
    title, header, body = view.sections or (f"Session of {view.record['athlete']}", "", "")
    return render(
        request,
        "players.html",
        athlete=view.record["athlete"],
        title=title,
        header=header,
        body=body,
        jobs=[job_json(j) for j in view.jobs],
        pending=[job_json(j) for j in view.pending],
        session=sid,
    )


@router.get("/api/sessions/{sid}")
async def session_json(request: Request, sid: str) -> Response:
    """Return the merged session (strict JSON), or its jobs while they run."""
    state = web_state(request)
    team = api_team(request)
    view = await run_in_threadpool(session_view, state.data, state.store, state.config, team, sid)
    if view is None:
        raise HTTPException(404, f"no session {sid[:40]!r} for your team")
    body = {
        "id": sid,
        "jobs": [job_json(j) for j in view.jobs],
        "pending": [j.id for j in view.pending],
        "session": view.merged,
    }
    return Response(dumps(body), media_type="application/json")
