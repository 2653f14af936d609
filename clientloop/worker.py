"""Drafting workers: lease a job, draft, write the draft once.

A job is claimed by a conditional UPDATE (queued, or running with an expired lease), so
two workers never both hold a live lease. On PostgreSQL the candidate is first picked
with `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers take different jobs
instead of racing for the oldest. While a job is drafted a heartbeat thread renews its
lease every third of the lease, so a long model call is not leased to a second worker;
a worker that lost its lease anyway (it stalled past expiry) does not write its result.
A worker killed mid-job lets its lease expire and another picks the job up. Writing the
draft and finishing the job happen in one transaction, and the draft's unique `job_id`
makes a second write of the same job fail harmlessly.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import col, select

from clientloop.audit_checks import maybe_checkpoint
from clientloop.container import Container
from clientloop.interactions import _audit, draft_interaction, draft_request_for
from pipeline.errors import PipelineError
from records.errors import DatabaseUnavailable, DuplicateRecord
from records.ids import new_id, utcnow
from records.session import session_scope
from records.tables import Draft, Job, Source
from review.gate import on_new_draft

log = logging.getLogger("clientloop.worker")
MAX_ATTEMPTS = 3


def worker_name() -> str:
    """A name that identifies this worker process in leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"


def claim_next(container: Container, worker: str, *, lease_seconds: float = 300.0) -> str | None:
    """Lease the oldest available job; return its id, or None when there is nothing to do."""
    if container.engine.dialect.name == "postgresql":
        return _claim_next_skip_locked(container, worker, lease_seconds)
    with session_scope(container.engine) as session:
        candidates = session.exec(
            select(Job.id).where(_available(utcnow())).order_by(col(Job.created_at)).limit(5)
        ).all()
    for job_id in candidates:
        if claim(container, job_id, worker, lease_seconds=lease_seconds):
            return job_id
    return None


def _claim_next_skip_locked(container: Container, worker: str, lease_seconds: float) -> str | None:
    # Rows another worker is claiming are skipped, not waited for: each worker gets its own job.
    now = utcnow()
    with session_scope(container.engine) as session:
        job_id = session.exec(
            select(Job.id).where(_available(now)).order_by(col(Job.created_at)).limit(1).with_for_update(
                skip_locked=True)
        ).first()
        if job_id is None:
            return None
        session.execute(update(Job).where(col(Job.id) == job_id).values(
            status="running", lease_owner=worker, attempts=col(Job.attempts) + 1,
            lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now))
        return job_id


def heartbeat(container: Container, job_id: str, worker: str, *, lease_seconds: float) -> bool:
    """Renew this worker's lease on a running job; False when the lease is no longer ours."""
    now = utcnow()
    with session_scope(container.engine) as session:
        result = session.execute(
            update(Job).where(col(Job.id) == job_id, col(Job.lease_owner) == worker, col(Job.status) == "running")
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now))
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


@contextmanager
def _heartbeat(container: Container, job_id: str, worker: str, lease_seconds: float) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                if not heartbeat(container, job_id, worker, lease_seconds=lease_seconds):
                    log.warning("job %s: lease lost while drafting", job_id)
                    return
            except DatabaseUnavailable:
                log.warning("job %s: heartbeat failed (database unavailable); retrying", job_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[-6:]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _available(now: datetime) -> ColumnElement[bool]:
    return or_(col(Job.status) == "queued", and_(col(Job.status) == "running", col(Job.lease_expires_at) < now))


def claim(container: Container, job_id: str, worker: str, *, lease_seconds: float = 300.0) -> bool:
    """Lease one job if nobody holds a live lease on it (a compare-and-set UPDATE)."""
    now = utcnow()
    with session_scope(container.engine) as session:
        result = session.execute(
            update(Job)
            .where(col(Job.id) == job_id)
            .where(_available(now))
            .values(status="running", lease_owner=worker, attempts=col(Job.attempts) + 1,
                    lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def process_job(container: Container, job_id: str, worker: str, *, lease_seconds: float = 300.0) -> str:
    """Draft one leased job, renewing the lease meanwhile; return the final job status."""
    with session_scope(container.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        source = session.get(Source, job.source_id)
        assert source is not None
        attempts, author = job.attempts, job.requested_by
        try:
            request = draft_request_for(job, source)
        except ValidationError as exc:
            return _fail_or_retry(container, job_id, worker, MAX_ATTEMPTS, f"invalid job payload: {exc}")

    try:
        with _heartbeat(container, job_id, worker, lease_seconds):
            outcome = draft_interaction(container, request)
    except PipelineError as exc:
        return _fail_or_retry(container, job_id, worker, attempts, str(exc))
    except Exception as exc:  # a bug must not wedge the queue: record it and let a person look
        log.exception("job %s failed", job_id)
        return _fail_or_retry(container, job_id, worker, attempts, f"internal error: {type(exc).__name__}")
    try:
        with session_scope(container.engine) as session:
            draft_id = new_id()
            draft = Draft(
                id=draft_id, lineage_id=draft_id, job_id=job_id, source_id=source.id, client_id=source.client_id,
                author=author, engine=outcome.engine,
                model=outcome.model, prompt_version=outcome.prompt_version, fallback=outcome.fallback,
                content_json=outcome.draft.model_dump_json(),
            )
            job = session.get(Job, job_id)
            assert job is not None
            if job.lease_owner != worker:
                # Our lease ran out while we drafted and another worker holds the job now.
                log.info("job %s: lease lost; leaving it to %s", job_id, job.lease_owner)
                return job.status
            session.add(draft)
            session.flush()
            job.status, job.draft_id, job.error, job.updated_at = "done", draft_id, None, utcnow()
            job.lease_owner, job.lease_expires_at = None, None
            _audit(session, "draft", f"engine:{outcome.engine}",
                   {"draft_id": draft_id, "job_id": job_id, "source_id": source.id, "fallback": outcome.fallback,
                    "prompt_version": outcome.prompt_version, "content": json.loads(draft.content_json)})
            on_new_draft(session, draft)
    except DuplicateRecord:
        # Another worker finished this job first (our lease had run out): keep theirs.
        log.info("job %s already drafted by another worker", job_id)
        return "done"
    return "done"


def _fail_or_retry(container: Container, job_id: str, worker: str, attempts: int, message: str) -> str:
    with session_scope(container.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        if job.lease_owner != worker:
            return job.status
        job.error, job.updated_at = message, utcnow()
        job.status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
        job.lease_owner, job.lease_expires_at = None, None
        return job.status


def run_worker(
    container: Container, *, once: bool = False, poll_seconds: float = 1.0, lease_seconds: float = 300.0,
    max_jobs: int | None = None, stop: threading.Event | None = None,
) -> int:
    """Work the queue until `stop` is set (with `once`, until it is empty). Returns the jobs processed.

    Whenever the queue is empty the worker also writes an audit checkpoint if one is due
    (`CLIENTLOOP_AUDIT_CHECKPOINT_EVERY` events or `..._SECONDS` since the last). A database
    that stops answering is waited for (with backoff up to 30 s), not a reason to exit.
    """
    me = worker_name()
    done, backoff = 0, poll_seconds
    stop = stop or threading.Event()
    while not stop.is_set() and (max_jobs is None or done < max_jobs):
        try:
            job_id = claim_next(container, me, lease_seconds=lease_seconds)
            if job_id is None:
                maybe_checkpoint(container)
                if once:
                    break
                stop.wait(poll_seconds)
                continue
            status = process_job(container, job_id, me, lease_seconds=lease_seconds)
        except DatabaseUnavailable as exc:
            log.warning("database unavailable (%s); retrying in %.0f s", exc, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = poll_seconds
        log.info("job %s -> %s", job_id, status)
        done += 1
    return done
