"""Settings of the batch runner and the web app."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import MAX_DURATION_S, MAX_FRAME_SIDE, MAX_FRAMES, setting


@dataclass(frozen=True)
class BatchConfig:
    """Batch analysis and history."""

    database_url: str = setting("", text="a database URL or file")
    """SQLAlchemy-style URL of the history database; empty means a SQLite file in the output."""
    workers: int = setting(0, ge=0, le=256)
    """Videos analysed at once (0 = one per core)."""
    scheduler: str = setting("", text="a Dask scheduler address or local")
    """Address of a Dask scheduler; empty means local processes."""


@dataclass(frozen=True)
class ServeConfig:
    """Web app limits and browser security."""

    host: str = setting("127.0.0.1", text="a host name or address")
    port: int = setting(8000, ge=1, le=65535)
    max_upload_mb: float = setting(500.0, gt=0, le=1e6)
    """Largest file in an upload, MB; enforced while the body streams."""
    max_request_mb: float = setting(2000.0, gt=0, le=1e6)
    """Largest upload request (all its files and fields), MB; counted while the body streams,
    chunked bodies included."""
    max_duration_s: float = setting(600.0, gt=0, le=MAX_DURATION_S)
    max_width: int = setting(3840, ge=1, le=MAX_FRAME_SIDE)
    max_height: int = setting(3840, ge=1, le=MAX_FRAME_SIDE)
    """Frame size limits, checked on the container headers before any frame is decoded."""
    max_frames: int = setting(100_000, ge=1, le=MAX_FRAMES)
    workers: int = setting(1, ge=0, le=64)
    """Worker processes that analyse queued jobs (0: none in this process; a separate
    worker picks the jobs up)."""
    max_files_per_upload: int = setting(20, ge=1, le=1000)
    """Files accepted in one upload request."""
    max_fields: int = setting(10, ge=1, le=1000)
    """Text fields accepted in one upload request."""
    max_field_bytes: int = setting(4096, ge=16, le=1 << 20)
    """Longest text field or part header of an upload, and largest sign-in form, bytes."""
    max_name_chars: int = setting(120, ge=8, le=255)
    """Uploaded file names are kept for display (NFC) up to this many characters."""
    max_concurrent_uploads: int = setting(3, ge=1, le=1000)
    """Uploads one team may stream at the same time; more are answered 429."""
    max_concurrent_decodes: int = setting(2, ge=1, le=64)
    """First frames of uploads the server decodes at once (each up to the frame size limit)."""
    team_quota_mb: float = setting(50_000.0, gt=0, le=1e9)
    """Disk space for one team's stored clips, MB; an upload that would pass it is cut off."""
    allowed_hosts: str = setting("localhost,127.0.0.1,::1", text="comma-separated host names")
    """Comma-separated names the server answers to (the request's Host header), against
    DNS rebinding; ``*`` accepts any. ``armcarriage serve --host NAME`` adds NAME."""
    login_attempts: int = setting(5, ge=1, le=1000)
    """Failed sign-ins from one address within ``login_window_s`` before it must wait."""
    login_window_s: float = setting(300.0, ge=1.0, le=86400.0)
    lease_s: float = setting(60.0, gt=0, le=86400.0)
    """A running job whose worker sent no heartbeat for this long is requeued."""
    max_attempts: int = setting(3, ge=1, le=100)
    """A job interrupted this many times (worker killed) is marked failed."""
    poll_s: float = setting(0.5, gt=0, le=60.0)
    """How often an idle worker looks for a queued job."""
    job_timeout_s: float = setting(3600.0, ge=0, le=1e6)
    """An analysis running longer than this is stopped and its job failed (0 = no limit)."""
    tokens_file: str = setting("", text="a file path")
    """File of access tokens, one ``TOKEN TEAM`` pair a line; see ``armcarriage serve --help``."""
