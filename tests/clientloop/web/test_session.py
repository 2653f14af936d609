"""Web sign-in: a server-side session (random token in the cookie, its hash in the table), ended for good."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from clientloop.web.session import SESSION_COOKIE
from records.ids import utcnow
from records.session import session_scope
from review.models import WebSession
from review.users import create_user, hash_key, revoke_user, rotate_key
from tests.factories import make_user


@pytest.fixture
def app(container):
    return create_app(container)


def _signed_in(app, key: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.get("/ui/login")
    r = client.post("/ui/login", data={"key": key, "csrf_token": client.cookies.get("clientloop_csrf"),
                                       "next": "/ui/"})
    assert r.status_code == 303, r.text
    return client


def _replay(app, cookie: str) -> int:
    """A fresh browser presenting an old session cookie: what does the home page answer?"""
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, cookie, path="/ui")
    return client.get("/ui/").status_code


def test_cookie_holds_a_random_token_not_the_key(app, container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client = _signed_in(app, key)
    token = client.cookies.get(SESSION_COOKIE)
    assert token and token != key and key not in token
    with Session(container.engine) as s:
        row = s.exec(select(WebSession)).one()
    assert row.token_hash == hash_key(token) and row.ended_at is None
    assert client.get("/ui/").status_code == 200
    assert _replay(app, key) == 303  # the API key itself is no session cookie


def test_signed_out_cookie_cannot_be_replayed(app, container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client = _signed_in(app, key)
    token = client.cookies.get(SESSION_COOKIE)
    r = client.post("/ui/logout", data={"csrf_token": client.cookies.get("clientloop_csrf")})
    assert r.status_code == 303
    assert _replay(app, token) == 303
    with Session(container.engine) as s:
        assert s.exec(select(WebSession)).one().ended_reason == "sign_out"


@pytest.mark.parametrize("change", ["revoke", "rotate"])
def test_revoking_or_rotating_the_key_signs_the_browser_out(app, container, change) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client = _signed_in(app, key)
    assert client.get("/ui/").status_code == 200
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="rita") if change == "revoke" else rotate_key(session=s, name="rita")
    r = client.get("/ui/")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_expired_session_signs_the_browser_out(app, container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    client = _signed_in(app, key)
    with session_scope(container.engine) as s:
        row = s.exec(select(WebSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    assert client.get("/ui/").status_code == 303


def test_expired_key_cannot_sign_in(app, container) -> None:
    with session_scope(container.engine) as s:
        _, key = create_user(session=s, name="rita", role="reviewer", expires_at=utcnow() - timedelta(seconds=1))
    client = TestClient(app, follow_redirects=False)
    client.get("/ui/login")
    r = client.post("/ui/login", data={"key": key, "csrf_token": client.cookies.get("clientloop_csrf")})
    assert r.status_code == 401 and SESSION_COOKIE not in client.cookies


def test_session_lifetime_follows_the_setting(app, container) -> None:
    container.settings.web_session_hours = 2
    _, key = make_user(container, "rita", "reviewer")
    _signed_in(app, key)
    with Session(container.engine) as s:
        row = s.exec(select(WebSession)).one()
    assert row.expires_at - row.created_at == timedelta(hours=2)
