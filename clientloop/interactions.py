"""Interaction uploads and the drafting they trigger.

`submit_interaction` stores the upload and its job in one transaction and returns at
once; a worker (`clientloop.worker`) leases the job and drafts. The draft row has a
unique `job_id`, so a job that two workers both finish (one of them after its lease ran
out) still yields exactly one draft.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from clientloop.container import Container
from clientloop.ingest import resolve_client, store_upload
from pipeline.documents import LoadedDocument
from pipeline.drafting import DraftOutcome, DraftRequest, EngineName, draft
from pipeline.errors import DocumentTooLarge, EmptyDocument, InputError
from pipeline.schemas import InteractionKind, Participant
from records.errors import NotFound
from records.ids import utcnow
from records.session import session_scope
from records.tables import Draft, Job, Source
from review.audit import append_event

_SOURCE_KIND = {"call_transcript": "transcript", "meeting_notes": "note", "email": "email"}
_participants = TypeAdapter(list[Participant])


class InvalidInteraction(InputError):
    """The interaction request is missing something or holds an impossible value."""


def parse_occurred_at(value: str | datetime | None, fallback: datetime | None = None) -> datetime:
    """An ISO 8601 timestamp; naive values are taken as UTC."""
    if value is None or value == "":
        return fallback or utcnow()
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInteraction(
                f"occurred_at {value[:40]!r} is not an ISO 8601 timestamp; use e.g. 2026-11-16T14:30:00+00:00"
            ) from None
    if dt.tzinfo is None:
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt


def parse_participants(value: str | list[Any] | None) -> list[Participant]:
    """Participants given as JSON text or a list; an empty value means 'infer from the text'."""
    if value in (None, "", []):
        return []
    try:
        raw = json.loads(value) if isinstance(value, str) else value
        return _participants.validate_python(raw)
    except (ValueError, ValidationError) as exc:
        raise InvalidInteraction(
            "participants must be a JSON list of {name, role, side} with side 'firm' or 'client'"
        ) from exc


def load_interaction(data: bytes, filename: str, kind: InteractionKind, max_bytes: int) -> LoadedDocument:
    """Load an interaction upload, refusing ones with nothing to draft from."""
    from pipeline.loaders import load_document

    doc = load_document(data, filename, kind=_SOURCE_KIND[kind], max_bytes=max_bytes)  # type: ignore[arg-type]
    if not doc.text.strip():
        raise EmptyDocument("the interaction holds no text", filename=filename)
    return doc


def submit_interaction(
    container: Container,
    *,
    data: bytes,
    filename: str,
    client: str,
    kind: InteractionKind,
    occurred_at: str | datetime | None = None,
    participants: str | list[Any] | None = None,
    engine: EngineName | None = None,
    requested_by: str | None = None,
    create_client: bool = False,
) -> Job:
    """Store an interaction upload and queue a drafting job (returns the queued job).

    Raises:
        InputError: empty, too large, undecodable or malformed upload; unknown client;
            impossible timestamp or participant list.
    """
    settings = container.settings
    if len(data) > settings.max_upload_bytes:
        raise DocumentTooLarge(
            f"upload is {len(data):,} bytes, over the {settings.max_upload_bytes:,}-byte limit", filename=filename
        )
    if not data.strip():
        raise EmptyDocument("the interaction is empty or whitespace only; upload the transcript, note or email",
                            filename=filename)
    people = parse_participants(participants)
    when = parse_occurred_at(occurred_at) if occurred_at else None
    doc = load_interaction(data, filename, kind, settings.max_upload_bytes)
    when = when or doc.occurred_at or utcnow()
    digest, path = store_upload(container, data)
    with session_scope(container.engine) as session:
        client_row = resolve_client(session, client, create=create_client)
        assert client_row is not None
        source = Source(
            key=f"{client_row.id}:interaction:{digest}:{when.isoformat()}", filename=filename,
            kind=_SOURCE_KIND[kind], media_type=doc.media_type, title=doc.title, client_id=client_row.id,
            content_hash=digest, size_bytes=len(data), stored_path=str(path), status="ready", text=doc.text,
            meta_json=json.dumps(doc.metadata, sort_keys=True), occurred_at=when,
        )
        # The same bytes for the same client and moment are the same interaction: no second job.
        existing = session.exec(select(Source).where(Source.key == source.key)).first()
        if existing is not None:
            job = _latest_job_for(session, existing.id)
            if job is not None:
                return job
            source = existing
        else:
            session.add(source)
            session.flush()
        request = DraftRequest(text="", kind=kind, occurred_at=when, participants=people, client=client_row.name,
                               engine=engine or settings.engine)
        job = Job(source_id=source.id, client_id=client_row.id, requested_by=requested_by,
                  payload_json=request.model_dump_json(exclude={"text"}))
        session.add(job)
        session.flush()
        _audit(session, "upload", requested_by, {"source_id": source.id, "job_id": job.id, "hash": digest})
        return job


def _latest_job_for(session: Session, source_id: str) -> Job | None:
    return session.exec(select(Job).where(Job.source_id == source_id).order_by(col(Job.created_at).desc())).first()


def _audit(session: Session, event: str, actor: str | None, payload: dict[str, Any]) -> None:
    append_event(session, event_type=event, actor=actor or "system", payload=payload)


def draft_request_for(job: Job, source: Source) -> DraftRequest:
    """The drafting request a queued job stands for: its payload plus the source's text."""
    return DraftRequest.model_validate({**json.loads(job.payload_json), "text": source.text or ""})


def draft_interaction(container: Container, request: DraftRequest) -> DraftOutcome:
    """Draft one interaction through the pipeline's single entry point (always grounded)."""
    settings = container.settings
    model = container.chat_model if request.engine == "llm" else None
    return draft(request, model=model, model_name=settings.llm_model, limits=settings)


def get_job(session: Session, job_id: str) -> Job:
    """A job by id."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id!r}")
    return job


def draft_of(session: Session, job: Job) -> Draft | None:
    """The draft a job produced, if any."""
    return session.get(Draft, job.draft_id) if job.draft_id else None
