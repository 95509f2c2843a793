"""``armcarriage serve``: run the coach web app with uvicorn.

Access control: give each team a token, either in ``$ARMCARRIAGE_TOKENS``
(``TOKEN=TEAM,TOKEN=TEAM``) or in a tokens file (``--tokens FILE``, one
``TOKEN TEAM`` pair a line). Without any token the server runs in single-user
mode and only on a loopback address.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from armcarriage.config import Config
from armcarriage.errors import InputError

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/armcarriage/web`` (``~/.local/share/armcarriage/web``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "armcarriage" / "web"


def is_loopback(host: str) -> bool:
    """Return True for ``localhost`` and loopback IP addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_WILDCARDS = ("0.0.0.0", "::", "")


def with_bind_host(cfg: Config) -> Config:
    """Return ``cfg`` with the address the server binds added to ``serve.allowed_hosts``.

    ``--host 192.168.1.4`` means browsers will ask for that address; a wildcard
    (``0.0.0.0``) names no host, so the allow-list is left as configured.
    """
    from armcarriage.web.app import allowed_hosts, host_name

    serve = cfg.serve
    names = allowed_hosts(serve.allowed_hosts)
    if serve.host in _WILDCARDS or names is None or host_name(serve.host) in names:
        return cfg
    return cfg.override({"serve.allowed_hosts": f"{serve.allowed_hosts},{serve.host}"})


def serve_command(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to bind (default 127.0.0.1: this computer only)."),
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8000).")] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder for uploads, results and the job queue "
            "(default ~/.local/share/armcarriage/web).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Analysis worker processes (default 1).")
    ] = None,
    tokens: Annotated[
        Path | None,
        typer.Option(
            "--tokens",
            help="File of access tokens, one 'TOKEN TEAM' pair a line. "
            "Also read: $ARMCARRIAGE_TOKENS as TOKEN=TEAM,TOKEN=TEAM.",
        ),
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="TOML file of settings (see README).")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override one setting, e.g. --set serve.max_upload_mb=200."),
    ] = None,
    analyze: Annotated[
        str | None,
        typer.Option("--analyze", hidden=True, help="Analysis function as module:function."),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Start the coach web app: upload clips, follow progress, read reports in a browser."""
    import uvicorn

    from armcarriage.shell import build_config
    from armcarriage.web.app import DataLock, allowed_hosts, create_app
    from armcarriage.web.auth import load_tokens

    cfg = build_config(
        config_file,
        sets,
        serve__host=host,
        serve__port=port,
        serve__workers=workers,
        serve__tokens_file=str(tokens) if tokens else None,
    )
    serve = cfg.serve
    if not load_tokens(None, serve.tokens_file or None) and not is_loopback(serve.host):
        raise InputError(
            f"--host {serve.host}: refusing to serve other computers without access tokens; "
            "set $ARMCARRIAGE_TOKENS or --tokens FILE (see `armcarriage serve --help`)"
        )
    cfg = with_bind_host(cfg)
    if cfg.serve.host in _WILDCARDS and allowed_hosts(cfg.serve.allowed_hosts) is not None:
        typer.echo(
            f"note: only requests for {cfg.serve.allowed_hosts} are answered "
            "(serve.allowed_hosts); add the name or address browsers use, "
            "e.g. --set serve.allowed_hosts=coach.example.org",
            err=True,
        )
    data_dir = (data or default_data_dir()).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    probe = DataLock(data_dir / "server.lock")
    probe.acquire()  # a clear error now rather than a failed start-up inside uvicorn
    probe.release()
    app = create_app(data_dir, cfg, analyze=analyze)
    typer.echo(f"armcarriage web app on http://{serve.host}:{serve.port}/  (data: {data_dir})")
    uvicorn.run(app, host=serve.host, port=serve.port, log_level=log_level, access_log=False)


if __name__ == "__main__":  # python -m armcarriage.web.cli (tests run the server this way)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    typer.run(serve_command)
