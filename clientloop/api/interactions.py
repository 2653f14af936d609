"""Interaction uploads (drafted in the background) and job status."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from clientloop.api.auth import AnyUser, Uploader
from clientloop.api.deps import ContainerDep, SessionDep
from clientloop.api.documents import ensure_in_book, read_limited
from clientloop.api.errors import responses
from clientloop.interactions import InvalidInteraction, draft_of, get_job, submit_interaction
from records.errors import NotFound
from records.tables import Job

router = APIRouter(prefix="/v1", tags=["interactions"])


class JobAccepted(BaseModel):
    """A queued drafting job."""

    job_id: str
    status: str = Field(description="queued, running, done or failed.")
    source_id: str
    status_url: str = Field(description="Poll this for the draft.")


class DraftView(BaseModel):
    """One immutable draft version."""

    id: str
    version: int
    engine: str
    model: str | None
    prompt_version: str | None
    fallback: bool = Field(description="True when the LLM failed and the rules engine drafted instead.")
    source_id: str
    created_at: datetime
    content: dict[str, Any] = Field(description="The InteractionDraft: summary, actions, grounding report.")


class JobView(BaseModel):
    """A job's state and, when done, its draft."""

    id: str
    status: str
    attempts: int
    error: str | None
    source_id: str
    created_at: datetime
    updated_at: datetime
    draft: DraftView | None


@router.post("/interactions", status_code=202, responses=responses(401, 403, 404, 413, 415, 422))
async def create_interaction(
    container: ContainerDep,
    user: Uploader,
    client: Annotated[str, Form(description="Client id or exact name.")],
    kind: Annotated[Literal["call_transcript", "meeting_notes", "email"], Form()],
    file: Annotated[UploadFile | None, File(description="Transcript, note or email file.")] = None,
    text: Annotated[str | None, Form(description="The interaction as text, instead of a file.")] = None,
    occurred_at: Annotated[str | None, Form(description="ISO 8601 time of the interaction.")] = None,
    participants: Annotated[str | None, Form(description="JSON list of {name, role, side}.")] = None,
    engine: Annotated[Literal["rules", "llm"] | None, Form()] = None,
    create_client: Annotated[bool, Form(description="Create the client if it does not exist.")] = False,
) -> JobAccepted:
    """Store the interaction and queue a draft; returns at once with the job id."""
    limit = container.settings.max_upload_bytes
    if user.role == "rm":
        await run_in_threadpool(ensure_in_book, container, user, client)
    if file is not None and text:
        raise InvalidInteraction("send either a file or text, not both")
    if file is not None:
        data, filename = await read_limited(file, limit), file.filename or "upload.txt"
    elif text is not None:
        data, filename = text.encode("utf-8"), "interaction.txt"
    else:
        raise InvalidInteraction("send the interaction as a file or as text")
    job: Job = await run_in_threadpool(
        lambda: submit_interaction(
            container, data=data, filename=filename, client=client, kind=kind, occurred_at=occurred_at,
            participants=participants, engine=engine, create_client=create_client, requested_by=user.name,
        )
    )
    if user.role == "rm" and create_client:
        await run_in_threadpool(_adopt_new_client, container, job, user.name)
    return JobAccepted(job_id=job.id, status=job.status, source_id=job.source_id, status_url=f"/v1/jobs/{job.id}")


def _adopt_new_client(container: ContainerDep, job: Job, rm: str) -> None:
    """A client an RM creates by uploading joins that RM's book."""
    from sqlmodel import Session

    from records.tables import Client

    with Session(container.engine) as session:
        row = session.get(Client, job.client_id) if job.client_id else None
        if row is not None and row.relationship_owner is None:
            row.relationship_owner = rm
            session.add(row)
            session.commit()


@router.get("/jobs/{job_id}", responses=responses(401, 404))
def read_job(job_id: str, session: SessionDep, user: AnyUser) -> JobView:
    """A drafting job's status and its draft once done (404 outside an RM's own book)."""
    from review.queue import can_see_client

    job = get_job(session, job_id)
    if not can_see_client(session, user, job.client_id):
        raise NotFound(f"no job with id {job_id!r}")
    draft = draft_of(session, job)
    view = None
    if draft is not None:
        view = DraftView(
            id=draft.id, version=draft.version, engine=draft.engine, model=draft.model,
            prompt_version=draft.prompt_version, fallback=draft.fallback, source_id=draft.source_id,
            created_at=draft.created_at, content=json.loads(draft.content_json),
        )
    return JobView(id=job.id, status=job.status, attempts=job.attempts, error=job.error, source_id=job.source_id,
                   created_at=job.created_at, updated_at=job.updated_at, draft=view)
