"""Execute notebooks/walkthrough.ipynb so the documented API cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "walkthrough.ipynb"


def test_walkthrough_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        if exc.ename == "NotImplementedError":
            pytest.skip(f"armcarriage.analyze is not implemented yet: {exc.evalue}")
        raise
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Elbows clamped tight" in text
    assert "report.html" in text and "annotated.mp4" in text
    assert "with threshold 55: no cue" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the plot cell must produce a figure"
