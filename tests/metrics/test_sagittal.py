import numpy as np

from armcarriage.metrics.arm3d import reconstruct_arm
from armcarriage.metrics.geometry import elbow_angle
from armcarriage.metrics.sagittal import BodyPlane, reconstruct_arm_in_plane


def _running_arm(yaw_deg: float, n: int = 90):
    """A left arm swinging in 3D (body axes: x forward, y down, z lateral to the right)."""
    t = np.arange(n) / 30.0
    ph = 2 * np.pi * 1.4 * t
    swing = np.radians(25 + 40 * np.sin(ph))  # upper arm from the vertical, + = forward
    bend = np.radians(80 + 20 * np.cos(ph))  # elbow flexion
    up_len, fo_len = 0.3, 0.27
    m_up, m_fo = -0.3, 0.15 + 0.1 * np.sin(ph)  # medial components (+ = towards the right)
    s = np.zeros((n, 3))
    u_sag = np.sqrt(1 - m_up**2)
    upper = up_len * np.stack([u_sag * np.sin(swing), u_sag * np.cos(swing), m_up + 0 * t], 1)
    fa = swing + bend  # forearm turns forward from the upper arm
    f_sag = np.sqrt(1 - m_fo**2)
    fore = fo_len * np.stack([f_sag * np.sin(fa), f_sag * np.cos(fa), m_fo], 1)
    e, w = s + upper, s + upper + fore
    truth = elbow_angle(s, e, w)
    # camera axes: the lateral axis (body z) turned by yaw in the horizontal plane
    a = np.radians(yaw_deg)
    rot = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    hx, hz = rot @ np.array([0.0, 0.0, 1.0]) @ np.array([[1, 0], [0, 0], [0, 1]])
    cam = [p @ rot.T * 400.0 for p in (s, e, w)]  # pixels, orthographic
    return [c[:, :2] for c in cam], truth, (float(hx), float(hz))


def test_plane_hint_is_exact_for_a_segment_at_its_medial_mean():
    plane = BodyPlane(np.cos(0.7), np.sin(0.7), 1.0, (-0.3, 0.1), (0.15, 0.4))
    # a unit segment: forward f, medial m = -0.3 (upper arm), camera x-z from the axis
    f, m = 0.6, -0.3
    fwd = np.array([-np.sin(0.7), np.cos(0.7)])  # normal to the axis in x-z
    v = f * fwd + m * np.array([np.cos(0.7), np.sin(0.7)])
    hint, noise = plane.hint(np.array([v[0]]), "upper")
    assert abs(hint[0] - v[1]) < 1e-9
    assert abs(noise - 0.1 / np.sin(0.7)) < 1e-9


def test_oblique_arm_rebuilt_from_the_body_plane():
    (s, e, w), truth, (hx, hz) = _running_arm(50.0)
    scale = np.full(truth.size, 400.0)
    plane = BodyPlane(hx, hz, 1.0, (-0.3, 0.1), (0.15, 0.4))
    rec = reconstruct_arm_in_plane(s, e, w, scale, plane)
    err_plane = np.abs(rec.angle - truth)
    err_2d = np.abs(elbow_angle(s, e, w) - truth)
    err_old = np.abs(reconstruct_arm(s, e, w, scale).angle - truth)
    assert np.mean(err_plane) < 6.0
    assert np.mean(err_plane) < 0.35 * np.mean(err_2d)
    assert np.mean(err_plane) < 0.5 * np.mean(err_old)
    assert np.all(np.isfinite(rec.error))


def test_lateral_axis_and_forearm_medial_from_world_landmarks():
    from armcarriage.metrics.sagittal import lateral_axis, world_medial
    from armcarriage.skeleton import KEYPOINT_INDEX, KEYPOINTS
    from armcarriage.track import PoseTrack

    n, a = 30, np.radians(40.0)
    h = np.array([np.sin(a), 0.0, np.cos(a)])  # lateral axis (left to right) in camera axes
    fwd = np.array([np.cos(a), 0.0, -np.sin(a)])
    world = np.full((n, len(KEYPOINTS), 3), np.nan)
    for side, sgn in (("left", -1.0), ("right", 1.0)):
        world[:, KEYPOINT_INDEX[f"{side}_shoulder"]] = sgn * 0.2 * h + [0, -0.5, 0]
        world[:, KEYPOINT_INDEX[f"{side}_hip"]] = sgn * 0.12 * h
    m = np.linspace(-0.2, 0.6, n)  # the left forearm's medial part: towards +h
    fore = 0.27 * (m[:, None] * h + np.sqrt(1 - m**2)[:, None] * fwd)
    world[:, KEYPOINT_INDEX["left_elbow"]] = [0.0, -0.2, 0.0]
    world[:, KEYPOINT_INDEX["left_wrist"]] = world[:, KEYPOINT_INDEX["left_elbow"]] + fore
    pos = np.zeros((n, len(KEYPOINTS), 2))
    track = PoseTrack.from_arrays(
        np.arange(n) / 30.0, pos, fps=30.0, width=640, height=480, world=world
    )
    hx, hz = lateral_axis(track)
    assert abs(hx - np.sin(a)) < 1e-9 and abs(hz - np.cos(a)) < 1e-9
    np.testing.assert_allclose(world_medial(track, "left", (hx, hz)), m, atol=1e-9)
    assert np.isnan(world_medial(track, "right", (hx, hz))).all()
