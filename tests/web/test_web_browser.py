"""End to end in headless Chromium: sign in, upload a clip through the page, read the report.

Uses the system Chromium (Debian ``chromium``), driven by Playwright; never
downloads a browser. Set ``ARMCARRIAGE_WEB_SCREENSHOT=FILE`` to save a
screenshot of the report page (the README's picture is made this way).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from chromium import BROWSER_MARKS
from conftest import SHARED_VIDEOS
from web_fakes import TOKEN, free_port, make_clip, start_server, wait_ready

pytestmark = BROWSER_MARKS


def _sample_clip(tmp_path: Path) -> Path:
    clip = SHARED_VIDEOS / "field_side_short.mp4"
    return clip if clip.exists() else make_clip(tmp_path / "run.mp4", n=30, size=(320, 240))


def _server(tmp_path: Path, analyze: str | None) -> tuple[Any, int]:
    port = free_port()
    extra: tuple[str, ...] = (
        () if analyze == "fake" else ("--analyze", analyze or "armcarriage.pipeline:run_analysis")
    )
    proc = start_server(tmp_path / "data", port, log=tmp_path / "fake.log", extra=extra,
                        stderr=tmp_path / "server.err")  # fmt: skip
    wait_ready(port, proc)
    return proc, port


def _upload_and_open_report(page: Any, port: int, clip: Path, timeout_ms: int) -> str:
    base = f"http://127.0.0.1:{port}"
    page.goto(f"{base}/")
    assert page.url.endswith("/login")  # no token yet: sign in first
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.fill("#athlete", "Sam Runner")
    page.set_input_files("#files", str(clip))
    page.click("#upload-button")
    page.wait_for_selector("#pending li.ok", timeout=30_000)
    # the list is redrawn every 2 s: a locator re-finds the link if it was replaced
    page.locator("#jobs tbody tr[data-job] a").first.click(timeout=10_000)
    page.wait_for_selector("#job")
    # the job page polls and reloads itself when the job ends
    page.wait_for_selector("#report, #job-error", timeout=timeout_ms)
    error = page.query_selector("#job-error")
    return error.inner_text() if error else ""


def _assert_report_and_video(page: Any, clip_width: int, export_video: bool = False) -> None:
    # the report is part of the job page (no iframe)
    assert page.locator("iframe").count() == 0
    report = page.locator("#report .acr")
    report.locator("h1").first.wait_for(timeout=10_000)
    assert report.locator("h1").first.inner_text().strip() != ""
    if export_video:
        page.wait_for_function(
            "() => { const v = document.getElementById('annotated'); "
            "return v && v.readyState >= 1; }",
            timeout=20_000,
        )
        width = page.evaluate("document.getElementById('annotated').videoWidth")
        duration = page.evaluate("document.getElementById('annotated').duration")
        assert width == clip_width
        assert duration > 0
    else:  # the annotated video is an opt-in export
        assert page.locator("#annotated").count() == 0
        assert page.locator("#report #acr-video").count() == 1  # the report's player instead
    links = page.eval_on_selector_all(".downloads a", "els => els.map(e => e.textContent)")
    assert any(t.endswith(".csv") for t in links) or any(t.endswith(".json") for t in links)


def _screenshot(page: Any) -> None:
    target = os.environ.get("ARMCARRIAGE_WEB_SCREENSHOT")
    if not target:
        return
    page.set_viewport_size({"width": 1200, "height": 1150})
    page.wait_for_timeout(500)
    page.screenshot(path=target, full_page=False)


def _stop(proc: Any) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)


def test_upload_through_the_page_and_read_the_report(browser: Any, tmp_path: Path) -> None:
    """The page flow with a fast stand-in analysis (report and video served by the app)."""
    from armcarriage.video import probe_video

    clip = _sample_clip(tmp_path)
    proc, port = _server(tmp_path, analyze="fake")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        error = _upload_and_open_report(page, port, clip, timeout_ms=60_000)
        assert error == ""
        _assert_report_and_video(page, probe_video(clip).width, export_video=True)
        assert page.locator("#report h1").inner_text() == "Arm carriage report"
        # the athlete page lists the clip
        page.click("text=Sam Runner")
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == "Sam Runner"
        assert page.locator("table.jobs a", has_text=clip.name).count() == 1
    finally:
        page.close()
        _stop(proc)


def test_report_runs_within_the_app_page_under_its_csp(
    browser: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A real report (from a sample's truth track) inside the job page: player and charts
    work under the app's Content-Security-Policy, which allows no inline script."""
    samples = Path(__file__).resolve().parents[2] / "sample_videos"
    clip = samples / "side_left_tight_elbows.mp4"
    monkeypatch.setenv("ARMCARRIAGE_FAKE_TRUTH", str(clip.with_suffix(".truth.parquet")))
    proc, port = _server(tmp_path, analyze="web_fakes:truth_analysis")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"error: {e}"))
    page.on("response", lambda r: console.append(f"http {r.status} {r.url}"))
    try:
        error = _upload_and_open_report(page, port, clip, timeout_ms=120_000)
        assert error == ""
        csp = page.evaluate(
            "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
        )
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src
        page.wait_for_function("() => window.acrPlayer && window.acrPlayer.ready", timeout=20_000)
        assert page.locator("iframe").count() == 0
        assert page.evaluate("window.acrPlayer.charts") >= 3
        assert page.locator("#report .chart .main-svg").count() >= 3  # plotly drew them
        src = page.evaluate("window.acrPlayer.video.currentSrc")
        assert src.endswith("/files/clip.mp4") and "/jobs/" in src
        page.locator("#cues .cue .seek").first.click()
        page.wait_for_function("() => window.acrPlayer.drawn && window.acrPlayer.drawn.i >= 0")
        want = float(page.locator("#cues .cue .seek").first.get_attribute("data-t"))
        assert abs(page.evaluate("window.acrPlayer.video.currentTime") - want) < 0.01
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not [m for m in console if "Content Security Policy" in m or "WARN" in m], console
        # the one failed request a browser makes of every site: /favicon.ico
        assert not [
            m
            for m in console
            if m.startswith(("error", "http 4", "http 5")) and "Failed to load resource" not in m
        ], console
        assert len([m for m in console if "Failed to load resource" in m]) <= 1
        target = os.environ.get("ARMCARRIAGE_WEB_SCREENSHOT")
        if target:  # the README's picture of the job page
            page.set_viewport_size({"width": 1200, "height": 1150})
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(500)
            page.screenshot(path=target)
    finally:
        page.close()
        _stop(proc)


@pytest.mark.slow
def test_real_pipeline_through_the_page(browser: Any, tmp_path: Path) -> None:
    """The real pipeline on the short shared running clip, from upload to report."""
    from armcarriage.video import probe_video

    clip = SHARED_VIDEOS / "field_side_short.mp4"
    if not clip.exists():
        pytest.skip(f"shared test data not found: {clip}")
    proc, port = _server(tmp_path, analyze=None)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        error = _upload_and_open_report(page, port, clip, timeout_ms=240_000)
        if "NotImplementedError" in error:
            pytest.xfail(f"the pipeline is not complete in this build: {error}")
        assert error == ""
        _assert_report_and_video(page, probe_video(clip).width)
        _screenshot(page)
    finally:
        page.close()
        _stop(proc)


def test_the_job_page_shows_the_terminal_s_stages_with_the_time_left(
    browser: Any, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "run.mp4", n=30, size=(320, 240))
    port = free_port()
    proc = start_server(
        tmp_path / "data", port, delay=8.0, extra=("--analyze", "web_fakes:staged_analysis")
    )
    wait_ready(port, proc)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    seen: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/")
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.fill("#athlete", "Sam Runner")
        page.set_input_files("#files", str(clip))
        page.click("#upload-button")
        page.wait_for_selector("#pending li.ok", timeout=30_000)
        page.locator("#jobs tbody tr[data-job] a").first.click(timeout=10_000)
        page.wait_for_selector("#job-stages li", timeout=20_000)
        page.wait_for_function(
            "() => /left$/.test(document.getElementById('job-stage').textContent)",
            timeout=20_000,
        )
        seen.append(page.inner_text("#job-stage"))
        page.wait_for_selector("#job-stages li.done", timeout=20_000)
        seen += page.eval_on_selector_all("#job-stages li", "els => els.map(e => e.textContent)")
        page.wait_for_selector("#report", timeout=30_000)
    finally:
        page.close()
        _stop(proc)
    assert re.fullmatch(r"pose \d+/30 frames, about \d+ s left", seen[0]), seen
    assert seen[1] == "\u2713 pose", seen
    assert any(s.startswith(("assembling", "strides and metrics", "report.html")) for s in seen[2:])


def test_a_tap_on_the_first_frame_chooses_the_runner_and_an_undecodable_clip_says_so(
    browser: Any, tmp_path: Path
) -> None:
    from armcarriage.web.store import JobStore

    clip = make_clip(tmp_path / "two.mp4", n=24, size=(320, 240))
    odd = make_clip(tmp_path / "odd.mp4", n=24, size=(320, 240), codec="mpeg4")
    proc, port = _server(tmp_path, analyze="fake")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/")
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.fill("#athlete", "Sam Runner")
        page.set_input_files("#files", str(clip))
        page.wait_for_selector("#person-box[data-state=shown]", timeout=15_000)
        assert page.input_value("#person") == ""  # no tap: the most prominent person
        box = page.locator("#person-frame").bounding_box()
        page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.4 * box["height"])
        x, y = (float(v) for v in page.input_value("#person").split(","))
        assert abs(x - 0.75) < 0.01 and abs(y - 0.4) < 0.01
        assert page.inner_text("#person-note").startswith("Following the person at the mark")
        page.click("#upload-button")
        page.wait_for_selector("#pending li.ok", timeout=30_000)
        (job,) = JobStore(tmp_path / "data" / "jobs.sqlite").list_jobs()
        assert job.video_info["person_given"] == f"{x:.2f},{y:.2f}"
        assert page.input_value("#person") == ""  # the next upload chooses afresh
        # a codec the browser cannot decode: no frame, the runner is chosen automatically
        page.set_input_files("#files", str(odd))
        page.wait_for_selector("#person-box[data-state=undecodable]", timeout=15_000)
        assert "cannot decode the clip" in page.inner_text("#person-note")
        assert page.input_value("#person") == ""
        assert not page.is_visible("#person-frame")
    finally:
        page.close()
        _stop(proc)
