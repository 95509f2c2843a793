"""Known answers for the per-frame metric definitions (2D and 3D)."""

from __future__ import annotations

import numpy as np
import pytest

from armcarriage.metrics import METRICS, MetricSpec, geometry
from armcarriage.metrics.coordination import phase_stride
from armcarriage.metrics.crossing import crossing_stride
from armcarriage.metrics.elbow import elbow_stride
from armcarriage.metrics.rotation import rotation_stride
from armcarriage.metrics.shrug import shrug_baseline, shrug_stride
from armcarriage.metrics.swing import lift_stride, swing_stride, wrist_height, wrist_stride
from armcarriage.metrics.validity import FAR_ARM_REASON, arm_rule, validity_matrix


def test_registry_names_units_and_views():
    fixed = {
        "elbow_angle_mean",
        "elbow_angle_min",
        "elbow_angle_max",
        "elbow_angle_range",
        "elbow_angle_forward",
        "elbow_angle_backward",
        "swing_forward_deg",
        "swing_backward_deg",
        "swing_arc_deg",
        "wrist_forward_tl",
        "wrist_backward_tl",
        "wrist_arc_tl",
        "wrist_lift_tl",
        "crossing_max_sw",
        "crossing_fraction_pct",
        "shrug_neck_tl",
        "shrug_level_tl",
        "shrug_rise_tl",
        "trunk_rotation_deg",
        "arm_leg_phase_deg",
        "stride_time_s",
        "cadence_spm",
        "contact_time_s",
        "flight_time_s",
    }
    assert set(METRICS) == fixed
    for spec in METRICS.values():
        assert isinstance(spec, MetricSpec)
        assert spec.unit and spec.description and len(spec.definition) > 20
        assert spec.views
    assert METRICS["crossing_max_sw"].views == ("front", "rear")
    assert "side_left" in METRICS["elbow_angle_mean"].views
    assert "front" not in METRICS["elbow_angle_mean"].views
    # both arms are in view only from the front (from behind the hands hide in front)
    assert METRICS["wrist_lift_tl"].views == ("front",)


@pytest.mark.parametrize("dim", [2, 3])
def test_elbow_angle_known(dim):
    z = [0.0] * (dim - 2)
    s = np.array([0.0, 0.0, *z])
    e = np.array([0.0, 1.0, *z])
    for deg in (30.0, 90.0, 135.0, 180.0):
        a = np.radians(180.0 - deg)
        w = e + np.array([np.sin(a), np.cos(a), *z])
        assert geometry.elbow_angle(s, e, w) == pytest.approx(deg, abs=1e-9)


def test_elbow_angle_broadcasts_and_nan():
    s = np.zeros((4, 2))
    e = np.tile([0.0, 1.0], (4, 1))
    w = np.array([[1.0, 1.0], [np.nan, 1.0], [0.0, 1.0], [np.inf, 0.0]])
    out = geometry.elbow_angle(s, e, w)
    assert out[0] == pytest.approx(90.0)
    assert np.isnan(out[1:]).all()  # NaN, zero-length forearm, inf


def test_upper_arm_angle_sign_follows_running_direction():
    up = np.array([0.0, -1.0])  # image y down: trunk points up
    sh = np.array([0.0, 0.0])
    el = np.array([1.0, 1.0])  # 45 deg towards image-right
    assert geometry.upper_arm_angle(sh, el, up, geometry.image_forward(1)) == pytest.approx(45)
    assert geometry.upper_arm_angle(sh, el, up, geometry.image_forward(-1)) == pytest.approx(-45)
    # 3D world (x forward, z up): elbow 30 deg forward and abducted sideways
    a = np.radians(30)
    el3 = np.array([np.sin(a), 0.3, -np.cos(a)])
    ang = geometry.upper_arm_angle(np.zeros(3), el3, np.array([0, 0, 1.0]), np.array([1.0, 0, 0]))
    assert ang == pytest.approx(30.0)


def test_upper_arm_angle_relative_to_leaning_trunk():
    lean = np.radians(10)
    up = np.array([np.sin(lean), -np.cos(lean)])  # trunk leans 10 deg towards image-right
    el = np.array([0.0, 1.0])  # hanging straight down in the image
    ang = geometry.upper_arm_angle(np.zeros(2), el, up, geometry.image_forward(1))
    assert ang == pytest.approx(10.0)  # the trunk line runs down and back: arm is in front


def test_forward_offset_in_torso_lengths():
    wrist = np.array([[130.0, 50.0], [70.0, 50.0]])
    hip = np.array([100.0, 200.0])
    out = geometry.forward_offset(wrist, hip, geometry.image_forward(-1), 60.0)
    np.testing.assert_allclose(out, [-0.5, 0.5])
    assert np.isnan(geometry.forward_offset(wrist, hip, geometry.image_forward(1), 0.0)).all()


def test_midline_crossing_front_and_rear_views():
    # front view: the runner's left shoulder appears on the image right
    ls, rs = np.array([120.0, 100.0]), np.array([80.0, 100.0])
    lh, rh = np.array([112.0, 200.0]), np.array([88.0, 200.0])
    on_midline = geometry.midline_crossing(np.array([100.0, 180.0]), ls, rs, lh, rh)
    below_own = geometry.midline_crossing(np.array([120.0, 180.0]), ls, rs, lh, rh)
    across = geometry.midline_crossing(np.array([90.0, 180.0]), ls, rs, lh, rh)
    assert on_midline == pytest.approx(0.0)
    assert below_own == pytest.approx(-0.5)
    assert across == pytest.approx(0.25)
    # rear view: the same body mirrored in the image gives the same numbers
    mx = lambda p: np.array([200.0 - p[0], p[1]])  # noqa: E731
    assert geometry.midline_crossing(
        mx(np.array([90.0, 180.0])), mx(ls), mx(rs), mx(lh), mx(rh)
    ) == pytest.approx(0.25)
    # normalised by a given width
    assert geometry.midline_crossing(
        np.array([90.0, 180.0]), ls, rs, lh, rh, width=20.0
    ) == pytest.approx(0.5)


def test_shoulder_elevation_rises_with_a_shrug():
    up = np.array([0.0, -1.0])
    ear = np.array([0.0, 0.0])
    relaxed = geometry.shoulder_elevation(np.array([10.0, 30.0]), ear, up, 100.0)
    shrugged = geometry.shoulder_elevation(np.array([10.0, 20.0]), ear, up, 100.0)
    assert relaxed == pytest.approx(-0.3)
    assert shrugged - relaxed == pytest.approx(0.1)


def test_trunk_rotation_3d_and_2d():
    def body(yaw_s: float, yaw_h: float) -> list[np.ndarray]:
        def line(yaw: float, z: float, w: float) -> tuple[np.ndarray, np.ndarray]:
            d = np.array([-np.sin(yaw), np.cos(yaw), 0.0]) * w / 2  # towards the left end
            c = np.array([0.0, 0.0, z])
            return c + d, c - d

        ls, rs = line(np.radians(yaw_s), 1.5, 0.4)
        lh, rh = line(np.radians(yaw_h), 1.0, 0.3)
        return [ls, rs, lh, rh]

    assert geometry.trunk_rotation_3d(*body(20, -5)) == pytest.approx(25.0)
    assert geometry.trunk_rotation_3d(*body(-15, 0)) == pytest.approx(-15.0)
    with pytest.raises(ValueError, match="3D"):
        geometry.trunk_rotation_3d(np.zeros(2), np.ones(2), np.zeros(2), np.ones(2))
    # 2D: apparent width 0.5 of full -> 60 deg, signed
    assert geometry.line_yaw_2d(0.5, 1.0, -1.0) == pytest.approx(-60.0)
    assert geometry.line_yaw_2d(1.2, 1.0) == pytest.approx(0.0)


def test_fundamental_phase_lag_known_shift():
    period = 0.7
    t = np.arange(0, period, 1 / 30)
    leg = np.cos(2 * np.pi * t / period)
    arm = np.cos(2 * np.pi * (t + 0.1 * period) / period)  # reaches forward 36 deg earlier
    assert geometry.fundamental_phase_lag(arm, leg, t, period) == pytest.approx(36.0, abs=0.5)
    assert np.isnan(geometry.fundamental_phase_lag(np.ones_like(t), leg, t, period))
    assert phase_stride(arm, leg, t, period)["arm_leg_phase_deg"] == pytest.approx(36, abs=0.5)


def test_family_reductions():
    t = np.linspace(0, 1, 31)
    arm = 5 + 25 * np.sin(2 * np.pi * t)
    elbow = 90 + 15 * np.sin(2 * np.pi * t)
    e = elbow_stride(elbow, arm)
    assert e["elbow_angle_min"] == pytest.approx(75, abs=0.2)
    assert e["elbow_angle_max"] == pytest.approx(105, abs=0.2)
    assert e["elbow_angle_range"] == pytest.approx(30, abs=0.4)
    assert e["elbow_angle_forward"] == pytest.approx(105, abs=0.2)
    assert e["elbow_angle_backward"] == pytest.approx(75, abs=0.2)
    s = swing_stride(arm)
    assert s["swing_forward_deg"] == pytest.approx(30, abs=0.2)
    assert s["swing_backward_deg"] == pytest.approx(20, abs=0.2)
    assert s["swing_arc_deg"] == pytest.approx(50, abs=0.4)
    w = wrist_stride(np.array([0.4, -0.2, np.nan]))
    assert w == pytest.approx(
        {"wrist_forward_tl": 0.4, "wrist_backward_tl": 0.2, "wrist_arc_tl": 0.6}
    )
    c = crossing_stride(np.array([-0.3, -0.1, 0.05, 0.1]))
    assert c == pytest.approx({"crossing_max_sw": 0.1, "crossing_fraction_pct": 50.0})
    base = shrug_baseline(np.linspace(0, 1, 101), 10)
    assert base == pytest.approx(0.1)
    sh = shrug_stride(np.array([0.1, 0.2, 0.3]), base)
    assert sh == pytest.approx({"shrug_level_tl": 0.1, "shrug_rise_tl": 0.2})
    assert rotation_stride(np.array([-10.0, 5.0, np.nan]))["trunk_rotation_deg"] == 15.0
    empty = elbow_stride(np.full(3, np.nan), np.full(3, np.nan))
    assert all(np.isnan(v) for v in empty.values())


def test_validity_matrix_and_far_arm():
    m = validity_matrix()
    assert m["crossing_max_sw"] == {
        "side_left": False,
        "side_right": False,
        "front": True,
        "rear": True,
        "oblique": False,
    }
    assert m["elbow_angle_min"]["side_right"] and not m["elbow_angle_min"]["rear"]
    assert arm_rule("elbow_angle_min", "side_left", "right", "left", "exclude", 0.3) == (
        FAR_ARM_REASON,
        0.0,
    )
    assert arm_rule("elbow_angle_min", "side_left", "right", "left", "low_confidence", 0.3) == (
        "",
        0.3,
    )
    assert arm_rule("elbow_angle_min", "side_left", "left", "left", "exclude", 0.3) == ("", 1.0)
    reason, _ = arm_rule("crossing_max_sw", "side_left", "left", "left", "exclude", 0.3)
    assert "film from the front" in reason


def test_wrist_height_and_lift_known():
    up = np.array([0.0, -1.0])  # image y points down, the trunk axis up
    shoulder = np.array([[100.0, 100.0]] * 3)
    wrist = np.array([[90.0, 150.0], [90.0, 130.0], [np.nan, 0.0]])
    h = wrist_height(wrist, shoulder, up, 50.0)
    assert h[:2] == pytest.approx([-1.0, -0.6])
    assert np.isnan(h[2])
    # a sinusoid of peak-to-peak 0.4 torso lengths over one stride, unevenly sampled,
    # with a NaN and one spike of +0.2: the fit stays within 0.035, max - min does not
    t = np.sort(np.random.default_rng(0).uniform(0.0, 0.7, 25))
    x = -0.8 + 0.2 * np.cos(2 * np.pi * t / 0.7 + 0.5)
    x[3] = np.nan
    assert lift_stride(x, t, 0.7)["wrist_lift_tl"] == pytest.approx(0.4, abs=1e-9)
    x[np.nanargmax(x)] += 0.2
    assert lift_stride(x, t, 0.7)["wrist_lift_tl"] == pytest.approx(0.4, abs=0.035)
    assert np.nanmax(x) - np.nanmin(x) > 0.45
    assert np.isnan(lift_stride(x[:3], t[:3], 0.7)["wrist_lift_tl"])
    assert np.isnan(lift_stride(x, t, 0.0)["wrist_lift_tl"])
