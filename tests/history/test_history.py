"""History database: schema migrations, atomic sessions, concurrent writers, history command."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import sqlite3

import pandas as pd
import pytest
import typer
from batch_fakes import METRICS, N_STRIDES, _strides, write_sessions
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from armcarriage.errors import InputError
from armcarriage.history import db as hdb
from armcarriage.history import store
from armcarriage.history.cli import existing_database, history_command

STRIDE_ROWS = N_STRIDES * 2 * len(METRICS)


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    hdb.dispose_engines()


def _record(athlete="ann", chash="c1", date=dt.date(2026, 5, 1), cues=("elbows in",), **kw):
    return store.SessionRecord(
        athlete=athlete,
        clip=f"/clips/{chash}.mp4",
        clip_key=f"{athlete}__{chash}",
        content_hash=chash,
        settings_hash=kw.pop("settings_hash", "s1"),
        settings_json="{}",
        software_version="0.1.0",
        status=kw.pop("status", "done"),
        date=date,
        view="side_left",
        analysis_status="ok",
        cues=list(cues),
        **kw,
    )


def _strides_long(seed):
    import numpy as np

    return store.strides_long(_strides(np.random.default_rng(seed)))


def test_schema_is_created_once_in_wal_mode(tmp_path):
    engine = hdb.get_engine(tmp_path)
    assert str(engine.url) == f"sqlite:///{tmp_path / 'history.sqlite'}"
    with engine.connect() as conn:
        assert hdb.current_version(conn) == hdb.MIGRATIONS[-1][0]
    con = sqlite3.connect(tmp_path / "history.sqlite")
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"schema_version", "athletes", "sessions", "stride_metrics"} <= tables
    assert con.execute("select count(*) from schema_version").fetchone()[0] == len(hdb.MIGRATIONS)
    con.close()
    hdb.dispose_engines()
    hdb.get_engine(tmp_path / "history.sqlite")  # reopening applies nothing again
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("select count(*) from schema_version").fetchone()[0] == len(
            hdb.MIGRATIONS
        )


def test_new_migration_step_is_applied_in_order(tmp_path, monkeypatch):
    hdb.get_engine(tmp_path)
    hdb.dispose_engines()
    applied = []
    nxt = hdb.MIGRATIONS[-1][0] + 1

    def step2(conn):
        applied.append(nxt)
        conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN coach TEXT DEFAULT ''")

    monkeypatch.setattr(hdb, "MIGRATIONS", [*hdb.MIGRATIONS, (nxt, "coach column", step2)])
    hdb.get_engine(tmp_path)
    hdb.dispose_engines()
    hdb.get_engine(tmp_path)
    assert applied == [nxt]
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        cols = [r[1] for r in con.execute("pragma table_info(sessions)")]
        versions = [r[0] for r in con.execute("select version from schema_version order by 1")]
    assert "coach" in cols and versions == [*range(1, nxt + 1)]


def test_newer_schema_is_refused(tmp_path):
    hdb.get_engine(tmp_path)
    hdb.dispose_engines()
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        con.execute("insert into schema_version values (99, 'future', '2030-01-01')")
    with pytest.raises(hdb.HistoryError, match="schema version 99 is newer"):
        hdb.get_engine(tmp_path)


def test_url_resolution(tmp_path):
    assert hdb.resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert hdb.resolve_url(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    with pytest.raises(InputError, match="expected a URL"):
        hdb.resolve_url("")
    with pytest.raises(InputError, match="not found"):
        existing_database(str(tmp_path / "missing.sqlite"))
    assert not (tmp_path / "missing.sqlite").exists()


def test_session_with_strides_and_replacement(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record(), _strides_long(1))
    store.record_session(engine, _record(cues=["relax"]), _strides_long(2))
    sessions = store.athlete_sessions(engine, "ann")
    assert len(sessions) == 1 and sessions.iloc[0]["cues"] == ["relax"]
    assert sessions.iloc[0]["n_strides"] == N_STRIDES
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("select count(*) from stride_metrics").fetchone()[0] == STRIDE_ROWS
    # NaN values are stored as NULL with their reason
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        row = con.execute(
            "select value, reason from stride_metrics where metric='trunk_rotation_deg' "
            "and value is null"
        ).fetchone()
    assert row == (None, "hip occluded")


def test_failed_insert_leaves_no_partial_session(tmp_path, monkeypatch):
    engine = hdb.get_engine(tmp_path)
    good = store._stride_rows(_strides_long(3))
    bad = [*good[:10], {**good[10], "metric": None}]  # NOT NULL violation mid-way
    monkeypatch.setattr(store, "_stride_rows", lambda strides: bad)
    with pytest.raises(IntegrityError):
        store.record_session(engine, _record(), _strides_long(3))
    with sqlite3.connect(tmp_path / "history.sqlite") as con:
        assert con.execute("select count(*) from sessions").fetchone()[0] == 0
        assert con.execute("select count(*) from stride_metrics").fetchone()[0] == 0


def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path):
    db = str(tmp_path / "history.sqlite")
    hdb.get_engine(db)  # schema first, as the batch coordinator does
    ctx = mp.get_context("spawn")
    start = ctx.Manager().Event()
    n_writers, n = 4, 8
    with ctx.Pool(n_writers) as pool:
        pending = [pool.apply_async(write_sessions, (db, w, n, start)) for w in range(n_writers)]
        start.set()
        results = [p.get(timeout=120) for p in pending]
    assert all(len(r) == n + 1 for r in results)
    with sqlite3.connect(db) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        keys = con.execute("select clip_key from sessions").fetchall()
        strides = dict(
            con.execute("select session_id, count(*) from stride_metrics group by 1").fetchall()
        )
        athletes = con.execute("select name from athletes order by 1").fetchall()
    expected = {f"w{w}-{i}" for w in range(n_writers) for i in range(n)} | {"shared"}
    assert sorted(k[0] for k in keys) == sorted(expected)  # all present, none twice
    assert len(strides) == len(expected) and set(strides.values()) == {STRIDE_ROWS}
    assert [a[0] for a in athletes] == ["athlete0", "athlete1", "athlete2"]


def test_metrics_over_dates(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record(chash="c1", date=dt.date(2026, 5, 1)), _strides_long(1))
    store.record_session(engine, _record(chash="c2", date=dt.date(2026, 4, 1)), _strides_long(2))
    store.record_session(
        engine, _record(chash="c3", status="failed", error="VideoError: bad"), None
    )
    metrics = store.athlete_metrics(engine, "ann")
    elbow = metrics[(metrics["metric"] == "elbow_angle_mean") & (metrics["side"] == "left")]
    assert [str(d) for d in elbow["date"]] == ["2026-04-01", "2026-05-01"]
    expected = _strides(__import__("numpy").random.default_rng(1))
    left = expected[expected["side"] == "left"]["elbow_angle_mean"].median()
    assert elbow.iloc[-1]["median"] == pytest.approx(left)
    assert set(elbow["n"]) == {N_STRIDES}


def test_history_command_prints_and_plots(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record(chash="c1", cues=["elbows in"]), _strides_long(1))
    store.record_session(
        engine, _record(chash="c2", date=dt.date(2026, 6, 1), cues=["relax"]), _strides_long(2)
    )
    app = typer.Typer()
    app.command("history")(history_command)
    app.command("other")(lambda: None)
    out = tmp_path / "plots"
    res = CliRunner().invoke(
        app, ["history", "ann", "--db", str(tmp_path), "--out", str(out)], terminal_width=200
    )
    assert res.exit_code == 0, res.output
    assert "elbows in" in res.output and "relax" in res.output
    assert "elbow_angle_mean" in res.output and "2026-06-01" in res.output
    png = (out / "history_ann.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    page = (out / "history_ann.html").read_text()
    assert "data:image/png;base64," in page and "elbows in" in page
    res = CliRunner().invoke(app, ["history", "nobody", "--db", str(tmp_path)])
    assert isinstance(res.exception, InputError) and "athletes in" in str(res.exception)
    assert "ann" in str(res.exception)


def test_strides_long_shape():
    import numpy as np

    wide = _strides(np.random.default_rng(0))
    long = store.strides_long(wide)
    assert len(long) == STRIDE_ROWS
    assert list(long.columns) == list(store.STRIDE_COLUMNS)
    one = long[
        (long["stride"] == 2) & (long["side"] == "right") & (long["metric"] == "cadence_spm")
    ]
    assert one["value"].item() == pytest.approx(
        wide[(wide["stride"] == 2) & (wide["side"] == "right")]["cadence_spm"].item()
    )
    assert isinstance(long, pd.DataFrame)
