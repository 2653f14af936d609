"""The client list, client briefs (with their sources and action buttons) and the weekly review."""

from __future__ import annotations

import json
import math
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from clientloop.deps import ContainerDep, SessionDep
from clientloop.web.deps import PageClientInBook, PageClientsUser
from clientloop.web.highlight import Span, highlight
from clientloop.web.pages import page_router, render
from clientloop.web.session import CsrfChecked
from records.access import book_filter
from records.errors import ClientloopError, NotFound
from records.session import session_scope
from records.tables import Client, Source, User
from review.models import InteractionRecord

router = page_router()
CLIENTS_PER_PAGE = 60


@router.get("/clients")
def client_list(request: Request, user: PageClientsUser, session: SessionDep, page: str = "1") -> HTMLResponse:
    """The clients you may see, a page at a time, each with a link to its brief."""
    page_no = int(page) if page.isdigit() and int(page) > 0 else 1
    total = session.exec(select(func.count()).select_from(Client).where(book_filter(user, Client.id))).one()
    pages = max(1, math.ceil(total / CLIENTS_PER_PAGE))
    page_no = min(page_no, pages)
    query = (select(Client).where(book_filter(user, Client.id)).order_by(col(Client.name))
             .offset((page_no - 1) * CLIENTS_PER_PAGE).limit(CLIENTS_PER_PAGE))
    return render(request, "clients.html.jinja", clients=list(session.exec(query).all()), total=total,
                  page=page_no, pages=pages,
                  prev_url=f"/ui/clients?page={page_no - 1}" if page_no > 1 else None,
                  next_url=f"/ui/clients?page={page_no + 1}" if page_no < pages else None)


@router.get("/clients/{client_id}/records/{record_id}")
def record_page(client: PageClientInBook, record_id: str, request: Request, session: SessionDep,
                start: int | None = None, end: int | None = None) -> HTMLResponse:
    """A released interaction of the client: its source text with the linked span marked."""
    record = session.get(InteractionRecord, record_id)
    if record is None or record.client_id != client.id:
        raise NotFound(f"no released interaction {record_id} for this client")
    source = session.get(Source, record.source_id)
    text = (source.text if source else "") or ""
    marks = []
    if start is not None and end is not None and 0 <= start < end <= len(text):
        marks.append(Span(start, end, "evidence", "The line of the brief", "span"))
    content = json.loads(record.content_json)
    return render(request, "record.html.jinja", client=client, record=record, source=source, content=content,
                  source_html=highlight(text, marks), marked=bool(marks))


def _action_step(request: Request, container: ContainerDep, user: User, client: Client, action_id: str,
                 to_status: str, reason: str) -> Response:
    from clients.actions import set_status

    try:
        with session_scope(container.engine) as session:
            set_status(session=session, action_id=action_id, to_status=to_status, reason=reason.strip(),
                       actor=user.name, user=user)
    except ClientloopError as exc:
        # Back to the brief with the error and the reason as typed, never a page that loses it.
        with Session(container.engine) as session:
            return _brief_page(request, session, client, user, status_code=exc.status_code,
                               error=f"The action was not changed: {exc}", kept={"action": action_id, "reason": reason})
    return RedirectResponse(f"{_back(client.id)}?done={to_status}&action={action_id}", status_code=303)


def _back(client_id: str) -> str:
    return f"/ui/clients/{client_id}/brief"


@router.post("/clients/{client_id}/actions/{action_id}/close", dependencies=[CsrfChecked])
def close_action_page(client: PageClientInBook, action_id: str, request: Request, user: PageClientsUser,
                      container: ContainerDep, reason: Annotated[str, Form(min_length=1, max_length=2000)],
                      status: Annotated[str, Form()] = "done") -> Response:
    """Close an action of the brief as done or cancelled, with a reason (audited)."""
    to = status if status in ("done", "cancelled") else "done"
    return _action_step(request, container, user, client, action_id, to, reason)


@router.post("/clients/{client_id}/actions/{action_id}/reopen", dependencies=[CsrfChecked])
def reopen_action_page(client: PageClientInBook, action_id: str, request: Request, user: PageClientsUser,
                       container: ContainerDep,
                       reason: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    """Reopen a closed action, with a reason (audited)."""
    return _action_step(request, container, user, client, action_id, "open", reason)


@router.get("/clients/{client_id}/brief")
def client_brief(client: PageClientInBook, request: Request, user: PageClientsUser,
                 session: SessionDep) -> HTMLResponse:
    """The two-minute client brief, every line with where it came from."""
    return _brief_page(request, session, client, user)


def _brief_page(request: Request, session: Session, client: Client, user: User, *, status_code: int = 200,
                error: str | None = None, kept: dict[str, str] | None = None) -> HTMLResponse:
    from clients.brief import generate_brief
    from review.models import RecordAction

    brief = generate_brief(session=session, client_ref=client.id, user=user)
    statuses = _action_statuses(session, brief)
    retry = None
    if kept and kept["action"] not in statuses:
        row = session.get(RecordAction, kept["action"])
        retry = (row.id, row.status) if row is not None and row.client_id == client.id else None
    return render(request, "brief.html.jinja", status_code=status_code, error=error, kept=kept or {}, brief=brief,
                  client=client, action_status=statuses, form_at=_form_lines(brief), retry=retry,
                  done=None if error else request.query_params.get("done"),
                  changed_action=None if error else request.query_params.get("action"))


def _form_lines(brief: object) -> dict[str, str]:
    """The one line of the brief where each action gets its close / reopen form.

    That is its line under Open items when there is one, else its first line; the other lines link
    to it instead of repeating the form (up to three times in the demo).
    """
    lines = [(section.key, line) for section in brief.sections for line in section.lines  # type: ignore[attr-defined]
             if line.source.kind == "action"]
    at: dict[str, str] = {}
    for _key, line in sorted(lines, key=lambda pair: pair[0] != "open_items"):
        at.setdefault(line.source.id, line.id)
    return at


def _action_statuses(session: Session, brief: object) -> dict[str, str]:
    """The current status of every action a brief line links to (for its close / reopen button)."""
    from review.models import RecordAction

    ids = {line.source.id for section in brief.sections for line in section.lines  # type: ignore[attr-defined]
           if line.source.kind == "action"}
    if not ids:
        return {}
    rows = session.exec(select(RecordAction).where(col(RecordAction.id).in_(ids))).all()
    return {r.id: r.status for r in rows}


@router.get("/weekly")
def weekly_page(request: Request, user: PageClientsUser, session: SessionDep, owner: str = "") -> HTMLResponse:
    """The weekly review of a book (an RM always sees their own)."""
    from clients.weekly import weekly_review

    review = weekly_review(session=session, owner=owner.strip() or None, user=user)
    return render(request, "weekly.html.jinja", review=review, owner=owner)
