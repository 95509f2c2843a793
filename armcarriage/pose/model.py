"""The pose model: where its bundle is found, and MediaPipe's Tasks API loaded quietly."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from armcarriage.errors import ModelNotFoundError

log = logging.getLogger(__name__)


DEFAULT_MODEL_NAME = "pose_landmarker_full.task"


MODEL_ENV = "ARMCARRIAGE_MODEL"


NATIVE_LOGS_ENV = "ARMCARRIAGE_NATIVE_LOGS"
"""Set to ``1`` to let MediaPipe's native logging through (``armcarriage analyze -v`` does);
inherited by the pose worker processes."""


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Send file descriptor 2 to the null device while MediaPipe's C++ code runs.

    MediaPipe, LiteRT, XNNPACK, absl and glog write their INFO and WARNING lines
    (dozens per pose process) straight to file descriptor 2, past Python's
    ``sys.stderr`` and logging, where they break a progress display. Python's own
    stderr is flushed first and the descriptor is restored afterwards; with
    :data:`NATIVE_LOGS_ENV` set to ``1`` nothing is redirected.
    """
    if os.environ.get(NATIVE_LOGS_ENV, "") == "1":
        yield
        return
    with contextlib.suppress(ValueError, OSError):  # a closed or detached sys.stderr
        sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def default_model_path() -> Path:
    """Return the bundled model: in the installed package, else in the checkout's ``models/``.

    A wheel carries the model as ``armcarriage/models/`` (``setup.py`` copies it there at build
    time); an editable install reads it where the repository keeps it.
    """
    here = Path(__file__).resolve().parents[1]  # the armcarriage package
    packaged = here / "models" / DEFAULT_MODEL_NAME
    return packaged if packaged.is_file() else here.parent / "models" / DEFAULT_MODEL_NAME


def resolve_model_path(model: str | os.PathLike[str] | None = None) -> Path:
    """Find the pose model bundle.

    Parameters
    ----------
    model
        An explicit path; else the ``ARMCARRIAGE_MODEL`` environment variable;
        else the bundled ``models/pose_landmarker_full.task``.

    Returns
    -------
    Path
        An existing ``.task`` file.

    Raises
    ------
    ModelNotFoundError
        Naming the path that was expected.

    """
    if model:
        path = Path(model)
        origin = "--model"
    elif os.environ.get(MODEL_ENV):
        path = Path(os.environ[MODEL_ENV])
        origin = f"${MODEL_ENV}"
    else:
        path = default_model_path()
        origin = "the bundled model"
    if not path.is_file():
        raise ModelNotFoundError(
            f"pose model not found: expected a MediaPipe .task bundle at {path} ({origin}). "
            f"Rebuild the bundled one with 'python models/build_pose_model.py' or pass "
            f"--model PATH (see models/README.md)."
        )
    return path


_TASK_PACKAGES = (
    "mediapipe",
    "mediapipe.tasks",
    "mediapipe.tasks.python",
    "mediapipe.tasks.python.vision",
)
"""Packages whose initialisers :func:`mediapipe_tasks` skips."""


@functools.cache
def mediapipe_tasks() -> SimpleNamespace:
    """Return the parts of MediaPipe's Tasks API the pose stage uses, imported lean.

    ``import mediapipe`` runs the package initialisers, which import every task:
    audio (sounddevice), the drawing utilities (matplotlib.pyplot), OpenCV: 69 MB
    and 1.1 s in each pose process, for nothing the pose landmarker needs. Its
    modules (and the C library) are loaded with the initialisers of
    :data:`_TASK_PACKAGES` stood in for by empty packages (+4 MB, 0.07 s).
    Afterwards every MediaPipe module is taken out of ``sys.modules`` again (the
    classes returned keep theirs), so a later ``import mediapipe`` anywhere in the
    process runs whole, as usual.
    Where the lean import fails (another MediaPipe layout), the usual one is used.

    Returns
    -------
    types.SimpleNamespace
        ``PoseLandmarker``, ``PoseLandmarkerOptions``, ``BaseOptions``,
        ``RunningMode``, ``Image`` and ``ImageFormat``.

    """
    spec = importlib.util.find_spec("mediapipe")
    if "mediapipe" in sys.modules or spec is None or not spec.submodule_search_locations:
        return _task_parts()
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        for name in _TASK_PACKAGES:
            package = types.ModuleType(name)
            package.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
            sys.modules[name] = package
        return _task_parts()
    except (ImportError, AttributeError) as exc:
        log.debug("lean MediaPipe import failed (%s); importing it whole", exc)
    finally:
        for name in [n for n in sys.modules if n == "mediapipe" or n.startswith("mediapipe.")]:
            del sys.modules[name]
    return _task_parts()  # the usual import: the package initialisers run first


def _task_parts() -> SimpleNamespace:
    from mediapipe.tasks.python.core import mediapipe_c_bindings
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
        VisionTaskRunningMode,
    )
    from mediapipe.tasks.python.vision.pose_landmarker import (
        PoseLandmarker,
        PoseLandmarkerOptions,
    )

    # load the C library now: its first load looks it up as a resource of the package
    # mediapipe.tasks.c, which would import the whole package later on
    mediapipe_c_bindings.load_raw_library()
    return SimpleNamespace(
        PoseLandmarker=PoseLandmarker,
        PoseLandmarkerOptions=PoseLandmarkerOptions,
        BaseOptions=BaseOptions,
        RunningMode=VisionTaskRunningMode,
        Image=Image,
        ImageFormat=ImageFormat,
    )
