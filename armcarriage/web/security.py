"""Browser security of the web app: allowed hosts, same-origin writes, headers, sign-in throttle.

Every request must name an allowed host (``serve.allowed_hosts``, against DNS
rebinding); every state-changing request from a browser must come from this
server's own pages (its ``Origin`` or ``Referer`` names the requested host;
cross-site requests are refused, and token-less scripts may send neither);
every response carries a Content-Security-Policy; failed sign-ins are
throttled per client address; malformed paths are answered 400.
"""

from __future__ import annotations

import time
import unicodedata
from collections import deque
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
"""Hash of the empty string: plotly.js (the report's charts) adds empty ``<style>`` elements
and fills them through the CSS object model, which CSP does not govern; this hash lets an
empty style element in and nothing else."""
PAGE_CSP = (
    f"default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    f"style-src 'self' {_EMPTY_STYLE}; "
    "script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'"
)
FILE_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self' "
    "'unsafe-inline'; font-src 'self' data:; frame-ancestors 'self'; form-action 'none'"
)
"""Served job outputs (``report.html``, plots): no script at all, framed only by our pages."""
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_TABLE_MAX = 10_000
"""Client addresses remembered by the sign-in throttle (the oldest are forgotten)."""


def allowed_hosts(setting: str) -> frozenset[str] | None:
    """Parse ``serve.allowed_hosts`` into lower-case host names (None = any host)."""
    names = {h.strip().lower().strip("[]").rstrip(".") for h in setting.split(",")}
    names.discard("")
    return None if "*" in names else frozenset(names)


def host_name(header: str) -> str:
    """Return the host name of a ``Host`` header value, without port or IPv6 brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def bad_path(path: str) -> bool:
    """Return True for a decoded path with control characters or bytes that are not UTF-8."""
    return any(unicodedata.category(ch) == "Cc" or ch == "\ufffd" for ch in path)


def _cross_site(request: Request) -> str:
    """Return why a state-changing request is cross-site ("" when it comes from our pages)."""
    host_header = request.headers.get("host", "")
    site = request.headers.get("sec-fetch-site", "")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    source = origin if origin is not None else referer
    if site and site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {site[:20]!r}"
    if source is None:
        return ""
    try:
        netloc = urlsplit(source.strip()).netloc if source.strip() != "null" else None
    except ValueError:  # not a URL at all, e.g. an unclosed IPv6 bracket
        netloc = None
    if netloc is None or netloc.lower() != host_header.strip().lower():
        kind = "Origin" if origin is not None else "Referer"
        return f"{kind} {source[:80]!r} is not this server ({host_header[:80]!r})"
    return ""


def refuse(request: Request, hosts: frozenset[str] | None) -> Response | None:
    """Answer requests with a bad path, a foreign Host or a cross-site origin (None = let in)."""
    if bad_path(request.scope.get("path", "")) or bad_path(unquote(request.url.query)):
        return JSONResponse(
            {"detail": "bad request path: control characters or bytes that are not UTF-8"},
            status_code=400,
        )
    host_header = request.headers.get("host", "")
    if hosts is not None and host_name(host_header) not in hosts:
        return JSONResponse(
            {
                "detail": f"Host {host_header[:80]!r} is not served here; allowed: "
                f"{', '.join(sorted(hosts))} (serve.allowed_hosts)"
            },
            status_code=400,
        )
    if request.method in _SAFE_METHODS:
        return None
    why = _cross_site(request)
    if why:
        return JSONResponse(
            {"detail": f"cross-site request refused: {why}; send it from this server's pages"},
            status_code=403,
        )
    return None


def install_guard(app: FastAPI, hosts: frozenset[str] | None) -> None:
    """Add the middleware that refuses bad requests and sets the security headers."""

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = refuse(request, hosts) or await call_next(request)
        response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the
        # app's own form posts, which the origin check must refuse
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response


class LoginThrottle:
    """Failed sign-ins per client address within a sliding window."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self.failures: dict[str, deque[float]] = {}

    def wait(self, client: str) -> float:
        """Seconds ``client`` must wait before its next sign-in attempt (0 = none)."""
        seen = self.failures.get(client)
        if not seen:
            return 0.0
        now = time.monotonic()
        while seen and now - seen[0] > self.window_s:
            seen.popleft()
        if len(seen) < self.attempts:
            return 0.0
        return max(1.0, self.window_s - (now - seen[0]))

    def failed(self, client: str) -> None:
        """Count a failed attempt (forgetting the oldest client when the table is full)."""
        if client not in self.failures and len(self.failures) >= LOGIN_TABLE_MAX:
            self.failures.pop(next(iter(self.failures)))
        self.failures.setdefault(client, deque(maxlen=self.attempts)).append(time.monotonic())

    def succeeded(self, client: str) -> None:
        """Forget the client's failures."""
        self.failures.pop(client, None)
