"""Reports: strides.csv + units, summary.json, report.html and annotated.mp4."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from analysis_fixture import make_analysis, write_video
from conftest import write_video as write_test_video

from armcarriage.config import Config
from armcarriage.cues import evaluate_cues
from armcarriage.report import write_reports
from armcarriage.report.keyframes import fit_image, grab_frames
from armcarriage.report.tables import SUMMARY_SCHEMA_VERSION
from armcarriage.report.video import prefetched, write_annotated_video
from armcarriage.video import iter_frames, probe_video

SECTIONS = ("clip", "cues", "good", "keyframes", "plots", "lr", "drift", "strides", "unmeasured")


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    """A tight-elbow clip seen from the side, with every report written."""
    tmp = tmp_path_factory.mktemp("report")
    analysis = make_analysis(view="side_right", values={"elbow_angle_mean": 50.0})
    video = write_video(tmp / "clip.mp4", analysis.track)
    cues = evaluate_cues(analysis)
    cfg = Config().override({"report.annotated_video": True})
    outputs = write_reports(analysis, video, tmp / "out", cfg, cues)
    return analysis, video, cues, outputs


def test_every_output_is_written_and_nothing_half_written_is_left(fault_run):
    _, _, _, outputs = fault_run
    assert set(outputs) == {"strides", "strides_units", "summary", "player", "report", "annotated"}
    outdir = outputs["summary"].parent
    assert all(p.parent == outdir and p.stat().st_size > 0 for p in outputs.values())
    assert not [p for p in outdir.iterdir() if ".part" in p.name]


def test_strides_csv_round_trips_with_units_sidecar(fault_run):
    analysis, _, _, outputs = fault_run
    table = pd.read_csv(outputs["strides"])
    assert list(table.columns) == list(analysis.strides.columns)
    assert len(table) == len(analysis.strides) == 10
    np.testing.assert_allclose(
        table["elbow_angle_mean"], analysis.strides["elbow_angle_mean"], rtol=1e-5
    )
    assert table.loc[table.side == "left", "elbow_angle_mean"].isna().all()
    # strides numbered as people read them: 1 is the first, as in report.html
    assert sorted(table["stride"].unique()) == [1, 2, 3, 4, 5]
    assert "nan" not in outputs["strides"].read_text().lower()
    units = json.loads(outputs["strides_units"].read_text())["units"]
    assert set(units) == set(table.columns)
    assert units["elbow_angle_mean"] == "deg"
    assert units["wrist_arc_tl"] == "torso lengths"
    assert units["crossing_max_sw"] == "shoulder widths"
    assert units["cadence_spm"] == "steps/min"
    assert units["elbow_angle_mean_conf"] == "0-1"


def test_summary_json_is_versioned_and_complete(fault_run):
    analysis, _, cues, outputs = fault_run
    doc = json.loads(outputs["summary"].read_text())
    assert doc["schema_version"] == SUMMARY_SCHEMA_VERSION
    assert doc["view"]["label"] == "side_right"
    assert doc["model"]["name"] == "synthetic"
    assert doc["settings"]["config"]["cues"]["max_cues"] == 3
    assert doc["clip"] == {
        "file": "clip.mp4",
        "frames": 120,
        "fps": 30.0,
        "width": 320,
        "height": 240,
        "strides": 5,
        "stride_numbering": "1 = the first stride (strides.csv, cues, report.html)",
    }
    m = doc["metrics"]["elbow_angle_mean"]
    assert m["right"]["median"] == pytest.approx(50.0, rel=0.05)
    assert m["left"]["median"] is None  # far arm: NaN -> null
    assert m["unit"] == "deg"
    assert set(doc["metrics"]) == set(analysis.summary)
    assert doc["validity"]["crossing_max_sw"]["measured"] is False
    assert [c["rule_id"] for c in doc["cues"]] == [c.rule_id for c in cues] == ["tight_elbow"]
    # numbered from 1, as in report.html and strides.csv
    assert doc["cues"][0]["evidence"]["strides_affected"] == [1, 2, 3, 4, 5]
    assert 1 <= doc["cues"][0]["evidence"]["key_stride"] <= 5
    # 5 strides are too few for fatigue drift: no thirds, no flag
    assert doc["drift"]["assessed"] is False
    assert m["both"]["first_third"] is None and m["drift_flag"] is False
    assert any("midline" in s["title"].lower() for s in doc["not_assessed"])


def test_report_html_is_self_contained_with_every_section(fault_run):
    _, _, _, outputs = fault_run
    page = outputs["report"].read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'id="{section}"' in page, section
    # the inlined libraries (plotly.js, the player) are code, not references to load
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert page.count("<script>") == 2 and "Plotly" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", markup)
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) >= 2  # the cues' key frames and the key-frame section
    assert all(src.startswith("data:image/png;base64,") for src in images)
    data = json.loads(
        re.search(
            r'<script type="application/json" id="acr-data">(.*?)</script>', page, re.S
        ).group(1)
    )
    # the elbow curve and one chart per cue metric of the side view, each placed in the page
    assert len(data["charts"]) >= 3
    assert all(f'id="{c["id"]}"' in markup for c in data["charts"])
    assert 'data-src="clip.mp4"' in markup and data["player"]["offset"] == 0.0
    assert "Loose elbows, hands fall to the hip" in page
    assert "5 of 5" in page
    assert "front or rear" in page  # what this view cannot measure


def _decode_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def test_annotated_video_is_h264_yuv420p_faststart_with_every_frame(fault_run):
    _, video, _, outputs = fault_run
    out = outputs["annotated"]
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (320, 240)
    data = out.read_bytes()
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    assert 0 < moov < mdat, "moov atom must come before mdat (faststart)"
    assert _decode_count(out) == _decode_count(video) == 120


def test_annotated_frame_shows_overlay_where_the_skeleton_is(fault_run):
    analysis, _, _, outputs = fault_run
    with av.open(str(outputs["annotated"])) as c:
        frame = next(f for i, f in enumerate(c.decode(video=0)) if i == 30).to_ndarray(
            format="rgb24"
        )
    # the near (right) elbow is drawn in the right-arm colour (orange) at the track's elbow position
    x, y = analysis.track.xy("right_elbow")[30].round().astype(int)
    patch = frame[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).astype(int)
    assert ((patch[:, 0] > 220) & (patch[:, 1] > 80) & (patch[:, 1] < 150)).any()
    # top banner is darkened, bottom banner carries the cue text in yellow
    assert frame[:8].mean() < 80
    bottom = frame[-18:].reshape(-1, 3).astype(int)
    assert ((bottom[:, 0] > 200) & (bottom[:, 1] > 170) & (bottom[:, 2] < 90)).any()


def _elbow_is_drawn(frame: np.ndarray, xy: np.ndarray) -> bool:
    """True if the right-arm colour (orange) is drawn within 3 px of ``xy``."""
    x, y = np.round(xy).astype(int)
    patch = frame[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).astype(int)
    return bool(((patch[:, 0] > 220) & (patch[:, 1] > 80) & (patch[:, 1] < 150)).any())


def _frame(path: Path, index: int) -> np.ndarray:
    with av.open(str(path)) as c:
        return next(f for i, f in enumerate(c.decode(video=0)) if i == index).to_ndarray(
            format="rgb24"
        )


def test_annotated_video_is_scaled_down_to_video_max_side(tmp_path, fault_run):
    analysis, video, cues, _ = fault_run
    cfg = Config().override({"report.video_max_side": 160})
    out = write_annotated_video(analysis, video, tmp_path / "small.mp4", cfg, cues)
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert (stream.width, stream.height) == (160, 120)
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    assert _decode_count(out) == 120
    # the overlay is drawn where the (scaled) elbow is
    assert _elbow_is_drawn(_frame(out, 30), analysis.track.xy("right_elbow")[30] / 2)


def test_annotated_video_of_a_rotated_phone_clip_is_upright(tmp_path, fault_run):
    analysis, _, cues, _ = fault_run
    # stored 240 x 320 with a display matrix turning it upright to 320 x 240 (the track's size)
    clip = write_test_video(tmp_path / "rotated.mp4", n=120, size=(240, 320), rotation=-90)
    out = write_annotated_video(analysis, clip, tmp_path / "rotated_annotated.mp4", Config(), cues)
    with av.open(str(out)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (320, 240)
    assert _decode_count(out) == 120
    assert _elbow_is_drawn(_frame(out, 30), analysis.track.xy("right_elbow")[30])


def test_key_frames_are_the_frames_nearest_the_times_asked(fault_run):
    _, video, _, _ = fault_run
    info = probe_video(video)
    frames = {round(f.time * 30): f.image for f in iter_frames(video)}
    # two times in one stride (one decoding pass), one alone, one at the very end
    times = [1.0, 1.21, 2.5, 3.966]
    got = grab_frames(video, times, info, Config())
    assert sorted(got) == times
    for t in times:
        np.testing.assert_array_equal(got[t], frames[round(t * 30)])


def test_key_frame_crops_are_fitted_to_their_panel():
    image = np.zeros((1200, 600, 3), np.uint8)
    xy = np.array([[300.0, 600.0], [np.nan, np.nan]])
    small, sxy = fit_image(image, xy, 400)
    assert small.shape == (400, 200, 3)
    np.testing.assert_allclose(sxy[0], [100.0, 200.0])
    assert np.isnan(sxy[1]).all()
    same, _ = fit_image(image, xy, 2000)
    assert same is image


@pytest.mark.parametrize("depth", [0, 1, 4])
def test_prefetched_yields_in_order_and_closes_the_source(depth):
    closed = []

    def source():
        try:
            yield from range(50)
        finally:
            closed.append(threading.current_thread() is threading.main_thread())

    assert list(prefetched(source(), depth)) == list(range(50))
    assert closed == [depth == 0]  # closed in the worker thread when there is one
    ahead = prefetched(source(), depth)
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()  # the consumer stops early: the worker stops and the source is closed
    assert len(closed) == 2


def test_prefetched_raises_the_workers_error_in_the_consumer():
    def source():
        yield 1
        raise ValueError("broken stream")

    ahead = prefetched(source(), 2)
    assert next(ahead) == 1
    with pytest.raises(ValueError, match="broken stream"):
        next(ahead)


def test_rerun_overwrites_cleanly_and_honours_switches(tmp_path, fault_run):
    analysis, video, cues, _ = fault_run
    cfg = Config().override({"report.annotated_video": False, "report.html": False})
    first = write_reports(analysis, video, tmp_path, cfg, cues)
    second = write_reports(analysis, video, tmp_path, cfg, [])
    assert set(second) == {"strides", "strides_units", "summary"}
    assert first["summary"] == second["summary"]
    assert json.loads(second["summary"].read_text())["cues"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "strides.csv",
        "strides.units.json",
        "summary.json",
    ]


def test_failed_analysis_still_reports_why(tmp_path):
    analysis = make_analysis(status="too_few_strides")
    outputs = write_reports(analysis, None, tmp_path, Config(), [])
    page = outputs["report"].read_text(encoding="utf-8")
    # why, once, in words; no status code, no per-metric repeats, never "good form"
    assert page.count("fewer than 3 strides") == 1
    assert "Too few strides" in page and "too_few_strides" not in page
    assert "good form" not in page.lower() and 'id="unmeasured"' not in page
    doc = json.loads(outputs["summary"].read_text())
    assert doc["status"] == "too_few_strides" and doc["cues"] == []
    assert "annotated" not in outputs


def test_clean_runner_report_says_what_is_good(tmp_path):
    analysis = make_analysis(view="front")
    outputs = write_reports(
        analysis,
        None,
        tmp_path,
        Config().override({"report.annotated_video": False}),
        evaluate_cues(analysis),
    )
    page = outputs["report"].read_text(encoding="utf-8")
    assert "No fault crossed its threshold" in page
    assert "Hands stay on their own side of the body" in page


# ---- the player's clip and overlay ----------------------------------------------------
SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "side_left_tight_elbows.mp4"


def _times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return [float(f.pts * f.time_base) for f in c.decode(video=0)]


def test_a_clip_browsers_play_is_linked_beside_the_report_not_copied(tmp_path):
    from armcarriage.report.clip import browser_playable, write_player_clip

    assert browser_playable(SAMPLE, probe_video(SAMPLE))
    clip = write_player_clip(SAMPLE, tmp_path, Config())
    assert clip is not None and clip.path == tmp_path / "clip.mp4"
    assert not clip.proxy and clip.offset_s == 0.0
    assert clip.path.read_bytes() == SAMPLE.read_bytes()
    assert clip.path.stat().st_ino == SAMPLE.stat().st_ino  # a hard link: no second copy
    assert (
        write_player_clip(SAMPLE, tmp_path, Config().override({"report.player_video": "none"}))
        is None
    )


def test_a_clip_browsers_cannot_play_gets_an_h264_proxy_of_the_analysed_span(tmp_path):
    from armcarriage.report.clip import browser_playable, write_player_clip

    analysis = make_analysis(view="side_right", values={"elbow_angle_mean": 50.0})
    source = write_video(tmp_path / "src.mp4", analysis.track)  # MPEG-4 part 2
    assert not browser_playable(source, probe_video(source))
    cfg = Config().override({"report.player_max_side": 160})
    clip = write_player_clip(source, tmp_path / "out", cfg, span=(1.0, 2.0))
    assert clip is not None and clip.proxy
    with av.open(str(clip.path)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (160, 120)
    data = clip.path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # plays while it loads
    src = np.array(_times(source))
    kept = src[(src >= 1.0 - 1e-6) & (src <= 2.0 + 1e-6)]
    assert clip.offset_s == pytest.approx(kept[0], abs=1e-6)
    # every source frame of the span, each at its own time less the offset
    np.testing.assert_allclose(_times(clip.path), kept - clip.offset_s, atol=1e-4)


def test_the_page_overlay_and_annotated_video_share_one_geometry(fault_run):
    from armcarriage.report.geometry import midline_ends, overlay_data, series_or_angles
    from armcarriage.report.video import Overlay
    from armcarriage.skeleton import BONES, KEYPOINT_INDEX

    analysis, _, cues, _ = fault_run
    data = overlay_data(analysis)
    track = analysis.track
    overlay = Overlay(analysis, cues, track.width, track.height)
    assert data["t"] == [round(float(t), 4) for t in track.time]
    assert data["sides"] == overlay.sides == ["right"]  # the far arm of a side view is faint
    i = 7
    pos = track.ds["position"].values[i]
    for k, name in enumerate(data["points"]):
        want = pos[KEYPOINT_INDEX[name]]
        assert data["xy"][i][2 * k : 2 * k + 2] == [round(want[0]), round(want[1])]
    assert data["angles"]["right"][i] == round(series_or_angles(analysis, "right")[i])
    assert [(data["points"][a], data["points"][b]) for a, b, *_ in data["bones"]] == list(BONES)
    faint = {(data["points"][a], data["points"][b]) for a, b, _, f in data["bones"] if f}
    assert faint == {("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist")}
    # the midline the page draws from its two factors is the annotated video's
    bottom, top = midline_ends(pos)
    hip = (pos[KEYPOINT_INDEX["left_hip"]] + pos[KEYPOINT_INDEX["right_hip"]]) / 2
    sh = (pos[KEYPOINT_INDEX["left_shoulder"]] + pos[KEYPOINT_INDEX["right_shoulder"]]) / 2
    below, above = data["midline"]
    np.testing.assert_allclose(bottom, hip - below * (sh - hip))
    np.testing.assert_allclose(top, sh + above * (sh - hip))
    np.testing.assert_allclose(overlay._midline_ends(overlay.pixels[i])[0], bottom)
