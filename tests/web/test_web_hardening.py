"""Hostile uploads, names and browser attacks against the web app: each is refused early."""

from __future__ import annotations

import os
import secrets
import socket
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")
import av
import httpx
from fastapi.testclient import TestClient
from test_web_api import SHARKS, TOKENS, A, B, client, leftovers, upload, wait_done
from web_fakes import (
    TOKEN,
    free_port,
    make_clip,
    multipart_parts,
    start_server,
    stream_raw,
    wait_ready,
)

from armcarriage.config import Config
from armcarriage.errors import ConfigError
from armcarriage.web import create_app
from armcarriage.web.auth import load_tokens, parse_env

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 0.5 s, 12-frame, 64x48 H.264 clip."""
    return make_clip(tmp_path_factory.mktemp("clips") / "run.mp4")


def still(path: Path, fmt: str, codec: str) -> bytes:
    """Encode one 64x48 picture as a still image (or a one-frame container)."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=1)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "rgb24" if codec == "png" else "yuvj420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
        for packet in stream.encode(frame.reformat(format=stream.pix_fmt)):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


# ---- 1. limits that hold before the work ------------------------------------------
def test_frame_size_is_refused_from_the_headers_before_any_decoding(
    tmp_path: Path, clip: Path, monkeypatch: Any
) -> None:
    decoded: list[Path] = []

    def no_decoding(path: Path, *args: Any, **kwargs: Any) -> None:
        decoded.append(path)
        raise AssertionError("a frame was decoded before the header check")

    monkeypatch.setattr("armcarriage.video.probe_video", no_decoding)
    with client(tmp_path, max_width=32, max_height=32) as c:
        r = upload(c, clip.read_bytes())
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "run.mp4: frame size 64x48 exceeds the limit 32x32 (serve.max_width / serve.max_height)"
        )
        assert decoded == [] and leftovers(tmp_path) == ([], [])


def test_header_probe_bars_decoders_from_oversized_frames(tmp_path: Path) -> None:
    from armcarriage.web.probe import probe_headers
    from armcarriage.web.uploads import UploadError

    big = make_clip(tmp_path / "big.mp4", n=2, size=(1024, 768))
    limits = Config().override({"serve.max_width": 640, "serve.max_height": 640}).serve
    with pytest.raises(UploadError) as info:
        probe_headers(big, "big.mp4", limits)
    assert info.value.status == 422
    assert "frame size 1024x768 exceeds the limit 640x640" in info.value.message
    # portrait limits admit a landscape clip turned by its rotation flag: either way round fits
    tall = Config().override({"serve.max_width": 768, "serve.max_height": 1024}).serve
    assert probe_headers(big, "big.mp4", tall)["width"] == 1024


def understated(src: Path, dst: Path, size: tuple[int, int] = (64, 64)) -> Path:
    """Remux ``src`` with a container that states a smaller frame size than it codes."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        lie = out.add_stream_from_template(stream)
        lie.codec_context.width, lie.codec_context.height = size
        for packet in inp.demux(stream):
            if packet.dts is not None:
                packet.stream = lie
                out.mux(packet)
    return dst


def test_a_container_understating_its_frame_size_is_refused_before_the_full_decode(
    tmp_path: Path, monkeypatch: Any
) -> None:
    big = make_clip(tmp_path / "big.mp4", n=2, size=(1024, 768))
    liar = understated(big, tmp_path / "liar.mp4").read_bytes()
    decoded: list[Path] = []
    monkeypatch.setattr("armcarriage.video.probe_video", lambda p, *a, **k: decoded.append(p))
    with client(tmp_path, max_width=640, max_height=640) as c:
        r = upload(c, liar, name="liar.mp4")
        assert r.status_code == 422, r.text
        assert r.json()["detail"].startswith(
            "liar.mp4: the first frame cannot be decoded within the frame size limit 640x640 "
            "(serve.max_width / serve.max_height); the headers state 64x64"
        )
        assert decoded == [] and leftovers(tmp_path) == ([], [])


@pytest.mark.parametrize(
    ("fmt", "codec", "name", "kind"),
    [
        ("image2", "png", "photo.png", "PNG"),
        ("image2", "mjpeg", "photo.jpg", "JPEG"),
        ("mov", "png", "photo.mov", "png"),  # a one-frame image container
    ],
)
def test_still_images_are_refused(
    tmp_path: Path, fmt: str, codec: str, name: str, kind: str
) -> None:
    content = still(tmp_path / name, fmt, codec)
    with client(tmp_path) as c:
        r = upload(c, content, name=name)
        assert r.status_code == 415, r.text
        detail = r.json()["detail"]
        assert detail.startswith(f"{name}: a still image (") and detail.endswith("not a video")
        assert kind in detail
        assert leftovers(tmp_path) == ([], [])


def test_field_count_and_size_are_limited(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, max_fields=3, max_field_bytes=64) as c:
        r = upload(c, clip.read_bytes(), notes="x")  # athlete, date, view + notes
        assert r.status_code == 413
        assert r.json()["detail"] == (
            "too many form fields in one upload: the limit is 3 (serve.max_fields)"
        )
        r = upload(c, clip.read_bytes(), athlete="A" * 65)
        assert r.status_code == 413
        assert r.json()["detail"] == (
            "form field 'athlete' is longer than 64 bytes (serve.max_field_bytes)"
        )
        assert leftovers(tmp_path) == ([], [])


def test_team_disk_quota(tmp_path: Path, clip: Path) -> None:
    size = len(clip.read_bytes())
    with client(tmp_path, team_quota_mb=1.5 * size / 1e6) as c:
        assert upload(c, clip.read_bytes()).status_code == 201
        r = upload(c, clip.read_bytes())
        assert r.status_code == 413
        assert "your team's disk quota" in r.json()["detail"]
        assert "(serve.team_quota_mb)" in r.json()["detail"]
        assert upload(c, clip.read_bytes(), headers=B).status_code == 201  # per team
        tmp, uploads = leftovers(tmp_path)
        assert tmp == [] and len(uploads) == 2


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("max_request_mb", 0, r"serve.max_request_mb: expected > 0 and <= 1e\+06, got 0.0"),
        ("max_concurrent_uploads", 0, r"serve.max_concurrent_uploads: expected >= 1 and"),
        ("max_width", 100_000, r"serve.max_width: expected >= 1 and <= 16384, got 100000"),
        ("team_quota_mb", -5, r"serve.team_quota_mb: expected > 0"),
        ("max_fields", "many", "serve.max_fields: expected a int, got 'many'"),
    ],
)
def test_serve_limits_have_a_type_and_a_range(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config().override({f"serve.{key}": value})


# ---- streaming limits, against a real server --------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    data = tmp_path_factory.mktemp("hostile") / "data"
    port = free_port()
    sets = ("serve.max_upload_mb=5", "serve.max_request_mb=12", "serve.max_concurrent_uploads=1")
    proc = start_server(data, port, workers=0, extra=tuple(a for s in sets for a in ("--set", s)))
    try:
        wait_ready(port, proc)
        yield port, data
    finally:
        proc.terminate()
        proc.wait(30)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def junk(total: int, piece: int = 256 * 1024) -> Iterator[bytes]:
    """``total`` bytes that are no video, in pieces (bounded)."""
    for _ in range(total // piece):
        yield b"\x00junk" * (piece // 5) + b"\x00" * (piece % 5)


def padded(clip: Path, size: int) -> bytes:
    """The clip followed by a 'free' box: a valid video of ``size`` bytes."""
    body = clip.read_bytes()
    pad = size - len(body)
    return body + pad.to_bytes(4, "big") + b"free" + bytes(pad - 8)


def test_chunked_body_over_the_request_limit_is_cut_off(
    server: tuple[int, Path], clip: Path
) -> None:
    port, data = server
    boundary = "hostile1"
    files = [(f"c{i}.mp4", [padded(clip, 4_000_000)]) for i in range(10)]  # 4 MB each, 40 in all
    body = multipart_parts(boundary, {"athlete": "Sam"}, files)
    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, reply, sent = stream_raw(port, "/api/jobs", headers, body)
    assert status == 413, reply
    assert b"the upload is larger than the request limit of 12.0 MB (serve.max_request_mb" in reply
    assert sent < 40_000_000  # cut off at 12 MB (plus what the sockets buffer)
    assert os.listdir(data / "tmp") == [] and os.listdir(data / "uploads") == []


def test_a_bad_file_stops_the_request_before_the_next_is_read(
    server: tuple[int, Path],
) -> None:
    port, data = server
    boundary = "hostile2"
    files = [("first.mp4", junk(256 * 1024)), ("second.mp4", junk(400 * 1024 * 1024))]
    body = multipart_parts(boundary, {"athlete": "Sam"}, files)
    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, reply, sent = stream_raw(port, "/api/jobs", headers, body)
    assert status == 415, reply
    assert reply.startswith(b'{"detail":"first.mp4: not a usable video')
    assert sent < 100 * 1024 * 1024  # the 400 MB second file was not taken in
    assert os.listdir(data / "tmp") == [] and os.listdir(data / "uploads") == []


def test_concurrent_uploads_per_team_are_limited(server: tuple[int, Path], clip: Path) -> None:
    port, data = server
    boundary = "slow"
    head = (
        f"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 3000000\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.mp4"\r\n\r\n'
    ).encode()
    url = f"http://127.0.0.1:{port}/api/jobs"
    files = {"file": ("run.mp4", clip.read_bytes(), "video/mp4")}
    with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
        slow.sendall(head + clip.read_bytes()[:1000])  # an upload in progress, never finished
        for _ in range(100):  # until the server has started on the slow upload
            r = httpx.post(url, files=files, data={"athlete": "Sam"}, headers=AUTH, timeout=30)
            if r.status_code == 429:
                break
            time.sleep(0.1)
        assert r.status_code == 429, r.text
        assert "the limit is 1 (serve.max_concurrent_uploads)" in r.json()["detail"]
        assert r.headers["retry-after"] == "10"
    for _ in range(100):  # the slow client went away: its slot and its file are freed
        r = httpx.post(url, files=files, data={"athlete": "Sam"}, headers=AUTH, timeout=30)
        if r.status_code == 201:
            break
        time.sleep(0.1)
    assert r.status_code == 201, r.text
    assert os.listdir(data / "tmp") == []


# ---- 2. names ------------------------------------------------------------------------------
def test_long_non_ascii_upload_name_is_analysed_and_kept(tmp_path: Path, clip: Path) -> None:
    name = "跑步训练" * 50 + ".mp4"  # 600 bytes in UTF-8
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes(), name=name).json()["jobs"][0]
        nfd = upload(c, clip.read_bytes(), name="Jose\u0301 run.mp4").json()["jobs"][0]
        for j in (job, nfd):
            done = wait_done(c, j["id"])
            assert done["status"] == "done", done["error"]
            assert done["attempts"] == 1  # no worker died on the name
            report = c.get(f"/jobs/{j['id']}/files/report.html", headers=A)
            assert report.status_code == 200
        assert len(job["name"]) == 120 and job["name"].startswith("跑步训练" * 28)
        assert job["name"].endswith("….mp4")
        assert nfd["name"] == "José run.mp4" and unicodedata.is_normalized("NFC", nfd["name"])
        (linked,) = os.listdir(tmp_path / "data" / "results" / job["id"] / "clip")
        assert len(linked.encode()) <= 255 and linked.startswith("跑步训练")
        assert sorted(os.listdir(tmp_path / "data" / "uploads")) == sorted(
            f"{j['id']}.mp4" for j in (job, nfd)
        )  # storage names come from the job ids


# ---- 3. browser security -------------------------------------------------------------------
def test_only_allowed_host_names_are_served(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.get("/healthz", headers={"Host": "evil.example"})
        assert r.status_code == 400
        assert r.json()["detail"] == (
            "Host 'evil.example' is not served here; allowed: 127.0.0.1, ::1, localhost "
            "(serve.allowed_hosts)"
        )
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."):
            assert c.get("/healthz", headers={"Host": host}).status_code == 200, host
    with client(tmp_path / "b", allowed_hosts="coach.example") as c:
        assert c.get("/healthz", headers={"Host": "coach.example:443"}).status_code == 200
        assert c.get("/healthz", headers={"Host": "localhost"}).status_code == 400
    with client(tmp_path / "c", allowed_hosts="*") as c:
        assert c.get("/healthz", headers={"Host": "anything.example"}).status_code == 200


def test_serve_adds_the_bound_address_to_the_allowed_hosts() -> None:
    from armcarriage.web.cli import with_bind_host

    def hosts(host: str, allowed: str = "localhost,127.0.0.1,::1") -> str:
        cfg = Config().override({"serve.host": host, "serve.allowed_hosts": allowed})
        return with_bind_host(cfg).serve.allowed_hosts

    assert hosts("192.168.1.4") == "localhost,127.0.0.1,::1,192.168.1.4"
    assert hosts("127.0.0.1") == "localhost,127.0.0.1,::1"
    assert hosts("0.0.0.0") == "localhost,127.0.0.1,::1"  # a wildcard names no host
    assert hosts("coach.example.org", "*") == "*"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "http://localhost:9999"},  # another port is another origin
        {"Referer": f"{EVIL}/attack.html"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
        {"Origin": "http://[::1"},  # not even a URL
    ],
)
def test_cross_site_posts_are_refused(
    tmp_path: Path, clip: Path, monkeypatch: Any, headers: dict[str, str]
) -> None:
    monkeypatch.delenv("ARMCARRIAGE_TOKENS", raising=False)
    app = create_app(tmp_path / "data", workers=0)  # single-user mode: no token to steal
    with TestClient(app, base_url="http://localhost") as c:
        r = c.post(
            "/api/jobs",
            files={"file": ("a.mp4", clip.read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
            headers=headers,
        )
        assert r.status_code == 403
        assert r.json()["detail"].startswith("cross-site request refused: ")
        assert leftovers(tmp_path) == ([], [])
        same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
        ok = c.post(
            "/api/jobs",
            files={"file": ("a.mp4", clip.read_bytes(), "video/mp4")},
            data={"athlete": "Sam"},
            headers=same,
        )
        assert ok.status_code == 201


def test_cross_site_sign_in_and_sign_out_are_refused(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post("/login", data={"token": SHARKS}, headers={"Origin": EVIL})
        assert r.status_code == 403 and "set-cookie" not in r.headers
        ok = c.post("/login", data={"token": SHARKS}, headers={"Origin": "http://localhost"})
        assert ok.status_code == 200 and "team: sharks" in ok.text
        assert c.post("/logout", headers={"Origin": EVIL}).status_code == 403
        assert c.get("/logout").status_code == 405  # signing out is a POST now
        out = c.post("/logout", follow_redirects=False)
        assert out.status_code == 303 and 'armcarriage_token=""' in out.headers["set-cookie"]


def test_every_response_carries_a_content_security_policy(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        assert wait_done(c, job["id"])["status"] == "done"
        c.cookies.set("armcarriage_token", SHARKS)
        for path in ("/", "/login", f"/jobs/{job['id']}", "/athletes/Sam Runner"):
            csp = c.get(path).headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        # with no-referrer, browsers send "Origin: null" on the app's own form posts
        assert c.get("/login").headers["referrer-policy"] == "same-origin"
        for path in ("/api/jobs", "/healthz", "/static/style.css", "/nothing-here"):
            r = c.get(path)
            assert r.headers["content-security-policy"] == (
                "default-src 'none'; frame-ancestors 'none'"
            ), path
        report = c.get(f"/jobs/{job['id']}/files/report.html")
        csp = report.headers["content-security-policy"]
        assert csp.startswith("default-src 'none'; img-src 'self' data:")
        assert "script-src" not in csp and "frame-ancestors 'self'" in csp  # no script runs


def test_failed_sign_ins_are_throttled(tmp_path: Path) -> None:
    with client(tmp_path, login_attempts=3, login_window_s=600) as c:
        for _ in range(3):
            assert c.post("/login", data={"token": "x" * 40}).status_code == 401
        r = c.post("/login", data={"token": SHARKS}, follow_redirects=False)
        assert r.status_code == 429  # even the right token waits: guesses cannot go on
        assert "Too many failed sign-ins" in r.text
        assert 590 <= int(r.headers["retry-after"]) <= 600
        assert "set-cookie" not in r.headers
        big = c.post("/login", content=b"token=" + b"x" * 5000, headers={
            "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert big.status_code == 429


def test_sign_in_body_is_limited(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post(
            "/login",
            content=b"token=" + b"x" * 5000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 413
        assert "serve.max_field_bytes" in r.json()["detail"]
        r = c.post(
            "/login",
            content=b"&".join(b"f%d=1" % i for i in range(9)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 400 and "more than 4 fields" in r.json()["detail"]


def test_tokens_need_128_bits() -> None:
    from armcarriage.web.auth import token_bits

    with pytest.raises(ConfigError, match="has about 76 bits; expected at least 128"):
        load_tokens({"sharks-token-1": "sharks"}, environ={})
    with pytest.raises(ConfigError, match="expected at least 128"):
        parse_env("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=sharks")  # long but one letter
    for _ in range(20):
        assert token_bits(secrets.token_urlsafe(24)) >= 128
        assert token_bits(secrets.token_hex(16)) >= 128
    assert load_tokens(TOKENS, environ={}) == TOKENS


def test_malformed_boundary_is_400(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post(
            "/api/jobs",
            content=b"--x\r\n",
            headers={**A, "Content-Type": "multipart/form-data; boundary=" + "x" * 5000},
        )
        assert r.status_code == 400
        assert r.json()["detail"].startswith("malformed multipart upload: ")


def test_bad_paths_are_400_never_500(tmp_path: Path, clip: Path) -> None:
    with client(tmp_path, workers=1) as c:
        job = upload(c, clip.read_bytes()).json()["jobs"][0]
        assert wait_done(c, job["id"])["status"] == "done"
    app = create_app(tmp_path / "data", Config(), tokens=TOKENS, workers=0)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as c:
        base = f"/jobs/{job['id']}/files"
        for path in (
            f"{base}/%00",
            f"{base}/report.html%00.png",
            f"{base}/%ff%fe",
            f"{base}/plots%0a/elbow.svg",
            "/athletes/%00",
            "/athletes/Sam%00/history.png",
            f"/api/jobs/{job['id']}%00",
            "/api/jobs?athlete=%00",
            "/%c0%ae%c0%ae/jobs.sqlite",
        ):
            r = c.get(path, headers=A)
            assert r.status_code == 400, (path, r.status_code)
            assert "bad request path" in r.json()["detail"]
        assert c.get(f"{base}/report.html", headers=A).status_code == 200
