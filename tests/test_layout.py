"""The package's imports point one way: shells -> public API -> stages, evaluation code apart."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "armcarriage"

RANK = {
    # foundations
    "errors": 0,
    "names": 0,
    "jsonio": 0,
    "config": 0,
    "status": 0,
    "skeleton": 0,
    "atomic": 0,
    "memory": 0,
    "progress": 0,
    "lifeline": 0,
    "person": 0,
    # video IO -> pose -> track -> cleaning -> view and strides -> metrics -> cues -> reports
    "track": 1,
    "video": 1,
    "recorded": 1,
    "silhouette": 1,
    "metrics": 2,
    "pose": 3,
    "parallel": 4,
    "cleaning": 4,
    "view": 5,
    "strides": 6,
    "analysis": 7,
    "corrections": 7,
    "cues": 8,
    "report": 9,
    "pipeline": 10,
    "(api)": 11,
    "history": 12,
    "sessions": 12,
    "shell": 12,
    "cli_text": 12,
    "dashboard": 12,
    # shells: siblings, none imports another
    "cli": 13,
    "analysis_cli": 13,
    "cues_cli": 13,
    "batch": 13,
    "web": 13,
}
"""Each top-level module or subpackage and its place in the flow: a module may import only
modules of a lower or equal rank, and a shell no other shell."""
SHELL = 13

KNOWN_CROSSINGS: set[tuple[str, str]] = set()
"""Imports against the flow that remain to be untangled. The test fails when one is added and
when one listed here is gone (then strike it from the list)."""


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(api)"


def _imports() -> set[tuple[str, str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        module = ".".join(p for p in rel.parts if p != "__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in ("armcarriage", "armcarriage_eval"):
                    found.add((module, name, str(path.relative_to(ROOT))))
    return found


def test_every_module_has_a_place_in_the_flow():
    rooms = {_room(m) for m, _, _ in _imports()}
    tops = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    tops |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert (rooms | tops) - set(RANK) == set()


def test_product_never_imports_evaluation_code():
    bad = sorted(
        f"{where}: {name}"
        for _, name, where in _imports()
        if name.split(".")[0] == "armcarriage_eval"
    )
    assert bad == []
    for gone in ("synthetic", "mocap.py", "mocap_score.py", "camera.py"):
        assert not (PACKAGE / gone).exists(), f"evaluation code {gone} is back in the package"


def test_imports_point_down_the_flow():
    crossings = set()
    for module, name, _ in _imports():
        if name.split(".")[0] != "armcarriage":
            continue
        a, b = _room(module), _room(name)
        if a != b and (RANK[b] > RANK[a] or RANK[a] == RANK[b] == SHELL):
            crossings.add((a, b))
    assert crossings - KNOWN_CROSSINGS == set(), "new imports against the flow"
    assert KNOWN_CROSSINGS - crossings == set(), "untangled: strike these from KNOWN_CROSSINGS"


def test_runtime_wheel_leaves_evaluation_code_out():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = meta["tool"]["setuptools"]["packages"]["find"]["include"]
    assert include == ["armcarriage", "armcarriage.*"]
    assert (ROOT / "evaluation" / "armcarriage_eval" / "synthetic" / "render.py").is_file()


def test_synth_without_the_evaluation_package_says_how_to_install_it():
    from armcarriage.cli import _missing_extra

    exc = ModuleNotFoundError("No module named 'armcarriage_eval'", name="armcarriage_eval")
    error = _missing_extra("synth", exc)
    assert error is not None
    assert "pip install -e ./evaluation" in str(error)
