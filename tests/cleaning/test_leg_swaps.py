"""Leg swap repair: a foot swapped without its knee, knees kept on their side from behind."""

from __future__ import annotations

import numpy as np
from runner_fixture import exact_runner

from armcarriage.cleaning import repair_swaps
from armcarriage.skeleton import KEYPOINT_INDEX

K = KEYPOINT_INDEX
FOOT = ("ankle", "heel", "foot_index")
LEG = ("knee", *FOOT)


def _swap(pos: np.ndarray, frames: list[int], parts: tuple[str, ...]) -> None:
    li = [K[f"left_{p}"] for p in parts]
    ri = [K[f"right_{p}"] for p in parts]
    for f in frames:
        pos[f, li], pos[f, ri] = pos[f, ri].copy(), pos[f, li].copy()


def _repaired(pos: np.ndarray, keypoints: list[str]) -> tuple[np.ndarray, int]:
    out = pos.copy()
    n = repair_swaps(
        out,
        np.zeros(out.shape[:2]),
        np.zeros((*out.shape[:2], 3)),
        np.ones(out.shape[:2]),
        keypoints,
    )
    return out, n


def _leg_frames_wrong(out: np.ndarray, truth: np.ndarray) -> list[int]:
    idx = [K[f"{s}_{p}"] for s in ("left", "right") for p in LEG]
    return np.flatnonzero(np.abs(out[:, idx] - truth[:, idx]).max(axis=(1, 2)) > 1e-6).tolist()


def test_a_foot_swapped_without_its_knee_is_repaired_alone():
    # from behind the pose model swaps ankle, heel and toe while the knees keep their
    # labels (mocap_active_rear: 20 foot frames, 10 knee frames): repairing the whole leg
    # then swapped the right knees wrongly (7 frames left wrong there)
    tr = exact_runner("rear", seconds=3.0)
    truth = tr.ds["position"].values
    pos = truth.copy()
    _swap(pos, [20, 21, 22, 50, 51], FOOT)
    out, n = _repaired(pos, list(tr.keypoints))
    assert _leg_frames_wrong(out, truth) == []
    assert n == 5


def test_a_whole_body_flip_from_behind_puts_the_knees_back_on_their_side():
    # the model reads the runner as facing the camera from frame 55 to the clip's end and
    # mirrors the whole body, hips included: with one swap's start and no end the motion
    # alone keeps the model's labels; the knees and feet go back to the image side the
    # clip's hips show (the hips, flipped with the rest, stay as the model gave them)
    tr = exact_runner("rear", seconds=3.0)
    truth = tr.ds["position"].values
    pos = truth.copy()
    _swap(pos, list(range(55, 90)), ("shoulder", "hip", *LEG))
    out, _ = _repaired(pos, list(tr.keypoints))
    assert _leg_frames_wrong(out, truth) == []
    np.testing.assert_array_equal(out[:, K["left_hip"]], pos[:, K["left_hip"]])


def test_the_knees_side_is_not_read_from_the_side_or_an_oblique_view():
    # from the side the knees pass each other every step, at 45 degrees they cross in
    # the image: the rule must not swap an exact track there
    for view in ("side_left", "oblique"):
        tr = exact_runner(view, seconds=3.0)
        truth = tr.ds["position"].values
        out, n = _repaired(truth, list(tr.keypoints))
        assert n == 0, view
        assert _leg_frames_wrong(out, truth) == []
