"""The relationship handover: what a new owner needs to take a client over, in one read.

When an RM leaves or a client moves, the new owner reads: how the relationship started and
how long it has run, key decisions and their dates, promises still open (ours and the
client's), preferences, restrictions and sensitivities, open cases and complaints, key
contacts, and what should happen next. Every line links to its source, as in the brief
(`clients.brief_models.SourceLink`): a decision to the released record it was agreed in, a
promise to its action and evidence span, a restriction to its watch item.

Built from the same gathered book as the brief (`clients.brief_book`) plus every released
record of the client, so nothing here is invented; the same access rule applies (an RM
reads only their own book). The ownership change itself is `clients.handover_change`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from clients.brief_book import ClientBook, gather_book
from clients.brief_lines import LineNumbers, action_link, client_link, days_text
from clients.brief_models import BriefLine, BriefSection, SourceLink
from clients.brief_suggest import suggest_lines
from clients.lookup import readable_client
from clients.models import HandoverRequest
from records.ids import utcnow
from records.tables import Source, User
from review.models import InteractionRecord

MAX_DECISIONS = 15
"""Key decisions shown, newest first."""


class HandoverChange(BaseModel):
    """A proposed change of owner, as the handover shows it."""

    id: str
    from_owner: str | None
    to_owner: str
    status: str = Field(description="`pending`, `approved` or `rejected`.")
    proposed_by: str
    reason: str
    actions_to_move: list[str] = Field(default_factory=list, description="Open actions the old owner holds.")


class Handover(BaseModel):
    """One client's relationship, ready for a new owner."""

    client_id: str
    client_name: str
    owner: str | None = Field(description="The current relationship owner (user name).")
    as_of: date
    sections: list[BriefSection]
    change: HandoverChange | None = Field(default=None, description="The latest proposed change of owner.")


def relationship_handover(*, session: Session, client_ref: str, user: User | None = None,
                          as_of: date | None = None) -> Handover:
    """The handover of one client: nine sections, every line linked to its source.

    Raises:
        UnknownClient: no such client, or not in the user's book.
    """
    client = readable_client(session, client_ref, user)
    as_of = as_of or utcnow().date()
    book = gather_book(session, client, as_of)
    records = session.exec(
        select(InteractionRecord, Source).join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(InteractionRecord.client_id == client.id).order_by(col(Source.occurred_at).desc())
    ).all()
    L = LineNumbers()
    sections = [
        BriefSection(key="relationship", title="How the relationship started", lines=_relationship(book, records,
                                                                                                     as_of, L)),
        BriefSection(key="decisions", title="Key decisions", lines=_decisions(records, L)),
        BriefSection(key="our_promises", title="Our promises still open", lines=_promises(book, "firm", L)),
        BriefSection(key="client_promises", title="The client's promises still open",
                     lines=_promises(book, "client", L)),
        BriefSection(key="preferences", title="Preferences", lines=_preferences(book, records, L)),
        BriefSection(key="restrictions", title="Restrictions and sensitivities",
                     lines=[L.line(f"{w.kind.title()}: {w.text}", SourceLink(kind="watch", id=w.id))
                            for w in book.watch]),
        BriefSection(key="cases", title="Open cases and complaints", lines=[
            L.line(("Complaint" if c.is_complaint else c.case_type.replace("_", " ").capitalize())
                   + f", open {days_text((as_of - c.opened_on).days)}: {c.summary}", SourceLink(kind="case", id=c.id))
            for c in book.cases]),
        BriefSection(key="contacts", title="Key contacts", lines=[
            L.line(f"{c.name} ({c.role or 'contact'})" + (" · primary" if c.is_primary else "")
                   + "".join(f" · {v}" for v in (c.email, c.phone) if v), client_link(client))
            for c in book.contacts]),
        BriefSection(key="next_steps", title="What should happen next", lines=[
            *(L.line(f"Onboarding: {title} ({phase.owner}; due {phase.due_at:%Y-%m-%d}, overdue)",
                     SourceLink(kind="onboarding", id=phase.id), rule="onboarding_overdue",
                     reason="the phase is past its due time") for phase, title in book.onboarding_overdue),
            *suggest_lines(book, as_of, L)]),
    ]
    for s in sections:
        if not s.lines:
            s.empty = "Nothing on record."
    return Handover(client_id=client.id, client_name=client.name, owner=client.relationship_owner, as_of=as_of,
                    sections=sections, change=latest_change(session, client.id, book))


def latest_change(session: Session, client_id: str, book: ClientBook | None = None) -> HandoverChange | None:
    """The latest proposed change of owner for a client, with the actions that would move."""
    row = session.exec(select(HandoverRequest).where(HandoverRequest.client_id == client_id)
                       .order_by(col(HandoverRequest.proposed_at).desc())).first()
    if row is None:
        return None
    from clients.handover_change import actions_owned_by

    moving = json.loads(row.moved_actions_json) if row.status == "approved" else [
        a.id for a in actions_owned_by(session, client_id, row.from_owner)]
    return HandoverChange(id=row.id, from_owner=row.from_owner, to_owner=row.to_owner, status=row.status,
                          proposed_by=row.proposed_by, reason=row.reason, actions_to_move=moving)


def _relationship(book: ClientBook, records: Sequence[tuple[InteractionRecord, Source]], as_of: date,
                  L: LineNumbers) -> list[BriefLine]:
    client, profile = book.client, book.profile
    link = client_link(client)
    out = []
    if profile and profile.client_since:
        days = (as_of - profile.client_since).days
        years = days // 365
        span = f"{years} year{'s' if years != 1 else ''}" if days >= 365 else f"{days // 30} months"
        out.append(L.line(f"Client since {profile.client_since.isoformat()} ({span})", link, label="Tenure"))
    if records:
        first_record, first_source = records[-1]
        when = (first_source.occurred_at or first_record.created_at).date().isoformat()
        out.append(L.line(f"First interaction on record {when}; {len(records)} released in all",
                          SourceLink(kind="record", id=first_record.id, source_id=first_source.id),
                          label="History"))
    else:
        out.append(L.line("No interactions on record", link, label="History"))
    team = profile.service_team if profile and profile.service_team else "no service team recorded"
    out.append(L.line(f"{(client.segment or 'unsegmented').title()} · owner {client.relationship_owner or 'unassigned'}"
                      f" · {team}", link, label="Relationship"))
    return out


def _decisions(records: Sequence[tuple[InteractionRecord, Source]], L: LineNumbers) -> list[BriefLine]:
    out = []
    for record, source in records:
        summary = json.loads(record.content_json or "{}").get("summary") or {}
        when = (source.occurred_at or record.created_at).date().isoformat()
        for decision in summary.get("decisions") or []:
            out.append(L.line(f"{when}: {decision}", SourceLink(kind="record", id=record.id, source_id=source.id)))
            if len(out) >= MAX_DECISIONS:
                return out
    return out


def _promises(book: ClientBook, side: str, L: LineNumbers) -> list[BriefLine]:
    return [L.line(f"{a.description} ({a.owner or 'no owner'}; "
                   + (f"due {a.due_date.isoformat()}" if a.due_date else "no due date") + ")", action_link(a))
            for a in book.open_actions if a.owner_side == side]


def _preferences(book: ClientBook, records: Sequence[tuple[InteractionRecord, Source]],
                 L: LineNumbers) -> list[BriefLine]:
    out = []
    if book.profile and book.profile.preferred_channel:
        out.append(L.line(f"Prefers {book.profile.preferred_channel}", client_link(book.client)))
    seen: set[str] = set()
    for record, source in records:
        summary = json.loads(record.content_json or "{}").get("summary") or {}
        for preference in summary.get("preferences") or []:
            if preference.lower() not in seen:
                seen.add(preference.lower())
                out.append(L.line(preference, SourceLink(kind="record", id=record.id, source_id=source.id)))
    return out
