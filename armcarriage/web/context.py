"""State shared by the web app's routers, and the helpers every route uses.

:func:`armcarriage.web.app.create_app` builds one :class:`WebState` and keeps it
as ``app.state.web``; a route reaches it with :func:`web_state`. A new page is
a module with an :class:`fastapi.APIRouter` whose routes call :func:`page_team`
(or :func:`api_team`) and :func:`render`, listed in ``app.ROUTERS``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from armcarriage.config import Config
from armcarriage.web.auth import TokenTable
from armcarriage.web.security import PAGE_CSP, LoginThrottle
from armcarriage.web.store import Job, JobStore

COOKIE = "armcarriage_token"
HERE = Path(__file__).parent
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


class LoginRequiredError(Exception):
    """A page was requested without a valid token: send the browser to sign in."""


@dataclass
class WebState:
    """Everything the routes of one app share: folders, settings, stores and live counters."""

    data: Path
    config: Config
    store: JobStore
    tokens: TokenTable
    templates: Jinja2Templates
    throttle: LoginThrottle
    decoding: threading.BoundedSemaphore
    active: dict[str, int] = field(default_factory=dict)
    """Uploads in progress per team."""
    inflight: dict[str, int] = field(default_factory=dict)
    """Bytes being received per team (charged to its quota)."""


def web_state(request: Request) -> WebState:
    """Return the app's shared state."""
    state: WebState = request.app.state.web
    return state


def team_of(request: Request) -> str | None:
    """Return the team of the request's bearer token or cookie (None when unknown)."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return web_state(request).tokens.team_of(token or request.cookies.get(COOKIE))


def api_team(request: Request) -> str:
    """Return the request's team, or answer 401 (API routes)."""
    team = team_of(request)
    if team is None:
        raise HTTPException(
            401,
            "missing or unknown access token: send 'Authorization: Bearer TOKEN' "
            "or sign in at /login",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return team


def page_team(request: Request) -> str:
    """Return the request's team, or send the browser to the sign-in page (page routes)."""
    team = team_of(request)
    if team is None:
        raise LoginRequiredError()
    return team


def team_job(request: Request, job_id: str, team: str) -> Job:
    """Return the team's job ``job_id`` or answer 404 (another team's job looks absent)."""
    job = web_state(request).store.get(job_id, team) if JOB_ID.match(job_id) else None
    if job is None:
        raise HTTPException(404, f"no job {job_id[:40]!r} for your team")
    return job


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` as a page under the page Content-Security-Policy."""
    state = web_state(request)
    context.setdefault("team", team_of(request))
    context.setdefault("open_mode", state.tokens.open_mode)
    response = state.templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def job_json(job: Job) -> dict[str, Any]:
    """Return a job's public fields and its page URL."""
    out = job.public()
    out["url"] = f"/jobs/{job.id}"
    return out


async def read_form(request: Request, max_fields: int = 8) -> dict[str, str]:
    """Read a small url-encoded form of the app's pages (``serve.max_field_bytes`` at most).

    Raises
    ------
    HTTPException
        413 for a larger body, 400 for more than ``max_fields`` fields.

    """
    from urllib.parse import parse_qs

    limit = web_state(request).config.serve.max_field_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"form larger than {limit} bytes (serve.max_field_bytes)")
    try:
        values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=max_fields)
    except ValueError:
        raise HTTPException(400, f"form: expected at most {max_fields} fields") from None
    return {k: v[0] for k, v in values.items()}
