"""FastAPI dependencies as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from clientloop.container import Container
from records.session import session_scope


def get_container(request: Request) -> Container:
    """The process's container, set on the app at start."""
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    """A database session per request, committed on success."""
    with session_scope(container.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
