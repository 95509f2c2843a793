"""Slow motion, capture rates and the sprint range, on the synthetic runner's exact track."""

from __future__ import annotations

import numpy as np
import pytest
from armcarriage_eval.synthetic.clip import ClipSpec
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.truth import truth_track
from runner_fixture import exact_runner, without_near_foot

from armcarriage.analysis import analyze
from armcarriage.config import Config, VideoConfig
from armcarriage.strides import leg_swing_period, real_time_track
from armcarriage.track import PoseTrack
from armcarriage.video import tagged_capture_fps

_truth = exact_runner


@pytest.mark.parametrize(
    ("view", "capture", "seconds"),
    [
        ("side_left", 240, 2.5),
        ("front", 240, 2.5),
        ("rear", 120, 3.0),
        ("side_left", 240, 0.5),
        # 2x: the legs swing at a human pace (a 1.4 s stride); the front view reads no duty
        # factor, and the hips lowest at mid-stance show the running gait at 85 steps/min
        ("front", 60, 3.0),
        ("side_left", 60, 3.0),
        ("rear", 60, 3.0),
    ],
)
def test_slow_motion_without_a_capture_rate_is_named_with_no_cadence(view, capture, seconds):
    # filmed at 240 (120) fps, played at 30: in video time the runner makes 21 (42) steps/min
    track = _truth(view, fps=capture, seconds=seconds, slow=capture / 30)
    a = analyze(track)
    assert a.status == "slow_motion", a.message
    assert "slow motion" in a.message and "--capture-fps" in a.message
    assert "no running" not in a.message
    assert np.isnan(a.cadence_spm) and a.strides.empty
    # the suggested capture rate is the right one within a factor 1.5
    guess = float(a.message.split("about ")[1].split(" fps")[0])
    assert capture / 1.5 < guess < capture * 1.5


@pytest.mark.parametrize("source", ["option", "tag"])
def test_a_capture_rate_rescales_time_and_gives_the_cadence(source):
    track = _truth(fps=240, seconds=3.0, slow=8.0)
    cfg = Config()
    if source == "option":
        cfg = cfg.override({"video.capture_fps": 240})
    else:
        track.ds.attrs["capture_fps_tag"] = 240.0
    a = analyze(track, cfg)
    assert a.status == "ok", a.message
    assert a.cadence_spm == pytest.approx(170.0, rel=0.01)
    assert a.settings["time"]["time_scale"] == pytest.approx(0.125)
    assert a.settings["time"]["capture_fps_source"] == (
        "option" if source == "option" else "container tag"
    )
    # the stride rows are in real time
    assert a.strides["t_end"].sub(a.strides["t_start"]).median() == pytest.approx(
        120 / 170, rel=0.02
    )


def test_real_time_track_leaves_a_real_time_clip_alone():
    track = _truth(seconds=1.0)
    same, info = real_time_track(track, 30.5)  # within the tolerance of 30 fps
    assert same is track and info["time_scale"] == 1.0
    fast, info = real_time_track(track, 15.0)  # time-lapse: filmed at 15, played at 30
    assert fast.time[-1] == pytest.approx(2 * track.time[-1])
    assert fast.fps == 15.0 and list(fast.ds["frame"].values) == list(track.ds["frame"].values)


def test_the_capture_rate_tag_is_read_only_where_it_differs_from_the_playback_rate():
    limits = VideoConfig()
    assert tagged_capture_fps({"com.android.capture.fps": "240.000000"}, 30.0, limits) == 240.0
    assert tagged_capture_fps({"com.android.capture.fps": "30.000000"}, 30.0, limits) == 0.0
    assert tagged_capture_fps({"COM.EXAMPLE.Capture.FPS": "120"}, 30.0, limits) == 120.0
    assert (
        tagged_capture_fps({"com.android.capture.fps": "n/a", "title": "240"}, 30.0, limits) == 0.0
    )


def test_leg_swing_period_reads_the_period_from_less_than_a_stride():
    t = np.arange(120) / 30.0  # 4 s of a 6 s rhythm
    legs = 1.5 * np.sin(2 * np.pi * t / 6.0 + 0.3)
    assert leg_swing_period(legs, t) == pytest.approx(6.0, rel=0.15)
    t = np.arange(90) / 30.0
    assert leg_swing_period(np.sin(2 * np.pi * t / 0.7), t) == pytest.approx(0.7, rel=0.2)


@pytest.mark.parametrize("view", ["side_left", "front", "rear"])
def test_sprinting_at_290_steps_per_minute_is_running(view):
    track = _truth(view, cadence=290.0, fps=60.0, duty=0.22, speed_mps=8.0)
    a = analyze(track)
    assert a.status == "ok", a.message
    assert a.cadence_spm == pytest.approx(290.0, rel=0.02)
    assert "frame_rate_note" not in a.settings["strides"]


def test_contacts_too_short_for_the_frame_rate_are_named_with_the_rate_to_film_at():
    # 300 steps/min, 0.08 s contacts: under 2 frames at 24 fps
    track = _truth(cadence=300.0, fps=24.0, seconds=3.0, duty=0.2, speed_mps=8.0)
    a = analyze(track)
    note = a.settings["strides"].get("frame_rate_note", "") or a.message
    assert "film at 120 fps" in note or "film at 60 fps" in note, note


def _speed_change(real_s: float, slow_s: float, slow: float = 8.0, view: str = "side_left"):
    """Real time for ``real_s``, then ``slow_s`` of playback ``slow`` times slow, at 30 fps."""
    spec = ClipSpec(
        view=view, fps=30.0, seconds=10.0, width=320, height=240, runner={"cadence_spm": 170.0}
    )
    tp = np.arange(round((real_s + slow_s) * 30)) / 30.0
    tr = np.where(tp < real_s, tp, real_s + (tp - real_s) / slow)
    track = truth_track(simulate(spec.params(), tr, duration=10.0), spec.camera(), 30.0, view=view)
    return PoseTrack(track.ds.assign_coords(time=tp))


def test_a_clip_slowed_part_way_is_analysed_on_its_real_time_stretch():
    a = analyze(_speed_change(3.5, 5.0))
    assert a.status == "ok", a.message
    assert a.cadence_spm == pytest.approx(170.0, rel=0.01)
    checks = a.settings["strides"]
    assert "slow motion over" in checks["speed_change"]
    start, stop = checks["real_time_stretch_s"]
    assert start == 0.0 and 2.5 < stop <= 3.6
    assert a.strides["t_end"].max() <= 3.6


def test_a_clip_slowed_part_way_with_too_short_a_real_time_stretch_is_refused_with_why():
    a = analyze(_speed_change(1.2, 6.0))
    assert a.status == "speed_change", a.message
    assert "speed changes part way" in a.message and "no running" not in a.message
    assert np.isnan(a.cadence_spm) and a.strides.empty


def test_a_walking_refusal_gives_the_measured_figures():
    a = analyze(_truth(cadence=110.0, seconds=4.0, duty=0.65, speed_mps=1.4, bounce_m=0.02))
    assert a.status == "no_running", a.message
    assert "measured: 3 strides, cadence 110 steps/min, duty factor 0.5" in a.message


def test_strides_come_from_the_other_foot_when_the_reference_foot_has_too_few():
    a = analyze(without_near_foot(_truth(cadence=170.0, seconds=4.0), after_s=1.0))
    assert a.status == "ok", a.message
    assert a.settings["strides"]["reference_foot"] == "right"
    assert len(a.strides.drop_duplicates("stride")) >= 3
    # measured 165.4: the left foot's two strikes, read while the legs signal (and so the
    # stride period) rests on its first second, come 0.09 s early and stay in the span
    assert a.cadence_spm == pytest.approx(170.0, rel=0.03)


@pytest.mark.parametrize("view", ["side_left", "rear"])
def test_twice_slowed_running_with_a_flight_phase_is_named_slow_motion(view):
    # filmed at 60 fps, played at 30: 85 steps/min of video time, feet down 37 % of a stride
    a = analyze(_truth(view, fps=60.0, seconds=3.0, slow=2.0))
    assert a.status == "slow_motion", a.message
    assert "--capture-fps" in a.message and "no running" not in a.message
    guess = float(a.message.split("about ")[1].split(" fps")[0])
    assert 45 < guess < 75
    assert np.isnan(a.cadence_spm) and a.strides.empty


def test_the_overlay_of_a_slow_motion_clip_follows_the_video_not_the_filmed_time():
    from armcarriage.report import words
    from armcarriage.report.video import Overlay

    played = _truth(fps=240, seconds=3.0, slow=8.0)
    a = analyze(played, Config().override({"video.capture_fps": 240}))
    assert a.status == "ok"
    overlay = Overlay(a, [], played.width, played.height)
    # a frame shown at 12 s of video is the frame filmed at 1.5 s
    i = overlay.sample(12.0)
    assert i is not None and a.track.time[i] == pytest.approx(1.5, abs=1 / 240)
    first = a.strides.groupby("stride")["t_start"].first().iloc[0]
    assert overlay.stride_at(first * 8 + 0.01) == 0
    assert words.status_words("slow_motion") == "Slow motion"
    assert "--capture-fps" in words.STATUS_ADVICE["slow_motion"]


def test_the_report_page_and_its_key_frames_map_filmed_time_onto_video_time(tmp_path):
    import json
    import re

    from armcarriage_eval.synthetic.encode import write_mp4

    from armcarriage.report import write_reports
    from armcarriage.report.geometry import time_stretch

    played = _truth(fps=240, seconds=2.0, slow=8.0)
    a = analyze(played, Config().override({"video.capture_fps": 240}))
    assert time_stretch(a) == pytest.approx(0.125)
    video = tmp_path / "slow.mp4"  # 16 s of video at 30 fps
    frames = (np.full((240, 320, 3), 60 + i % 100, np.uint8) for i in range(480))
    write_mp4(frames, video, 30.0)
    out = write_reports(a, video, tmp_path / "out")
    page = out["report"].read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="acr-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert data["player"]["stretch"] == pytest.approx(0.125)
    assert "Key frame not available" not in page  # read at 8x the filmed time, inside the video


def test_a_contact_shorter_than_any_runners_is_not_used_nor_advised_on():
    from armcarriage.config import StrideConfig
    from armcarriage.strides.timebase import resolved_duty

    cfg = StrideConfig()
    # 0.06 of a 0.7 s stride at 30 fps: 42 ms, 75 ms with a frame added (a runner: >= 80)
    duty, note = resolved_duty(cfg, 0.06, 0.7, 30.0)
    assert np.isnan(duty) and "42 ms" in note and "not resolved" in note
    # a sprinter's 82 ms at 290 steps/min, and the same contact at 24 fps, stay
    assert resolved_duty(cfg, 0.2, 120 / 290, 30.0) == (0.2, "")
    assert resolved_duty(cfg, 0.2, 120 / 290, 24.0) == (0.2, "")


def test_a_runner_read_with_contacts_too_short_gets_no_duty_factor_nor_frame_rate_advice():
    # as when strikes read late (the rear view's fault through the pose model): contacts
    # of about 20 ms
    track = _truth("side_left", duty=0.03, seconds=4.0)
    a = analyze(track)
    s = a.settings["strides"]
    assert s["duty_factor"] is None, s
    assert "not resolved" in s["contact_note"]
    assert "frame_rate_note" not in s and "film at" not in a.message


@pytest.mark.parametrize(("seconds", "status"), [(1.5, "too_few_strides"), (4.0, "no_rhythm")])
def test_a_rhythm_faster_than_anyone_runs_is_no_cadence_and_no_claim_of_walking(seconds, status):
    # 360 steps/min: faster than any sprinter (a harmonic of the stride on a real clip)
    track = _truth("side_left", cadence=360.0, fps=60.0, seconds=seconds, duty=0.2, speed_mps=9.0)
    a = analyze(track)
    assert a.status == status, a.message
    assert "faster than anyone runs" in a.message and "no running" not in a.message
    assert np.isnan(a.cadence_spm)
    assert "film at" not in a.message
