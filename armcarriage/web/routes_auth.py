"""Sign-in, sign-out and the health check."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from armcarriage.web.context import COOKIE, render, web_state

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    """Show the sign-in form."""
    return render(request, "login.html", error="")


async def _read_form(request: Request, limit: int) -> dict[str, list[str]] | Response:
    """Read a small url-encoded form, or return the error response."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return JSONResponse(
                {"detail": f"sign-in form larger than {limit} bytes (serve.max_field_bytes)"},
                status_code=413,
            )
    try:
        return parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
    except ValueError:
        return JSONResponse(
            {"detail": "sign-in form: expected one field 'token', got more than 4 fields"},
            status_code=400,
        )


@router.post("/login")
async def login(request: Request) -> Response:
    """Check a token (throttled per client address) and set the session cookie."""
    state = web_state(request)
    client = request.client.host if request.client else ""
    wait = state.throttle.wait(client)
    if wait:
        page = render(
            request,
            "login.html",
            status=429,
            error=f"Too many failed sign-ins from your address; try again in {wait:.0f} s.",
        )
        page.headers["Retry-After"] = str(int(wait + 0.999))
        return page
    values = await _read_form(request, state.config.serve.max_field_bytes)
    if isinstance(values, Response):
        return values
    token = (values.get("token") or [""])[0].strip()
    if state.tokens.team_of(token) is None:
        state.throttle.failed(client)
        return render(request, "login.html", status=401, error="Unknown access token.")
    state.throttle.succeeded(client)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    """Drop the session cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/healthz")
async def healthz() -> dict[str, bool]:
    """Liveness check."""
    return {"ok": True}
