"""Session report and compare page in headless Chromium: players in step by stride phase.

Needs Debian's Chromium (``apt-get install -y chromium chromium-driver``). The clips are
short renders of one synthetic runner; the pipeline reads their exact tracks instead of
running the pose model (:mod:`session_fixture`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chromium import BROWSER_MARKS
from session_fixture import render, truth_pose

from armcarriage.cli import main
from armcarriage.pipeline import run_analysis
from armcarriage.sessions.run import run_session

pytestmark = BROWSER_MARKS

SETTLED = """(leader) => {
    const ps = window.acrPlayers, L = ps[leader];
    return L.video.paused && ps.every((p) => p === L || (!p.video.seeking && p.synced
        && Math.abs(p.video.currentTime - p.synced.media) <= 0.5 * p.dt + 0.001));
}"""
"""True once the leader is paused and every follower stands on its latest target."""

PHASE = """() => window.acrPlayers.map((p) => {
    const t = p.toTrack(p.video.currentTime);
    const s = p.strides.find((s) => s[1] <= t && t < s[2]);
    return {t: t, seeking: p.video.seeking, paused: p.video.paused, dt: p.dt,
            stride: s ? s[0] : null, phase: s ? (t - s[1]) / (s[2] - s[1]) : null,
            length: s ? s[2] - s[1] : null, n: p.strides.length};
})"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """A side+front session of one run, and two side sessions before and after a change."""
    folder = tmp_path_factory.mktemp("renders")
    out = tmp_path_factory.mktemp("pages")
    mp = pytest.MonkeyPatch()
    truth_pose(mp)
    try:
        crossing = {"both__cross_deg": 90.0, "both__abduction_deg": 0.0}
        side = render(folder, "side_left", 3, **crossing)
        front = render(folder, "front", 3, **crossing)
        _, outputs = run_session([side, front], out / "session")
        before = render(folder, "side_left", 1, both__elbow_deg=95.0)
        after = render(folder, "side_left", 2, both__elbow_deg=70.0, cadence_spm=194.0)
        run_analysis(before, out / "before")
        run_analysis(after, out / "after")
    finally:
        mp.undo()
    assert main(["compare", str(out / "before"), str(out / "after"), "-o", str(out / "cmp")]) == 0
    return {"session": outputs["report"], "compare": out / "cmp" / "compare.html"}


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(
        "() => window.acrPlayers && window.acrPlayers.length === 2"
        " && window.acrPlayers.every((p) => p.ready)",
        timeout=20_000,
    )
    return page, errors


def _play_then_pause(page: Any, leader: int, seconds: float) -> list[dict[str, Any]]:
    page.evaluate(
        f"() => window.acrPlayers[{leader}].root.querySelector('[data-act=play]').click()"
    )
    page.wait_for_function(
        f"() => !window.acrPlayers[{leader}].video.paused && window.acrSync.phase", timeout=10_000
    )
    page.wait_for_timeout(int(seconds * 1000))
    during = page.evaluate(PHASE)
    page.evaluate(f"() => window.acrPlayers[{leader}].video.pause()")
    page.wait_for_function(SETTLED, arg=leader, timeout=10_000)
    page.wait_for_timeout(300)  # a last frame drawn after the pause moves the followers once more
    page.wait_for_function(SETTLED, arg=leader, timeout=10_000)
    return [during, page.evaluate(PHASE)]


def _assert_in_step(phases: list[dict[str, Any]], leader: int) -> None:
    lead, other = phases[leader], phases[1 - leader]
    assert lead["stride"] is not None and other["stride"] is not None
    # the follower shows the same stride (numbered around its own count) and the same
    # fraction of it, to a frame of each clip (the leader's frame on screen may be the one
    # before its paused time); positions in strides, so a pause a frame from a stride's
    # boundary may stand on either side of it
    frames = lead["dt"] / lead["length"] + other["dt"] / other["length"]
    assert stride_gap(lead, other) <= frames + 0.01


def stride_gap(lead: dict[str, Any], other: dict[str, Any]) -> float:
    """How far (in strides) the follower stands from the leader's stride and phase."""
    n = other["n"]
    want = ((lead["stride"] - 1) % n) + lead["phase"]
    gap = abs(other["stride"] - 1 + other["phase"] - want) % n
    return min(gap, n - gap)


def test_session_report_says_where_each_metric_came_from_and_keeps_the_clips_in_step(
    browser, pages
):
    page, errors = _open(browser, pages["session"])
    try:
        crossing = page.locator("tr[data-metric=crossing_max_sw] td.src").inner_text()
        elbow = page.locator("tr[data-metric=elbow_angle_mean] td.src").inner_text()
        assert crossing == "from front_3.mp4 (front view)"
        assert elbow == "from side_left_3.mp4 (side view)"
        assert "front_3.mp4 (front view)" in page.locator("#cues .cue").first.inner_text()
        assert page.evaluate(
            "window.acrPlayers.map((p) => p.video.currentSrc.split('/').slice(-2).join('/'))"
        ) == [
            "side_left_3/clip.mp4",
            "front_3/clip.mp4",
        ]
        during, paused = _play_then_pause(page, 0, 1.2)
        assert during[0]["t"] > 0.9  # the side clip played
        _assert_in_step(paused, 0)
        # the cue's button shows the front clip's moment and leads from there
        page.locator("#cues button.seek").first.click()
        page.wait_for_function("() => window.acrSync.leader === 1")
        page.wait_for_function(SETTLED, arg=1, timeout=10_000)
        _assert_in_step(page.evaluate(PHASE), 1)
        assert errors == []
    finally:
        page.close()


def test_compare_page_drives_the_other_player_by_stride_phase(browser, pages):
    page, errors = _open(browser, pages["compare"])
    try:
        lengths = page.evaluate("window.acrPlayers.map((p) => p.strides[1][2] - p.strides[1][1])")
        assert lengths[0] == pytest.approx(0.68, abs=0.03)  # the two cadences differ, so the
        assert lengths[1] == pytest.approx(0.62, abs=0.03)  # times differ where phases agree
        _, paused = _play_then_pause(page, 0, 1.0)
        _assert_in_step(paused, 0)
        # while A played, B was driven frame by frame to A's phase
        synced = page.evaluate("window.acrPlayers[1].synced")
        assert synced["phase"] == pytest.approx(page.evaluate("window.acrSync.phase.phase"))
        # the other way round: B leads, A follows
        _, paused = _play_then_pause(page, 1, 0.8)
        _assert_in_step(paused, 1)
        row = page.locator("tr[data-metric=elbow_angle_mean][data-side=left] td.verdict")
        assert row.inner_text() == "changed beyond noise"
        assert errors == []
    finally:
        page.close()
