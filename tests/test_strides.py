"""Unit tests of the foot-event helpers in :mod:`armcarriage.strides`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from armcarriage.strides import _contacts, duty_factor


def _stance(t: np.ndarray, land: float, lift: float, floor: float) -> np.ndarray:
    """Clearance of a point: parabolic swing outside [land, lift], ``floor`` inside."""
    c = np.full(t.size, floor)
    before, after = t < land, t > lift
    c[before] = floor + 8.0 * (land - t[before]) ** 2
    c[after] = floor + 8.0 * (t[after] - lift) ** 2
    return c


def test_each_point_is_timed_against_its_own_floor():
    t = np.arange(60) / 30.0
    heel = _stance(t, 0.90, 1.10, 0.00)  # lands first
    toe = _stance(t, 0.97, 1.25, -0.05)  # comes down later, its floor 0.05 lower
    both = np.fmin(heel, toe)
    strikes, offs = _contacts(both, t, 0.06, 2, 2, 0.02, [heel, toe])
    # the heel lands at 0.90 s (crossing 0.02 above its floor at 0.90 - 0.05 s)
    assert strikes.tolist() == pytest.approx([0.90 - 0.05], abs=0.01)
    assert offs.tolist() == pytest.approx([1.25 + 0.05], abs=0.01)
    # against the minimum's single floor the strike waits for the toe's floor
    late, _ = _contacts(both, t, 0.06, 2, 2, 0.02)
    assert late[0] > strikes[0] + 0.05


def test_a_stance_cut_by_the_clip_start_gives_no_strike():
    t = np.arange(30) / 30.0
    heel = _stance(t, -0.1, 0.3, 0.0)
    strikes, offs = _contacts(heel, t, 0.06, 2, 2, 0.02, [heel, heel + 0.01])
    assert strikes.size == 0
    assert offs.size == 1


def test_duty_factor_pairs_strikes_with_the_next_toe_off_of_the_same_foot():
    ev = pd.DataFrame(
        [
            ("left", "strike", 0.0), ("left", "toe_off", 0.2), ("right", "strike", 0.35),
            ("right", "toe_off", 0.57), ("left", "strike", 0.7), ("left", "toe_off", 0.9),
        ],
        columns=["foot", "kind", "time"],
    )
    assert duty_factor(ev, 0.7) == pytest.approx(0.2 / 0.7)
    assert np.isnan(duty_factor(ev.iloc[:2], 0.7))  # one contact is no evidence
    assert np.isnan(duty_factor(ev, float("nan")))
    # a toe-off a whole stride later is not this stance's
    far = pd.DataFrame([("left", "strike", 0.0), ("left", "toe_off", 0.6),
                        ("right", "strike", 0.3), ("right", "toe_off", 0.9)],
                       columns=["foot", "kind", "time"])
    assert np.isnan(duty_factor(far, 0.7))
