"""Open report.html in headless Chromium: player, overlay alignment, seeking, charts, layout.

Needs Debian's Chromium (``apt-get install -y chromium chromium-driver``); the
Playwright browser download is never used. Reports are made from the bundled
samples' truth tracks (no pose model). Set ``ARMCARRIAGE_SCREENSHOT_DIR`` to keep
the screenshots (the README's pictures in docs/img are made this way).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from analysis_fixture import make_analysis, write_video
from chromium import BROWSER_MARKS

import armcarriage
from armcarriage.config import Config
from armcarriage.cues import evaluate_cues
from armcarriage.report import write_reports
from armcarriage.skeleton import KEYPOINT_INDEX
from armcarriage.track import PoseTrack

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
VIEWPORTS = [(390, 844), (1440, 900)]
ALIGN_PX = 3.0

pytestmark = BROWSER_MARKS


def _sample_report(
    name: str, outdir: Path, cfg: Config | None = None, span: tuple[float, float] | None = None
) -> tuple[Any, Path]:
    track = PoseTrack.load(SAMPLES / f"{name}.truth.parquet")
    if span is not None:
        track = track.slice_time(*span)
    analysis = armcarriage.analyze(track)
    outputs = write_reports(analysis, SAMPLES / f"{name}.mp4", outdir, cfg)
    return analysis, outputs["report"]


@pytest.fixture(scope="module")
def side_report(tmp_path_factory) -> tuple[Any, Path]:
    return _sample_report("side_left_tight_elbows", tmp_path_factory.mktemp("side"))


def _open(browser: Any, report: Path, size: tuple[int, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            errors.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None
        ),
    )
    page.goto(report.as_uri(), wait_until="load")
    page.wait_for_function("() => window.acrPlayer && window.acrPlayer.ready", timeout=20_000)
    return page, errors


def _wait_drawn(page: Any, media_time: float) -> dict[str, Any]:
    """Wait until the overlay of the frame at ``media_time`` is drawn; return the geometry."""
    page.wait_for_function(
        "t => { const d = window.acrPlayer.drawn; const v = window.acrPlayer.video;"
        " return d && d.i >= 0 && !v.seeking && Math.abs(v.currentTime - t) < 0.02; }",
        arg=media_time,
        timeout=10_000,
    )
    page.wait_for_timeout(150)  # the frame callback of the seeked frame
    return page.evaluate("""() => {
        const p = window.acrPlayer, v = p.video, c = p.canvas.getBoundingClientRect();
        const r = v.getBoundingClientRect();
        return {drawn: p.drawn, canvas: [c.left, c.top, c.width, c.height],
                video: [r.left, r.top, r.width, r.height], vw: v.videoWidth, vh: v.videoHeight,
                current: v.currentTime};
    }""")


def _alignment_error(geo: dict[str, Any], track: PoseTrack) -> tuple[float, int]:
    """Largest distance (CSS px) between a drawn keypoint and the track's, scaled to the video.

    The expected position is computed here from the video element's box and its picture
    size (``object-fit: contain``), independently of the page's own arithmetic.
    """
    left, top, width, height = geo["video"]
    scale = min(width / geo["vw"], height / geo["vh"])
    shown_w, shown_h = geo["vw"] * scale, geo["vh"] * scale
    x0, y0 = left + (width - shown_w) / 2, top + (height - shown_h) / 2
    xy = np.asarray(track.ds["position"].values[geo["drawn"]["i"]], float)
    worst, count = 0.0, 0
    for name, (cx, cy) in geo["drawn"]["points"].items():
        want = xy[KEYPOINT_INDEX[name]]
        ex = x0 + want[0] * shown_w / track.width
        ey = y0 + want[1] * shown_h / track.height
        got = (geo["canvas"][0] + cx, geo["canvas"][1] + cy)
        worst = max(worst, float(np.hypot(got[0] - ex, got[1] - ey)))
        count += 1
    return worst, count


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cue_click_seeks_and_overlay_sits_on_the_runner(browser, side_report, size):
    analysis, report = side_report
    track = analysis.track
    page, errors = _open(browser, report, size)
    try:
        button = page.locator("#cues .cue .seek").first
        want = float(button.get_attribute("data-t"))
        button.click()
        geo = _wait_drawn(page, want)
        # the frame shown is the cue's key frame, and the overlay is that frame's sample
        i = int(np.argmin(np.abs(track.time - want)))
        assert geo["drawn"]["i"] == i
        assert abs(geo["drawn"]["mediaTime"] - float(track.time[i])) < 0.005
        worst, count = _alignment_error(geo, track)
        assert count >= 20  # shoulders, elbows, wrists, hips, legs and face were drawn
        assert worst <= ALIGN_PX, worst
        # the player was brought into view
        assert 0 <= geo["video"][1] < size[1]
        # no horizontal scroll, also at phone width
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        assert page.evaluate("window.acrPlayer.charts") >= 3
        _screenshot(page, f"report_player_{size[0]}.png")
        page.evaluate("document.getElementById('plots').scrollIntoView()")
        _screenshot(page, f"report_charts_{size[0]}.png")
        assert errors == []
    finally:
        page.close()


def test_overlay_is_on_the_runners_pixels(browser, side_report, tmp_path):
    """The drawn torso sits on the runner's shirt in the video picture itself."""
    analysis, report = side_report
    page, _ = _open(browser, report, (1440, 900))
    try:
        t = float(analysis.track.time[75])
        page.evaluate(f"window.acrPlayer.seek({t})")
        geo = _wait_drawn(page, t)
        page.evaluate("window.acrPlayer.canvas.style.visibility = 'hidden'")
        shot = tmp_path / "frame.png"
        page.screenshot(path=str(shot))
    finally:
        page.close()
    from PIL import Image

    image = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    cx, cy = geo["canvas"][:2]

    def colour(name: str) -> np.ndarray:
        x, y = (round(c + p) for c, p in zip((cx, cy), geo["drawn"]["points"][name], strict=True))
        return np.median(image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3), axis=0)

    # the renderer's runner: blue shirt, dark shorts, bare arms
    for side in ("left", "right"):
        r, g, b = colour(f"{side}_shoulder")
        assert b > r + 40, (side, r, g, b)
        assert colour(f"{side}_hip").max() < 90, side
        r, g, b = colour(f"{side}_elbow")
        assert r > b + 25 and r > 120, (side, r, g, b)


def test_steps_rates_rows_charts_and_key_frames_seek(browser, side_report):
    analysis, report = side_report
    track = analysis.track
    page, errors = _open(browser, report, (1440, 900))
    try:
        # a stride row: its start, and that stride loops
        row = page.locator("#strides tr[data-t]").nth(4)
        start, end = float(row.get_attribute("data-t")), float(row.get_attribute("data-t-end"))
        row.click()
        geo = _wait_drawn(page, start)
        assert abs(track.time[geo["drawn"]["i"]] - start) < 0.6 / track.fps
        assert page.is_checked("#acr-loop")
        assert page.locator("#strides tr.current").count() >= 1
        readout = page.inner_text("#acr-readout")
        assert readout.startswith("stride ") and f"frame {geo['drawn']['i'] + 1}/" in readout
        # one frame on, one frame back
        i = geo["drawn"]["i"]
        page.click("[data-act=next]")
        assert _wait_drawn(page, float(track.time[i + 1]))["drawn"]["i"] == i + 1
        page.click("[data-act=prev]")
        assert _wait_drawn(page, float(track.time[i]))["drawn"]["i"] == i
        page.focus("#player .stage")
        page.keyboard.press("ArrowRight")
        assert _wait_drawn(page, float(track.time[i + 1]))["drawn"]["i"] == i + 1
        page.keyboard.press("ArrowLeft")
        assert _wait_drawn(page, float(track.time[i]))["drawn"]["i"] == i
        # slow motion, and a looped stride stays inside its span while playing
        page.click("[data-rate='0.5']")
        assert page.evaluate("window.acrPlayer.video.playbackRate") == 0.5
        page.click("[data-act=play]")
        page.wait_for_function("() => window.acrPlayer.loops >= 1", timeout=15_000)
        page.wait_for_timeout(200)
        now = page.evaluate("window.acrPlayer.video.currentTime")
        page.click("[data-act=play]")
        assert start - 0.05 <= now <= end + 0.05, (start, now, end)  # back in the stride
        # a point of the elbow curve: its time
        want = float(track.time[100])
        chart = page.locator("#plots .chart").first
        chart.scroll_into_view_if_needed()
        x, y = page.evaluate(
            """t => { const el = document.querySelector('#plots .chart');
                const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
                const tr = el.data[0], k = tr.x.indexOf(t), r = el.getBoundingClientRect();
                return [r.left + xa._offset + xa.l2p(t),
                        r.top + ya._offset + ya.l2p(tr.y[k])]; }""",
            round(want, 3),
        )
        page.mouse.click(x, y)
        geo = _wait_drawn(page, want)
        assert geo["drawn"]["i"] == 100
        # a point of a per-stride chart: the start of that stride
        chart = page.locator("#plots .chart").nth(1)
        chart.scroll_into_view_if_needed()
        point = chart.locator(".scatterlayer .trace .points path").nth(2)
        box = point.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        strides = analysis.strides.groupby("stride")["t_start"].first()
        geo = _wait_drawn(page, float(strides.iloc[2]))
        assert abs(track.time[geo["drawn"]["i"]] - strides.iloc[2]) < 0.6 / track.fps
        # a key frame panel: its time
        img = page.locator("#keyframes img[data-times]")
        times = [float(t) for t in img.get_attribute("data-times").split(",")]
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        page.mouse.click(box["x"] + box["width"] * (1.5 / len(times)), box["y"] + box["height"] / 2)
        geo = _wait_drawn(page, times[1])
        assert abs(track.time[geo["drawn"]["i"]] - times[1]) < 0.6 / track.fps
        assert errors == []
    finally:
        page.close()


def test_proxy_of_a_trimmed_clip_keeps_overlay_and_frames_aligned(browser, tmp_path):
    """A re-encoded clip of part of the source starts at 0; the page shifts by the offset."""
    cfg = Config().override({"report.player_video": "proxy"})
    analysis, report = _sample_report("front_crossing", tmp_path, cfg, span=(1.0, 5.0))
    track = analysis.track
    page, errors = _open(browser, report, (390, 844))
    try:
        assert page.evaluate("window.acrPlayer.video.duration") < 4.2
        t = float(track.time[40])
        page.evaluate(f"window.acrPlayer.seek({t})")
        geo = _wait_drawn(page, t - float(track.time[0]))
        assert geo["drawn"]["i"] == 40
        assert abs(geo["drawn"]["mediaTime"] + float(track.time[0]) - t) < 0.005
        worst, count = _alignment_error(geo, track)
        assert count >= 20 and worst <= ALIGN_PX, worst
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        page.close()


def test_report_prints_to_a4_without_the_player(browser, side_report, tmp_path):
    _, report = side_report
    page, _ = _open(browser, report, (1440, 900))
    try:
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.getElementById('player')).display") == (
            "none"
        )
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.acr .scroll')).overflow")
            == "visible"
        )
        page.emulate_media(media="screen")
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        data = pdf.read_bytes()
    finally:
        page.close()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 3


def test_report_of_an_mpeg4_clip_plays_a_proxy_with_images_and_sections(browser, tmp_path):
    analysis = make_analysis(
        view="side_right", values={"elbow_angle_mean": 50.0, "shrug_rise_tl": 0.16}
    )
    video = write_video(tmp_path / "clip.mp4", analysis.track)  # MPEG-4 part 2
    cfg = Config().override({"report.annotated_video": False})
    report = write_reports(analysis, video, tmp_path / "out", cfg, evaluate_cues(analysis))[
        "report"
    ]
    page, errors = _open(browser, report, (1100, 900))
    try:
        codec = page.evaluate("window.acrPlayer.video.videoWidth")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        sections = page.evaluate(
            "Array.from(document.querySelectorAll('section[id], header[id]'))"
            ".map(s => [s.id, s.querySelector('h1,h2').innerText])"
        )
        cue_titles = page.locator("#cues h3").all_inner_texts()
        _screenshot(page, "report_screenshot.png", full=True)
    finally:
        page.close()
    assert codec == analysis.track.width  # the H.264 proxy plays
    assert len(images) >= 2
    assert all(done and width > 0 for _, done, width in images), images
    ids = dict(sections)
    for key in (
        "clip",
        "player",
        "cues",
        "good",
        "keyframes",
        "plots",
        "drift",
        "strides",
        "unmeasured",
    ):
        assert key in ids, key
    assert ids["cues"] == "Top cues"
    assert "Shoulders hitch up" in cue_titles[0] and "Elbows clamped" in cue_titles[1]
    assert errors == []


def _screenshot(page: Any, name: str, full: bool = False) -> None:
    target = os.environ.get("ARMCARRIAGE_SCREENSHOT_DIR")
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(target) / name), full_page=full)


def test_a_phone_clip_with_rotation_metadata_is_shown_upright_under_its_overlay(browser, tmp_path):
    """A clip stored sideways with a display rotation (as phones record) is linked as it
    is; the browser turns it upright and the overlay lands on the figure."""
    from conftest import write_video as encode
    from PIL import Image, ImageDraw

    from armcarriage.skeleton import BONES

    analysis = make_analysis(view="side_right", values={"elbow_angle_mean": 50.0})
    track = analysis.track
    pos = track.ds["position"].values
    frames = []
    for i in range(track.n_frames):
        img = Image.new("RGB", (track.width, track.height), (40, 110, 60))
        draw = ImageDraw.Draw(img)
        for a, b in BONES:
            pa, pb = pos[i, KEYPOINT_INDEX[a]], pos[i, KEYPOINT_INDEX[b]]
            if np.isfinite(pa).all() and np.isfinite(pb).all():
                draw.line([tuple(pa), tuple(pb)], fill=(230, 200, 170), width=7)
        frames.append(np.ascontiguousarray(np.rot90(np.asarray(img), 1)))  # stored sideways
    clip = encode(tmp_path / "phone.mp4", frames, size=(track.height, track.width), rotation=-90)
    out = write_reports(analysis, clip, tmp_path / "out", Config(), evaluate_cues(analysis))
    assert out["player"].stat().st_ino == clip.stat().st_ino  # H.264: linked, not re-encoded
    page, errors = _open(browser, out["report"], (390, 844))
    try:
        assert page.evaluate(
            "[window.acrPlayer.video.videoWidth, window.acrPlayer.video.videoHeight]"
        ) == [track.width, track.height]
        t = float(track.time[33])
        page.evaluate(f"window.acrPlayer.seek({t})")
        geo = _wait_drawn(page, t)
        worst, count = _alignment_error(geo, track)
        assert count >= 10 and worst <= ALIGN_PX, worst
        page.evaluate("window.acrPlayer.canvas.style.visibility = 'hidden'")
        shot = tmp_path / "frame.png"
        page.screenshot(path=str(shot))
        assert errors == []
    finally:
        page.close()
    image = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    cx, cy = geo["canvas"][:2]
    for name in ("right_shoulder", "right_elbow", "right_hip", "right_knee"):
        x, y = (round(c + p) for c, p in zip((cx, cy), geo["drawn"]["points"][name], strict=True))
        r, g, b = np.median(image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3), axis=0)
        assert r > 150 and b > 120, (name, r, g, b)  # the light figure, not the green (40, 110, 60)


def test_without_its_clip_the_page_says_so_and_the_charts_still_work(browser, tmp_path):
    _, report = _sample_report("front_shrug", tmp_path)
    (report.parent / "clip.mp4").unlink()  # the page e-mailed on its own
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_function("() => window.acrPlayer && window.acrPlayer.failed")
        assert "could not be loaded" in page.inner_text("#acr-cueline")
        assert page.evaluate("window.acrPlayer.charts") >= 3
        assert page.locator("#plots .chart .main-svg").count() >= 3
    finally:
        page.close()


def test_every_chart_kind_draws_with_the_basic_plotly_bundle(browser, tmp_path):
    # a front view measures both arms (left vs right chart: markers with error bars on a
    # category axis) and, with drift from 6 strides, the drift charts; the elbow curve has
    # its stride bands (shapes) and the per-stride charts their threshold lines
    from analysis_fixture import make_analysis, write_video

    analysis = make_analysis(
        view="front", seconds=8.0, both_arms=True, side_values={"left": {"wrist_lift_tl": 0.5}}
    )
    video = write_video(tmp_path / "front.mp4", analysis.track)
    cfg = Config().override({"report.drift_min_strides": 6})
    report = write_reports(analysis, video, tmp_path / "out", cfg, evaluate_cues(analysis))[
        "report"
    ]
    assert report.stat().st_size < 2_500_000  # the full bundle alone is 4.8 MB
    page, errors = _open(browser, report, (1440, 900))
    try:
        drawn = page.evaluate(
            """() => [...document.querySelectorAll('.chart')].map(el => ({
                section: el.closest('section').id,
                traces: (el._fullData || []).length,
                points: el.querySelectorAll('.scatterlayer .points path').length,
                lines: el.querySelectorAll('.scatterlayer .js-line').length,
                errorbars: el.querySelectorAll('.errorbar').length,
                shapes: el.querySelectorAll('.shapelayer path').length,
                category: !!(el._fullLayout && el._fullLayout.yaxis.type === 'category')}))"""
        )
        sections = {d["section"] for d in drawn}
        assert {"plots", "lr", "drift"} <= sections, sections
        assert all(d["traces"] > 0 and d["points"] + d["lines"] > 0 for d in drawn), drawn
        lr = next(d for d in drawn if d["section"] == "lr")
        assert lr["errorbars"] > 0 and lr["category"]
        assert any(d["shapes"] > 0 for d in drawn if d["section"] == "plots")
        assert page.evaluate("window.Plotly.version") == "4.1.1"
        assert errors == []
    finally:
        page.close()
