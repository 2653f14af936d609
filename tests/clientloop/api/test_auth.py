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


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cached_app(container, ttl_s: float = 2.0) -> tuple[TestClient, _Clock]:
    from clientloop.api.auth import KeyCache

    app = create_app(container)
    clock = _Clock()
    app.state.key_cache = KeyCache(ttl_s, clock=clock)
    return TestClient(app), clock


def _deactivate_elsewhere(container, name: str) -> None:
    """Revoke as another process would: the row changes, this process's ORM never sees it."""
    from sqlalchemy import update

    from records.session import session_scope

    with session_scope(container.engine) as s:
        s.execute(update(User).where(User.name == name).values(active=False))


def test_a_remembered_key_is_not_read_again_until_its_lifetime_passes(container) -> None:
    from tests.clientloop.api.test_reviews import statements_on

    _, key = make_user(container, "rita", "reviewer")
    client, clock = _cached_app(container)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    with statements_on(container.engine) as sent:
        assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    assert not any("key_hash" in s for s in sent), sent
    clock.now += 2.0
    with statements_on(container.engine) as sent:
        assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    assert any("key_hash" in s for s in sent), sent


def test_a_key_revoked_in_this_process_stops_at_once_though_remembered(container) -> None:
    from records.session import session_scope
    from review.users import revoke_user

    _, key = make_user(container, "rita", "reviewer")
    client, _clock = _cached_app(container)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="rita")
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 401


def test_a_rotated_key_stops_at_once_and_the_new_one_works(container) -> None:
    from records.session import session_scope
    from review.users import rotate_key

    _, old = make_user(container, "rita", "reviewer")
    client, _clock = _cached_app(container)
    assert client.get("/v1/reviews", headers=auth_headers(old)).status_code == 200
    with session_scope(container.engine) as s:
        _, new = rotate_key(session=s, name="rita")
    assert client.get("/v1/reviews", headers=auth_headers(old)).status_code == 401
    assert client.get("/v1/reviews", headers=auth_headers(new)).status_code == 200


def test_a_role_taken_away_here_applies_to_the_next_request(container) -> None:
    from records.session import session_scope

    _, key = make_user(container, "rita", "reviewer")
    client, _clock = _cached_app(container)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    with session_scope(container.engine) as s:
        row = s.exec(select(User).where(User.name == "rita")).one()
        row.role = "service"
        s.add(row)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 403


def test_a_key_revoked_by_another_process_stops_within_the_cache_lifetime(container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client, clock = _cached_app(container, ttl_s=2.0)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    _deactivate_elsewhere(container, "rita")
    clock.now += 1.9
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200  # trusted for 2 s at most
    clock.now += 0.1
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 401


def test_without_a_cache_lifetime_another_process_revoke_stops_the_next_request(container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client, _clock = _cached_app(container, ttl_s=0)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    _deactivate_elsewhere(container, "rita")
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 401


def test_a_remembered_key_still_stops_at_its_expiry(container, monkeypatch) -> None:
    from datetime import timedelta

    import review.users
    from records.ids import utcnow
    from records.session import session_scope
    from review.users import create_user

    start = utcnow()
    with session_scope(container.engine) as s:
        _, key = create_user(session=s, name="rita", role="reviewer", expires_at=start + timedelta(minutes=5))
    client, _clock = _cached_app(container, ttl_s=60)
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 200
    monkeypatch.setattr(review.users, "utcnow", lambda: start + timedelta(minutes=5, seconds=1))
    assert client.get("/v1/reviews", headers=auth_headers(key)).status_code == 401


def test_each_request_gets_its_own_detached_user(container) -> None:
    from sqlalchemy import inspect

    from clientloop.api.auth import KeyCache

    user, key = make_user(container, "rita", "reviewer")
    cache = KeyCache(60)
    with Session(container.engine) as s:
        assert cache.lookup(s, key).name == "rita"
    first, second = cache.get(hash_key(key)), cache.get(hash_key(key))
    assert first is not second and first.id == second.id == user.id and first.role == "reviewer"
    assert inspect(first).detached
    assert cache.get(hash_key(key + "x")) is None
