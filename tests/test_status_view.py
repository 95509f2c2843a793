"""The typed stage boundaries write the same strings and JSON as the plain values before them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from armcarriage.analysis import analyze
from armcarriage.jsonio import dumps
from armcarriage.status import Status
from armcarriage.track import PoseTrack
from armcarriage.view import View


def test_status_reads_and_writes_as_its_plain_string():
    s = Status.TOO_FEW_STRIDES
    assert s == "too_few_strides" and str(s) == "too_few_strides" and f"{s}" == "too_few_strides"
    assert {"too_few_strides": 1}[s] == 1  # same hash as the string: old lookups still work
    assert json.dumps({"status": s}) == '{"status": "too_few_strides"}'
    assert pd.DataFrame({"status": [s]}).to_csv(index=False) == "status\ntoo_few_strides\n"
    assert Status("no_rhythm") is Status.NO_RHYTHM


def test_view_reads_as_the_mapping_it_was():
    v = View(label="side_left", confidence=0.9, treadmill=True, speed_widths_per_s=0.01,
             near_side="left", segments=[])  # fmt: skip
    assert v["label"] == "side_left" and v.get("near_side") == "left" and v.get("nope") is None
    assert list(v) == ["label", "confidence", "treadmill", "speed_widths_per_s", "near_side",
                       "segments"]  # fmt: skip
    assert json.loads(dumps(v)) == {
        "label": "side_left",
        "confidence": 0.9,
        "treadmill": True,
        "speed_widths_per_s": 0.01,
        "near_side": "left",
        "segments": [],
    }
    assert View.unknown().to_dict() == {
        "label": "unknown",
        "confidence": 0.0,
        "treadmill": None,
        "segments": [],
    }


def test_an_empty_track_gives_no_runner_with_the_placeholder_view():
    n, k = 5, 33
    track = PoseTrack.from_arrays(
        np.arange(n) / 30.0, np.full((n, k, 2), np.nan), fps=30.0, width=64, height=48
    )
    a = analyze(track)
    assert a.status is Status.NO_RUNNER
    out = a.to_dict()
    assert out["status"] == "no_runner"
    assert out["view"] == {"label": "unknown", "confidence": 0.0, "treadmill": None, "segments": []}
