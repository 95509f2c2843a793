"""Atomic writes: a failure leaves neither a partial file nor a temporary one."""

from __future__ import annotations

from pathlib import Path

import pytest

from armcarriage.atomic import atomic_path, write_text


def test_failure_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "summary.json"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        Path(tmp).write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_success_replaces(tmp_path):
    target = tmp_path / "a" / "b.txt"
    write_text(target, "one")
    write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]


def test_written_files_get_the_usual_permissions(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        target = write_text(tmp_path / "report.html", "<p>")
    finally:
        os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


# ------------------------------------------------------------------ folders as a set


def _set(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_folder_is_replaced_whole(tmp_path):
    from armcarriage.atomic import atomic_folder

    out = tmp_path / "clip"
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("one")
        (work / "b.txt").write_text("one")
        assert not out.exists()  # nothing visible until the set is complete
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("two")  # b.txt not written this time
    assert _set(out) == {"a.txt": "two"}
    assert _siblings(out) == []


def test_failed_block_leaves_the_old_set(tmp_path):
    from armcarriage.atomic import atomic_folder

    out = tmp_path / "clip"
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("one")
    with pytest.raises(RuntimeError), atomic_folder(out) as work:
        (work / "a.txt").write_text("two")
        raise RuntimeError("disk full")
    assert _set(out) == {"a.txt": "one"}
    assert _siblings(out) == []


def test_killed_run_leaves_the_old_set_and_the_next_run_cleans_up(tmp_path):
    import subprocess
    import sys

    from armcarriage.atomic import atomic_folder

    out = tmp_path / "clip"
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("one")
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from armcarriage.atomic import atomic_folder\n"
        "with atomic_folder(sys.argv[1]) as work:\n"
        "    (work / 'a.txt').write_text('two')\n"
        "    os._exit(9)\n"  # killed mid-run: no clean-up at all
    )
    res = subprocess.run([sys.executable, "-c", code, str(out)], timeout=60)
    assert res.returncode == 9
    assert _set(out) == {"a.txt": "one"}
    left = _siblings(out)
    assert len(left) == 1 and left[0].startswith(".clip.new-"), left
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("three")
    assert _set(out) == {"a.txt": "three"}
    assert _siblings(out) == []


def test_run_killed_between_the_renames_gets_its_old_set_back(tmp_path):
    from armcarriage.atomic import atomic_folder, clean_stale

    out = tmp_path / "clip"
    with atomic_folder(out) as work:
        (work / "a.txt").write_text("one")
    dead = 2**22 + 12345  # above the usual pid_max of 4194304: no such process
    out.rename(tmp_path / f".clip.old-{dead}-deadbeef")
    (tmp_path / f".clip.new-{dead}-deadbeef").mkdir()
    assert len(clean_stale(out)) == 2
    assert _set(out) == {"a.txt": "one"}
    assert _siblings(out) == []


def test_folder_with_other_files_is_not_replaced(tmp_path):
    from armcarriage.atomic import atomic_folder
    from armcarriage.errors import InputError

    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with (
        pytest.raises(InputError, match=r"holding other files \(thesis.tex\)"),
        atomic_folder(out, foreign=lambda p: [x.name for x in p.iterdir()]),
    ):
        pass
    assert _set(out) == {"thesis.tex": "years of work"}
    assert _siblings(out) == []


@pytest.fixture
def fake_pose(monkeypatch):
    """run_analysis without the pose model: a synthetic runner's exact track."""
    from metrics_fixture import Runner, side_runner

    track = side_runner(Runner(seconds=4.0))
    monkeypatch.setattr("armcarriage.pipeline.estimate_track", lambda *a, **k: track)
    return track


def test_analysis_outputs_are_one_run_set(tmp_path, make_video, fake_pose, monkeypatch):
    from armcarriage import pipeline
    from armcarriage.config import Config

    clip = make_video("c.mp4")
    out = tmp_path / "out"
    cfg = Config().override({"report.annotated_video": False})
    first = pipeline.run_analysis(clip, out, cfg)
    assert set(first.outputs) == {"pose", "strides", "strides_units", "summary", "player", "report"}
    assert all(p.parent == out and p.is_file() for p in first.outputs.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "pose.parquet",
            "strides.csv",
            "strides.units.json",
            "summary.json",
            "clip.mp4",
            "report.html",
        ]
    )
    (out / ".summary.json.x1y2.part.json").write_text("{")  # left by a killed writer
    # a run that fails half-way keeps the first run's set whole
    summary = (out / "summary.json").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr("armcarriage.report.write_reports", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            pipeline.run_analysis(clip, out, cfg)
    assert (out / "summary.json").read_text() == summary and (out / "report.html").is_file()
    # reports turned off: the old report.html does not stay beside the new files
    second = pipeline.run_analysis(clip, out, cfg.override({"report.html": False}))
    assert "report" not in second.outputs
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["pose.parquet", "strides.csv", "strides.units.json", "summary.json"]
    )
    assert _siblings(out) == ["c.mp4"]


def test_analysis_never_replaces_the_folder_that_holds_its_clip(tmp_path, make_video, fake_pose):
    import shutil

    from armcarriage import pipeline
    from armcarriage.errors import InputError

    out = tmp_path / "out"
    out.mkdir()
    clip = out / "clip.mp4"  # the name the report's player clip has
    shutil.copyfile(make_video("c.mp4"), clip)
    with pytest.raises(InputError, match=r"clip\.mp4"):
        pipeline.run_analysis(clip, out)
    assert clip.is_file() and sorted(p.name for p in out.iterdir()) == ["clip.mp4"]


def test_analysis_refuses_a_folder_of_other_files(tmp_path, make_video, fake_pose):
    from armcarriage import pipeline
    from armcarriage.errors import InputError

    clip = make_video("c.mp4")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"output folder .*: expected a new folder or one"):
        pipeline.run_analysis(clip, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine" and clip.is_file()


def test_current_folder_is_never_replaced(tmp_path, monkeypatch):
    from armcarriage.atomic import atomic_folder
    from armcarriage.errors import InputError

    work = tmp_path / "here"
    work.mkdir()
    monkeypatch.chdir(work)
    for target in (".", "..", str(work)):
        with pytest.raises(InputError, match="got the current folder or one above it"):
            with atomic_folder(target):
                pass
    assert Path.cwd() == work and _siblings(work) == []


def test_a_run_given_the_clip_s_probe_does_not_probe_it_again(
    tmp_path, make_video, fake_pose, monkeypatch
):
    from armcarriage import pipeline
    from armcarriage.config import Config
    from armcarriage.video import probe_video

    clip = make_video("c.mp4")
    cfg = Config().override({"report.annotated_video": False, "report.html": False})
    info = probe_video(clip, cfg)
    probed: list[object] = []
    monkeypatch.setattr(pipeline, "probe_video", lambda *a, **k: probed.append(a) or info)
    result = pipeline.run_analysis(clip, tmp_path / "out", cfg, info=info)
    assert probed == [] and result.video_info is info
    pipeline.run_analysis(clip, tmp_path / "again", cfg)
    assert len(probed) == 1  # without it, the run probes the clip itself
