"""The web app in headless Chromium: a side+front session uploaded as one, and a comparison.

The server's workers run the real pipeline on renders of one synthetic runner, reading
each render's exact track instead of running the pose model
(:func:`session_fixture.web_truth_analysis`).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import BROWSER_MARKS
from session_fixture import TRUTH_DIR_ENV, render
from web_fakes import TOKEN, free_port, start_server, wait_ready

from tests.sessions.test_session_browser import PHASE, SETTLED, stride_gap

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, dict[str, Path]]]:
    renders = tmp_path_factory.mktemp("renders")
    crossing = {"both__cross_deg": 90.0, "both__abduction_deg": 0.0}
    clips = {
        "side": render(renders, "side_left", 3, **crossing),
        "front": render(renders, "front", 3, **crossing),
        "after": render(renders, "side_left", 4, both__elbow_deg=65.0, cadence_spm=194.0),
    }
    data = tmp_path_factory.mktemp("web")
    old = os.environ.get(TRUTH_DIR_ENV)
    os.environ[TRUTH_DIR_ENV] = str(renders)
    try:
        port = free_port()
        proc = start_server(
            data / "data",
            port,
            extra=("--analyze", "session_fixture:web_truth_analysis"),
            stderr=data / "server.err",
        )
    finally:
        if old is None:
            os.environ.pop(TRUTH_DIR_ENV)
        else:
            os.environ[TRUTH_DIR_ENV] = old
    try:
        wait_ready(port, proc)
        yield f"http://127.0.0.1:{port}", clips
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _in_step(page: Any, leader: int) -> None:
    page.evaluate(
        f"() => window.acrPlayers[{leader}].root.querySelector('[data-act=play]').click()"
    )
    page.wait_for_function(f"() => !window.acrPlayers[{leader}].video.paused", timeout=10_000)
    page.wait_for_timeout(900)
    page.evaluate(f"() => window.acrPlayers[{leader}].video.pause()")
    page.wait_for_function(SETTLED, arg=leader, timeout=10_000)
    page.wait_for_timeout(300)  # a last frame drawn after the pause moves the followers once more
    page.wait_for_function(SETTLED, arg=leader, timeout=10_000)
    lead, other = (page.evaluate(PHASE)[i] for i in (leader, 1 - leader))
    frames = lead["dt"] / lead["length"] + other["dt"] / other["length"]
    assert stride_gap(lead, other) <= frames + 0.01


def test_a_side_and_front_upload_as_one_session_then_a_comparison(browser, server):
    base, clips = server
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _sign_in(page, base)
        page.fill("#athlete", "Sam Runner")
        page.check("#session")
        page.set_input_files("#files", [str(clips["side"]), str(clips["front"])])
        page.click("#upload-button")
        page.locator("#session-link").click(timeout=30_000)
        # the page reloads itself until both clips are analysed, then shows the merge
        page.wait_for_selector("#players-page", timeout=240_000)
        page.wait_for_function(
            "() => window.acrPlayers && window.acrPlayers.length === 2"
            " && window.acrPlayers.every((p) => p.ready)",
            timeout=20_000,
        )
        src = page.locator("tr[data-metric=crossing_max_sw] td.src").inner_text()
        assert src == "from front_3.mp4 (front view)"
        src = page.locator("tr[data-metric=elbow_angle_mean] td.src").inner_text()
        assert src == "from side_left_3.mp4 (side view)"
        _in_step(page, 0)
        # a second side clip, after a change, compared with the first from the athlete's page
        page.goto(f"{base}/")
        page.fill("#athlete", "Sam Runner")
        page.set_input_files("#files", str(clips["after"]))
        page.click("#upload-button")
        page.wait_for_selector("#pending li.ok", timeout=30_000)
        for _ in range(120):  # until the third job is done
            page.goto(f"{base}/athletes/Sam%20Runner")
            if page.locator("#compare-a option").count() == 3:
                break
            page.wait_for_timeout(1000)
        page.select_option("#compare-a", label=f"{_date(page)} · side_left_3.mp4")
        page.select_option("#compare-b", label=f"{_date(page)} · side_left_4.mp4")
        page.click("#compare-form button")
        page.wait_for_function(
            "() => window.acrPlayers && window.acrPlayers.length === 2"
            " && window.acrPlayers.every((p) => p.ready)",
            timeout=20_000,
        )
        verdict = page.locator("tr[data-metric=elbow_angle_mean][data-side=left] td.verdict")
        assert verdict.inner_text() == "changed beyond noise"
        _in_step(page, 1)
        assert errors == []
    finally:
        page.close()


def _date(page: Any) -> str:
    return page.locator("#compare-a option").first.inner_text().split(" · ")[0]
