"""The batch gives each clip the athlete's relaxed references from the history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from batch_fakes import fake_analysis_with_references, make_video_bytes

from armcarriage.batch.runner import run_batch
from armcarriage.history import store
from armcarriage.history.db import get_engine


def _earlier_session(db, athlete, chash, date, view, necks):
    record = store.SessionRecord(
        athlete=athlete,
        clip=f"/old/{chash}.mp4",
        clip_key=f"old__{chash}",
        content_hash=chash,
        settings_hash="s0",
        settings_json="{}",
        software_version="0.1.0",
        status="done",
        date=date,
        view=view,
        analysis_status="ok",
    )
    rows = pd.DataFrame(
        [
            {"stride": i, "side": s, "metric": "shrug_neck_tl", "value": v, "conf": 0.9}
            for i, v in enumerate(necks)
            for s in ("left", "right")
        ]
    ).assign(reason="")
    store.record_session(get_engine(db), record, rows)


def test_batch_passes_the_athlete_s_earlier_relaxed_sessions(tmp_path):
    folder = tmp_path / "squad"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "a1.mp4").write_bytes(make_video_bytes(1))
    (folder / "bob.mp4").write_bytes(make_video_bytes(2))
    manifest = folder / "m.csv"
    manifest.write_text(
        "path,athlete,date\nalice/a1.mp4,Alice,2026-05-10\nbob.mp4,Bob,2026-05-10\n"
    )
    db = tmp_path / "history.sqlite"
    d = dt.date
    _earlier_session(db, "Alice", "h1", d(2026, 5, 1), "side_right", [0.43, 0.44, 0.45])
    _earlier_session(db, "Alice", "h2", d(2026, 6, 1), "side_left", [0.50, 0.50, 0.50])  # later
    result = run_batch(
        manifest, tmp_path / "out", workers=1, db=db, analyse=fake_analysis_with_references
    )
    assert result.count("done") == 2
    # Alice's clip got her earlier session only; Bob has no history
    refs = {
        p.parent.name.split("__")[0]: p.read_text() for p in (tmp_path / "out").rglob("refs.txt")
    }
    assert refs == {"Alice": "old__h1 2026-05-01 0.440\n", "Bob": ""}
