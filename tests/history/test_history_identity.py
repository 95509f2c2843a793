"""Athlete identity in the history: one athlete however the name is typed; merging; migration."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pytest
import typer
from batch_fakes import _strides
from sqlalchemy import insert
from typer.testing import CliRunner

from armcarriage.errors import InputError
from armcarriage.history import db as hdb
from armcarriage.history import store
from armcarriage.history.cli import history_command
from armcarriage.history.identity import athlete_key, merge_athletes


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    hdb.dispose_engines()


def _record(athlete, chash, date=dt.date(2026, 5, 1)):
    return store.SessionRecord(
        athlete=athlete,
        clip=f"/clips/{chash}.mp4",
        clip_key=f"{athlete}__{chash}",
        content_hash=chash,
        settings_hash="s1",
        settings_json="{}",
        software_version="0.1.0",
        status="done",
        date=date,
        analysis_status="ok",
        cues=[f"cue {chash}"],
    )


def _strides_long(seed):
    return store.strides_long(_strides(np.random.default_rng(seed)))


def test_key_drops_case_accents_and_extra_spaces():
    assert athlete_key("Ána") == athlete_key("ana") == athlete_key("ANA") == "ana"
    assert athlete_key("  José   García ") == "jose garcia"
    assert athlete_key("Zoë") == athlete_key("zoe")
    assert athlete_key("Ann") != athlete_key("Anna")


def test_spellings_of_one_name_are_one_athlete_named_as_first_written(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record("Ana", "c1"), _strides_long(1))
    store.record_session(engine, _record("ana", "c2", dt.date(2026, 6, 1)), _strides_long(2))
    store.record_session(engine, _record("Ána", "c3", dt.date(2026, 7, 1)), _strides_long(3))
    assert store.list_athletes(engine) == ["Ana"]
    sessions = store.athlete_sessions(engine, "ÁNA")
    assert list(sessions["content_hash"]) == ["c1", "c2", "c3"]
    assert store.find_session(engine, "ana", "c3", "s1")["clip_key"] == "Ána__c3"
    assert set(store.athlete_metrics(engine, "ana")["session_id"]) == set(sessions["id"])


def test_merge_moves_sessions_keeps_an_alias_and_drops_duplicates(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record("Ana", "c1"), _strides_long(1))
    store.record_session(engine, _record("Annie", "c2"), _strides_long(2))
    store.record_session(engine, _record("Annie", "c1"), _strides_long(1))  # same clip twice
    done = merge_athletes(engine, "annie", "ANA")
    assert (done.source, done.target, done.moved, done.duplicates) == ("Annie", "Ana", 1, 1)
    assert store.list_athletes(engine) == ["Ana"]
    assert sorted(store.athlete_sessions(engine, "Ana")["content_hash"]) == ["c1", "c2"]
    assert sorted(store.athlete_sessions(engine, "Annie")["content_hash"]) == ["c1", "c2"]
    store.record_session(engine, _record("annie", "c4"), _strides_long(4))  # via the alias
    assert store.list_athletes(engine) == ["Ana"]
    assert len(store.athlete_sessions(engine, "Ana")) == 3
    with pytest.raises(InputError, match="already one athlete"):
        merge_athletes(engine, "Annie", "ana")
    with pytest.raises(InputError, match="no athlete 'Bob'"):
        merge_athletes(engine, "Bob", "Ana")


def test_merge_command(tmp_path):
    engine = hdb.get_engine(tmp_path)
    store.record_session(engine, _record("Ben", "c1"), _strides_long(1))
    store.record_session(engine, _record("Benjamin", "c2"), _strides_long(2))
    app = typer.Typer()
    app.command("history")(history_command)
    app.command("other")(lambda: None)
    res = CliRunner().invoke(app, ["history", "merge", "Benjamin", "Ben", "--db", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "merged 'Benjamin' into 'Ben': 1 session(s) moved, 0 duplicate(s)" in res.output
    assert store.list_athletes(engine) == ["Ben"]
    res = CliRunner().invoke(app, ["history", "a", "b", "--db", str(tmp_path)])
    assert isinstance(res.exception, InputError) and "expected ATHLETE or 'merge FROM INTO'" in str(
        res.exception
    )


def test_a_version_1_database_is_migrated_and_its_duplicates_joined(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite"
    monkeypatch.setattr(hdb, "MIGRATIONS", hdb.MIGRATIONS[:1])
    engine = hdb.get_engine(path)
    with engine.begin() as conn:  # version 1 knew no name_key: write as it did
        for i, name in enumerate(["Ana", "ana", "Bo", "Ána"]):
            conn.exec_driver_sql(
                "insert into athletes (id, name, created_at) values (?, ?, ?)",
                (i + 1, name, f"2026-01-0{i + 1} 00:00:00"),
            )
        for sid, (aid, chash) in enumerate([(1, "c1"), (2, "c2"), (3, "c3"), (4, "c1")]):
            values = store._session_values(_record("x", chash), aid)
            conn.execute(insert(hdb.sessions).values(id=sid + 1, **values))
    hdb.dispose_engines()
    monkeypatch.undo()
    engine = hdb.get_engine(path)
    assert store.list_athletes(engine) == ["Ana", "Bo"]
    assert sorted(store.athlete_sessions(engine, "ana")["content_hash"]) == ["c1", "c2"]
    with sqlite3.connect(path) as con:
        versions = [r[0] for r in con.execute("select version from schema_version order by 1")]
        keys = sorted(r[0] for r in con.execute("select name_key from athletes"))
    assert versions == [1, 2] and keys == ["ana", "bo"]
