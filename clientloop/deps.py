"""FastAPI dependencies shared by the HTTP API (`clientloop.api`) and the web pages (`clientloop.web`).

Both front ends authenticate differently (a bearer key, a cookie) but authorise the same
way: `requires(permission, authenticated)` turns the one access rule
(`records.access`) into a dependency over whichever user dependency the front end has,
and `client_in_book(authenticated)` resolves a `{client_id}` path parameter (an id, CRM
external id or exact name) to a client the caller may read. Routes declare these as
`Annotated` aliases and never check a role by hand. This module imports neither front
end, so each can import it without importing the other.

No `from __future__ import annotations` here: the dependencies built inside the
factories annotate their parameters with closure variables, which FastAPI can only read
from evaluated annotations.

A dependency that does no I/O is `async def`: FastAPI runs a plain `def` dependency in its
thread pool, and under load each such hop (a queue, a thread wake-up, a hand-over of the GIL
back to the event loop) cost more than the work. Whatever touches the database stays off the
event loop: a plain `def` route takes `SessionDep` (FastAPI opens and commits it in hops of
their own, and validates the result in another); the reads people wait on (the review queue
and its items, drafts, jobs, documents, the client list, the weekly review) are `async def`
routes that take `DatabaseDep` and await all their database work in a single hop. The API's
key check is `async def` too and reads the database only for a key it has not seen lately
(`clientloop.api.auth.KeyCache`), so such a read is one hop in all.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Concatenate, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request, UploadFile
from sqlmodel import Session

from clientloop.container import Container
from clientloop.db import read_only
from pipeline.errors import DocumentTooLarge
from records.access import Permission, require_permission
from records.session import session_scope
from records.tables import Client, User

P = ParamSpec("P")
T = TypeVar("T")
Authenticated = Callable[..., User | Awaitable[User]]
"""A front end's user dependency: the API's reads a key (`async def`), the pages' a cookie."""

async def get_container(request: Request) -> Container:
    """The process's container, set on the app at start."""
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    """A database session per request, committed on success."""
    with session_scope(container.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class Database:
    """The database as an `async def` route reaches it: one thread-pool hop per unit of work.

    At most as many units run at once as the pool holds connections (`CLIENTLOOP_DATABASE_POOL_SIZE`);
    the rest wait on the event loop. With 32 concurrent requests each in a thread of its own,
    the threads beyond the pool blocked in it, fought the others for the GIL, and made the pool
    open overflow connections and close them again on return (a new PostgreSQL backend each).
    """

    def __init__(self, container: Container) -> None:
        self._container = container
        self._limiter = anyio.CapacityLimiter(container.settings.database_pool_size)

    async def run(self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(session, *args, **kwargs)` in a worker thread, in a session committed on success.

        The session opens, queries and commits inside that one hop, so the event loop never
        waits on the database and the request pays for one hand-over, not one per step.
        """

        def in_thread() -> T:
            # The engine too: the first use of `container.engine` migrates the database.
            with session_scope(self._container.engine) as session:
                return work(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(in_thread, limiter=self._limiter)

    async def read(self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Like `run`, for work that only reads: its statements run without a transaction (`db.read_only`)."""

        def in_thread() -> T:
            with session_scope(read_only(self._container.engine)) as session:
                return work(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(in_thread, limiter=self._limiter)


_DATABASES: weakref.WeakKeyDictionary[Container, tuple[asyncio.AbstractEventLoop, Database]] = (
    weakref.WeakKeyDictionary())


async def get_database(container: ContainerDep) -> Database:
    """The database for an `async def` route: one per container and event loop (its limiter belongs to the loop)."""
    loop = asyncio.get_running_loop()
    found = _DATABASES.get(container)
    if found is None or found[0] is not loop:
        found = _DATABASES[container] = (loop, Database(container))
    return found[1]


DatabaseDep = Annotated[Database, Depends(get_database)]


def requires(permission: Permission, authenticated: Authenticated) -> Callable[[User], Awaitable[User]]:
    """A dependency admitting the users `authenticated` yields whose role holds `permission` (403 otherwise)."""

    async def check(user: Annotated[User, Depends(authenticated)]) -> User:
        require_permission(user, permission)
        return user

    return check


def client_in_book(authenticated: Authenticated) -> Callable[..., Client]:
    """A dependency resolving the `client_id` path parameter to a client the user may read (404 otherwise)."""

    def resolve(client_id: str, session: SessionDep, user: Annotated[User, Depends(authenticated)]) -> Client:
        from clients.lookup import readable_client

        return readable_client(session, client_id, user)

    return resolve


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read an upload, refusing it as soon as it passes the limit."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentTooLarge(
            f"upload is over the {limit:,}-byte limit (CLIENTLOOP_MAX_UPLOAD_BYTES)",
            filename=upload.filename or "upload",
        )
    return data

