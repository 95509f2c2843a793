"""The synthetic runner's exact track, for stride tests with known strikes."""

from __future__ import annotations

import numpy as np
from armcarriage_eval.synthetic.clip import ClipSpec
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.truth import truth_track

from armcarriage.track import PoseTrack


def exact_runner(
    view: str = "side_left",
    cadence: float = 170.0,
    fps: float = 30.0,
    seconds: float = 3.0,
    slow: float = 1.0,
    **runner: float,
) -> PoseTrack:
    """The exact track of the synthetic runner, played ``slow`` times slower than filmed."""
    spec = ClipSpec(
        view=view,
        fps=fps,
        seconds=seconds,
        width=320,
        height=240,
        runner={"cadence_spm": cadence, **runner},
    )
    t = np.arange(round(seconds * fps)) / fps
    track = truth_track(simulate(spec.params(), t, duration=seconds), spec.camera(), fps, view=view)
    if slow != 1.0:
        ds = track.ds.assign_coords(time=track.ds["time"].values * slow)
        ds.attrs["fps"] = fps / slow
        track = PoseTrack(ds)
    return track


def without_near_foot(track: PoseTrack, after_s: float) -> PoseTrack:
    """A copy of ``track`` whose left (near) foot is lost after ``after_s`` seconds."""
    ds = track.ds.copy(deep=True)
    lost = ds["time"].values > after_s
    for k in ("left_heel", "left_foot_index", "left_ankle"):
        ds["position"].loc[{"keypoint": k}] = np.where(
            lost[:, None], np.nan, ds["position"].sel(keypoint=k).values
        )
    return PoseTrack(ds)
