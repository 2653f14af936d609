"""Knowledge-base changes by people: proposed, decided by a second person, kept, audited.

Every member of staff is answered from the knowledge base, so a change to it is held
like a sensitive draft: a `knowledge` user (or an admin) proposes a new document or a
new version of one; it is stored and checked (it must load) but not indexed, and the
version answers are drawn from stays the approved one, until another knowledge user or
admin approves it (the proposer cannot). Rejected and replaced versions stay readable.
Each step is an audit event (`kb_propose`, `kb_approve`, `kb_reject`). With
`CLIENTLOOP_KB_REQUIRES_APPROVAL=false` (small teams) a proposal is approved at once, by
its proposer, and still recorded.

The operator's own bulk load (`clientloop ingest` without `--as`, the demo) writes the
knowledge base directly: it runs on the server, as whoever installed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, func, select, update

from clientloop.container import Container
from clientloop.ingest import IngestResult, ingest_bytes, store_upload
from knowledge.models import KBChange
from pipeline.loaders import load_document
from records.access import require_kb_writer
from records.errors import CallerError, NotFound, RaceLost
from records.ids import utcnow
from records.session import session_scope
from records.tables import Source, User
from review.audit import append_event


class SelfApproval(CallerError):
    """The proposer of a knowledge change tried to approve it."""

    status_code = 403
    code = "self_approval"


class ChangeDecided(RaceLost):
    """The knowledge change was already approved, rejected or superseded."""

    code = "already_decided"


@dataclass(frozen=True)
class Proposal:
    """A proposed change, and the indexing result when it was approved at once."""

    change: KBChange
    ingested: IngestResult | None = None


def _current(session: Session, filename: str) -> Source | None:
    return session.exec(select(Source).where(Source.key == f"-:{filename}")).first()


def propose(container: Container, data: bytes, filename: str, user: User) -> Proposal:
    """Store a new knowledge document or version and hold it for a second person.

    Raises:
        Forbidden: the user may not write the knowledge base.
        InputError: the file is empty, too large or does not load.
    """
    require_kb_writer(user)
    load_document(data, filename, kind="kb", max_bytes=container.settings.max_upload_bytes)  # refuse bad files now
    digest, path = store_upload(container, data)
    with session_scope(container.engine) as session:
        current = _current(session, filename)
        versions = session.exec(select(func.count()).select_from(KBChange)
                                .where(KBChange.filename == filename)).one()
        change = KBChange(filename=filename, source_id=current.id if current else None, version=versions + 1,
                          content_hash=digest, stored_path=str(path), size_bytes=len(data), proposed_by=user.name)
        session.add(change)
        session.flush()
        append_event(session, event_type="kb_propose", actor=user.name, payload={
            "change_id": change.id, "filename": filename, "source_id": change.source_id, "hash": digest,
            "version": change.version, "replaces": current.content_hash if current else None})
        session.expunge(change)
    if container.settings.kb_requires_approval:
        return Proposal(change)
    return _approve(container, change.id, user, self_approval=True)


def approve(container: Container, change_id: str, user: User) -> Proposal:
    """Approve someone else's pending change: index it, so answers now come from it.

    Raises:
        Forbidden / SelfApproval / NotFound / ChangeDecided.
    """
    return _approve(container, change_id, user, self_approval=False)


def _pending(session: Session, change_id: str, user: User, *, self_approval: bool) -> KBChange:
    require_kb_writer(user)
    change = session.get(KBChange, change_id, with_for_update=True)
    if change is None:
        raise NotFound(f"no knowledge change {change_id!r}")
    if change.status != "pending":
        raise ChangeDecided(f"knowledge change {change_id} is already {change.status}")
    if change.proposed_by == user.name and not self_approval:
        raise SelfApproval("a second person must approve a knowledge change; you proposed this one")
    return change


def _approve(container: Container, change_id: str, user: User, *, self_approval: bool) -> Proposal:
    with session_scope(container.engine) as session:
        # The change row stays locked (on PostgreSQL) until this approval commits: a second
        # person approving at the same moment waits here, then finds it decided.
        change = _pending(session, change_id, user, self_approval=self_approval)
        filename, path = change.filename, change.stored_path
        # Indexed as the operator: the decision to publish is this approval, recorded below.
        result = ingest_bytes(container, Path(path).read_bytes(), filename, kind="kb")
        # Decided only if still pending: SQLite takes no row lock, so two approvals can both get here.
        taken = session.execute(update(KBChange).where(col(KBChange.id) == change_id, col(KBChange.status) == "pending")
                                .values(status="approved", decided_by=user.name, decided_at=utcnow(),
                                        source_id=result.source_id))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise ChangeDecided(f"knowledge change {change_id} was decided by someone else meanwhile")
        session.refresh(change)
        for older in session.exec(select(KBChange).where(KBChange.filename == filename, KBChange.status == "approved",
                                                        col(KBChange.id) != change_id)).all():
            older.status = "superseded"
            session.add(older)
        session.flush()
        append_event(session, event_type="kb_approve", actor=user.name, payload={
            "change_id": change.id, "filename": filename, "source_id": result.source_id, "hash": change.content_hash,
            "version": change.version, "approval": "not required" if self_approval else "second person"})
        session.expunge(change)
    return Proposal(change, result)


def reject(container: Container, change_id: str, user: User, reason: str) -> KBChange:
    """Reject a pending change with a reason; the approved version keeps answering."""
    if not reason.strip():
        raise CallerError("a rejection needs a reason")
    with session_scope(container.engine) as session:
        change = _pending(session, change_id, user, self_approval=True)
        change.status, change.decided_by, change.decided_at, change.reason = "rejected", user.name, utcnow(), \
            reason.strip()
        session.add(change)
        session.flush()
        append_event(session, event_type="kb_reject", actor=user.name, payload={
            "change_id": change.id, "filename": change.filename, "reason": change.reason})
        session.expunge(change)
        return change


def changes(session: Session, *, status: str | None = None, filename: str | None = None,
            limit: int = 50, offset: int = 0) -> list[KBChange]:
    """Knowledge changes, newest first, optionally by status or document."""
    query = select(KBChange)
    if status:
        query = query.where(KBChange.status == status)
    if filename:
        query = query.where(KBChange.filename == filename)
    return list(session.exec(query.order_by(col(KBChange.created_at).desc()).offset(offset).limit(limit)).all())


def count_changes(session: Session, *, status: str | None = None) -> int:
    """How many knowledge changes there are, optionally of one status (for pages of `changes`)."""
    query = select(func.count()).select_from(KBChange)
    if status:
        query = query.where(KBChange.status == status)
    return int(session.exec(query).one())


def answering_text(session: Session, filename: str) -> str | None:
    """The text answers are drawn from today for a document, or None when it is not in the knowledge base."""
    current = _current(session, filename)
    return current.text if current is not None and current.status == "ready" else None


def change_text(container: Container, change: KBChange) -> str:
    """The text of one version, read from its stored bytes (replaced versions stay readable)."""
    data = Path(change.stored_path).read_bytes()
    return load_document(data, change.filename, kind="kb", max_bytes=container.settings.max_upload_bytes).text
