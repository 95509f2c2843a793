from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from armcarriage.cues.reference import choose_reference
from armcarriage.history import db as hdb
from armcarriage.history import store
from armcarriage.history.reference import history_references


def _session(engine, chash, date, view, necks, conf=0.9, **kw):
    record = store.SessionRecord(
        athlete="Alice",
        clip=f"/clips/{chash}.mp4",
        clip_key=f"alice__{chash}",
        content_hash=chash,
        settings_hash="s1",
        settings_json="{}",
        software_version="0.1.0",
        status=kw.pop("status", "done"),
        date=date,
        view=view,
        analysis_status=kw.pop("analysis_status", "ok"),
        **kw,
    )
    rows = [
        {
            "stride": i,
            "side": side,
            "metric": "shrug_neck_tl",
            "value": v,
            "conf": conf,
            "reason": "",
        }
        for i, v in enumerate(necks)
        for side in ("left", "right")  # one figure, on both arm rows
    ]
    return store.record_session(engine, record, pd.DataFrame(rows))


def test_history_offers_earlier_relaxed_sessions_of_the_same_view_class(tmp_path):
    engine = hdb.get_engine(tmp_path)
    d = dt.date
    _session(engine, "side1", d(2026, 10, 1), "side_left", [0.40, 0.42, 0.41])
    _session(engine, "side2", d(2026, 10, 8), "side_right", [0.43, 0.44, 0.45, 0.44])
    _session(engine, "front1", d(2026, 10, 9), "front", [0.35, 0.36, 0.35])
    _session(engine, "rear1", d(2026, 10, 9), "rear", [0.30, 0.30, 0.30])
    _session(engine, "short", d(2026, 10, 10), "side_left", [0.50, 0.50])  # 2 strides
    _session(engine, "unsure", d(2026, 10, 11), "side_left", [0.5] * 4, conf=0.2)
    _session(engine, "later", d(2026, 12, 1), "side_left", [0.47, 0.47, 0.47])
    _session(engine, "failed", d(2026, 10, 2), "side_left", [0.49] * 3, status="failed")
    _session(engine, "today", d(2026, 11, 30), "side_left", [0.30, 0.31, 0.30])
    refs = history_references(engine, "alice", before=d(2026, 12, 1), exclude_content_hash="today")
    by_key = {r.session: r for r in refs}
    assert sorted(by_key) == ["alice__front1", "alice__side1", "alice__side2"]
    assert by_key["alice__side1"].neck_tl == pytest.approx(0.41)
    assert by_key["alice__side1"].strides == 3
    assert by_key["alice__side2"].neck_tl == pytest.approx(0.44)
    assert by_key["alice__side2"].date == "2026-10-08"
    assert by_key["alice__front1"].view_class == "front"
    # the most relaxed earlier side session serves a side clip, the front one a front clip
    side, _ = choose_reference(refs, "side_left", float("nan"), 1.25)
    assert side is not None and side.session == "alice__side2"
    front, _ = choose_reference(refs, "front", float("nan"), 1.25)
    assert front is not None and front.neck_tl == pytest.approx(0.35)
    # without the date limit the later session is offered too
    everything = history_references(engine, "Alice", min_strides=2)
    assert {"alice__later", "alice__short", "alice__today"} <= {r.session for r in everything}
    assert history_references(engine, "nobody") == []


def test_history_without_a_usable_session_offers_nothing(tmp_path):
    engine = hdb.get_engine(tmp_path)
    _session(engine, "failed", dt.date(2026, 10, 2), "side_left", [0.4] * 3, status="failed")
    _session(engine, "rear", dt.date(2026, 10, 3), "rear", [0.4] * 3)
    assert history_references(engine, "Alice", exclude_content_hash="x") == []


def test_history_reads_a_session_s_framing_from_its_output_folder(tmp_path):
    import json

    engine = hdb.get_engine(tmp_path)
    portrait = tmp_path / "portrait"
    portrait.mkdir()
    (portrait / "summary.json").write_text(
        json.dumps(
            {
                "view": {"label": "side_right"},
                "clip": {"file": "p.mp4", "height": 640},
                "settings": {"analysis": {"normalisers": {"torso_length_px": 96.0}}},
                "metrics": {"shrug_neck_tl": {"both": {"median": 0.45, "n": 3}}},
            }
        )
    )
    d = dt.date
    _session(engine, "p", d(2026, 10, 1), "side_right", [0.45] * 3, output_dir=str(portrait))
    _session(
        engine, "l", d(2026, 10, 2), "side_left", [0.40] * 3, output_dir=str(tmp_path / "gone")
    )
    refs = {r.session: r for r in history_references(engine, "Alice")}
    assert refs["alice__p"].fill == pytest.approx(0.15)
    assert math.isnan(refs["alice__l"].fill)  # no summary.json left: framing unknown
    # a landscape clip (torso 0.21 of the frame height) is not compared with the portrait one
    chosen, why = choose_reference(list(refs.values()), "side_left", 0.21, 1.25)
    assert chosen is not None and chosen.session == "alice__l" and "framed differently" in why
    assert choose_reference(list(refs.values()), "side_left", 0.16, 1.25)[0].session == "alice__p"
