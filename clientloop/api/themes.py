"""Service themes over HTTP: the repeated concerns of the caller's book (an RM sees their own)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from clientloop.api.auth import ClientsUser
from clientloop.api.errors import responses
from clientloop.deps import SessionDep
from clients.themes import ThemesReport

router = APIRouter(tags=["clients"])

Since = Annotated[
    date | None,
    Query(
        ge=date(1990, 1, 1),
        le=date(2200, 12, 31),
        description="Count only interactions and cases from this day (YYYY-MM-DD).",
    ),
]


@router.get("/v1/themes", responses=responses(401, 403, 422))
def themes(session: SessionDep, user: ClientsUser, owner: str | None = None, since: Since = None) -> ThemesReport:
    """Repeated concerns, asks and case descriptions, clustered without labels, each example linked to its source."""
    from clients.themes import service_themes

    return service_themes(session=session, user=user, owner=owner, since=since)
