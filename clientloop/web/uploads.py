"""Interaction uploads and the drafting job page."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select

from clientloop.deps import ContainerDep, SessionDep, read_limited
from clientloop.web.deps import PageUploader
from clientloop.web.pages import page_router, render
from clientloop.web.session import CsrfChecked, PageUser
from records.access import upload_filter
from records.errors import ClientloopError
from records.tables import Client, User

router = page_router()

_ROLE_NAMES = ("relationship_manager", "client", "service_agent", "operations", "compliance",
               "investment_specialist", "assistant", "other")
_PARTICIPANT_ROWS = 4


def uploadable_clients(session: Session, user: User, limit: int = 500) -> list[Client]:
    """The clients the user may upload for, by name (the form's suggestions)."""
    query = select(Client).where(upload_filter(user, Client.id)).order_by(col(Client.name)).limit(limit)
    return list(session.exec(query).all())


@router.get("/upload")
def upload_form(request: Request, user: PageUploader, session: SessionDep) -> HTMLResponse:
    """The interaction upload form."""
    return _upload_page(request, session, user, {})


def _upload_page(request: Request, session: Session, user: User, form: dict[str, str], *, status_code: int = 200,
                 error: str | None = None) -> HTMLResponse:
    # `form` holds what was posted, so an error costs none of the typing (a file must be chosen again).
    return render(request, "upload.html.jinja", status_code=status_code, error=error, form=form,
                  clients=uploadable_clients(session, user), roles=_ROLE_NAMES, rows=range(_PARTICIPANT_ROWS))


def _participants_json(form: Any, raw_json: str) -> str | None:
    """Participants as JSON text: the JSON box when filled, else the rows with a name."""
    if raw_json.strip():
        return raw_json
    people = []
    for i in range(_PARTICIPANT_ROWS):
        name = str(form.get(f"p{i}_name") or "").strip()
        if name:
            people.append({"name": name, "role": str(form.get(f"p{i}_role") or "other"),
                           "side": str(form.get(f"p{i}_side") or "client")})
    return json.dumps(people) if people else None


@router.post("/upload", dependencies=[CsrfChecked])
async def upload(
    request: Request, user: PageUploader, container: ContainerDep,
    client: Annotated[str, Form()], kind: Annotated[str, Form()],
    occurred_at: Annotated[str, Form()] = "", participants_json: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "", file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Store the interaction, queue its draft and go to the job page."""
    from clientloop.interactions import intake_interaction

    posted = await request.form()
    participants = _participants_json(posted, participants_json)
    has_file = file is not None and bool(file.filename)
    try:
        data = await read_limited(file, container.settings.max_upload_bytes) if has_file and file else None
        job = await run_in_threadpool(lambda: intake_interaction(
            container, user=user, client=client.strip(), kind=kind, data=data,
            filename=file.filename if file else None, text=text, occurred_at=occurred_at or None,
            participants=participants,
        ))
    except ClientloopError as exc:
        kept = {k: v for k, v in posted.items() if isinstance(v, str)}
        message = str(exc) + (" Choose the file again." if has_file else "")
        with Session(container.engine) as session:
            return _upload_page(request, session, user, kept, status_code=exc.status_code, error=message)
    return RedirectResponse(f"/ui/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(job_id: str, request: Request, user: PageUser, session: SessionDep) -> HTMLResponse:
    """A drafting job: its status and, when done, the draft if you may read it (refreshes itself while waiting)."""
    from clientloop.interactions import readable_job
    from review.models import ReviewItem

    seen = readable_job(session, job_id, user)
    job, draft = seen.job, seen.draft
    review = None
    if draft is not None:
        review = session.exec(select(ReviewItem).where(ReviewItem.lineage_id == draft.lineage_id)).first()
    client = session.get(Client, job.client_id) if job.client_id else None
    pool = getattr(request.app.state, "drafting_pool", None)
    return render(request, "job.html.jinja", job=job, draft=draft, client=client, review=review,
                  local_workers=pool.running if pool is not None else 0,
                  content=json.loads(draft.content_json) if draft else None,
                  waiting=job.status in ("queued", "running"), may_read_draft=seen.may_read_draft)
