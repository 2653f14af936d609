"""Every API route, called by each role: the status the one access rule (records/access.py) gives.

The cases are one user per role over the demo book: priya owns CRM-1001 (the record
asked for), tom is an RM of another book, then a reviewer, a service agent and an admin.
Reads share one set of records; each write gets a fresh draft or action of its own.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from clientloop.api import create_app
from clients.demo_book import BOOK_DIR
from records.tables import Client
from review.models import RecordAction
from tests.factories import (
    COMPLAINT_CALL,
    PLAIN_CALL,
    auth_headers,
    make_book_world,
    make_draft,
    next_moment,
    review_of,
)

WHO = ("priya", "tom", "rita", "sam", "ada")
"""Own-book RM, other-book RM, reviewer, service, admin: the order of every row below."""


@pytest.fixture(scope="module")
def world(module_container):
    return make_book_world(module_container)


@pytest.fixture(scope="module")
def api(world):
    client = TestClient(create_app(world.container))

    def call(method: str, path: str, who: str, headers: dict[str, str] | None = None, **kw):
        return client.request(method, path, headers={**auth_headers(world.keys[who]), **(headers or {})}, **kw)

    return call


def _cases(rows: dict[str, tuple[int, ...]]) -> list:
    return [pytest.param(route, who, status, id=f"{route}-{who}")
            for route, statuses in rows.items() for who, status in zip(WHO, statuses, strict=True)]


READS = {
    "GET /v1/jobs/{job}": (200, 404, 200, 404, 200),
    "GET /v1/documents/{client_doc}": (200, 404, 200, 404, 200),
    "GET /v1/documents/{kb_doc}": (200, 200, 200, 200, 200),
    "GET /v1/reviews": (200, 200, 200, 403, 200),
    "GET /v1/reviews/{review}": (200, 404, 200, 403, 200),
    "GET /v1/drafts/{draft}": (200, 404, 200, 403, 200),
    "GET /v1/drafts/{draft}/versions": (200, 404, 200, 403, 200),
    "GET /v1/drafts/{draft}/note-quality": (200, 404, 200, 403, 200),
    "GET /v1/clients": (200, 200, 200, 403, 200),
    "GET /v1/clients/{client}/brief": (200, 404, 200, 403, 200),
    "GET /v1/clients/CRM-1001/brief": (200, 404, 200, 403, 200),
    "GET /v1/clients/{client}/handover": (200, 404, 200, 403, 200),
    "GET /v1/weekly": (200, 200, 200, 403, 200),
    "GET /v1/themes": (200, 200, 200, 403, 200),
    "GET /v1/onboarding": (200, 200, 200, 403, 200),
    "POST /v1/ask": (200, 200, 200, 200, 200),
    "POST /v1/reviews/{review}/release": (409, 404, 409, 403, 409),  # pending: nothing to release yet
}


@pytest.mark.parametrize(("route", "who", "status"), _cases(READS))
def test_read_route_answers_by_role(world, api, route: str, who: str, status: int) -> None:
    method, template = route.split(" ")
    path = template.format(job=world.job_id, client_doc=world.client_doc_id, kb_doc=world.kb_doc_id,
                           review=world.review_id, draft=world.draft_id, client=world.client_id)
    body = {"json": {"question": "What does a CHAPS payment cost?"}} if path == "/v1/ask" else {}
    r = api(method, path, who, **body)
    assert r.status_code == status, r.text


def test_job_shows_the_flagged_draft_only_to_those_who_may_read_drafts(world, api) -> None:
    assert api("GET", f"/v1/jobs/{world.job_id}", "priya").json()["draft"]["content"]["summary"]
    assert api("GET", f"/v1/jobs/{world.job_id}", "rita").json()["draft"] is not None
    r = api("GET", f"/v1/jobs/{world.job_id}", "sam")
    assert r.status_code == 404 and "complaint" not in r.text


def test_service_sees_its_own_upload_but_never_the_draft(world, api) -> None:
    from clientloop.worker import run_worker

    r = api("POST", "/v1/interactions", "sam", data={
        "client": "CRM-1001", "kind": "call_transcript", "text": COMPLAINT_CALL, "occurred_at": next_moment()})
    assert r.status_code == 202, r.text
    run_worker(world.container, once=True)
    job = api("GET", r.json()["status_url"], "sam")
    assert job.status_code == 200 and job.json()["status"] == "done"
    assert job.json()["draft"] is None and "formal complaint" not in job.text
    assert api("GET", r.json()["status_url"], "rita").json()["draft"] is not None


WRITES = {
    "POST /v1/interactions": (202, 404, 403, 202, 202),
    "POST /v1/documents": (201, 404, 403, 201, 201),
    "POST /v1/reviews/{fresh}/decisions": (403, 404, 200, 403, 200),  # a flagged draft priya made
    "POST /v1/reviews/{fresh}/claim": (403, 403, 200, 403, 200),
    "POST /v1/actions/{action}/close": (200, 404, 200, 403, 200),
    "POST /v1/clients/import": (403, 403, 403, 403, 200),
}


def _open_action_in_priyas_book(world, who: str) -> str:
    with Session(world.container.engine) as session:
        rows = session.exec(select(RecordAction.id).join(Client, col(Client.id) == col(RecordAction.client_id))
                            .where(Client.relationship_owner == "priya", RecordAction.status == "open")
                            .order_by(col(RecordAction.id))).all()
    return rows[WHO.index(who)]  # one action per case: a close by one role never blocks another's


def _write(world, api, route: str, who: str):
    if route == "POST /v1/interactions":
        return api("POST", "/v1/interactions", who, data={
            "client": "CRM-1001", "kind": "call_transcript", "text": PLAIN_CALL, "occurred_at": next_moment()})
    if route == "POST /v1/documents":
        note = f"# Note by {who}\n\nThe client called about the ISA allowance.\n".encode()
        return api("POST", "/v1/documents", who, files={"file": (f"note-{who}.md", note, "text/markdown")},
                   data={"client": "CRM-1001"})
    if route == "POST /v1/actions/{action}/close":
        return api("POST", f"/v1/actions/{_open_action_in_priyas_book(world, who)}/close", who,
                   json={"reason": "done on the call"})
    if route == "POST /v1/clients/import":
        data = f"Client ID,Client Name,RM\nCRM-9{WHO.index(who)}00,Imported by {who},tom\n".encode()
        return api("POST", "/v1/clients/import", who, files=[("files", ("clients.csv", data, "text/csv"))],
                   data={"mapping": (BOOK_DIR / "mapping.yaml").read_text()})
    fresh = review_of(world.container, make_draft(world.container, COMPLAINT_CALL, author="priya",
                                                  client="CRM-1001", occurred_at=next_moment()).id)
    if route.endswith("/claim"):
        return api("POST", f"/v1/reviews/{fresh.id}/claim", who, headers={"If-Match": '"1"'})
    return api("POST", f"/v1/reviews/{fresh.id}/decisions", who, json={"kind": "approve"},
               headers={"If-Match": '"1"'})


@pytest.mark.parametrize(("route", "who", "status"), _cases(WRITES))
def test_write_route_answers_by_role(world, api, route: str, who: str, status: int) -> None:
    r = _write(world, api, route, who)
    assert r.status_code == status, r.text


def test_upload_by_crm_id_files_it_under_that_client(world, api) -> None:
    r = api("POST", "/v1/interactions", "priya", data={
        "client": "CRM-1001", "kind": "call_transcript", "text": PLAIN_CALL, "occurred_at": next_moment()})
    assert r.status_code == 202, r.text
    from records.tables import Job

    with Session(world.container.engine) as session:
        assert session.get(Job, r.json()["job_id"]).client_id == world.client_id


def test_themes_keep_to_the_callers_book_and_link_their_examples(world, api) -> None:
    with Session(world.container.engine) as session:
        owners = {c.id: c.relationship_owner for c in session.exec(select(Client)).all()}
    for who in ("priya", "tom"):
        body = api("GET", "/v1/themes?owner=ada", who).json()
        examples = [e for t in body["themes"] for e in t["examples"]]
        assert body["owner"] == who and examples and {owners[e["client_id"]] for e in examples} == {who}
    every = api("GET", "/v1/themes", "rita").json()
    assert every["clients"] == len(owners) and every["themes"][0]["by_month"]
    assert api("GET", "/v1/themes?since=2026-13-01", "rita").status_code == 422
