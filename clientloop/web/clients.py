"""The client list, client briefs and the weekly review."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from clientloop.deps import SessionDep
from clientloop.web.deps import PageClientInBook, PageClientsUser
from clientloop.web.pages import page_router, render
from records.access import book_filter
from records.tables import Client

router = page_router()


@router.get("/clients")
def client_list(request: Request, user: PageClientsUser, session: SessionDep) -> HTMLResponse:
    """The clients you may see, each with a link to its brief."""
    query = select(Client).where(book_filter(user, Client.id)).order_by(col(Client.name)).limit(500)
    return render(request, "clients.html.jinja", clients=list(session.exec(query).all()))


@router.get("/clients/{client_id}/brief")
def client_brief(client: PageClientInBook, request: Request, user: PageClientsUser,
                 session: SessionDep) -> HTMLResponse:
    """The two-minute client brief, every line with where it came from."""
    from clients.brief import generate_brief

    brief = generate_brief(session=session, client_ref=client.id, user=user)
    return render(request, "brief.html.jinja", brief=brief)


@router.get("/weekly")
def weekly_page(request: Request, user: PageClientsUser, session: SessionDep, owner: str = "") -> HTMLResponse:
    """The weekly review of a book (an RM always sees their own)."""
    from clients.weekly import weekly_review

    review = weekly_review(session=session, owner=owner.strip() or None, user=user)
    return render(request, "weekly.html.jinja", review=review, owner=owner)
