"""What a brief is built from: one client's records, read in one pass.

`gather_book` is the brief's only database access before composing; everything after it
(`clients.brief_sections`) is a pure function of the gathered `ClientBook` and `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from clients.advisory import refresh_alerts
from clients.models import (
    ActionStatusChange,
    Alert,
    Brief,
    ClientProfile,
    Contact,
    Holding,
    OnboardingPhase,
    OutstandingDocument,
    ServiceCase,
    WatchItem,
)
from clients.onboarding import overdue_phases
from records.ids import utcnow
from records.tables import Client, Source
from review.models import InteractionRecord, RecordAction

RECENT_INTERACTIONS = 5

@dataclass
class RecentInteraction:
    """An interaction record with its source and when it happened."""

    record: InteractionRecord
    source: Source
    occurred_at: datetime


@dataclass
class ClientBook:
    """Everything the brief reads about one client."""

    client: Client
    profile: ClientProfile | None
    contacts: list[Contact]
    holdings: list[Holding]
    cases: list[ServiceCase]
    documents: list[OutstandingDocument]
    watch: list[WatchItem]
    alerts: list[Alert]
    recent: list[RecentInteraction]
    interaction_count: int
    open_actions: list[RecordAction]
    previous: Brief | None
    changes_since_brief: list[ActionStatusChange] = field(default_factory=list)
    changes_since_interaction: list[ActionStatusChange] = field(default_factory=list)
    new_records: list[RecentInteraction] = field(default_factory=list)
    onboarding_overdue: list[tuple[OnboardingPhase, str]] = field(default_factory=list)
    """Onboarding phases past their due time, with their titles."""


def aware(value: datetime | None) -> datetime | None:
    """A naive datetime read back from SQLite, as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def gather_book(session: Session, client: Client, as_of: date) -> ClientBook:
    """Read the client's records the brief needs, newest interactions first."""
    cid = client.id
    rows = session.exec(
        select(InteractionRecord, Source).join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(Source.client_id == cid, InteractionRecord.client_id == cid)
        .order_by(col(Source.occurred_at).desc()).limit(RECENT_INTERACTIONS)
    ).all()
    recent = [RecentInteraction(r, s, aware(s.occurred_at) or aware(r.created_at)) for r, s in rows]  # type: ignore[arg-type]
    count = session.exec(select(func.count()).select_from(InteractionRecord)
                         .where(InteractionRecord.client_id == cid)).one()
    previous = session.exec(select(Brief).where(Brief.client_id == cid)
                            .order_by(col(Brief.generated_at).desc()).limit(1)).first()
    book = ClientBook(
        client=client, profile=session.get(ClientProfile, cid),
        contacts=list(session.exec(select(Contact).where(Contact.client_id == cid)).all()),
        holdings=list(session.exec(select(Holding).where(Holding.client_id == cid)).all()),
        cases=list(session.exec(select(ServiceCase).where(ServiceCase.client_id == cid,
                                                          ServiceCase.status != "closed")).all()),
        documents=list(session.exec(select(OutstandingDocument).where(
            OutstandingDocument.client_id == cid, OutstandingDocument.status == "outstanding")).all()),
        watch=list(session.exec(select(WatchItem).where(WatchItem.client_id == cid, WatchItem.active)).all()),
        alerts=sorted(refresh_alerts(session, [cid], as_of), key=lambda a: (not a.urgent, a.rule_id)),
        recent=recent, interaction_count=count,
        open_actions=list(session.exec(
            select(RecordAction).where(RecordAction.client_id == cid, RecordAction.status == "open")
            .order_by(col(RecordAction.due_date))).all()),
        previous=previous,
    )
    book.onboarding_overdue = overdue_phases(session, cid, min(utcnow(), datetime.combine(as_of, time.max, UTC)))
    if previous is not None:
        since = aware(previous.generated_at)
        book.changes_since_brief = list(session.exec(
            select(ActionStatusChange).where(ActionStatusChange.client_id == cid,
                                             col(ActionStatusChange.changed_at) > since)
            .order_by(col(ActionStatusChange.changed_at))).all())
        book.new_records = [i for i in recent if (aware(i.record.created_at) or since) > since]  # type: ignore[operator]
    if recent:
        book.changes_since_interaction = list(session.exec(
            select(ActionStatusChange).where(ActionStatusChange.client_id == cid,
                                             col(ActionStatusChange.changed_at) > recent[0].occurred_at)
            .order_by(col(ActionStatusChange.changed_at))).all())
    return book
