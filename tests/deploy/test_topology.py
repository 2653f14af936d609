"""Scale-out, shown running: two API processes and two drafting workers on one PostgreSQL and one Chroma server.

The processes are the ones `deploy/compose.yaml` runs, started from this machine's own
parts (`tests/deploy/topology.py`). The test drives upload -> draft -> decide -> release
-> ask through both API processes over HTTP with keys made by `clientloop users add`,
kills a worker with SIGKILL while it holds a job's lease, and then reads the database:
every upload has its job, every job is done, each was drafted exactly once, and the audit
chain verifies.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.deploy.topology import LEASE_SECONDS, Topology, postgres_base_url, running_topology, throwaway_database
from tests.factories import COMPLAINT_CALL, PLAIN_CALL

pytestmark = [pytest.mark.once, pytest.mark.postgres, pytest.mark.chroma_server]

KB_DOC = Path(__file__).resolve().parents[2] / "clientloop" / "demo_data" / "kb" / "fee-schedule.md"
QUESTION = "What is our fee for a same-day CHAPS payment?"
LONG_CALL = PLAIN_CALL * 40
"""An upload a worker takes seconds over (the gate checks each of its 80 actions): caught mid-draft."""


def _keys(top: Topology, **roles: str) -> dict[str, dict[str, str]]:
    """Users made with `clientloop users add` (side by side); each one's bearer header."""
    printed = top.cli(*(["users", "add", name, "--role", role] for name, role in roles.items()))
    return {
        name: {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
        for name, out in zip(roles, printed, strict=True)
    }


def _upload(api: str, who: dict[str, str], body: str, when: str) -> str:
    r = httpx.post(
        f"{api}/v1/interactions",
        headers=who,
        timeout=30,
        data={"client": "Daniel Okafor", "kind": "call_transcript", "occurred_at": when, "create_client": "true"},
        files={"file": ("call.txt", body.encode(), "text/plain")},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["job_id"])


def _lease_of(top: Topology, job_id: str) -> tuple[str, str | None, int]:
    assert top.engine is not None
    with top.engine.connect() as conn:
        row = conn.execute(text("SELECT status, lease_owner, attempts FROM job WHERE id = :id"), {"id": job_id}).one()
    return row.status, row.lease_owner, row.attempts


def _kill_the_worker_drafting(top: Topology, job_id: str) -> int:
    """SIGKILL whichever worker holds `job_id`'s lease, while it holds it; returns the dead worker's pid."""
    deadline = time.monotonic() + 60
    by_pid = {p.pid: p for p in top.workers}
    while time.monotonic() < deadline:
        status, owner, _ = _lease_of(top, job_id)
        pid = int(owner.split(":")[1]) if owner else None
        if status == "running" and pid in by_pid:
            by_pid[pid].send_signal(signal.SIGKILL)
            by_pid[pid].wait(timeout=10)
            top.workers.remove(by_pid[pid])
            return pid
        assert status == "queued", f"job {job_id} went {status} before a worker could be caught drafting it"
        time.sleep(0.02)
    pytest.fail(f"no worker leased job {job_id} within 60 s\n{top.logs()}")


def _wait_done(api: str, who: dict[str, str], job_ids: list[str], timeout: float = 60) -> dict[str, dict]:
    deadline, jobs = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        jobs = {j: httpx.get(f"{api}/v1/jobs/{j}", headers=who, timeout=10).json() for j in job_ids}
        if all(v["status"] in ("done", "failed") for v in jobs.values()):
            return jobs
        time.sleep(0.3)
    pytest.fail(f"jobs not done within {timeout:.0f} s: {[v['status'] for v in jobs.values()]}")


def _approve(api_read: str, api_write: str, who: dict[str, str], draft_id: str) -> dict:
    shown = httpx.get(f"{api_read}/v1/reviews/{draft_id}", headers=who, timeout=30)
    assert shown.status_code == 200, shown.text
    r = httpx.post(
        f"{api_write}/v1/reviews/{shown.json()['review']['id']}/decisions",
        headers={**who, "If-Match": shown.headers["etag"]},
        json={"kind": "approve"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _ask(api: str, who: dict[str, str]) -> dict:
    r = httpx.post(f"{api}/v1/ask", headers=who, json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_two_apis_and_two_workers_lose_nothing_and_draft_each_job_once(tmp_path: Path) -> None:
    with throwaway_database(postgres_base_url()) as url, running_topology(tmp_path, url) as top:
        a, b = top.api_urls
        keys = _keys(top, priya="rm", rita="reviewer", kim="knowledge", ken="knowledge")
        priya, rita, kim, ken = (keys[n] for n in ("priya", "rita", "kim", "ken"))

        # Knowledge: proposed through one API process, approved (and indexed into Chroma) through the other.
        proposed = httpx.post(
            f"{a}/v1/documents",
            headers=kim,
            data={"kind": "kb"},
            timeout=60,
            files={"file": (KB_DOC.name, KB_DOC.read_bytes(), "text/markdown")},
        )
        assert proposed.status_code == 202, proposed.text
        approved = httpx.post(f"{b}/v1/kb/changes/{proposed.json()['id']}/approve", headers=ken, timeout=120)
        assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text

        # A worker is killed while it holds the lease on a long upload; the others go to both APIs meanwhile.
        long_job = _upload(a, priya, LONG_CALL, "2026-11-20T09:00:00+00:00")
        dead = _kill_the_worker_drafting(top, long_job)
        status, owner, _ = _lease_of(top, long_job)
        assert status == "running" and f":{dead}:" in (owner or "")  # the dead worker's lease, not yet expired
        top.start_worker("worker-restarted")  # as compose's restart policy would
        bodies = [
            PLAIN_CALL,
            COMPLAINT_CALL,
            PLAIN_CALL.replace("Friday", "Monday"),
            COMPLAINT_CALL.replace("Friday", "Tuesday"),
        ]
        jobs = [_upload((a, b)[i % 2], priya, body, f"2026-11-2{i}T10:00:00+00:00") for i, body in enumerate(bodies)]

        done = _wait_done(b, priya, [long_job, *jobs], timeout=60 + 3 * LEASE_SECONDS)
        assert {v["status"] for v in done.values()} == {"done"}, done
        assert done[long_job]["attempts"] == 2  # leased by the killed worker, then by a live one
        assert all(done[j]["attempts"] == 1 for j in jobs)

        # Decide through one API process, release again through the other: one record each.
        records = set()
        for i, job_id in enumerate([long_job, *jobs]):
            flagged = done[job_id]["review"]["requires_checker"]
            read, write = (a, b) if i % 2 else (b, a)
            out = _approve(read, write, rita if flagged else priya, done[job_id]["draft"]["id"])
            assert out["review"]["status"] == "released" and out["release"]["created"], out
            again = httpx.post(f"{read}/v1/reviews/{out['review']['id']}/release", headers=rita, timeout=30)
            assert again.status_code == 200 and not again.json()["created"], again.text
            assert again.json()["record_id"] == out["release"]["record_id"]
            records.add(out["release"]["record_id"])
        assert len(records) == 5
        assert [bool(done[j]["review"]["requires_checker"]) for j in jobs] == [False, True, False, True]

        # Both API processes answer from the one Chroma server.
        answers = [_ask(api, priya) for api in (a, b)]
        assert answers[0]["answer"] == answers[1]["answer"]
        assert not answers[0]["abstained"] and "£25" in answers[0]["answer"], answers[0]
        cited = {c["source_id"] for c in answers[0]["citations"]}
        assert cited == {approved.json()["source_id"]}, answers[0]  # the document approved through the other API

        _check_database(top, [long_job, *jobs])
        top.cli(["audit", "verify"])


def _check_database(top: Topology, job_ids: list[str]) -> None:
    """Nothing lost, nothing twice: one source and one job per upload, one draft and one draft event per job."""
    assert top.engine is not None
    with top.engine.connect() as conn:
        jobs = conn.execute(text("SELECT id, status, draft_id, lease_owner FROM job")).all()
        assert sorted(j.id for j in jobs) == sorted(job_ids)
        assert all(j.status == "done" and j.draft_id and j.lease_owner is None for j in jobs)
        assert conn.execute(text("SELECT count(*) FROM source WHERE kind <> 'kb'")).scalar() == len(job_ids)
        drafted = dict(
            conn.execute(text("SELECT job_id, count(*) FROM draft WHERE job_id IS NOT NULL GROUP BY job_id")).all()
        )
        assert drafted == dict.fromkeys(job_ids, 1)
        events = dict(
            conn.execute(
                text(
                    "SELECT payload_json::json->>'job_id', count(*) FROM auditevent WHERE event_type = 'draft' "
                    "AND payload_json::json->>'job_id' IS NOT NULL GROUP BY 1"
                )
            ).all()
        )
        assert events == dict.fromkeys(job_ids, 1)
        assert conn.execute(
            text("SELECT count(*) FROM reviewitem WHERE kind = 'interaction_summary' AND status = 'released'")
        ).scalar() == len(job_ids)
