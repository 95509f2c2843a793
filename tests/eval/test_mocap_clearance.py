"""The crossing variant's trunk clearance on a hand-built arm (no motion capture needed)."""

from __future__ import annotations

import numpy as np


def _arm(forward_m: float) -> tuple[np.ndarray, ...]:
    """One frame: upper arm hanging beside the trunk, forearm across at ``forward_m``."""
    thorax = np.eye(3)[None]  # columns: forward, left, up
    shoulder = np.array([[0.0, 0.2, 1.4]])
    elbow = np.array([[forward_m, 0.2, 1.12]])
    wrist = np.array([[forward_m, -0.05, 1.12]])  # turned across, 5 cm past the midline
    return shoulder, elbow, wrist, thorax


def test_forearm_through_the_trunk_is_flexed_forward_until_clear() -> None:
    from armcarriage_eval import mocap_trunk as mt

    shoulder, elbow, wrist, thorax = _arm(0.0)
    trunk = mt.trunk_solids(np.array([[0.0, 0.0, 1.4]]), np.array([[0.0, 0.0, 0.95]]), thorax)
    assert mt.inside(wrist, thorax, trunk, 0.0).all()
    e, w = mt.clear_trunk(shoulder, elbow, wrist, thorax, trunk, 0.04)
    assert not mt.inside(w, thorax, trunk, 0.04).any()
    assert w[0, 0] > 0.12  # brought in front of the chest (its half-depth: 0.115 m)
    assert abs(w[0, 1] - wrist[0, 1]) < 1e-9  # still as far across
    # a rigid turn about the shoulder: segment lengths and the elbow angle are kept
    for a, b, a0, b0 in ((shoulder, e, shoulder, elbow), (e, w, elbow, wrist)):
        assert np.isclose(np.linalg.norm(b - a), np.linalg.norm(b0 - a0))
    assert np.isclose(np.dot(e[0] - shoulder[0], w[0] - e[0]),
                      np.dot(elbow[0] - shoulder[0], wrist[0] - elbow[0]))  # fmt: skip


def test_forearm_already_clear_is_left_alone() -> None:
    from armcarriage_eval import mocap_trunk as mt

    shoulder, elbow, wrist, thorax = _arm(0.3)
    trunk = mt.trunk_solids(np.array([[0.0, 0.0, 1.4]]), np.array([[0.0, 0.0, 0.95]]), thorax)
    e, w = mt.clear_trunk(shoulder, elbow, wrist, thorax, trunk, 0.04)
    np.testing.assert_allclose(e, elbow, atol=1e-12)
    np.testing.assert_allclose(w, wrist, atol=1e-12)
