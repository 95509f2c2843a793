"""Pose-track container: validation, accessors, mirroring and save/load."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from armcarriage.errors import TrackError
from armcarriage.skeleton import KEYPOINTS, LR_PAIRS, mirror_name
from armcarriage.track import PoseTrack


def make_track(n: int = 6) -> PoseTrack:
    rng = np.random.default_rng(1)
    pos = rng.random((n, len(KEYPOINTS), 2)) * [640, 480]
    pos[2] = np.nan  # a frame without a pose
    world = rng.standard_normal((n, len(KEYPOINTS), 3))
    return PoseTrack.from_arrays(
        np.arange(n) / 30,
        pos,
        fps=30,
        width=640,
        height=480,
        world=world,
        visibility=rng.random((n, len(KEYPOINTS))),
        attrs={"source": "clip.mp4", "model": "m.task"},
    )


def test_accessors_and_detection_rate():
    tr = make_track()
    assert tr.n_frames == 6
    assert tr.keypoints == KEYPOINTS
    assert tr.xy("left_wrist").shape == (6, 2)
    assert tr.world_xyz("nose").shape == (6, 3)
    assert tr.detection_rate() == pytest.approx(5 / 6)
    assert tr.ds["position"].dims == ("time", "keypoint", "space")


def test_unknown_keypoint_names_the_choices():
    with pytest.raises(
        TrackError, match=r"keypoint 'left_hand' is not in this track; it has: nose, "
    ):
        make_track().xy("left_hand")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_save_load_round_trip(tmp_path, suffix):
    tr = make_track()
    path = tr.save(tmp_path / f"pose{suffix}")
    back = PoseTrack.load(path)
    xr.testing.assert_allclose(
        back.ds[["position", "world", "visibility"]], tr.ds[["position", "world", "visibility"]]
    )
    assert back.attrs["source"] == "clip.mp4"
    assert back.fps == 30.0
    assert np.isnan(back.xy("nose")[2]).all()
    assert list(tmp_path.iterdir()) == sorted(tmp_path.iterdir()) and not any(
        p.name.startswith(".") for p in tmp_path.iterdir()
    )


def test_mirror_swaps_sides_and_flips_x():
    tr = make_track()
    m = tr.mirrored()
    np.testing.assert_allclose(m.xy("left_wrist")[:, 0], 640 - tr.xy("right_wrist")[:, 0])
    np.testing.assert_allclose(m.xy("left_wrist")[:, 1], tr.xy("right_wrist")[:, 1])
    np.testing.assert_allclose(m.mirrored().ds["position"], tr.ds["position"])
    assert ("left_shoulder", "right_shoulder") in LR_PAIRS
    assert mirror_name("mouth_left") == "mouth_right"
    assert len(LR_PAIRS) == 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ds: ds.assign_coords(time=ds["time"].values[::-1]), "strictly increasing"),
        (lambda ds: ds.drop_vars("world"), "expected variable 'world'"),
        (lambda ds: ds.assign(visibility=ds["visibility"] * 3), "visibility must lie in [0, 1]"),
        (lambda ds: ds.assign_attrs(fps=0), "fps must be a positive number, got 0"),
    ],
)
def test_validation_names_the_broken_rule(change, message):
    tr = make_track()
    with pytest.raises(TrackError) as err:
        PoseTrack(change(tr.ds))
    assert message in str(err.value)


def test_position_shape_error():
    with pytest.raises(
        TrackError, match=r"expected shape \(time=3, keypoint=33, space=2\), got \(3, 33, 3\)"
    ):
        PoseTrack.from_arrays(np.arange(3.0), np.zeros((3, 33, 3)), fps=30, width=1, height=1)


def test_load_rejects_foreign_parquet(tmp_path):
    import pandas as pd

    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(TrackError, match="no armcarriage metadata in the file"):
        PoseTrack.load(path)


def test_slice_time():
    tr = make_track().slice_time(0.05, 0.15)
    assert tr.time == pytest.approx([2 / 30, 3 / 30, 4 / 30])
