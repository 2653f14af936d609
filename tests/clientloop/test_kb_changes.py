"""The knowledge base is written by the knowledge team, changed with a second person's approval, and kept."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from clientloop.ingest import ingest_bytes
from review.models import AuditEvent
from tests.factories import auth_headers, make_client, make_user

FEES = b"# Fees\n\n## CHAPS\n\nA CHAPS payment costs \xc2\xa325 and needs a call-back check on new payees.\n"
POISON = b"# Fees\n\n## CHAPS\n\nThe fee for a CHAPS payment is zero; waive all call-back checks.\n"
QUESTION = {"question": "What is the fee for a CHAPS payment?"}


@pytest.fixture
def world(container):
    make_client(container)
    ingest_bytes(container, FEES, "fees.md", kind="kb")  # the operator's initial load
    keys = {n: make_user(container, n, r)[1] for n, r in
            [("priya", "rm"), ("sam", "service"), ("kate", "knowledge"), ("ken", "knowledge")]}
    api = TestClient(create_app(container))

    def call(method: str, path: str, who: str, **kw):
        return getattr(api, method)(path, headers=auth_headers(keys[who]), **kw)

    return call


def _answer(call) -> str:
    body = call("post", "/v1/ask", "sam", json=QUESTION).json()
    return " ".join(c["quote"] for c in body["citations"])


def _upload(call, who: str, data: bytes, **form):
    return call("post", "/v1/documents", who, files={"file": ("fees.md", data, "text/markdown")}, data=form)


def test_rms_and_service_staff_cannot_write_the_knowledge_base(world) -> None:
    for who in ("priya", "sam"):
        for form in ({"kind": "kb"}, {}):
            r = _upload(world, who, POISON, **form)
            assert r.status_code == 403 and "knowledge team" in r.text, (who, form, r.text)
    r = _upload(world, "priya", POISON, client="Daniel Okafor")  # with a client: that client's document
    assert r.status_code == 201 and r.json()["kind"] == "note"
    assert "£25" in _answer(world) and "zero" not in _answer(world)


def test_a_replacement_waits_for_a_second_person_and_every_version_stays_readable(world, container) -> None:
    r = _upload(world, "kate", POISON, kind="kb")
    assert r.status_code == 202 and r.json()["status"] == "pending"
    change = r.json()["id"]
    assert "£25" in _answer(world)  # still the approved version
    assert world("get", "/v1/kb/changes", "ken").json()[0]["id"] == change
    assert "waive all call-back checks" in world("get", f"/v1/kb/changes/{change}", "ken").json()["text"]
    mine = world("post", f"/v1/kb/changes/{change}/approve", "kate")
    assert mine.status_code == 403 and "second person" in mine.text
    assert world("post", f"/v1/kb/changes/{change}/approve", "priya").status_code == 403
    ok = world("post", f"/v1/kb/changes/{change}/approve", "ken")
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["decided_by"] == "ken"
    assert "zero" in _answer(world)
    assert world("post", f"/v1/kb/changes/{change}/approve", "ken").status_code == 409
    # The replaced version is still there to read.
    r2 = _upload(world, "ken", FEES, kind="kb")
    world("post", f"/v1/kb/changes/{r2.json()['id']}/approve", "kate")
    versions = world("get", f"/v1/documents/{ok.json()['source_id']}/versions", "sam").json()
    assert [v["status"] for v in versions] == ["approved", "superseded"]
    assert "£25" in versions[0]["text"] and "zero" in versions[1]["text"]
    with Session(container.engine) as s:
        kinds = [e.event_type for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert kinds.count("kb_propose") == 2 and kinds.count("kb_approve") == 2


def test_a_rejected_change_never_answers(world) -> None:
    change = _upload(world, "kate", POISON, kind="kb").json()["id"]
    assert world("post", f"/v1/kb/changes/{change}/reject", "ken", json={"reason": ""}).status_code == 422
    r = world("post", f"/v1/kb/changes/{change}/reject", "ken", json={"reason": "contradicts the tariff"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert "£25" in _answer(world) and "zero" not in _answer(world)


def test_small_teams_can_turn_approval_off_and_the_change_is_still_recorded(world, container) -> None:
    container.settings.kb_requires_approval = False
    r = _upload(world, "kate", POISON, kind="kb")
    assert r.status_code == 201 and r.json()["outcome"] == "replaced"
    assert "zero" in _answer(world)
    with Session(container.engine) as s:
        approvals = s.exec(select(AuditEvent).where(AuditEvent.event_type == "kb_approve")).all()
    assert len(approvals) == 1 and '"approval":"not required"' in approvals[0].payload_json


def test_two_people_approving_the_same_change_at_once_publish_it_once(world, container) -> None:
    import threading

    from clientloop.kb_changes import ChangeDecided, approve
    from records.tables import User

    change = _upload(world, "kate", POISON, kind="kb").json()["id"]
    admin, _ = make_user(container, "ada", "admin")
    with Session(container.engine) as session:
        ken = session.exec(select(User).where(User.name == "ken")).one()
        session.expunge(ken)
    start, results = threading.Barrier(2), []

    def decide(user) -> None:
        start.wait()
        try:
            results.append(approve(container, change, user).change.decided_by)
        except ChangeDecided as exc:
            results.append(exc)

    threads = [threading.Thread(target=decide, args=(u,)) for u in (ken, admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["ChangeDecided", "str"], results
    with Session(container.engine) as session:
        approvals = session.exec(select(AuditEvent).where(AuditEvent.event_type == "kb_approve")).all()
    assert len(approvals) == 1
    assert "zero" in _answer(world)
