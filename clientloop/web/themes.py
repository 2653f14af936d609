"""The service themes page: repeated concerns of the reader's book, each example linked to its source."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse

from clientloop.deps import SessionDep
from clientloop.web.deps import PageClientsUser
from clientloop.web.pages import page_router, render

router = page_router()


@router.get("/themes")
def themes_page(
    request: Request, user: PageClientsUser, session: SessionDep, owner: str = "", since: str = ""
) -> HTMLResponse:
    """Service themes of a book (an RM always sees their own)."""
    from clients.themes import service_themes

    try:
        day = date.fromisoformat(since) if since.strip() else None
    except ValueError:
        return render(
            request,
            "error.html.jinja",
            status_code=422,
            title="Not a date",
            message=f"'since' must be YYYY-MM-DD, not {since!r}",
            back="/ui/themes",
        )
    report = service_themes(session=session, owner=owner.strip() or None, user=user, since=day)
    return render(request, "themes.html.jinja", report=report, owner=owner, since=since)
