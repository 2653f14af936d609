"""Authentication by bearer key, and the role checks of the API as dependencies.

Every route (except `/healthz` and the docs) declares who may call it with one of the
`Annotated` aliases below, built from the one access rule (`records.access`); nothing
checks a role by hand inside a handler. A request without a valid bearer key gets 401,
a valid key whose role lacks the permission 403, and a record outside the caller's book
404 (from the services, exactly like a missing one).

Who holds a key is remembered for a few seconds (`KeyCache`, `CLIENTLOOP_API_KEY_CACHE_S`):
reading the user cost every request a session, a connection check-out and a thread-pool hop
of its own, more than the list or read it guarded. What may not go stale does not:

- every hit re-checks the key against the clock, so an expired key stops at its expiry;
- a change to any user row this process writes (revoke, rotation, a role change) empties
  every cache at flush and again at commit, so it takes effect at once here, and a read that
  raced it is not kept;
- a change made by another process (`clientloop users revoke` on the command line) is seen
  within the cache's lifetime, 2 s by default;
- only keys that worked are kept (an unknown key is read every time, so a key made a moment
  ago works at once), and each request gets its own detached copy of the user.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import make_transient_to_detached, object_session
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from clientloop.deps import ContainerDep, client_in_book, requires
from records.errors import Unauthenticated
from records.tables import Client, User
from review.users import KEY_PREFIX, authenticate, hash_key, key_state

_bearer = HTTPBearer(auto_error=False, description="An API key from `clientloop users add NAME --role ROLE`.")


_COLUMNS = tuple(a.key for a in inspect(User).column_attrs)
_CACHES: weakref.WeakSet[KeyCache] = weakref.WeakSet()
_USERS_CHANGED = "clientloop.users_changed"


class KeyCache:
    """The users behind API keys that worked lately, each trusted for `ttl_s` seconds from when it was read.

    Keyed by the key's hash (the key itself is never kept). Bounded: past `max_entries` it
    starts again empty, so a flood of distinct keys costs reads, never memory.
    """

    def __init__(self, ttl_s: float, *, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        _CACHES.add(self)

    def get(self, digest: str) -> User | None:
        """A fresh copy of the user holding the key with this hash, if known, still trusted and still active."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        trusted_until, fields = entry
        if self._clock() >= trusted_until:
            self._entries.pop(digest, None)
            return None
        user = User(**fields)
        make_transient_to_detached(user)  # like a row read and expunged: never inserted if a session meets it
        return user if key_state(user) == "active" else None

    def lookup(self, session: Session, key: str) -> User | None:
        """Authenticate `key` in `session` and remember who holds it (unless a user changed meanwhile)."""
        read_at, generation = self._clock(), self._generation
        user = authenticate(session=session, key=key)
        if user is not None and self.ttl_s > 0:
            fields = {name: getattr(user, name) for name in _COLUMNS}
            with self._lock:
                if generation == self._generation:
                    if len(self._entries) >= self._max_entries:
                        self._entries.clear()
                    self._entries[hash_key(key)] = (read_at + self.ttl_s, fields)
        return user

    def clear(self) -> None:
        """Forget every key, and refuse to keep what reads under way now bring back."""
        with self._lock:
            self._generation += 1
            self._entries.clear()


def _clear_all() -> None:
    for cache in list(_CACHES):
        cache.clear()


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _user_row_changed(_mapper: Any, _connection: Any, target: User) -> None:
    # At flush, and again at commit: a request reading the old row between the two would
    # otherwise put it back for a whole lifetime.
    _clear_all()
    session = object_session(target)
    if session is not None:
        session.info[_USERS_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _users_committed(session: OrmSession) -> None:
    if session.info.pop(_USERS_CHANGED, False):
        _clear_all()


def _read_user(container: Any, cache: KeyCache, key: str) -> User | None:
    # A short session of its own: the user row is read-only here and is used after it closes.
    with Session(container.engine, expire_on_commit=False) as session:
        user = cache.lookup(session, key)
        if user is not None:
            session.expunge(user)
    return user


async def get_current_user(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user holding the bearer key (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("send an API key: Authorization: Bearer <key>")
    key = credentials.credentials.strip()
    cache: KeyCache = request.app.state.key_cache
    user = cache.get(hash_key(key)) if key.startswith(KEY_PREFIX) else None
    if user is None:
        user = await run_in_threadpool(_read_user, container, cache, key)
    if user is None:
        raise Unauthenticated("the API key is not valid (unknown, revoked or mistyped)")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
"""Any authenticated user."""
AnyUser = Annotated[User, Depends(requires("ask", get_current_user))]
"""Every role: knowledge questions, knowledge documents, the status of one's own uploads."""
Uploader = Annotated[User, Depends(requires("upload", get_current_user))]
"""May upload documents and interactions (RMs for their own book)."""
ReviewUser = Annotated[User, Depends(requires("review", get_current_user))]
"""May see the review queue and drafts (RMs their own book), decide and release."""
CheckerUser = Annotated[User, Depends(requires("check", get_current_user))]
"""May claim items: reviewers and admins."""
ClientsUser = Annotated[User, Depends(requires("clients", get_current_user))]
"""Client lists, briefs, the weekly review, note quality, closing actions (RMs their own book)."""
AdminUser = Annotated[User, Depends(requires("import_clients", get_current_user))]
"""A CRM import touches every book, so only admins run it."""
KnowledgeUser = Annotated[User, Depends(requires("write_kb", get_current_user))]
"""The knowledge team and admins: knowledge-base changes and their approval."""
ReassignUser = Annotated[User, Depends(requires("reassign_clients", get_current_user))]
"""Approving a change of owner moves a client between books: admins only."""

ClientInBook = Annotated[Client, Depends(client_in_book(requires("clients", get_current_user)))]
"""The `{client_id}` of the path (id, CRM external id or exact name), in the caller's book."""
