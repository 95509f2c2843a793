"""Acceptance: each sample clip's injected fault gives the matching top cue; the clean clip none.

Fast tests analyse the exact pose track saved beside each clip; the slow tests
run the pose model over the video first, as ``armcarriage analyze`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import armcarriage as ac
from armcarriage.config import Config
from armcarriage.cues import assess

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"

EXPECTED = {
    "side_left_tight_elbows": ("side_left", "elbow_bend", "tight_elbow"),
    "rear_crossing": ("rear", "crossing", "midline_crossing"),
    "front_shrug": ("front", "shrug", None),
    "side_right_clean": ("side_right", None, None),
}


def _check(analysis, name: str) -> None:
    view, group, rule_id = EXPECTED[name]
    assert analysis.status == "ok", analysis.message
    assert analysis.view["label"] == view
    result = assess(analysis)
    if group is None:
        assert result.fired == [], [c.headline() for c in result.fired]
        assert result.good
        return
    assert result.shown, f"{name}: no cue fired"
    top = result.shown[0]
    if rule_id is not None:
        assert top.rule_id == rule_id, [c.headline() for c in result.shown]
    else:
        assert top.rule_id.startswith(group), [c.headline() for c in result.shown]
    ev = top.evidence
    assert len(ev.strides_affected) >= 0.75 * ev.strides_measured >= 3


def _sample(name: str, suffix: str) -> Path:
    path = SAMPLES / f"{name}{suffix}"
    if not path.exists():
        pytest.skip(f"{path} not rendered (run sample_videos/make_samples.py)")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_truth_track_gives_the_matching_top_cue(name):
    track = ac.PoseTrack.load(_sample(name, ".truth.parquet"))
    _check(ac.analyze(track), name)


REAR_WRISTS_HIDDEN = (
    "from the rear the pose model gives wrists in front of the body low visibility, so "
    "crossing_max_sw is NaN ('landmarks missing') and no crossing cue can fire"
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "side_left_tight_elbows",
        "front_shrug",
        "side_right_clean",
        pytest.param("rear_crossing", marks=pytest.mark.xfail(strict=True,
                                                              reason=REAR_WRISTS_HIDDEN)),
    ],
)
def test_sample_video_through_the_pose_model_gives_the_matching_top_cue(name):
    from armcarriage.pose import estimate_pose

    config = Config().override({"pose.workers": 1})
    track = estimate_pose(_sample(name, ".mp4"), config)
    _check(ac.analyze(track, config), name)
