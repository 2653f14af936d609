"""Users, roles and API keys.

A key is `clk_` plus 32 random bytes (URL-safe base64) from `secrets`: high enough
entropy that a plain SHA-256 of it is a safe stored form (no salt or slow hash needed,
unlike passwords). Only the hash is stored; the key is shown once when the user is made.
Lookup is by hash, then the stored and computed hashes are compared with
`hmac.compare_digest`, so the comparison itself leaks no timing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from records.errors import NotFound
from records.tables import User
from review.errors import InvalidUser
from review.models import ROLES

KEY_PREFIX = "clk_"


def hash_key(key: str) -> str:
    """The stored form of an API key: `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh high-entropy API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_user(*, session: Session, name: str, role: str) -> tuple[User, str]:
    """Create a user and return it with its API key (the only time the key exists in clear).

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
    user = User(name=name, role=role, key_hash=hash_key(key))
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise InvalidUser(f"a user named {name!r} already exists") from exc
    return user, key


def authenticate(*, session: Session, key: str) -> User | None:
    """The active user holding this API key, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    digest = hash_key(key)
    user = session.exec(select(User).where(User.key_hash == digest)).first()
    if user is None or not user.active or not hmac.compare_digest(user.key_hash, digest):
        return None
    return user


def get_user(*, session: Session, name: str) -> User:
    """An active user by name.

    Raises:
        NotFound: no active user has that name.
    """
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"no active user named {name!r}; add one with `clientloop users add NAME --role ROLE`")
    return user
