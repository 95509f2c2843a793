"""The same batch on a Dask LocalCluster gives the same results as the local process pool."""

from __future__ import annotations

import json
import sqlite3

import pytest
from batch_fakes import fake_analysis
from test_batch import _squad

from armcarriage.batch.runner import run_batch

distributed = pytest.importorskip(
    "distributed", reason="dask[distributed] not installed (extra: batch)"
)


def _db_content(db):
    with sqlite3.connect(db) as con:
        sessions = con.execute(
            "select a.name, s.clip_key, s.content_hash, s.settings_hash, s.status, s.error, "
            "s.cues_json, s.summary_json, s.view from sessions s "
            "join athletes a on a.id = s.athlete_id order by s.clip_key"
        ).fetchall()
        strides = con.execute(
            "select s.clip_key, m.stride, m.side, m.metric, m.value, m.conf, m.reason "
            "from stride_metrics m join sessions s on s.id = m.session_id order by 1, 2, 3, 4"
        ).fetchall()
    return sessions, strides


def _markers(out):
    keep = ("state", "content_hash", "settings_hash", "row", "cues", "error", "outputs")
    return {
        p.parent.name: {k: json.loads(p.read_text())[k] for k in keep}
        for p in sorted(out.glob("*/batch.json"))
    }


def test_dask_local_cluster_matches_local_pool(tmp_path):
    squad = _squad(tmp_path)
    pool_out, dask_out = tmp_path / "pool", tmp_path / "dask"
    pool = run_batch(squad, pool_out, workers=2, analyse=fake_analysis)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = run_batch(
            squad, dask_out, scheduler=cluster.scheduler_address, analyse=fake_analysis
        )
    assert [(o.key, o.state) for o in on_dask.outcomes] == [(o.key, o.state) for o in pool.outcomes]
    assert on_dask.count("done") == 3 and on_dask.exit_code == 1
    assert (dask_out / "team.csv").read_text() == (pool_out / "team.csv").read_text()
    assert _markers(dask_out) == _markers(pool_out)
    assert _db_content(dask_out / "history.sqlite") == _db_content(pool_out / "history.sqlite")
    assert len(_db_content(dask_out / "history.sqlite")[1]) > 0
