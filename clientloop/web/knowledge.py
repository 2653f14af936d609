"""The knowledge-base changes pages: propose a document, read a change against what answers today, decide.

The rule stays in `clientloop.kb_changes` (the function the API and `clientloop kb` call):
a change is held until a second member of the knowledge team approves it, and the
proposer cannot. The page only hides the approve button from the proposer and says why;
the service refuses the approval anyway.
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from clientloop.deps import ContainerDep, SessionDep, read_limited
from clientloop.web.deps import PageKnowledgeUser
from clientloop.web.pages import page_router, render
from clientloop.web.session import CsrfChecked
from records.errors import CallerError, ClientloopError, NotFound
from records.tables import User

router = page_router()

PAGE_SIZE = 25
STATUSES = ("pending", "approved", "rejected", "superseded")
DIFF_LINES = 2000
"""Diff lines shown before the page says the rest is cut (a whole new manual is read as text below)."""

_NOTICES = {
    "propose": "Proposed: another member of the knowledge team must approve it before answers use it.",
    "published": "Published at once: this server does not require a second approval "
                 "(CLIENTLOOP_KB_REQUIRES_APPROVAL=false).",
    "approve": "Approved and indexed: answers now come from this version.",
    "reject": "Rejected: the approved version keeps answering.",
}


@router.get("/kb")
def kb_changes_page(request: Request, user: PageKnowledgeUser, session: SessionDep, status: str = "pending",
                    page: str = "1") -> HTMLResponse:
    """Knowledge changes, newest first, waiting ones by default, with the form to propose a document."""
    return _list_page(request, session, user, status=status, page=page)


def _list_page(request: Request, session: Session, user: User, *, status: str = "pending", page: str = "1",
               status_code: int = 200, error: str | None = None) -> HTMLResponse:
    from clientloop.kb_changes import changes, count_changes

    chosen = status if status in STATUSES else None  # "all" (or anything else) lists every status
    page_no = int(page) if page.isdigit() and int(page) > 0 else 1
    total = count_changes(session, status=chosen)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    rows = changes(session, status=chosen, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)

    def page_url(n: int) -> str:
        return "/ui/kb?" + urlencode({"status": chosen or "all", "page": n})

    return render(request, "kb_changes.html.jinja", status_code=status_code, error=error, changes=rows,
                  total=total, status=chosen or "all", statuses=STATUSES, page=page_no, pages=pages,
                  prev_url=page_url(page_no - 1) if page_no > 1 else None,
                  next_url=page_url(page_no + 1) if page_no < pages else None)


@router.post("/kb", dependencies=[CsrfChecked])
async def propose_document(request: Request, user: PageKnowledgeUser, container: ContainerDep,
                           file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Store a new knowledge document or version and hold it for a second person."""
    from clientloop.kb_changes import propose

    try:
        if file is None or not file.filename:
            raise CallerError("choose the document to propose (md, txt, html, pdf, docx)")
        data = await read_limited(file, container.settings.max_upload_bytes)
        proposal = await run_in_threadpool(propose, container, data, file.filename, user)
    except ClientloopError as exc:
        with Session(container.engine) as session:
            return _list_page(request, session, user, status_code=exc.status_code, error=str(exc))
    done = "propose" if proposal.ingested is None else "published"
    return RedirectResponse(f"/ui/kb/{proposal.change.id}?done={done}", status_code=303)


@router.get("/kb/{change_id}")
def kb_change_page(change_id: str, request: Request, user: PageKnowledgeUser, session: SessionDep,
                   container: ContainerDep, done: str = "") -> HTMLResponse:
    """One change: its text, what it changes in the version that answers today, and the decision forms."""
    return _change_page(request, session, container, user, change_id, notice=_NOTICES.get(done))


def _change_page(request: Request, session: Session, container: Any, user: User, change_id: str, *,
                 status_code: int = 200, notice: str | None = None, error: str | None = None,
                 reason: str = "") -> HTMLResponse:
    from clientloop.kb_changes import answering_text, change_text
    from knowledge.models import KBChange

    change = session.get(KBChange, change_id)
    if change is None:
        raise NotFound(f"no knowledge change {change_id!r}")
    text = change_text(container, change)
    current = answering_text(session, change.filename) if change.status == "pending" else None
    lines, cut = _diff(current, text) if current is not None else ([], False)
    return render(request, "kb_change.html.jinja", status_code=status_code, notice=notice, error=error,
                  change=change, text=text, current=current, diff=lines, diff_cut=cut, reason=reason,
                  own=change.proposed_by == user.name)


def _diff(old: str, new: str) -> tuple[list[tuple[str, str]], bool]:
    """(css class, line) rows of a unified diff, and whether it was cut at `DIFF_LINES`."""
    rows: list[tuple[str, str]] = []
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "approved", "proposed", n=2, lineterm="")
    for number, line in enumerate(lines):
        if number < 2:
            continue  # the "--- approved" / "+++ proposed" header, not a removed "---" rule in the text
        css = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "ctx")
        rows.append((css, line))
        if len(rows) >= DIFF_LINES:
            return rows, True
    return rows, False


@router.post("/kb/{change_id}/approve", dependencies=[CsrfChecked])
async def approve_change(change_id: str, request: Request, user: PageKnowledgeUser,
                         container: ContainerDep) -> Response:
    """Approve someone else's change: it is indexed and answers come from it from now on."""
    from clientloop.kb_changes import approve

    try:
        await run_in_threadpool(approve, container, change_id, user)
    except ClientloopError as exc:
        return _refused(request, container, user, change_id, exc)
    return RedirectResponse(f"/ui/kb/{change_id}?done=approve", status_code=303)


@router.post("/kb/{change_id}/reject", dependencies=[CsrfChecked])
def reject_change(change_id: str, request: Request, user: PageKnowledgeUser, container: ContainerDep,
                  reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Reject a change with a reason; the approved version keeps answering."""
    from clientloop.kb_changes import reject

    try:
        reject(container, change_id, user, reason)
    except ClientloopError as exc:
        return _refused(request, container, user, change_id, exc, reason=reason)
    return RedirectResponse(f"/ui/kb/{change_id}?done=reject", status_code=303)


def _refused(request: Request, container: Any, user: User, change_id: str, exc: ClientloopError, *,
             reason: str = "") -> HTMLResponse:
    """The change page again with the service's refusal beside it (a missing change is the 404 page)."""
    if isinstance(exc, NotFound):
        raise exc
    with Session(container.engine) as session:
        return _change_page(request, session, container, user, change_id, status_code=exc.status_code,
                            error=str(exc), reason=reason)
