"""Absolute shrug: silhouette numbers off a mask, the neck gap, cues that respect the noise."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_fixture import make_analysis

from armcarriage.analysis import NO_SILHOUETTE_REASON, measurement_reasons
from armcarriage.config import Config
from armcarriage.cues import assess, load_rules
from armcarriage.metrics.shrug import neck_gap, neck_stride, shoulder_tops
from armcarriage.silhouette import SILHOUETTE_FEATURES, silhouette_features
from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
from armcarriage.track import PoseTrack

W, H = 200, 300
FEAT = {f: i for i, f in enumerate(SILHOUETTE_FEATURES)}


def figure(shrug_px: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A front-view mask (head, neck, shoulders block, trunk) and its landmarks."""
    m = np.zeros((H, W), np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    m[(xx - 100) ** 2 + (yy - 60) ** 2 <= 20**2] = 1.0  # head: top at row 40
    m[75:120, 92:108] = 1.0  # neck, 16 px wide
    m[100 - shrug_px : 120, 60:140] = 1.0  # shoulders: top at row 100 - shrug
    m[120:230, 70:130] = 1.0  # trunk
    lm = np.full((len(KEYPOINTS), 5), np.nan)
    for name, xy in {
        "left_ear": (110, 60),
        "right_ear": (90, 60),
        "nose": (100, 64),
        "left_shoulder": (130, 110),
        "right_shoulder": (70, 110),
        "left_hip": (118, 210),
        "right_hip": (82, 210),
    }.items():
        lm[KEYPOINT_INDEX[name], :2] = xy
    return m, lm


def test_silhouette_numbers_of_a_drawn_figure():
    m, lm = figure()
    f = silhouette_features(m, lm, W, H)
    assert f[FEAT["head_top"]] == 40
    assert 75 <= f[FEAT["neck_y"]] < 100  # the narrowest run: the neck or the chin
    assert f[FEAT["neck_width"]] <= 16
    assert f[FEAT["shoulder_line"]] == 100
    assert f[FEAT["left_shoulder_top"]] == 100
    assert f[FEAT["right_shoulder_top"]] == 100


def test_shoulder_tops_follow_a_shrug_and_scale_to_the_frame():
    m, lm = figure(shrug_px=8)
    f = silhouette_features(m, lm, W, H)
    assert f[FEAT["left_shoulder_top"]] == 92
    assert f[FEAT["right_shoulder_top"]] == 92
    # the model saw the frame at half size: the numbers are still frame pixels
    small = m[::2, ::2]
    g = silhouette_features(small, lm, W, H)
    assert g[FEAT["left_shoulder_top"]] == pytest.approx(92, abs=2)
    assert g[FEAT["head_top"]] == pytest.approx(40, abs=2)


def test_a_column_that_reaches_the_head_is_no_shoulder_top():
    m, lm = figure()
    lm[KEYPOINT_INDEX["left_shoulder"], 0] = 101  # a side view: shoulder under the head
    lm[KEYPOINT_INDEX["right_shoulder"], 0] = 99
    f = silhouette_features(m, lm, W, H)
    assert np.isnan(f[FEAT["left_shoulder_top"]])
    assert np.isnan(f[FEAT["right_shoulder_top"]])
    assert np.isfinite(f[FEAT["head_top"]])


def test_no_landmarks_no_numbers():
    m, lm = figure()
    lm[:] = np.nan
    assert np.isnan(silhouette_features(m, lm, W, H)).all()


def test_neck_gap_known_answer():
    ear = np.array([[100.0, 60.0]])
    top = np.array([[130.0, 100.0]])
    up = np.array([[0.0, -1.0]])
    assert neck_gap(top, ear, up, 100.0) == pytest.approx([0.4])
    assert neck_stride(np.array([0.3, 0.4, np.nan, 0.5])) == {"shrug_neck_tl": 0.4}


def _track(silhouette: bool) -> PoseTrack:
    n = 5
    pos = np.zeros((n, len(KEYPOINTS), 2)) + 50.0
    pos[:, KEYPOINT_INDEX["left_shoulder"]] = (130, 110)
    pos[:, KEYPOINT_INDEX["right_shoulder"]] = (70, 110)
    sil = np.tile(np.arange(len(SILHOUETTE_FEATURES), dtype=float), (n, 1))
    return PoseTrack.from_arrays(
        np.arange(n) / 30, pos, fps=30, width=W, height=H, silhouette=sil if silhouette else None
    )


def test_track_keeps_mirrors_and_saves_the_silhouette(tmp_path):
    tr = _track(True)
    assert tr.silhouette("left_shoulder_top")[0] == FEAT["left_shoulder_top"]
    assert tr.mirrored().silhouette("left_shoulder_top")[0] == FEAT["right_shoulder_top"]
    for suffix in (".parquet", ".csv"):
        back = PoseTrack.load(tr.save(tmp_path / f"t{suffix}"))
        np.testing.assert_array_equal(back.ds["silhouette"].values, tr.ds["silhouette"].values)
    assert _track(False).silhouette("head_top") is None
    assert "silhouette" not in PoseTrack.load(_track(False).save(tmp_path / "n.parquet")).ds


def test_front_uses_the_shoulder_outline():
    tr = _track(True)
    front = shoulder_tops(tr, "left", "front")
    np.testing.assert_array_equal(front[0], [130, FEAT["left_shoulder_top"]])
    assert shoulder_tops(_track(False), "left", "front") is None
    assert shoulder_tops(_track(False), "left", "side_left") is None
    assert measurement_reasons(_track(False), Config(), "front")["shrug_neck_tl"] == (
        NO_SILHOUETTE_REASON
    )
    assert "shrug_neck_tl" not in measurement_reasons(tr, Config(), "front")


def test_held_shrug_cued_from_the_front_relaxed_not():
    rule = next(r for r in load_rules() if r.id == "shrug_held")
    held = assess(make_analysis(view="front", values={"shrug_neck_tl": 0.24}))
    assert [c.rule_id for c in held.fired] == ["shrug_held"]
    assert held.fired[0].evidence.noise == rule.noise > 0
    # past the threshold but inside the noise: borderline, one entry for the one figure
    near = assess(make_analysis(view="front", values={"shrug_neck_tl": rule.threshold - 0.005}))
    assert not near.fired
    assert [(b["rule"], b["side"]) for b in near.borderline] == [("shrug_held", "both")]
    relaxed = assess(make_analysis(view="front", values={"shrug_neck_tl": 0.37}))
    assert not relaxed.fired and not relaxed.borderline
    assert any(g.startswith("Shoulders") for g in relaxed.good)


def test_inside_the_noise_is_borderline_not_a_cue():
    rule = next(r for r in load_rules() if r.id == "shrug_level_side")
    value = rule.threshold + 0.5 * rule.noise  # past the threshold, inside the noise
    a = assess(make_analysis(view="side_right", values={"shrug_level_tl": value}))
    assert not [c for c in a.fired if c.rule_id == "shrug_level_side"]
    (b,) = [b for b in a.borderline if b["rule"] == "shrug_level_side"]
    assert b["side"] == "right"
    assert b["value"] == pytest.approx(value, rel=0.05)
    assert b["noise"] == rule.noise and b["threshold"] == rule.threshold
    assert "borderline" in b["text"]
    assert not any("Shoulders stay low" in g for g in a.good)
    clear = assess(
        make_analysis(view="side_right", values={"shrug_level_tl": rule.threshold + 3 * rule.noise})
    )
    assert "shrug_level_side" in [c.rule_id for c in clear.fired]


def test_a_cued_metric_is_not_also_listed_as_not_assessed():
    a = assess(make_analysis(view="front", values={"shrug_level_tl": 0.12}))
    assert "shrug_level" in [c.rule_id for c in a.fired]
    listed = {n["rule"] for n in a.not_assessed}
    assert "shrug_level_side" not in listed
    assert "shrug_rise_side" not in listed
    # a metric no rule of this view measures is still listed
    assert "tight_elbow" in listed


def test_cleaning_keeps_the_silhouette_on_its_frames():
    from metrics_fixture import Runner, side_runner

    from armcarriage.cleaning import clean

    tr = side_runner(Runner())
    n = tr.n_frames
    sil = np.tile(np.arange(n, dtype=float)[:, None], (1, len(SILHOUETTE_FEATURES)))
    ds = tr.ds.copy(deep=True)
    ds["silhouette"] = (("time", "silhouette_feature"), sil)
    ds = ds.assign_coords(silhouette_feature=list(SILHOUETTE_FEATURES))
    ds["position"].values[10] = np.nan  # no pose in frame 10: its numbers mean nothing
    out = clean(PoseTrack(ds)).track
    head = out.silhouette("head_top")
    assert np.isnan(head[10])
    assert head[11] == 11 and head[0] == 0
    # uneven timestamps: every grid point takes its nearest frame's numbers
    t = tr.time.copy()
    t[20:] += 0.5 / tr.fps
    uneven = PoseTrack(ds.assign_coords(time=t))
    res = clean(uneven)
    assert res.report["resampled"]
    grid, got = res.track.time, res.track.silhouette("head_top")
    nearest = np.abs(grid[:, None] - t[None, :]).argmin(axis=1)
    ok = nearest != 10
    np.testing.assert_array_equal(got[ok], nearest[ok].astype(float))


def side_figure(shrug_px: int = 0, nose_dx: float = -18.0) -> tuple[np.ndarray, np.ndarray]:
    """A side-view mask facing image-left: head, neck, the trapezius behind the neck, trunk."""
    m = np.zeros((H, W), np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    m[(xx - 100) ** 2 + (yy - 60) ** 2 <= 20**2] = 1.0  # head
    m[75:120, 92:108] = 1.0  # neck, 16 px deep
    m[100 - shrug_px : 120, 92:130] = 1.0  # trapezius and upper back: the back steps out
    m[120:230, 80:130] = 1.0  # trunk
    lm = np.full((len(KEYPOINTS), 5), np.nan)
    for name, xy in {
        "left_ear": (100, 60),
        "right_ear": (100, 60),
        "nose": (100 + nose_dx, 62),
        "left_shoulder": (105, 110),
        "right_shoulder": (105, 110),
        "left_hip": (105, 210),
        "right_hip": (105, 210),
    }.items():
        lm[KEYPOINT_INDEX[name], :2] = xy
    return m, lm


def test_trapezius_row_from_the_side_rises_with_a_shrug():
    m, lm = side_figure()
    assert silhouette_features(m, lm, W, H)[FEAT["trapezius_y"]] == 100
    m, lm = side_figure(shrug_px=8)
    assert silhouette_features(m, lm, W, H)[FEAT["trapezius_y"]] == 92
    # the back is the side away from the nose: facing image-right, the figure's left
    # outline is followed, which steps out only at the trunk (row 120)
    m, lm = side_figure(nose_dx=18.0)
    assert silhouette_features(m, lm, W, H)[FEAT["trapezius_y"]] == 120
    # a nose straight between the ears (front or rear view): no back to follow
    m, lm = side_figure(nose_dx=0.0)
    assert np.isnan(silhouette_features(m, lm, W, H)[FEAT["trapezius_y"]])


def _side_track(trapezius: float, neck: float) -> PoseTrack:
    n = 5
    pos = np.zeros((n, len(KEYPOINTS), 2)) + 50.0
    for name, xy in {
        "left_ear": (100, 60),
        "right_ear": (100, 60),
        "left_shoulder": (120, 110),
        "right_shoulder": (120, 110),
        "left_hip": (120, 210),
        "right_hip": (120, 210),
    }.items():
        pos[:, KEYPOINT_INDEX[name]] = xy
    sil = np.full((n, len(SILHOUETTE_FEATURES)), np.nan)
    sil[:, FEAT["trapezius_y"]] = trapezius
    sil[:, FEAT["neck_y"]] = neck
    return PoseTrack.from_arrays(np.arange(n) / 30, pos, fps=30, width=W, height=H, silhouette=sil)


def test_side_neck_gap_runs_to_the_neck_waist_and_needs_a_visible_neck():
    from armcarriage.analysis import NECK_HIDDEN_REASON
    from armcarriage.metrics.geometry import trunk_up
    from armcarriage.metrics.shrug import neck_hidden

    tr = _side_track(trapezius=95.0, neck=80.0)
    top = shoulder_tops(tr, "left", "side_left")
    # the waist's row (80), not the trapezius step's (95), on the line from the ear
    # centre (100, 60) to the shoulder centre (120, 110)
    np.testing.assert_allclose(top[0], [108.0, 80.0])
    np.testing.assert_array_equal(shoulder_tops(tr, "right", "side_left"), top)
    up = trunk_up(*(tr.xy(k) for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")))
    ear = tr.xy("left_ear")
    assert neck_gap(top, ear, up, 100.0)[0] == pytest.approx(0.20)
    # the back outline's step moves with the arm swinging behind the back; the waist
    # does not, and neither does the gap
    swing = _side_track(trapezius=85.0, neck=80.0)
    np.testing.assert_array_equal(shoulder_tops(swing, "left", "side_left"), top)
    # the neck 0.2 torso lengths below the ear: seen; at the ear (a hood): hidden
    assert not neck_hidden(tr, 0.08)
    hooded = _side_track(trapezius=70.0, neck=61.0)
    assert neck_hidden(hooded, 0.08)
    assert measurement_reasons(hooded, Config(), "side_left")["shrug_neck_tl"] == (
        NECK_HIDDEN_REASON
    )
    assert "shrug_neck_tl" not in measurement_reasons(tr, Config(), "side_left")
    assert measurement_reasons(_track(False), Config(), "side_left")["shrug_neck_tl"] == (
        NO_SILHOUETTE_REASON
    )


def test_a_track_saved_before_a_silhouette_number_keeps_the_others():
    from armcarriage.silhouette import features_from_columns

    old = {f"silhouette_{f}": np.arange(3.0) for f in SILHOUETTE_FEATURES if f != "trapezius_y"}
    got = features_from_columns(old, 3)
    np.testing.assert_array_equal(got[:, FEAT["head_top"]], [0, 1, 2])
    assert np.isnan(got[:, FEAT["trapezius_y"]]).all()
    assert features_from_columns({"left_wrist_x": np.zeros(3)}, 3) is None


def test_held_shrug_cued_from_the_side_relaxed_not():
    rule = next(r for r in load_rules() if r.id == "shrug_held_side")
    assert rule.enabled and rule.noise > 0
    assert (rule.threshold, rule.noise) == (0.216, 0.013)
    # the motion-capture figure's 7 cm shrug from the side (portrait) read 0.181-0.187 per stride
    held = assess(make_analysis(view="side_left", values={"shrug_neck_tl": 0.182}))
    assert [c.rule_id for c in held.fired] == ["shrug_held_side"]
    assert held.fired[0].evidence.noise == rule.noise
    # its 3 cm shrug read 0.210-0.221: inside the noise of the threshold, so borderline
    three = assess(make_analysis(view="side_left", values={"shrug_neck_tl": 0.218}))
    assert not three.fired
    assert [b["rule"] for b in three.borderline] == ["shrug_held_side"]
    # the lowest relaxed side render (the synthetic track jog) read 0.230: neither cued nor
    # borderline
    relaxed = assess(make_analysis(view="side_right", values={"shrug_neck_tl": 0.230}))
    assert not relaxed.fired and not relaxed.borderline
    near = assess(make_analysis(view="side_left", values={"shrug_neck_tl": rule.threshold - 0.01}))
    assert not near.fired
    assert [(b["rule"], b["side"]) for b in near.borderline] == [("shrug_held_side", "both")]


def test_a_cued_shrug_is_not_also_called_borderline_by_another_rule_of_its_group():
    # the 7 cm side render: its neck cued the held shrug while the shoulders' level in the
    # clip (0.036 against 0.04 +/- 0.013) sat inside the noise of its own rule
    values = {"shrug_neck_tl": 0.18, "shrug_level_tl": 0.036}
    out = assess(make_analysis(view="side_left", values=values))
    assert [c.rule_id for c in out.fired] == ["shrug_held_side"]
    assert out.borderline == []
    # without the cue the level's borderline stays
    alone = assess(make_analysis(view="side_left", values={**values, "shrug_neck_tl": 0.27}))
    assert not alone.fired
    assert [b["rule"] for b in alone.borderline] == ["shrug_level_side"]
