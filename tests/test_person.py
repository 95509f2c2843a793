"""Choosing whom to follow: --person, the manifest's person column, the selector."""

from __future__ import annotations

import numpy as np
import pytest

from armcarriage import pose
from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.person import PersonChoice, parse_person
from armcarriage.skeleton import KEYPOINT_INDEX


@pytest.mark.parametrize(
    ("text", "x", "y", "back"),
    [
        ("auto", -1.0, -1.0, "auto"),
        ("", -1.0, -1.0, "auto"),
        (" Left ", 0.0, -1.0, "left"),
        ("right", 1.0, -1.0, "right"),
        ("centre", 0.5, 0.5, "centre"),
        ("center", 0.5, 0.5, "centre"),
        ("0.3, 0.75", 0.3, 0.75, "0.30,0.75"),
    ],
)
def test_person_choices_read_as_written(text, x, y, back):
    choice = parse_person(text)
    assert (choice.x, choice.y) == (x, y)
    assert choice.text() == back
    assert parse_person(choice.text()) == choice


@pytest.mark.parametrize("text", ["middle", "0.5", "1.2,0.5", "0.5,-0.1", "a,b", "0.1,0.2,0.3"])
def test_a_bad_person_choice_says_what_is_expected(text):
    with pytest.raises(InputError, match=r"--person: expected auto, left, right, centre or X,Y"):
        parse_person(text)


def test_the_choice_travels_in_the_settings():
    cfg = Config().override(parse_person("0.2,0.8").overrides())
    assert PersonChoice.from_config(cfg) == PersonChoice(0.2, 0.8)
    assert PersonChoice.from_config(Config()).auto


def _person(x: float, y: float, torso: float) -> pose._Candidate:
    """A detection centred at (x, y) with a box about 40 x 3 torso lengths."""
    lm = np.zeros((33, 5))
    lm[:, 0] = x + np.linspace(-20, 20, 33)
    lm[:, 1] = y + np.linspace(-1.5, 1.5, 33) * torso
    for name, dy in (("shoulder", -torso / 2), ("hip", torso / 2)):
        for side, dx in (("left", -10.0), ("right", 10.0)):
            lm[KEYPOINT_INDEX[f"{side}_{name}"], :2] = (x + dx, y + dy)
    lm[:, 3:] = 0.9
    return pose._Candidate(lm, np.zeros((33, 3)))


def _followed_x(selector: pose.RunnerSelector) -> float:
    # a large runner on the left (x=200), a small one on the right (x=700), a third small
    # one low in the middle (x=450, y=400); all run in place for 60 frames
    for _ in range(60):
        selector.add([_person(200, 200, 80), _person(700, 200, 40), _person(450, 400, 40)])
    picks = selector.resolve()
    assert all(p is not None for p in picks)
    xs = {round(float(p.centre[0])) for p in picks}
    assert len(xs) == 1, "the followed person changed"
    return xs.pop()


@pytest.mark.parametrize(
    ("choice", "x"),
    [("auto", 200), ("left", 200), ("right", 700), ("centre", 450), ("0.75,0.3", 700)],
)
def test_the_selector_follows_the_chosen_person(choice, x):
    c = parse_person(choice)
    sel = pose.RunnerSelector(960, c.x, 30.0, height=540, person_y=c.y)
    assert _followed_x(sel) == x
    assert c.words() in sel.describe()


def test_a_point_inside_a_box_beats_a_nearer_centre():
    # the point (0.5, 0.35) lies inside the tall left person's box but nearer the right
    # person's centre: the box that contains it wins
    sel = pose.RunnerSelector(1000, 0.5, 30.0, height=1000, person_y=0.35)
    for _ in range(30):
        tall = _person(440, 300, 200)  # spans x 420-460 and y 0-600
        tall.landmarks[0, 0] = 520  # a hand reaching to x=520
        sel.add([tall, _person(550, 350, 40)])
    picks = sel.resolve()
    assert round(float(picks[0].centre[0])) == 440


def test_manifest_person_column_reaches_the_clip_settings(tmp_path):
    from armcarriage.batch.manifest import ManifestError, load_manifest
    from armcarriage.batch.runner import clip_config

    (tmp_path / "a.mp4").write_bytes(b"")
    (tmp_path / "b.mp4").write_bytes(b"")
    (tmp_path / "m.csv").write_text("path,person\na.mp4,Right\nb.mp4,\n")
    a, b = load_manifest(tmp_path / "m.csv")
    assert (a.person, b.person) == ("right", "")
    assert PersonChoice.from_config(clip_config(Config(), a)) == PersonChoice(1.0, -1.0)
    assert clip_config(Config(), b) == Config()
    (tmp_path / "bad.csv").write_text("path,person\na.mp4,tallest\n")
    with pytest.raises(ManifestError, match=r"line 2, column 'person': expected auto, left"):
        load_manifest(tmp_path / "bad.csv")


@pytest.fixture(scope="module")
def two_runners(tmp_path_factory):
    """A 1 s clip of two synthetic runners side by side: a large one left, a small one right."""
    synth = pytest.importorskip("armcarriage_eval.synthetic.clip")
    from armcarriage_eval.synthetic.encode import write_mp4
    from armcarriage_eval.synthetic.gait import simulate

    def frames(spec):
        kin = simulate(spec.params(), synth.frame_times(spec), duration=spec.seconds)
        return list(synth.iter_images(spec, kin))

    big = frames(synth.ClipSpec(seconds=1.0, width=320, height=360, fill=0.8))
    small = frames(
        synth.ClipSpec(seconds=1.0, width=320, height=360, fill=0.5, seed=3, view="side_right")
    )
    path = tmp_path_factory.mktemp("two") / "two_runners.mp4"
    write_mp4(iter([np.hstack([a, b]) for a, b in zip(big, small, strict=True)]), path, 30.0)
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("choice", "lo", "hi"),
    [("auto", 0, 320), ("left", 0, 320), ("right", 320, 640), ("0.8,0.5", 320, 640)],
)
def test_the_pose_stage_follows_the_chosen_runner(two_runners, choice, lo, hi):
    cfg = Config().override({"pose.workers": 1, **parse_person(choice).overrides()})
    track = pose.estimate_pose(two_runners, cfg)
    hips = (track.xy("left_hip") + track.xy("right_hip")) / 2
    x = hips[:, 0][np.isfinite(hips[:, 0])]
    assert len(x) >= 0.8 * track.n_frames
    assert lo < x.min() and x.max() < hi


def test_a_person_reported_twice_is_followed_on_the_longer_of_the_two_tracks():
    # the model reports the left runner twice for the first 10 frames (a short ghost track
    # 6 px further left) and once after; "left" must follow the runner, not the ghost
    sel = pose.RunnerSelector(960, 0.0, 30.0, height=540, person_y=-1.0)
    for f in range(60):
        people = [_person(200, 200, 80), _person(700, 200, 40)]
        if f < 10:
            people.append(_person(194, 200, 80))
        sel.add(people)
    picks = sel.resolve()
    assert all(p is not None for p in picks)
    assert {round(float(p.centre[0])) for p in picks} == {200}
