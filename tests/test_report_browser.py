"""Open report.html in headless Chromium: images load, key sections exist, screenshot saved.

Needs Debian's Chromium (``apt-get install -y chromium chromium-driver``); the
Playwright browser download is never used.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from analysis_fixture import make_analysis, write_video

from armcarriage.config import Config
from armcarriage.cues import evaluate_cues
from armcarriage.report import write_reports

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium "
                       "(apt-get install -y chromium chromium-driver)"),
]


def test_report_opens_in_chromium_with_images_and_sections(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    analysis = make_analysis(view="side_right", values={"elbow_angle_mean": 50.0,
                                                        "shrug_rise_tl": 0.16})
    video = write_video(tmp_path / "clip.mp4", analysis.track)
    cfg = Config().override({"report.annotated_video": False})
    report = write_reports(analysis, video, tmp_path / "out", cfg, evaluate_cues(analysis))[
        "report"]
    shot_dir = Path(os.environ.get("ARMCARRIAGE_SCREENSHOT_DIR", tmp_path))
    shot_dir.mkdir(parents=True, exist_ok=True)
    shot = shot_dir / "report_screenshot.png"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
            sections = page.evaluate(
                "Array.from(document.querySelectorAll('section[id], header[id]'))"
                ".map(s => [s.id, s.querySelector('h1,h2').innerText])")
            cue_titles = page.locator("#cues h3").all_inner_texts()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    print(f"report screenshot: {shot}")
    assert len(images) >= 5
    assert all(done and width > 0 for _, done, width in images), images
    ids = dict(sections)
    for key in ("clip", "cues", "good", "keyframes", "plots", "drift", "strides", "unmeasured"):
        assert key in ids, key
    assert ids["cues"] == "Top cues"
    assert "Shoulders hitch up" in cue_titles[0] and "Elbows clamped" in cue_titles[1]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert shot.stat().st_size > 50_000
