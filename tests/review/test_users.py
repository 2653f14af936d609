from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from records.errors import NotFound
from records.ids import utcnow
from records.session import session_scope
from records.tables import User
from review.audit import verify_chain
from review.errors import InvalidUser
from review.models import AuditEvent, WebSession
from review.users import (
    authenticate,
    close_session,
    create_user,
    expiry_after,
    hash_key,
    key_id,
    key_state,
    list_users,
    open_session,
    revoke_user,
    rotate_key,
    session_user,
)
from tests.factories import make_user


def _auth(container, key: str, now=None) -> str | None:
    with Session(container.engine) as s:
        user = authenticate(session=s, key=key, now=now)
        return user.name if user else None


def _open(container, name: str, hours: float = 8.0) -> str:
    with session_scope(container.engine) as s:
        user = s.exec(select(User).where(User.name == name)).one()
        return open_session(session=s, user=user, lifetime=timedelta(hours=hours))[1]


def _session_user(container, token: str, now=None) -> str | None:
    with Session(container.engine) as s:
        user = session_user(session=s, token=token, now=now)
        return user.name if user else None


def test_key_is_stored_only_as_its_hash(container) -> None:
    user, key = make_user(container, "rita", "reviewer")
    assert key.startswith("clk_") and user.key_hash == hash_key(key) and key not in user.key_hash
    assert _auth(container, key) == "rita" and _auth(container, key + "x") is None


def test_revoked_key_stops_authenticating(container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="rita", actor="admin")
    assert _auth(container, key) is None
    with Session(container.engine) as s:
        row = s.exec(select(User).where(User.name == "rita")).one()
        assert row.revoked_at is not None and not row.active and key_state(row) == "revoked"
        with pytest.raises(NotFound):  # a revoked user cannot be acted as from the CLI either
            from review.users import get_user

            get_user(session=s, name="rita")


def test_revoking_twice_is_refused(container) -> None:
    make_user(container, "rita", "reviewer")
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="rita")
    with pytest.raises(InvalidUser, match="already revoked"), session_scope(container.engine) as s:
        revoke_user(session=s, name="rita")
    with pytest.raises(NotFound), session_scope(container.engine) as s:
        revoke_user(session=s, name="nobody")


def test_rotation_replaces_the_key_at_once(container) -> None:
    user, old = make_user(container, "rita", "reviewer")
    with session_scope(container.engine) as s:
        rotated, new = rotate_key(session=s, name="rita", expires_at=expiry_after(30))
        new_id = key_id(rotated)
    assert new != old and new_id != key_id(user)
    assert _auth(container, old) is None and _auth(container, new) == "rita"


def test_a_revoked_user_cannot_be_rotated_back_in(container) -> None:
    make_user(container, "rita", "reviewer")
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="rita")
    with pytest.raises(InvalidUser, match="revoked"), session_scope(container.engine) as s:
        rotate_key(session=s, name="rita")


def test_expired_key_stops_authenticating(container) -> None:
    now = utcnow()
    with session_scope(container.engine) as s:
        _, key = create_user(session=s, name="rita", role="reviewer", expires_at=now + timedelta(days=1))
    assert _auth(container, key, now=now) == "rita"
    assert _auth(container, key, now=now + timedelta(days=1, seconds=1)) is None
    with Session(container.engine) as s:
        row = s.exec(select(User)).one()
        assert key_state(row, now + timedelta(days=2)) == "expired"


def test_expiry_after_zero_days_is_never() -> None:
    now = utcnow()
    assert expiry_after(0, now) is None and expiry_after(90, now) == now + timedelta(days=90)


def test_list_users_includes_revoked_and_never_the_hash(container) -> None:
    make_user(container, "rita", "reviewer")
    make_user(container, "priya", "rm")
    with session_scope(container.engine) as s:
        revoke_user(session=s, name="priya")
    with Session(container.engine) as s:
        users = list_users(session=s)
        listed = [(u.name, key_state(u), key_id(u)) for u in users]
    assert [n for n, _, _ in listed] == ["priya", "rita"]
    assert [state for _, state, _ in listed] == ["revoked", "active"]
    assert all(len(k) == 12 for _, _, k in listed)


def test_user_changes_are_audited_without_the_key(container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    with session_scope(container.engine) as s:
        _, new = rotate_key(session=s, name="rita", actor="admin")
        revoke_user(session=s, name="rita", actor="admin")
    with Session(container.engine) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert verify_chain(s).ok
    assert [e.event_type for e in events] == ["user_add", "user_rotate", "user_revoke"]
    assert [e.actor for e in events] == ["system", "admin", "admin"]
    for e in events:
        assert key not in e.payload_json and new not in e.payload_json and "sha256:" not in e.payload_json
        assert json.loads(e.payload_json)["name"] == "rita"


# --- Web sessions ------------------------------------------------------------------------------


def test_session_token_is_stored_only_as_its_hash(container) -> None:
    _, key = make_user(container, "rita", "reviewer")
    token = _open(container, "rita")
    with Session(container.engine) as s:
        row = s.exec(select(WebSession)).one()
    assert token != key and row.token_hash == hash_key(token) and token not in row.token_hash
    assert _session_user(container, token) == "rita" and _session_user(container, token + "x") is None
    assert _session_user(container, "") is None


def test_sign_out_ends_the_session_for_good(container) -> None:
    make_user(container, "rita", "reviewer")
    token = _open(container, "rita")
    with session_scope(container.engine) as s:
        assert close_session(session=s, token=token)
    assert _session_user(container, token) is None
    with session_scope(container.engine) as s:
        assert not close_session(session=s, token=token)  # already ended
        assert s.exec(select(WebSession)).one().ended_reason == "sign_out"


def test_session_expires(container) -> None:
    make_user(container, "rita", "reviewer")
    token = _open(container, "rita", hours=1)
    assert _session_user(container, token, now=utcnow() + timedelta(minutes=59)) == "rita"
    assert _session_user(container, token, now=utcnow() + timedelta(minutes=61)) is None


def test_session_never_outlives_the_key(container) -> None:
    now = utcnow()
    with session_scope(container.engine) as s:
        create_user(session=s, name="rita", role="reviewer", expires_at=now + timedelta(hours=1))
    token = _open(container, "rita", hours=8)
    with Session(container.engine) as s:
        row = s.exec(select(WebSession)).one()
        assert row.expires_at.replace(tzinfo=None) <= (now + timedelta(hours=1)).replace(tzinfo=None)
    assert _session_user(container, token, now=now + timedelta(hours=2)) is None


@pytest.mark.parametrize("change", ["revoke", "rotate"])
def test_revoking_or_rotating_the_key_ends_every_session(container, change) -> None:
    make_user(container, "rita", "reviewer")
    make_user(container, "rex", "reviewer")
    tokens = [_open(container, "rita"), _open(container, "rita")]
    other = _open(container, "rex")
    with session_scope(container.engine) as s:
        if change == "revoke":
            revoke_user(session=s, name="rita")
        else:
            rotate_key(session=s, name="rita")
    assert [_session_user(container, t) for t in tokens] == [None, None]
    assert _session_user(container, other) == "rex"
    with Session(container.engine) as s:
        reasons = {r.ended_reason for r in s.exec(select(WebSession)).all()}
    assert reasons == {f"key_{change}d", None}
