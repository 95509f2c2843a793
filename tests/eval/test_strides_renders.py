"""The strides benchmark's render cache (benchmarks/strides_timing.py): stale renders go.

A walk render cached before the synthetic walker learnt to vault over its stance leg
kept the runner's bounce (hips lowest at mid-stance: phase cosine -1.00 against its own
truth mid-stances), and its pose track, re-run later, was scored as the vaulting walker.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    monkeypatch.delitem(sys.modules, "strides_timing", raising=False)
    import strides_timing

    return strides_timing


def _fake_make(calls: list[str], content: bytes) -> Any:
    def make(video: Path, events: Path, spec: Any, tags: Any, case: Any) -> None:
        calls.append(video.name)
        video.write_bytes(content)
        events.write_text("foot,kind,time,frame\n")

    return make


def test_a_render_from_before_the_renderers_code_is_made_again_with_its_pose(
    bench: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = bench.CASES["walk_side"]
    # cached without a key (made by older renderer code): video and its pose track
    (tmp_path / "walk_side.mp4").write_bytes(b"old walker, hips lowest at mid-stance")
    (tmp_path / "walk_side.pose.parquet").write_bytes(b"pose of the old walker")
    calls: list[str] = []
    monkeypatch.setattr(bench, "_make", _fake_make(calls, b"vaulting walker"))
    video, _ = bench.render("walk_side", case, tmp_path)
    assert calls == ["walk_side.mp4"]
    assert video.read_bytes() == b"vaulting walker"
    assert not (tmp_path / "walk_side.pose.parquet").exists()
    key = bench.render_key(*bench._plan("walk_side", case, tmp_path)[2:])
    assert (tmp_path / "walk_side.render-key").read_text().strip() == key
    # the key matches now: the render and a new pose track are kept
    (tmp_path / "walk_side.pose.parquet").write_bytes(b"pose of the vaulting walker")
    bench.render("walk_side", case, tmp_path)
    assert calls == ["walk_side.mp4"]
    assert (tmp_path / "walk_side.pose.parquet").exists()
    # a key of other renderer code: rendered again
    (tmp_path / "walk_side.render-key").write_text("0123456789ab\n")
    bench.render("walk_side", case, tmp_path)
    assert calls == ["walk_side.mp4", "walk_side.mp4"]


def test_a_render_made_again_to_the_same_bytes_keeps_its_pose_track(
    bench: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run_front.mp4").write_bytes(b"runner")
    (tmp_path / "run_front.pose.parquet").write_bytes(b"pose of the runner")
    calls: list[str] = []
    monkeypatch.setattr(bench, "_make", _fake_make(calls, b"runner"))
    bench.render("run_front", bench.CASES["run_front"], tmp_path)
    assert calls == ["run_front.mp4"]
    assert (tmp_path / "run_front.pose.parquet").read_bytes() == b"pose of the runner"


def test_the_render_key_follows_what_shapes_the_clip(bench: Any, tmp_path: Path) -> None:
    def key(name: str, **change: Any) -> str:
        return bench.render_key(*bench._plan(name, {**bench.CASES[name], **change}, tmp_path)[2:])

    assert key("walk_side") == key("walk_side")
    # the walker's motion, the capture-rate tag and the renderer of motion capture count
    assert key("walk_side") != key("walk_side", cadence=100.0)
    assert key("slow240_untagged") != key("slow240_tagged")
    assert key("mocap_front") != key("mocap_rear")
    # the analysis option does not: both cases read one render
    assert key("slow240_untagged") == key("slow240_option")
