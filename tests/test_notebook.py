"""Execute notebooks/walkthrough.ipynb (a real shared clip through the public API) so the
documented API cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"
CLIP = ROOT.parent / "shared" / "data" / "videos" / "treadmill_side_portrait.mp4"


@pytest.mark.slow
@pytest.mark.skipif(not CLIP.is_file(), reason=f"needs the shared clip {CLIP} (../shared/data)")
def test_walkthrough_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "runner found in 100 %" in text
    assert "view: side_left" in text
    cadence = float(re.search(r"cadence: ([\d.]+) steps/min", text).group(1))
    assert cadence == pytest.approx(168.9, abs=2.0)
    assert "report.html" in text and "summary.json" in text
    assert "warming up" in text and "'within noise'" in text
    assert "changed beyond noise" not in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the plot cell must produce a figure"
    assert "import armcarriage as ac" in nb.cells[1].source
    for cell in nb.cells:
        assert "from armcarriage." not in cell.source, "the walkthrough uses the public API only"
