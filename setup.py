"""Build hook: ship the pose model kept in ``models/`` inside the package.

The model lives in the repository's ``models/`` folder (with how it was built); a wheel or a
non-editable install carries it as ``armcarriage/models/`` so the installed package finds it
without the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODEL = "pose_landmarker_full.task"


class BuildWithModel(build_py):
    """Copy the bundled pose model into the built package."""

    def run(self) -> None:
        """Build the package, then add ``armcarriage/models/<model>``."""
        super().run()
        source = Path(__file__).resolve().parent / "models" / MODEL
        target = Path(self.build_lib) / "armcarriage" / "models" / MODEL
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


setup(cmdclass={"build_py": BuildWithModel})
