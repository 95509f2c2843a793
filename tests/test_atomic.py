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
