"""Interaction uploads and the drafting they trigger.

`intake_interaction` is the one upload intake (the API, the pages and `clientloop draft`
call it): a file or pasted text, a client by id, CRM external id or exact name, and the
uploader, whose role and book decide whether the upload is accepted
(`records.access`). `submit_interaction` stores the upload and its job in one
transaction and returns at once; a worker (`clientloop.worker`) leases the job and
drafts. The draft row has a unique `job_id`, so a job that two workers both finish (one
of them after its lease ran out) still yields exactly one draft. `readable_job` is the
one read of a job: its status for the uploader and the client's readers, its draft only
for those who may read drafts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from clientloop.container import Container
from clientloop.ingest import resolve_client, store_upload
from pipeline.documents import LoadedDocument
from pipeline.drafting import DraftOutcome, DraftRequest, EngineName, draft
from pipeline.errors import DocumentTooLarge, EmptyDocument, InputError
from pipeline.schemas import InteractionKind, Participant
from records.access import can_read_draft, can_read_job, client_of
from records.errors import DuplicateRecord, NotFound
from records.ids import utcnow
from records.session import session_scope
from records.tables import Draft, Job, Source, User
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


def intake_interaction(
    container: Container,
    *,
    user: User | None,
    client: str,
    kind: str,
    data: bytes | None = None,
    filename: str | None = None,
    text: str | None = None,
    occurred_at: str | datetime | None = None,
    participants: str | list[Any] | None = None,
    engine: EngineName | None = None,
    create_client: bool = False,
) -> Job:
    """Accept an interaction upload from a person: a file's bytes or pasted text, never both.

    Args:
        container: The container.
        user: The uploader (None: the operator); recorded as the draft's author.
        client: Client id, CRM external id or exact name.
        kind: `call_transcript`, `meeting_notes` or `email`.
        data: The file's bytes (with `filename`).
        filename: The file's name.
        text: The interaction as pasted text, instead of a file.
        occurred_at: ISO 8601 time of the interaction (default: from the file, or now).
        participants: JSON text or a list of {name, role, side}.
        engine: Override the configured engine.
        create_client: Create the client when no client matches (an RM's joins their book).

    Raises:
        InputError: no file and no text, both, an unknown kind, or anything
            `submit_interaction` refuses.
        Forbidden: the user's role may not upload.
    """
    if kind not in get_args(InteractionKind):
        raise InvalidInteraction("choose a kind: call_transcript, meeting_notes or email")
    has_text = bool(text and text.strip())
    if data is not None and has_text:
        raise InvalidInteraction("send either a file or the text, not both")
    if data is None and not has_text:
        raise InvalidInteraction("send the interaction as a file or paste its text")
    payload, name = (data, filename or "upload.txt") if data is not None else ((text or "").encode(), "interaction.txt")
    return submit_interaction(container, data=payload, filename=name, client=client, kind=kind,  # type: ignore[arg-type]
                              occurred_at=occurred_at or None, participants=participants, engine=engine,
                              create_client=create_client, user=user)


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
    user: User | None = None,
) -> Job:
    """Store an interaction upload and queue a drafting job (returns the queued job).

    `user` (None: the operator) must be allowed to upload for the client; `requested_by`
    is recorded as the uploader (default: the user's name).

    Raises:
        InputError: empty, too large, undecodable or malformed upload; unknown client;
            impossible timestamp or participant list.
        Forbidden: the user's role may not upload.
        EngineDisabled: `engine` is not enabled on this server (`CLIENTLOOP_ENGINES`).
    """
    requested_by = requested_by or (user.name if user else None)
    settings = container.settings
    engine = settings.engine_for(engine)
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
    def queue() -> Job:
        with session_scope(container.engine) as session:
            return _queue_draft(session, container, data=data, filename=filename, client=client, kind=kind,
                                when=when, people=people, engine=engine, requested_by=requested_by,
                                create_client=create_client, user=user, doc=doc)

    try:
        return queue()
    except DuplicateRecord:
        # The same upload arrived twice at once and the twin committed first: its source
        # and job are the answer to both.
        return queue()


def _queue_draft(session: Session, container: Container, *, data: bytes, filename: str, client: str,
                 kind: InteractionKind, when: datetime, people: list[Any], engine: EngineName,
                 requested_by: str | None, create_client: bool, user: User | None,
                 doc: LoadedDocument) -> Job:
    client_row = resolve_client(session, client, create=create_client, user=user)
    assert client_row is not None
    digest, path = store_upload(container, data)  # only once the uploader may upload for the client
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
                           engine=engine)
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
    people = _client_people(container, request.client) if model is not None and settings.redact_model_input else []
    return draft(request, model=model, model_name=settings.llm_model, limits=settings,
                 redact=settings.redact_model_input, known_people=people)


def _client_people(container: Container, client: str) -> list[str]:
    """The names in the client record (its contacts), for redaction before a model call."""
    from clients.lookup import find_client
    from clients.models import Contact

    with Session(container.engine) as session:
        row = find_client(session, client)
        if row is None:
            return []
        return [c.name for c in session.exec(select(Contact).where(Contact.client_id == row.id)).all() if c.name]


def get_job(session: Session, job_id: str) -> Job:
    """A job by id."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id!r}")
    return job


def draft_of(session: Session, job: Job) -> Draft | None:
    """The draft a job produced, if any."""
    return session.get(Draft, job.draft_id) if job.draft_id else None


@dataclass
class JobRead:
    """A job as one user may see it."""

    job: Job
    draft: Draft | None
    """The draft, when there is one and the user may read drafts of the client."""
    may_read_draft: bool


def readable_job(session: Session, job_id: str, user: User | None) -> JobRead:
    """A job's status for its uploader or a reader of its client; its draft only for those who may read drafts.

    Raises:
        NotFound: no such job, or neither the user's upload nor a client they may read.
    """
    job = get_job(session, job_id)
    client = client_of(session, job.client_id)
    if not can_read_job(user, job, client):
        raise NotFound(f"no job with id {job_id!r}")
    may_read = can_read_draft(user, client)
    return JobRead(job=job, draft=draft_of(session, job) if may_read else None, may_read_draft=may_read)
