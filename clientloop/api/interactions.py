"""Interaction uploads (drafted in the background) and job status."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from clientloop.api.auth import AnyUser, Uploader
from clientloop.api.errors import responses
from clientloop.deps import ContainerDep, DatabaseDep, read_limited
from clientloop.interactions import intake_interaction, readable_job
from records.tables import Job, User
from review.explain import ReviewState, review_state

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
    draft: DraftView | None = Field(description="The draft once done; null for callers who may not read drafts.")
    review: ReviewState | None = Field(default=None, description=(
        "The draft's review item once drafted: status, hold reasons with their spans, and one reason per flag; "
        "null with the draft."))


@router.post("/interactions", status_code=202, responses=responses(401, 403, 404, 413, 415, 422))
async def create_interaction(
    container: ContainerDep,
    user: Uploader,
    client: Annotated[str, Form(description="Client id, CRM external id or exact name.")],
    kind: Annotated[Literal["call_transcript", "meeting_notes", "email"], Form()],
    file: Annotated[UploadFile | None, File(description="Transcript, note or email file.")] = None,
    text: Annotated[str | None, Form(description="The interaction as text, instead of a file.")] = None,
    occurred_at: Annotated[str | None, Form(description="ISO 8601 time of the interaction.")] = None,
    participants: Annotated[str | None, Form(description="JSON list of {name, role, side}.")] = None,
    engine: Annotated[Literal["rules", "llm"] | None, Form()] = None,
    create_client: Annotated[bool, Form(description="Create the client if it does not exist.")] = False,
) -> JobAccepted:
    """Store the interaction and queue a draft; returns at once with the job id."""
    data = await read_limited(file, container.settings.max_upload_bytes) if file is not None else None
    job: Job = await run_in_threadpool(
        lambda: intake_interaction(
            container, user=user, client=client, kind=kind, data=data, filename=file.filename if file else None,
            text=text, occurred_at=occurred_at, participants=participants, engine=engine,
            create_client=create_client,
        )
    )
    return JobAccepted(job_id=job.id, status=job.status, source_id=job.source_id, status_url=f"/v1/jobs/{job.id}")


@router.get("/jobs/{job_id}", responses=responses(401, 404))
async def read_job(job_id: str, db: DatabaseDep, user: AnyUser) -> JobView:
    """A drafting job's status, and its draft once done if you may read drafts (404 outside your book)."""
    return await db.run(_job_view, job_id, user)


def _job_view(session: Session, /, job_id: str, user: User) -> JobView:
    seen = readable_job(session, job_id, user)
    job, draft = seen.job, seen.draft
    view = review = None
    if draft is not None:
        review = review_state(session, lineage_id=draft.lineage_id)
        view = DraftView(
            id=draft.id, version=draft.version, engine=draft.engine, model=draft.model,
            prompt_version=draft.prompt_version, fallback=draft.fallback, source_id=draft.source_id,
            created_at=draft.created_at, content=json.loads(draft.content_json),
        )
    return JobView(id=job.id, status=job.status, attempts=job.attempts, error=job.error, source_id=job.source_id,
                   created_at=job.created_at, updated_at=job.updated_at, draft=view, review=review)
