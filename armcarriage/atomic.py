"""Atomic writes: a file, or a whole folder of outputs, replaced in one rename.

Files (:func:`atomic_path`, :func:`write_text`) are written to a temporary file
beside the target, then renamed over it. A folder of outputs
(:func:`atomic_folder`) is written into a fresh hidden sibling and swapped in
whole, so readers never see files from two different runs.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """Yield a temporary path that replaces ``path`` only if the block succeeds.

    Parameters
    ----------
    path
        The final file. Its folder is created if missing.

    Yields
    ------
    str
        A temporary file name in the same folder (same file system, so the
        final :func:`os.replace` is atomic). It is removed if the block raises.

    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent
    )
    os.close(fd)
    try:
        yield tmp
        # mkstemp creates 0600; give the file the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """Return the process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8).

    Parameters
    ----------
    path
        Target file.
    text
        Content.

    Returns
    -------
    Path
        The written file.

    """
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


_NEW, _OLD = "new", "old"


def _sibling(path: Path, kind: str) -> Path:
    """Return a hidden sibling of ``path`` named after this process (see :func:`clean_stale`)."""
    return path.parent / f".{path.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _owner_alive(entry: Path) -> bool:
    """Tell whether the process that named a temporary sibling still runs (on this host)."""
    try:
        pid = int(entry.name.rsplit("-", 2)[-2])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_stale(path: str | Path) -> list[Path]:
    """Remove what an interrupted :func:`atomic_folder` left beside ``path``.

    A set being written (``.NAME.new-PID-*``) whose process is gone is deleted.
    A set renamed away (``.NAME.old-PID-*``) is put back if ``path`` is missing
    (the run died between the two renames), else deleted. Sets of processes
    still running are left alone.

    Returns
    -------
    list of Path
        The siblings removed or restored.

    """
    path = Path(path)
    done: list[Path] = []
    if not path.parent.is_dir():
        return done
    stale = sorted(
        p
        for p in path.parent.glob(f".{glob.escape(path.name)}.*-*-*")
        if p.name.split(".")[-1].split("-")[0] in (_NEW, _OLD) and not _owner_alive(p)
    )
    for entry in stale:
        kind = entry.name.rsplit(".", 1)[-1].split("-")[0]
        if kind == _OLD and not os.path.lexists(path):
            os.replace(entry, path)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        done.append(entry)
    return done


@contextlib.contextmanager
def atomic_folder(
    path: str | Path, foreign: Callable[[Path], list[str]] | None = None
) -> Iterator[Path]:
    """Yield a fresh folder that replaces the folder ``path`` whole if the block succeeds.

    Readers of ``path`` see either the old set of files or the new one, never a mix:
    the new set is written into a hidden sibling, then the old folder is renamed
    away, the new one renamed in, and the old one deleted. If the block raises,
    the new folder is deleted; if the process is killed, the next call cleans up
    (:func:`clean_stale`).

    Parameters
    ----------
    path
        The output folder. Its parent is created if missing.
    foreign
        Called with an existing ``path``; returns the names of entries the caller
        did not write. If any, the folder is not replaced (it is not an output
        folder) and :class:`~armcarriage.errors.InputError` is raised.

    Yields
    ------
    Path
        The folder to write into (same file system as ``path``).

    Raises
    ------
    InputError
        If ``path`` is a file, or holds entries ``foreign`` reports.

    """
    from armcarriage.errors import InputError

    path = Path(os.path.abspath(path))
    cwd = Path.cwd()
    if path == cwd or path in cwd.parents:
        raise InputError(
            f"output folder {path}: expected a folder of its own, got the current folder "
            "or one above it (it is replaced whole); choose a new folder"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path)
    if os.path.lexists(path) and not path.is_dir():
        raise InputError(f"output folder {path}: expected a folder, got a file")
    others = foreign(path) if foreign is not None and path.is_dir() else []
    if others:
        shown = ", ".join(sorted(others)[:5]) + (", ..." if len(others) > 5 else "")
        raise InputError(
            f"output folder {path}: expected a new folder or one armcarriage wrote, "
            f"got one holding other files ({shown}); choose another output folder"
        )
    new = _sibling(path, _NEW)
    new.mkdir(mode=0o777)  # permissions from the umask, as for a plain mkdir
    old: Path | None = None
    try:
        yield new
        old = None
        if os.path.lexists(path):
            old = _sibling(path, _OLD)
            os.replace(path, old)
        try:
            os.replace(new, path)
        except BaseException:
            if old is not None:
                os.replace(old, path)
            raise
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
