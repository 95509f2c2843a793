"""Stand-ins for the analysis, used by the web app tests (and importable by worker processes).

``fake_analysis`` writes the outputs the real pipeline writes (report.html,
annotated.mp4, strides.csv, summary.json) in a few milliseconds, optionally
sleeping ``$ARMCARRIAGE_FAKE_DELAY`` seconds in small steps that report
progress; each call appends ``start JOBID`` and ``end JOBID`` lines to
``$ARMCARRIAGE_FAKE_LOG`` so tests can count how often a job ran and finished.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import numpy as np

from armcarriage.errors import InputError
from armcarriage.report.html import FRAGMENT_END, FRAGMENT_START


def _log(event: str, job: str) -> None:
    path = os.environ.get("ARMCARRIAGE_FAKE_LOG")
    if not path:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{event} {job} {os.getpid()}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def fake_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimpleNamespace:
    """Write plausible outputs for ``video`` into ``outdir``."""
    job = Path(outdir).parent.name  # results/JOBID/attempt-N
    _log("start", job)
    delay = float(os.environ.get("ARMCARRIAGE_FAKE_DELAY", "0"))
    steps = 10
    for i in range(steps):
        if delay:
            time.sleep(delay / steps)
        if progress is not None:
            progress(i + 1, steps)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    report = out / "report.html"
    report.write_text(
        "<!doctype html><html><head><title>Fake report</title></head>"
        f'<body>{FRAGMENT_START}<div class="acr" data-base=""><header id="clip">'
        f"<h1 id='title'>Arm carriage report</h1></header><p>clip {job}</p>"
        f"<img src='plots/elbow.svg' alt='elbow'></div>{FRAGMENT_END}</body></html>",
        encoding="utf-8",
    )
    (out / "plots").mkdir(exist_ok=True)
    (out / "plots" / "elbow.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>", encoding="utf-8"
    )
    video_out = out / "annotated.mp4"
    shutil.copyfile(video, video_out)
    strides = out / "strides.csv"
    strides.write_text(
        "stride,side,elbow_angle_mean\n0,left,88.5\n0,right,91.0\n", encoding="utf-8"
    )
    summary = out / "summary.json"
    summary.write_text(json.dumps({"status": "ok", "job": job}), encoding="utf-8")
    _log("end", job)
    return SimpleNamespace(
        status="ok",
        message="",
        analysis=None,
        outputs={"report": report, "video": video_out, "strides": strides, "summary": summary},
    )


def staged_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
    stage: Callable[[str, int, int], None] | None = None,
) -> SimpleNamespace:
    """Report 30 pose frames over ``$ARMCARRIAGE_FAKE_DELAY`` s, then two later stages."""
    delay = float(os.environ.get("ARMCARRIAGE_FAKE_DELAY", "0"))
    for i in range(30):
        time.sleep(delay / 30)
        if progress is not None:
            progress(i + 1, 30)
    for name in ("strides and metrics", "report.html: plots"):
        if stage is not None:
            stage(name, 0, 0)
        time.sleep(delay / 4)
    return fake_analysis(video, outdir, config)


def person_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimpleNamespace:
    """The fake outputs, with the person choice the analysis was given in ``person.json``."""
    result = fake_analysis(video, outdir, config, progress)
    pose = config.pose
    (Path(outdir) / "person.json").write_text(
        json.dumps({"person_x": pose.person_x, "person_y": pose.person_y}), encoding="utf-8"
    )
    return result


def truth_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimpleNamespace:
    """The real reports of ``video`` from the truth track ``$ARMCARRIAGE_FAKE_TRUTH`` (no model)."""
    import armcarriage
    from armcarriage.report import write_reports
    from armcarriage.track import PoseTrack

    analysis = armcarriage.analyze(PoseTrack.load(os.environ["ARMCARRIAGE_FAKE_TRUTH"]), config)
    outputs = write_reports(analysis, video, outdir, config)
    return SimpleNamespace(status="ok", message="", analysis=analysis, outputs=outputs)


def tracked_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimpleNamespace:
    """Like :func:`truth_analysis`, also saving the track (``pose.parquet``) and the cues,
    as the real pipeline does, so a job can be corrected afterwards."""
    import armcarriage
    from armcarriage.cues import evaluate_cues
    from armcarriage.report import write_reports
    from armcarriage.track import PoseTrack

    track = PoseTrack.load(os.environ["ARMCARRIAGE_FAKE_TRUTH"])
    Path(outdir).mkdir(parents=True, exist_ok=True)
    pose = track.save(Path(outdir) / "pose.parquet")
    analysis = armcarriage.analyze(track, config)
    cues = evaluate_cues(analysis, config)
    outputs = {"pose": pose, **write_reports(analysis, video, outdir, config, cues)}
    return SimpleNamespace(status="ok", message="", analysis=analysis, cues=cues, outputs=outputs)


def failing_analysis(
    video: Path,
    outdir: Path,
    config: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimpleNamespace:
    """Fail the way the pipeline fails on a clip without a runner."""
    raise InputError(
        f"{video}: a person was found in 3% of frames; expected at least 20% "
        "(pose.min_detection_rate)"
    )


def make_clip(
    path: Path,
    *,
    n: int = 12,
    size: tuple[int, int] = (64, 48),
    fps: int = 24,
    codec: str = "libx264",
) -> Path:
    """Encode a small clip (a moving bar on black) that browsers can play."""
    w, h = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for i in range(n):
            img = np.zeros((h, w, 3), np.uint8)
            img[:, (i * w) // max(n, 1) : (i * w) // max(n, 1) + 4] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def read_log(path: Path) -> list[tuple[str, str]]:
    """``[(event, job), ...]`` from a fake-analysis log."""
    if not path.exists():
        return []
    return [tuple(line.split()[:2]) for line in path.read_text().splitlines() if line.strip()]


# ---- a real server in a subprocess (restart and load tests) -------------
TESTS = Path(__file__).resolve().parent
TOKEN = "load-test-token-1-5b8e2a9c7f1d3e6a"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data: Path,
    port: int,
    *,
    workers: int = 1,
    delay: float = 0.0,
    log: Path | None = None,
    extra: tuple[str, ...] = (),
    stderr: Path | None = None,
) -> Any:
    """Start ``python -m armcarriage.web.cli`` with the fake analysis; return the Popen."""
    import subprocess
    import sys

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["ARMCARRIAGE_TOKENS"] = f"{TOKEN}=loadteam"
    env["ARMCARRIAGE_FAKE_DELAY"] = str(delay)
    if log is not None:
        env["ARMCARRIAGE_FAKE_LOG"] = str(log)
    cmd = [
        sys.executable, "-m", "armcarriage.web.cli",
        "--host", "127.0.0.1", "--port", str(port), "--data", str(data),
        "--workers", str(workers), "--analyze", "web_fakes:fake_analysis",
        "--log-level", "warning", *extra,
    ]  # fmt: skip
    err = open(stderr, "ab") if stderr else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)


def wait_ready(port: int, proc: Any, timeout: float = 60.0) -> float:
    """Wait until the server answers /healthz; return the seconds it took."""
    import httpx

    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before it was ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return time.monotonic() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"server on port {port} not ready after {timeout} s")


def stream_raw(
    port: int,
    path: str,
    headers: dict[str, str],
    chunks: Any,
    *,
    chunked: bool = True,
    timeout: float = 30.0,
) -> tuple[int, bytes, int]:
    """Send a request body piece by piece over a raw socket; stop when the server answers.

    ``chunks`` is an iterable of bytes (e.g. a generator); with ``chunked`` the
    body goes out with ``Transfer-Encoding: chunked``. Returns the status, the
    response body and how many body bytes were sent before the server answered.
    """
    import select
    import socket

    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        try:
            for chunk in chunks:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed): stop sending
                data = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
                sock.sendall(data)
                sent += len(chunk)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server closed the connection while we were sending
            pass
        reply = b""
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                reply += part
        except OSError:
            pass
    status_line, _, rest = reply.partition(b"\r\n")
    status = int(status_line.split()[1]) if status_line.startswith(b"HTTP/") else 0
    body = rest.partition(b"\r\n\r\n")[2]
    return status, body, sent


def multipart_parts(boundary: str, fields: dict[str, str], files: list[tuple[str, Any]]) -> Any:
    """Yield a multipart body: text fields, then each ``(name, chunks)`` file."""
    for key, value in fields.items():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    for name, chunks in files:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        yield from chunks
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()
