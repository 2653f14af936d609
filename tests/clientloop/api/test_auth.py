from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from records.tables import User
from review.users import authenticate, create_user, hash_key
from tests.factories import PLAIN_CALL, auth_headers, make_client, make_draft, make_user


@pytest.fixture
def app_client(container) -> TestClient:
    return TestClient(create_app(container))


def test_keys_are_stored_hashed_and_shown_once(container) -> None:
    user, key = make_user(container, "rita", "reviewer")
    assert key.startswith("clk_") and len(key) > 40
    with Session(container.engine) as s:
        row = s.exec(select(User).where(User.name == "rita")).one()
        assert row.key_hash == hash_key(key) and key not in row.key_hash
        assert authenticate(session=s, key=key).name == "rita"
        assert authenticate(session=s, key=key + "x") is None and authenticate(session=s, key="") is None


def test_unknown_role_and_duplicate_name_are_refused(container) -> None:
    from records.session import session_scope
    from review.errors import InvalidUser

    make_user(container, "rita", "reviewer")
    with pytest.raises(InvalidUser), session_scope(container.engine) as s:
        create_user(session=s, name="root", role="superuser")
    with pytest.raises(InvalidUser), session_scope(container.engine) as s:
        create_user(session=s, name="rita", role="rm")


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/v1/reviews"), ("get", "/v1/reviews/x"), ("post", "/v1/reviews/x/claim"),
    ("post", "/v1/reviews/x/decisions"), ("post", "/v1/reviews/x/release"), ("get", "/v1/drafts/x"),
    ("get", "/v1/drafts/x/versions"), ("post", "/v1/ask"), ("post", "/v1/documents"), ("get", "/v1/documents/x"),
    ("post", "/v1/interactions"), ("get", "/v1/jobs/x"),
])
def test_every_endpoint_needs_a_key(app_client: TestClient, method: str, path: str) -> None:
    r = getattr(app_client, method)(path)
    assert r.status_code == 401, (path, r.text)
    assert r.headers.get("www-authenticate") == "Bearer"
    r = getattr(app_client, method)(path, headers=auth_headers("clk_not-a-real-key"))
    assert r.status_code == 401


def test_open_endpoints_stay_open(app_client: TestClient) -> None:
    assert app_client.get("/healthz").status_code == 200
    assert app_client.get("/docs").status_code == 200
    assert app_client.get("/openapi.json").status_code == 200


def test_inactive_user_is_refused(container, app_client: TestClient) -> None:
    from records.session import session_scope

    _, key = make_user(container, "gone", "reviewer")
    with session_scope(container.engine) as s:
        row = s.exec(select(User).where(User.name == "gone")).one()
        row.active = False
        s.add(row)
    assert app_client.get("/v1/reviews", headers=auth_headers(key)).status_code == 401


def test_wrong_role_gets_403(container, app_client: TestClient) -> None:
    _, svc = make_user(container, "sam", "service")
    _, rm = make_user(container, "priya", "rm")
    assert app_client.get("/v1/reviews", headers=auth_headers(svc)).status_code == 403
    assert app_client.post("/v1/reviews/x/claim", headers=auth_headers(rm)).status_code == 403
    r = app_client.post("/v1/interactions", headers=auth_headers(svc))
    assert r.status_code == 422  # service may upload; this request is just incomplete


def test_interaction_upload_records_the_caller_as_author(container, app_client: TestClient) -> None:
    make_client(container)
    _, key = make_user(container, "priya", "rm")
    r = app_client.post("/v1/interactions", headers=auth_headers(key), data={
        "client": "Daniel Okafor", "kind": "call_transcript", "text": PLAIN_CALL,
        "occurred_at": "2026-11-16T10:00:00+00:00"})
    assert r.status_code == 202, r.text
    from records.tables import Job

    with Session(container.engine) as s:
        assert s.get(Job, r.json()["job_id"]).requested_by == "priya"


def test_rm_cannot_see_another_books_jobs_or_upload_for_it(container, app_client: TestClient) -> None:
    make_client(container)
    _, omar = make_user(container, "omar", "rm")
    _, rita = make_user(container, "rita", "reviewer")
    draft = make_draft(container, PLAIN_CALL)
    from records.tables import Job

    with Session(container.engine) as s:
        job = s.exec(select(Job).where(Job.draft_id == draft.id)).one()
    assert app_client.get(f"/v1/jobs/{job.id}", headers=auth_headers(omar)).status_code == 404
    assert app_client.get(f"/v1/jobs/{job.id}", headers=auth_headers(rita)).status_code == 200
    assert app_client.get(f"/v1/documents/{draft.source_id}", headers=auth_headers(omar)).status_code == 404
    r = app_client.post("/v1/interactions", headers=auth_headers(omar), data={
        "client": "Daniel Okafor", "kind": "call_transcript", "text": PLAIN_CALL})
    assert r.status_code == 404


def test_rm_creating_a_client_owns_it(container, app_client: TestClient) -> None:
    from records.tables import Client

    _, key = make_user(container, "omar", "rm")
    r = app_client.post("/v1/interactions", headers=auth_headers(key), data={
        "client": "New Client Ltd", "kind": "call_transcript", "text": PLAIN_CALL, "create_client": "true"})
    assert r.status_code == 202, r.text
    with Session(container.engine) as s:
        assert s.exec(select(Client).where(Client.name == "New Client Ltd")).one().relationship_owner == "omar"
    assert app_client.get(f"/v1/jobs/{r.json()['job_id']}", headers=auth_headers(key)).status_code == 200


def test_every_registered_route_refuses_a_missing_key(container) -> None:
    """Any route added later without an auth dependency fails here."""
    import re

    client = TestClient(create_app(container))
    spec = client.get("/openapi.json").json()
    checked = 0
    for path, ops in spec["paths"].items():
        if path == "/healthz":
            continue
        for method in ops:
            r = client.request(method.upper(), re.sub(r"\{[^}]+\}", "x", path))
            assert r.status_code == 401, (method, path, r.status_code)
            checked += 1
    assert checked >= 12
