from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from clientloop.api import create_app
from review.models import OutboxMessage
from tests.factories import (
    COMPLAINT_CALL,
    PLAIN_CALL,
    auth_headers,
    content_of,
    make_client,
    make_draft,
    make_user,
    review_of,
)


@pytest.fixture
def api(container):
    make_client(container)
    make_client(container, "Other Client", owner="omar")
    keys = {n: make_user(container, n, r)[1] for n, r in
            [("priya", "rm"), ("omar", "rm"), ("rita", "reviewer"), ("rex", "reviewer"), ("sam", "service")]}
    client = TestClient(create_app(container))

    def call(method: str, path: str, who: str, **kw):
        headers = {**auth_headers(keys[who]), **kw.pop("headers", {})}
        return getattr(client, method)(path, headers=headers, **kw)

    return call


def test_queue_lists_filters_and_paginates(container, api) -> None:
    plain = make_draft(container, PLAIN_CALL)
    flagged = make_draft(container, COMPLAINT_CALL, occurred_at="2026-11-17T10:00:00+00:00")
    other = make_draft(container, PLAIN_CALL, client="Other Client", author="omar")
    r = api("get", "/v1/reviews", "rita")
    assert r.status_code == 200 and r.json()["total"] == 3
    ids = [i["current_draft_id"] for i in r.json()["items"]]
    assert ids == [plain.id, flagged.id, other.id]  # oldest first
    page = api("get", "/v1/reviews?page=2&page_size=2", "rita").json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["page"] == 2
    only = api("get", "/v1/reviews?flag=complaint", "rita").json()
    assert [i["current_draft_id"] for i in only["items"]] == [flagged.id] and "complaint" in only["items"][0]["flags"]
    by_client = api("get", "/v1/reviews?client=Other%20Client", "rita").json()
    assert [i["current_draft_id"] for i in by_client["items"]] == [other.id]
    assert api("get", "/v1/reviews?min_age_hours=1", "rita").json()["total"] == 0
    assert api("get", "/v1/reviews?status=in_review", "rita").json()["total"] == 1
    mine = api("get", "/v1/reviews", "priya").json()
    assert {i["current_draft_id"] for i in mine["items"]} == {plain.id, flagged.id}
    assert api("get", "/v1/reviews", "omar").json()["total"] == 1
    assert api("get", "/v1/reviews", "sam").status_code == 403


def test_show_puts_draft_beside_source_with_spans_and_reasons(container, api) -> None:
    draft = make_draft(container, COMPLAINT_CALL)
    item = review_of(container, draft.id)
    r = api("get", f"/v1/reviews/{item.id}", "rita")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    body = r.json()
    assert body["source_text"] == COMPLAINT_CALL and body["content"] == content_of(draft)
    assert body["evidence"] and all(COMPLAINT_CALL[e["start"]:e["end"]] == e["text"] for e in body["evidence"])
    complaint = [f for f in body["flags"] if f["flag"] == "complaint" and f["where"] == "source"]
    assert complaint and complaint[0]["rule_id"] and complaint[0]["reason"]
    assert COMPLAINT_CALL[complaint[0]["start"]:complaint[0]["end"]] == complaint[0]["matched"]
    assert api("get", f"/v1/reviews/{draft.id}", "rita").json()["review"]["id"] == item.id  # by draft id too


def test_claim_then_approve_with_etag_releases_record_and_recap(container, api) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    r = api("post", f"/v1/reviews/{item.id}/claim", "rita")
    assert r.status_code == 200 and r.json()["assignee"] == "rita" and r.headers["etag"] == '"2"'
    assert api("post", f"/v1/reviews/{item.id}/claim", "rex").status_code == 409
    r = api("post", f"/v1/reviews/{item.id}/decisions", "rita", json={"kind": "approve"}, headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"]["kind"] == "approve" and body["release"]["created"] and body["release"]["record_id"]
    assert body["review"]["status"] == "released" and r.headers["etag"] == f'"{body["review"]["version"]}"'
    recap = body["release"]["recap_review_id"]
    assert recap and api("get", f"/v1/reviews/{recap}", "rex").json()["review"]["kind"] == "client_message"
    again = api("post", f"/v1/reviews/{item.id}/release", "rita")
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["record_id"] == body["release"]["record_id"]


def test_decision_preconditions(container, api) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    url = f"/v1/reviews/{item.id}/decisions"
    r = api("post", url, "rita", json={"kind": "approve"})
    assert r.status_code == 428 and r.json()["error"]["code"] == "precondition_required"
    r = api("post", url, "rita", json={"kind": "approve"}, headers={"If-Match": '"7"'})
    assert r.status_code == 412 and r.headers["etag"] == '"1"'
    assert review_of(container, item.id).status == "in_review"
    r = api("post", url, "priya", json={"kind": "approve"}, headers={"If-Match": '"1"'})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"  # the author of a flagged draft
    assert api("post", url, "rita", json={"kind": "reject"}, headers={"If-Match": '"1"'}).status_code == 422
    r = api("post", url, "rita", json={"kind": "reject", "reason": ""}, headers={"If-Match": '"1"'})
    assert r.status_code == 422
    r = api("post", url, "priya", json={"kind": "approve", "status": "approved"}, headers={"If-Match": '"1"'})
    assert r.status_code == 422
    r = api("post", url, "rita", json={"kind": "reject", "reason": "wrong client"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["review"]["status"] == "rejected" and r.json()["release"] is None
    r = api("post", url, "rex", json={"kind": "approve"}, headers={"If-Match": '"2"'})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_decided"
    assert api("post", f"/v1/reviews/{item.id}/release", "rex").status_code == 409


def test_edit_makes_a_version_visible_in_the_trail(container, api) -> None:
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    edited = content_of(draft)
    edited["summary"]["key_facts"] = ["Illustration due Friday"]
    r = api("post", f"/v1/reviews/{item.id}/decisions", "priya", json={"kind": "edit", "content": edited},
            headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["decision"]["diff"] and r.headers["etag"] == '"2"'
    new_id = r.json()["review"]["current_draft_id"]
    got = api("get", f"/v1/drafts/{new_id}", "priya").json()
    assert got["version"] == 2 and got["parent_id"] == draft.id and got["content"]["summary"]["key_facts"] == [
        "Illustration due Friday"]
    versions = api("get", f"/v1/drafts/{draft.id}/versions", "priya").json()
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["content"] == content_of(draft)
    bad = dict(edited, actions=[dict(edited["actions"][0], evidence={"text": "never said"})])
    r = api("post", f"/v1/reviews/{item.id}/decisions", "priya", json={"kind": "edit", "content": bad},
            headers={"If-Match": '"2"'})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_decision"
    r = api("post", f"/v1/reviews/{item.id}/decisions", "priya", json={"kind": "approve"}, headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["release"]["record_id"]


def test_someone_elses_draft_answers_404(container, api) -> None:
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    for path in (f"/v1/drafts/{draft.id}", f"/v1/drafts/{draft.id}/versions", f"/v1/reviews/{item.id}"):
        assert api("get", path, "omar").status_code == 404
        assert api("get", path, "priya").status_code == 200
    r = api("post", f"/v1/reviews/{item.id}/decisions", "omar", json={"kind": "approve"}, headers={"If-Match": '"1"'})
    assert r.status_code == 404
    assert api("get", "/v1/drafts/nope", "rita").status_code == 404


def test_client_message_approval_goes_to_outbox_never_sent(container, api) -> None:
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    recap = api("post", f"/v1/reviews/{item.id}/decisions", "priya", json={"kind": "approve"},
                headers={"If-Match": '"1"'}).json()["release"]["recap_review_id"]
    shown = api("get", f"/v1/reviews/{recap}", "priya")
    assert shown.json()["content"]["body"].startswith("Dear Daniel Okafor")
    r = api("post", f"/v1/reviews/{recap}/decisions", "priya", json={"kind": "approve"},
            headers={"If-Match": shown.headers["etag"]})
    assert r.status_code == 200 and r.json()["release"]["outbox_id"]
    with Session(container.engine) as s:
        rows = s.exec(select(OutboxMessage)).all()
    assert len(rows) == 1 and rows[0].sent is False and rows[0].approved_by == "priya"


def test_openapi_documents_review_errors(api) -> None:
    spec = api("get", "/openapi.json", "rita").json()
    decide = spec["paths"]["/v1/reviews/{review_id}/decisions"]["post"]
    assert {"401", "403", "404", "409", "412", "422", "428"} <= set(decide["responses"])
    assert any("If-Match" == p["name"] for p in decide["parameters"])


def test_status_fields_in_an_upload_grant_nothing(container, api) -> None:
    from clientloop.worker import run_worker

    r = api("post", "/v1/interactions", "priya", data={
        "client": "Daniel Okafor", "kind": "call_transcript", "text": PLAIN_CALL, "status": "approved",
        "approved_by": "rita", "requires_checker": "false", "review_status": "released"})
    assert r.status_code == 202
    run_worker(container, once=True)
    items = api("get", "/v1/reviews", "rita").json()["items"]
    assert len(items) == 1 and items[0]["status"] == "awaiting_author" and items[0]["version"] == 1


def test_claim_can_be_given_back_and_handed_over(container, api) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    r = api("post", f"/v1/reviews/{item.id}/claim", "rita")
    assert r.status_code == 200 and r.json()["claim_expires_at"]
    assert api("delete", f"/v1/reviews/{item.id}/claim", "rex").status_code == 403
    r = api("delete", f"/v1/reviews/{item.id}/claim", "rita")
    assert r.status_code == 200 and r.json()["assignee"] is None
    api("post", f"/v1/reviews/{item.id}/claim", "rita")
    assert api("post", f"/v1/reviews/{item.id}/handover", "rita", json={"to": "sam"}).status_code == 422
    r = api("post", f"/v1/reviews/{item.id}/handover", "rita", json={"to": "rex"})
    assert r.status_code == 200 and r.json()["assignee"] == "rex"
    version = r.headers["etag"]
    assert api("post", f"/v1/reviews/{item.id}/decisions", "rita", json={"kind": "approve"},
               headers={"If-Match": version}).status_code == 403
    assert api("post", f"/v1/reviews/{item.id}/decisions", "rex", json={"kind": "approve"},
               headers={"If-Match": version}).status_code == 200


def test_review_detail_carries_the_clients_restrictions(container, api) -> None:
    from datetime import date

    from clients.models import WatchItem
    from records.session import session_scope
    from records.tables import Client

    with session_scope(container.engine) as s:
        client = s.exec(select(Client).where(Client.name == "Daniel Okafor")).one()
        s.add(WatchItem(client_id=client.id, kind="restriction", since=date(2026, 1, 27),
                        text="Lasting power of attorney registered: instructions from the attorney only"))
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    facts = api("get", f"/v1/reviews/{item.id}", "rita").json()["client_facts"]
    assert [(f["kind"], f["since"]) for f in facts] == [("restriction", "2026-01-27")]
    assert "attorney only" in facts[0]["text"]


@contextmanager
def statements_on(engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _queue_of(container, n: int) -> None:
    """`n` drafts, every other one flagged, drafted by one worker run (as the review bench seeds them)."""
    import json

    from clientloop.interactions import submit_interaction
    from clientloop.worker import run_worker
    from tests.factories import PEOPLE

    for i in range(n):
        text = (COMPLAINT_CALL if i % 2 else PLAIN_CALL) + f"Priya Shah: Reference {i}.\n"
        submit_interaction(container, data=text.encode(), filename=f"call{i}.txt", client="Daniel Okafor",
                           kind="call_transcript", occurred_at=f"2026-11-16T10:{i // 60:02d}:{i % 60:02d}+00:00",
                           participants=json.dumps(PEOPLE), requested_by="priya")
    run_worker(container, once=True)


def test_a_full_page_takes_two_queries_and_a_last_page_one_once_the_key_is_known(container, api) -> None:
    _queue_of(container, 50)
    with statements_on(container.engine) as cold:
        assert api("get", "/v1/reviews?page_size=50", "rita").status_code == 200
    assert len(cold) == 3, cold  # the key (read once, then remembered), the page, the total
    with statements_on(container.engine) as sent:
        r = api("get", "/v1/reviews?page_size=50", "rita")
    assert r.status_code == 200 and len(r.json()["items"]) == 50 and r.json()["total"] == 50
    assert any(i["flags"] for i in r.json()["items"])
    assert len(sent) == 2, sent  # the page and the total: nothing per item
    with statements_on(container.engine) as small:
        assert len(api("get", "/v1/reviews?page_size=5", "rita").json()["items"]) == 5
    assert len(small) == 2
    with statements_on(container.engine) as last:
        body = api("get", "/v1/reviews?page_size=20&page=3", "rita").json()
    assert len(body["items"]) == 10 and body["total"] == 50
    assert len(last) == 1, last  # a page that is not full gives the total itself
    with statements_on(container.engine) as beyond:
        assert api("get", "/v1/reviews?page_size=20&page=9", "rita").json() == {
            "items": [], "total": 50, "page": 9, "page_size": 20}
    assert len(beyond) == 2
    assert api("get", "/v1/reviews?status=released", "rita").json()["total"] == 0


def test_reading_an_item_takes_five_queries_however_many_flags_decisions_and_facts(container, api) -> None:
    from datetime import date

    from clients.models import ServiceCase, WatchItem
    from records.session import session_scope

    plain = review_of(container, make_draft(container, PLAIN_CALL).id)
    assert api("get", f"/v1/reviews/{plain.id}", "rita").status_code == 200  # the key is read once
    with statements_on(container.engine) as bare:
        assert api("get", f"/v1/reviews/{plain.id}", "rita").status_code == 200
    draft = make_draft(container, COMPLAINT_CALL, occurred_at="2026-11-17T10:00:00+00:00")
    item = review_of(container, draft.id)
    for version in (1, 2):
        edited = content_of(draft)
        edited["summary"]["key_facts"] = [f"Edit {version}"]
        assert api("post", f"/v1/reviews/{item.id}/decisions", "priya", json={"kind": "edit", "content": edited},
                   headers={"If-Match": f'"{version}"'}).status_code == 200
    with session_scope(container.engine) as s:
        s.add_all([WatchItem(client_id=item.client_id, kind="restriction", text="Attorney only"),
                   WatchItem(client_id=item.client_id, kind="watch", text="Recently bereaved"),
                   ServiceCase(client_id=item.client_id, case_type="complaint", is_complaint=True,
                               opened_on=date(2026, 11, 2), summary="Late transfer")])
    with statements_on(container.engine) as sent:
        body = api("get", f"/v1/reviews/{item.id}", "rita").json()
    assert len(body["decisions"]) == 2 and body["flags"] and len(body["client_facts"]) == 3
    assert len(sent) == 5, sent  # item with client, draft and source; flags; decisions; watch items; cases
    assert len(sent) == len(bare)
    with statements_on(container.engine) as by_draft:
        assert api("get", f"/v1/reviews/{draft.id}", "rita").json()["review"]["id"] == item.id
    assert len(by_draft) == len(sent) + 1, by_draft  # a draft id finds its item in a second query
