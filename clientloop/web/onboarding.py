"""The onboarding page: the book's cases, each phase with its owner, due time and state."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from clientloop.deps import SessionDep
from clientloop.web.deps import PageClientsUser
from clientloop.web.pages import page_router, render

router = page_router()


@router.get("/onboarding")
def onboarding_page(request: Request, user: PageClientsUser, session: SessionDep) -> HTMLResponse:
    """Every onboarding case of your book, overdue phases marked."""
    from clients.onboarding import onboarding_cases, onboarding_measures
    from records.ids import utcnow

    views = onboarding_cases(session=session, user=user)
    return render(request, "onboarding.html.jinja", cases=views,
                  measures=onboarding_measures(views, session, utcnow().date()))
