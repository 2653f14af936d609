"""Leases under concurrency: different jobs per worker, a heartbeat through long calls, a lost lease writes nothing."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from clientloop import worker as worker_module
from clientloop.worker import claim, claim_next, heartbeat, process_job, run_worker
from records.tables import Draft, Job
from tests.clientloop.test_worker import TRANSCRIPT, _submit


def _slow_drafting(monkeypatch, seconds: float, during=None) -> None:
    real = worker_module.draft_interaction

    def slow(container, request):
        if during:
            during()
        time.sleep(seconds)
        return real(container, request)

    monkeypatch.setattr(worker_module, "draft_interaction", slow)


def test_concurrent_workers_take_different_jobs(container) -> None:
    jobs = {_submit(container, text=TRANSCRIPT + f"Priya Shah: Note {i}.\n").id for i in range(6)}
    taken: list[str | None] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        for _ in range(3):
            got = claim_next(container, name, lease_seconds=60)
            with lock:
                taken.append(got)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for j in taken if j) == sorted(jobs)  # every job leased exactly once


def test_the_heartbeat_keeps_a_long_call_from_being_leased_twice(container, monkeypatch) -> None:
    job = _submit(container)
    assert claim(container, job.id, "w1", lease_seconds=0.6)
    stolen: list[bool] = []

    def try_to_steal() -> None:
        def later() -> None:
            time.sleep(1.0)  # well past the 0.6 s lease: only the heartbeat keeps it alive
            stolen.append(claim(container, job.id, "w2", lease_seconds=60))
        threading.Thread(target=later).start()

    _slow_drafting(monkeypatch, 1.5, during=try_to_steal)
    assert process_job(container, job.id, "w1", lease_seconds=0.6) == "done"
    assert stolen == [False]
    with Session(container.engine) as s:
        assert len(s.exec(select(Draft).where(Draft.job_id == job.id)).all()) == 1


def test_a_worker_that_lost_its_lease_writes_nothing(container, monkeypatch) -> None:
    job = _submit(container)
    assert claim(container, job.id, "w1", lease_seconds=60)

    def taken_over() -> None:
        with container.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE job SET lease_owner = 'w2' WHERE id = %s" if
                                 container.engine.dialect.name == "postgresql" else
                                 "UPDATE job SET lease_owner = 'w2' WHERE id = ?", (job.id,))

    _slow_drafting(monkeypatch, 0.1, during=taken_over)
    assert process_job(container, job.id, "w1", lease_seconds=60) == "running"
    assert not heartbeat(container, job.id, "w1", lease_seconds=60)
    with Session(container.engine) as s:
        assert s.exec(select(Draft).where(Draft.job_id == job.id)).all() == []
        assert s.get(Job, job.id).lease_owner == "w2"


def test_run_worker_stops_when_asked(container) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(container,), kwargs={"stop": stop, "poll_seconds": 0.05})
    thread.start()
    job = _submit(container)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with Session(container.engine) as s:
            if s.get(Job, job.id).status == "done":
                break
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    with Session(container.engine) as s:
        assert s.get(Job, job.id).status == "done"
