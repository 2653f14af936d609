"""Users, roles, API keys and web sign-in sessions.

Design decisions:

- **Keys.** A key is `clk_` plus 32 random bytes (URL-safe base64) from `secrets`: high
  enough entropy that a plain SHA-256 of it is a safe stored form (no salt or slow hash
  needed, unlike passwords). Only the hash is stored; the key is shown once, when the
  user is made or the key rotated. Lookup is by hash, then the stored and computed hashes
  are compared with `hmac.compare_digest`, so the comparison itself leaks no timing.
- **A key's life.** It works until it expires (`key_expires_at`), is revoked (the user is
  deactivated, `revoked_at` set) or is rotated (a new hash replaces the old, so the old
  key stops at once: no grace period, a leaked key must not keep working). Listing shows
  a `key_id` (the first 12 hex digits of the hash), never the hash.
- **Web sessions** live here because they are bound to the key: the cookie carries a
  random token (not the key), the table only its hash; a session never outlives the key
  it was opened with, and revoking or rotating a key ends every session of the user in
  the same transaction.
- Every add, revoke and rotation is an audit event (`user_add`, `user_revoke`,
  `user_rotate`) carrying the key id and expiry, never the key or its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from records.errors import NotFound
from records.ids import as_utc, iso_utc, utcnow
from records.tables import User
from review.audit import append_event
from review.errors import InvalidUser
from review.models import ROLES, WebSession

KEY_PREFIX = "clk_"


def hash_key(key: str) -> str:
    """The stored form of an API key (or a web session token): `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh high-entropy API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_id(user: User) -> str:
    """A short, harmless name for the user's current key (the start of its hash)."""
    return user.key_hash.split(":", 1)[-1][:12]


def key_state(user: User, now: datetime | None = None) -> str:
    """`active`, `revoked` or `expired`."""
    if not user.active or user.revoked_at is not None:
        return "revoked"
    if user.key_expires_at is not None and as_utc(user.key_expires_at) <= (now or utcnow()):
        return "expired"
    return "active"


def expiry_after(days: int, now: datetime | None = None) -> datetime | None:
    """The expiry of a key made now that lasts `days` (0: never expires)."""
    return (now or utcnow()) + timedelta(days=days) if days > 0 else None


def _audit(session: Session, event_type: str, actor: str, user: User) -> None:
    append_event(session, event_type=event_type, actor=actor, payload={
        "user_id": user.id, "name": user.name, "role": user.role, "key_id": key_id(user),
        "key_expires_at": iso_utc(user.key_expires_at) if user.key_expires_at else None,
    })


def create_user(*, session: Session, name: str, role: str, expires_at: datetime | None = None,
                actor: str = "system", full_name: str | None = None, title: str | None = None) -> tuple[User, str]:
    """Create a user and return it with its API key (the only time the key exists in clear).

    Args:
        session: The session; the caller commits.
        name: A unique name (an RM's name is their book's owner).
        role: One of `ROLES`.
        expires_at: When the key stops working (None: never).
        actor: Who made the user, for the audit trail.
        full_name: The person's full name, for letters to clients.
        title: Their job title, under their signature.

    Raises:
        InvalidUser: unknown role, empty name, or the name is taken.
    """
    name = name.strip()
    if role not in ROLES:
        raise InvalidUser(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name:
        raise InvalidUser("a user needs a name")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise InvalidUser(f"a user named {name!r} already exists")
    key = new_key()
    user = User(name=name, role=role, key_hash=hash_key(key), key_expires_at=expires_at,
                full_name=(full_name or "").strip() or None, title=(title or "").strip() or None)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise InvalidUser(f"a user named {name!r} already exists") from exc
    _audit(session, "user_add", actor, user)
    return user, key


# Built once: every API request authenticates, and building the statement cost as much as running it.
_BY_KEY_HASH = select(User).where(col(User.key_hash) == bindparam("digest"))


def authenticate(*, session: Session, key: str, now: datetime | None = None) -> User | None:
    """The user holding this API key if the key is neither revoked nor expired, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    digest = hash_key(key)
    user = session.exec(_BY_KEY_HASH, params={"digest": digest}).first()
    if user is None or not hmac.compare_digest(user.key_hash, digest) or key_state(user, now) != "active":
        return None
    return user


def get_user(*, session: Session, name: str) -> User:
    """An active (not revoked) user by name.

    Raises:
        NotFound: no active user has that name.
    """
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"no active user named {name!r}; add one with `clientloop users add NAME --role ROLE`")
    return user


def list_users(*, session: Session) -> list[User]:
    """Every user, revoked ones included, by name."""
    return list(session.exec(select(User).order_by(col(User.name))).all())


def _by_name(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def revoke_user(*, session: Session, name: str, actor: str = "system") -> User:
    """Revoke a user's key and end their web sessions (in the caller's transaction).

    Raises:
        NotFound: no such user.
        InvalidUser: already revoked.
    """
    user = _by_name(session, name)
    if key_state(user) == "revoked":
        raise InvalidUser(f"{name} is already revoked")
    now = utcnow()
    user.active, user.revoked_at = False, now
    session.add(user)
    end_sessions_of(session=session, user_id=user.id, reason="key_revoked", now=now)
    session.flush()
    _audit(session, "user_revoke", actor, user)
    return user


def rotate_key(*, session: Session, name: str, expires_at: datetime | None = None,
               actor: str = "system") -> tuple[User, str]:
    """Replace a user's key (the old one stops at once) and end their web sessions.

    Args:
        session: The session; the caller commits.
        name: The user.
        expires_at: When the new key stops working (None: never).
        actor: Who rotated it, for the audit trail.

    Returns:
        The user and the new key (shown once).

    Raises:
        NotFound: no such user.
        InvalidUser: the user is revoked (make a new user instead).
    """
    user = _by_name(session, name)
    if key_state(user) == "revoked":
        raise InvalidUser(f"{name} is revoked; a revoked user's key cannot be rotated")
    now = utcnow()
    key = new_key()
    user.key_hash, user.key_expires_at, user.rotated_at = hash_key(key), expires_at, now
    session.add(user)
    end_sessions_of(session=session, user_id=user.id, reason="key_rotated", now=now)
    session.flush()
    _audit(session, "user_rotate", actor, user)
    return user, key


# --- Web sessions ------------------------------------------------------------------------------


def open_session(*, session: Session, user: User, lifetime: timedelta,
                 now: datetime | None = None) -> tuple[WebSession, str]:
    """Start a web session for a user who just presented a valid key.

    Args:
        session: The session; the caller commits.
        user: The signed-in user.
        lifetime: How long the session lasts; it is cut to the key's expiry.
        now: The current time (tests pass one).

    Returns:
        The session row and the token for the cookie (the only time it exists in clear).
    """
    now = now or utcnow()
    expires = now + lifetime
    if user.key_expires_at is not None:
        expires = min(expires, as_utc(user.key_expires_at))
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=hash_key(token), user_id=user.id, created_at=now, expires_at=expires)
    session.add(row)
    session.flush()
    return row, token


def session_user(*, session: Session, token: str, now: datetime | None = None) -> User | None:
    """The user of a live web session, or None (unknown, ended or expired token, or the key is no longer valid)."""
    if not token:
        return None
    now = now or utcnow()
    digest = hash_key(token)
    row = session.exec(select(WebSession).where(WebSession.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.ended_at is not None or as_utc(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or key_state(user, now) != "active":
        return None
    return user


def close_session(*, session: Session, token: str) -> bool:
    """End the web session holding this token (sign-out); False when there was none open."""
    if not token:
        return False
    result = session.execute(
        update(WebSession).where(col(WebSession.token_hash) == hash_key(token), col(WebSession.ended_at).is_(None))
        .values(ended_at=utcnow(), ended_reason="sign_out")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_sessions_of(*, session: Session, user_id: str, reason: str, now: datetime | None = None) -> int:
    """End every open web session of a user; returns how many were open."""
    result = session.execute(
        update(WebSession).where(col(WebSession.user_id) == user_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=now or utcnow(), ended_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def open_session_counts(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    """How many web sessions are still open, by user id."""
    now = now or utcnow()
    rows = session.exec(select(WebSession.user_id).where(col(WebSession.ended_at).is_(None),
                                                         col(WebSession.expires_at) > now)).all()
    counts: dict[str, int] = {}
    for user_id in rows:
        counts[user_id] = counts.get(user_id, 0) + 1
    return counts
