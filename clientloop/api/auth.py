"""Authentication by bearer key, and the role checks of the API as dependencies.

Every route (except `/healthz` and the docs) declares who may call it with one of the
`Annotated` aliases below, built from the one access rule (`records.access`); nothing
checks a role by hand inside a handler. A request without a valid bearer key gets 401,
a valid key whose role lacks the permission 403, and a record outside the caller's book
404 (from the services, exactly like a missing one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from clientloop.deps import ContainerDep, client_in_book, requires
from records.errors import Unauthenticated
from records.tables import Client, User

_bearer = HTTPBearer(auto_error=False, description="An API key from `clientloop users add NAME --role ROLE`.")


def get_current_user(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user holding the bearer key (401 without a valid one)."""
    from review.users import authenticate

    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("send an API key: Authorization: Bearer <key>")
    # A short session of its own: the user row is read-only here and is used after it closes.
    with Session(container.engine, expire_on_commit=False) as session:
        user = authenticate(session=session, key=credentials.credentials.strip())
        if user is not None:
            session.expunge(user)
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
