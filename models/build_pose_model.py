"""Build ``pose_landmarker_full.task`` from the BlazePose files in mediapipe 0.10.21.

The Tasks API of mediapipe 1.x reads a ``.task`` bundle: a zip archive, stored
and not deflated, that holds ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``. Each model must carry TFLite metadata that
describes its image input normalisation and has one entry per output tensor.
The ``mediapipe==0.10.21`` wheel (Apache-2.0) ships both models without that
metadata, and its metadata writer can add it; mediapipe 1.x lacks the writer's
native part. This script therefore runs itself inside a temporary virtual
environment with ``mediapipe==0.10.21`` (installed from PyPI) unless that
version is already importable.

Usage::

    python models/build_pose_model.py [--out models/pose_landmarker_full.task]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import tempfile
import venv
import zipfile
from pathlib import Path

MEDIAPIPE_VERSION = "0.10.21"
HERE = Path(__file__).resolve().parent

# (file in the wheel, name in the bundle, mean, std)
MODELS = (
    ("modules/pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5),
    (
        "modules/pose_landmark/pose_landmark_full.tflite",
        "pose_landmarks_detector.tflite",
        0.0,
        255.0,
    ),
)


def _with_metadata(model: bytes, mean: float, std: float) -> bytes:
    """Return ``model`` with image-input and feature-output metadata added."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in writer_utils.get_output_tensor_types(bytearray(model)):
        writer.add_feature_output()
    content, _ = writer.populate()
    return bytes(content)


def build(out: Path) -> None:
    """Write the bundle to ``out`` (needs mediapipe 0.10.21 importable)."""
    import mediapipe

    root = Path(mediapipe.__file__).parent
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
        for src, name, mean, std in MODELS:
            data = _with_metadata((root / src).read_bytes(), mean, std)
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            bundle.writestr(info, data, compress_type=zipfile.ZIP_STORED)
            print(f"{name}: {len(data)} bytes from {src}")
    os.replace(tmp, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out} ({out.stat().st_size} bytes, sha256 {digest})")


def _has_right_mediapipe() -> bool:
    try:
        import mediapipe
    except ImportError:
        return False
    return getattr(mediapipe, "__version__", "") == MEDIAPIPE_VERSION


def main() -> None:
    """Build the bundle, in a temporary environment if needed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "pose_landmarker_full.task")
    args = parser.parse_args()
    if _has_right_mediapipe():
        build(args.out.resolve())
        return
    with tempfile.TemporaryDirectory(prefix="mp-build-") as tmp:
        print(f"creating a temporary environment with mediapipe=={MEDIAPIPE_VERSION} in {tmp}")
        venv.create(tmp, with_pip=True)
        py = Path(tmp) / "bin" / "python"
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", f"mediapipe=={MEDIAPIPE_VERSION}"], check=True
        )
        subprocess.run([str(py), __file__, "--out", str(args.out.resolve())], check=True)


if __name__ == "__main__":
    main()
