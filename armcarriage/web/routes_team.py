"""The team dashboard page, and the dashboard's style and script (package files)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from armcarriage.web import history as web_history
from armcarriage.web.context import page_team, render, web_state

router = APIRouter()


@router.get("/team", response_class=HTMLResponse)
async def team_page(request: Request) -> Response:
    """Show the team dashboard: a card per athlete with trends, then every session."""
    from armcarriage.dashboard.render import athlete_cards, controls, sessions_table

    team = page_team(request)
    dashboard = await run_in_threadpool(web_history.team_dashboard, web_state(request).data, team)
    parts: dict[str, Any] = {"controls": "", "cards": "", "sessions": ""}
    if dashboard is not None and dashboard.athletes:
        parts = {
            "controls": controls(dashboard),
            "cards": athlete_cards(dashboard, lambda a: f"/athletes/{_quote(a.name)}"),
            "sessions": sessions_table(dashboard),
        }
    return render(request, "team.html", **parts)


@router.get("/dashboard-assets/{name}")
async def dashboard_asset(name: str) -> Response:
    """Serve the dashboard's style or script."""
    from armcarriage.dashboard.render import ASSETS, asset

    if name not in ASSETS:
        raise HTTPException(404, f"no dashboard asset {name[:80]!r}")
    text = await run_in_threadpool(asset, name)
    return Response(text, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
