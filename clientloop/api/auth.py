"""Authentication and role checks as dependencies.

Every route (except `/healthz` and the docs) declares who may call it with one of the
`Annotated` aliases below; nothing checks roles by hand inside a handler. A request
without a valid bearer key gets 401, a valid key with the wrong role 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from clientloop.api.deps import ContainerDep
from records.errors import Forbidden, Unauthenticated
from records.tables import User

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


def require_roles(*roles: str) -> Callable[[User], User]:
    """A dependency that admits only users holding one of `roles` (403 otherwise)."""

    def _check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    return _check


AnyUser = CurrentUser
"""Every role: rm, reviewer, service, admin."""
Uploader = Annotated[User, Depends(require_roles("rm", "service", "admin"))]
"""May upload documents and interactions."""
DeciderUser = Annotated[User, Depends(require_roles("rm", "reviewer", "admin"))]
"""May see the review queue (RMs their own book) and decide drafts."""
ReviewerUser = Annotated[User, Depends(require_roles("reviewer", "admin"))]
"""May claim items: reviewers and admins."""
