"""The web job queue: atomic claims, leases, requeue after a crash, exactly-once finish."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from armcarriage.web.store import JobStore


def fill(store: JobStore, n: int) -> list[str]:
    ids = []
    for i in range(n):
        jid = store.new_id()
        store.add(jid, team="t", stored_path=f"/x/{i}.mp4", athlete="a")
        ids.append(jid)
    return ids


def test_concurrent_claims_take_each_job_once(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    ids = fill(store, 60)
    claimed: dict[str, list[str]] = {}
    lock = threading.Lock()

    def worker(name: str) -> None:
        own = JobStore(tmp_path / "jobs.sqlite")  # its own connections, as a process would
        while (job := own.claim(name)) is not None:
            with lock:
                claimed.setdefault(job.id, []).append(name)
            assert own.finish(job.id, name, ok=True)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)
    assert all(len(v) == 1 for v in claimed.values())
    assert store.counts() == {"done": 60}
    assert {j.completions for j in store.list_jobs()} == {1}


def test_claim_order_is_oldest_first_and_sets_a_lease(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite", lease_s=30)
    ids = fill(store, 3)
    t0 = time.time()
    job = store.claim("w")
    assert job is not None and job.id == ids[0]
    assert job.status == "running" and job.attempts == 1 and job.lease_owner == "w"
    assert t0 + 29 < job.lease_expires < time.time() + 31


def test_expired_lease_is_requeued_and_only_the_new_owner_can_finish(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite", lease_s=0.2, max_attempts=3)
    (jid,) = fill(store, 1)
    assert store.claim("dead") is not None
    assert store.requeue_expired() == (0, 0)  # lease still valid
    time.sleep(0.3)
    assert store.requeue_expired() == (1, 0)
    assert store.get(jid).status == "queued"
    assert store.heartbeat(jid, "dead") is False  # the old worker learns it lost the job
    job = store.claim("alive")
    assert job is not None and job.attempts == 2
    assert store.finish(jid, "dead", ok=True) is False  # a presumed-dead worker cannot finish
    assert store.finish(jid, "alive", ok=True, outputs={"report": "report.html"}) is True
    assert store.finish(jid, "alive", ok=True) is False  # and nobody finishes twice
    final = store.get(jid)
    assert (
        final.status == "done"
        and final.completions == 1
        and final.outputs == {"report": "report.html"}
    )


def test_heartbeat_keeps_the_lease_and_records_progress(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite", lease_s=0.3)
    (jid,) = fill(store, 1)
    store.claim("w")
    for _ in range(4):
        time.sleep(0.15)
        assert store.heartbeat(jid, "w", 0.5, "pose 5/10 frames")
    assert store.requeue_expired() == (0, 0)
    job = store.get(jid)
    assert job.progress == 0.5 and job.stage == "pose 5/10 frames"


def test_job_interrupted_too_often_fails_with_a_clear_error(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite", lease_s=60, max_attempts=2)
    (jid,) = fill(store, 1)
    store.claim("a")
    assert store.requeue_expired(everything=True) == (1, 0)
    store.claim("b")
    assert store.requeue_expired(everything=True) == (0, 1)
    job = store.get(jid)
    assert job.status == "failed"
    assert "interrupted 2 times" in job.error and "serve.max_attempts" in job.error


def test_requeue_of_one_dead_worker_leaves_others_running(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    a, b = fill(store, 2)
    store.claim("w1")
    store.claim("w2")
    assert store.requeue_expired(owner="w1") == (1, 0)
    assert store.get(a).status == "queued" and store.get(b).status == "running"


def test_release_on_shutdown_does_not_count_an_attempt(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    (jid,) = fill(store, 1)
    store.claim("w")
    assert store.release("w") == 1
    job = store.get(jid)
    assert job.status == "queued" and job.attempts == 0


def test_team_filter(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    jid = store.new_id()
    store.add(jid, team="sharks", stored_path="/x.mp4")
    assert store.get(jid, "sharks") is not None
    assert store.get(jid, "eagles") is None
    assert store.list_jobs("eagles") == []
