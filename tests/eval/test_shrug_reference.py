"""The benchmark's own-reference scoring: which pairs it makes and what it counts."""

from __future__ import annotations

from types import SimpleNamespace

from analysis_fixture import make_analysis
from armcarriage_eval import shrug_reference as own

from armcarriage.config import Config


def _spec(trial, view, fault="none", height=1.1, girth=1.0, size=(480, 360)):
    return SimpleNamespace(
        trial=trial, view=view, fault=fault, camera_height=height, girth=girth,
        width=size[0], height=size[1],
    )  # fmt: skip


def test_pairs_of_one_runner_and_view_class_and_their_outcomes():
    specs = {
        "relaxed_left": _spec("a", "side_left"),
        "relaxed_right_high": _spec("a", "side_right", height=1.5),
        "shrug": _spec("a", "side_left", fault="shrug_5cm"),
        "other_body": _spec("a", "side_left", girth=1.15),
        "front": _spec("a", "front"),
        "other_run": _spec("b", "side_left"),
    }
    necks = {
        "relaxed_left": 0.425,
        "relaxed_right_high": 0.41,
        "shrug": 0.325,
        "other_body": 0.30,
        "front": 0.35,
        "other_run": 0.36,
    }
    analyses = {
        name: make_analysis(view=specs[name].view, values={"shrug_neck_tl": neck}, seconds=6.0)
        for name, neck in necks.items()
    }
    rows = own.score_pairs(analyses, specs, Config())
    pairs = {(r["case"], r["reference"]): r for r in rows}
    assert set(pairs) == {
        ("relaxed_left", "relaxed_right_high"),
        ("relaxed_right_high", "relaxed_left"),
        ("shrug", "relaxed_left"),
        ("shrug", "relaxed_right_high"),
    }
    assert pairs[("shrug", "relaxed_left")]["outcome"] == "flagged"
    assert abs(pairs[("shrug", "relaxed_left")]["difference"] + 0.10) < 0.005
    assert pairs[("relaxed_left", "relaxed_right_high")]["outcome"] == "not flagged"
    assert not pairs[("shrug", "relaxed_right_high")]["same_framing"]
    assert pairs[("shrug", "relaxed_right_high")]["same_size"]
    counts = {(c["fault"], c["view"]): c for c in own.summary_counts(rows)}
    assert counts[("shrug_5cm", "side")]["flagged"] == 2
    assert counts[("none", "side")]["flagged"] == 0
    noise = own.noise_figures(rows, "same_size")
    assert noise["side"]["n"] > 0 and noise["side"]["max_abs"] < 0.03
    assert "| shrug_5cm | side | 2 | 2 | 0 | 0 |" in own.report(rows)
