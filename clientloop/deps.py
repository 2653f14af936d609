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
"""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, UploadFile
from sqlmodel import Session

from clientloop.container import Container
from pipeline.errors import DocumentTooLarge
from records.access import Permission, require_permission
from records.session import session_scope
from records.tables import Client, User


def get_container(request: Request) -> Container:
    """The process's container, set on the app at start."""
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    """A database session per request, committed on success."""
    with session_scope(container.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def requires(permission: Permission, authenticated: Callable[..., User]) -> Callable[[User], User]:
    """A dependency admitting the users `authenticated` yields whose role holds `permission` (403 otherwise)."""

    def check(user: Annotated[User, Depends(authenticated)]) -> User:
        require_permission(user, permission)
        return user

    return check


def client_in_book(authenticated: Callable[..., User]) -> Callable[..., Client]:
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

