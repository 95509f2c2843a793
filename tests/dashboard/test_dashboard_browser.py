"""The team dashboard and merging athletes in headless Chromium (system Chromium, Playwright).

A small batch and a small web team made with the fake analysis (no pose model):
the batch's team.html opens from disk at phone width without sideways scrolling,
sorts and filters by cue, and its links open; in the web app the team page's links
answer, and two names of one athlete are merged from the athlete page.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import httpx
from batch_fakes import fake_analysis, make_video_bytes
from chromium import BROWSER_MARKS
from web_fakes import TOKEN, free_port, make_clip, start_server, wait_ready

from armcarriage.batch.runner import run_batch

pytestmark = BROWSER_MARKS


def _batch(root: Path) -> Path:
    rows = ["path,athlete,date"]
    for i, name in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"] * 2):
        clip = root / f"c{i}.mp4"
        clip.write_bytes(make_video_bytes(i))
        rows.append(f"{clip.name},{name},2026-0{1 + i // 5}-1{i % 5}")
    (root / "m.csv").write_text("\n".join(rows) + "\n")
    out = root / "out"
    assert run_batch(root / "m.csv", out, workers=1, analyse=fake_analysis).exit_code == 0
    return out


def _visible_cards(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#cards article.athlete:not([hidden])", "els => els.map(e => e.dataset.name)"
    )


def test_batch_team_page_sorts_filters_and_links(browser: Any, tmp_path: Path) -> None:
    out = _batch(tmp_path)
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto((out / "team.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert _visible_cards(page) == ["ana", "ben", "cy", "dee", "eve"]
        # sort by the latest elbow angle, high to low
        page.select_option("#sort-cards", "m:elbow_angle_mean")
        page.click("#sort-dir")
        values = page.eval_on_selector_all(
            "#cards article.athlete", "els => els.map(e => +e.dataset.mElbow_angle_mean)"
        )
        assert len(values) == 5 and values == sorted(values, reverse=True)
        # filter by a cue: only athletes (and clip rows) whose cues hold it stay
        cue = page.eval_on_selector_all("#cue-filter option", "els => els.map(e => e.value)")[1]
        page.select_option("#cue-filter", cue)
        shown = page.eval_on_selector_all(
            "[data-cues]:not([hidden])", "els => els.map(e => JSON.parse(e.dataset.cues))"
        )
        hidden = page.locator("[data-cues][hidden]").count()
        assert shown and hidden and all(cue in cues for cues in shown)
        page.select_option("#cue-filter", "")
        assert page.locator("[data-cues][hidden]").count() == 0
        # the clip table sorts by a clicked column
        page.click("#team th:has-text('cadence_spm')")
        col = page.eval_on_selector_all("#team thead th", "els => els.map(e => e.textContent)")
        i = col.index("cadence_spm")
        cad = page.eval_on_selector_all(
            "#team tbody tr", f"rows => rows.map(r => +r.cells[{i}].dataset.sort)"
        )
        assert cad == sorted(cad)
        # every link opens a page; the athlete's name opens the latest report
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert len(hrefs) >= 5 + 5 + 10
        for href in set(hrefs):
            assert Path(href.removeprefix("file://")).is_file(), href
        page.click("#cards article[data-name=cy] h3 a")
        page.wait_for_load_state()
        assert page.url.endswith("/report.html") and "c7.mp4" in page.content()
        page.go_back()
        page.click("#cards article[data-name=ana] a.history-link")
        page.wait_for_selector("svg.chart")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#history-sessions tbody tr").count() == 2
    finally:
        page.close()


def _upload(port: int, name: str, athlete: str, date: str, clip: Path) -> str:
    r = httpx.post(
        f"http://127.0.0.1:{port}/api/jobs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        files={"file": (name, clip.read_bytes(), "video/mp4")},
        data={"athlete": athlete, "date": date},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()["jobs"][0]["id"]


def test_web_team_page_links_and_merging_two_names(browser: Any, tmp_path: Path) -> None:
    port = free_port()
    proc = start_server(tmp_path / "data", port, extra=("--analyze", "batch_fakes:fake_analysis"),
                        stderr=tmp_path / "server.err")  # fmt: skip
    page = browser.new_page(viewport={"width": 390, "height": 800})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(port, proc)
        uploads = [("Ann", "2026-10-01"), ("ann", "2026-10-08"), ("Annie", "2026-10-15"),
                   ("Bo", "2026-10-02")]  # fmt: skip
        for i, (athlete, date) in enumerate(uploads):
            clip = make_clip(tmp_path / f"c{i}.mp4", n=10 + i)
            _upload(port, clip.name, athlete, date, clip)
        page.goto(f"{base}/login")
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for _ in range(300):  # the fake analysis takes a moment per job
            page.goto(f"{base}/team")
            if page.locator("#sessions tbody tr").count() == len(uploads):
                break
            page.wait_for_timeout(200)
        assert _visible_cards(page) == ["ann", "annie", "bo"]  # Ann and ann: one athlete
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        hrefs = set(page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"))
        assert any("/jobs/" in h for h in hrefs) and any("/athletes/" in h for h in hrefs)
        for href in hrefs:
            assert page.request.get(href).status == 200, href
        # Annie is Ann: merge from Annie's page
        page.click("#cards article[data-name=annie] a.history-link")
        page.wait_for_selector("#merge")
        page.select_option("#merge-into", "Ann")
        page.click("#merge-button")
        page.wait_for_selector("#athlete-name")
        assert page.inner_text("#athlete-name") == "Ann"
        assert page.locator("#history-sessions tbody tr").count() == 3
        assert page.locator("table.jobs tbody tr a").count() == 3  # uploads under every name
        assert page.locator("svg.chart").count() >= 6  # a chart per metric, noise band included
        assert page.locator("svg.chart polygon.band").count() >= 6
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{base}/team")
        assert _visible_cards(page) == ["ann", "bo"]
        sessions = page.eval_on_selector_all(
            "#cards article[data-name=ann] svg.spark", "els => els.map(e => e.dataset.sessions)"
        )
        assert all(len(json.loads(s)) == 3 for s in sessions)
        # a later upload under the merged name joins the same athlete
        clip = make_clip(tmp_path / "late.mp4", n=20)
        _upload(port, clip.name, "Annie", "2026-11-01", clip)
        for _ in range(300):
            page.goto(f"{base}/athletes/Annie")
            if page.locator("#history-sessions tbody tr").count() == 4:
                break
            page.wait_for_timeout(200)
        assert page.inner_text("#athlete-name") == "Ann"
        assert page.locator("#history-sessions tbody tr").count() == 4
    finally:
        page.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
