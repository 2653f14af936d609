"""Idempotency-Key: a retried POST gets its first response; the same key with another body gets 422."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from records.tables import Job
from review.models import Decision
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, auth_headers, make_client, make_draft, make_user, review_of


def test_a_retried_post_replays_the_first_response_and_does_nothing_twice(container) -> None:
    make_client(container)
    _u, priya = make_user(container, "priya", "rm")
    _u, rita = make_user(container, "rita", "reviewer")
    api = TestClient(create_app(container))
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    headers = {**auth_headers(rita), "Idempotency-Key": "approve-1", "If-Match": f'"{item.version}"'}
    first = api.post(f"/v1/reviews/{item.id}/decisions", json={"kind": "approve"}, headers=headers)
    again = api.post(f"/v1/reviews/{item.id}/decisions", json={"kind": "approve"}, headers=headers)
    assert first.status_code == 200 and again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    with Session(container.engine) as s:
        assert len(s.exec(select(Decision)).all()) == 1
    other = api.post(f"/v1/reviews/{item.id}/decisions", json={"kind": "reject", "reason": "no"}, headers=headers)
    assert other.status_code == 422 and "another request body" in other.text
    # Keys are per caller: priya's use of the same key is her own request.
    mine = api.post("/v1/interactions", headers={**auth_headers(priya), "Idempotency-Key": "approve-1"},
                    data={"client": "Daniel Okafor", "kind": "call_transcript"},
                    files={"file": ("call.txt", PLAIN_CALL.encode(), "text/plain")})
    assert mine.status_code == 202 and "idempotent-replayed" not in mine.headers
    with Session(container.engine) as s:
        assert len(s.exec(select(Job)).all()) == 2


def test_an_empty_or_oversized_key_is_refused(container) -> None:
    _u, key = make_user(container, "priya", "rm")
    api = TestClient(create_app(container))
    for bad in ("", "k" * 201):
        r = api.post("/v1/ask", json={"question": "CHAPS fee?"}, headers={**auth_headers(key), "Idempotency-Key": bad})
        assert r.status_code == 422
