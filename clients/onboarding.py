"""Onboarding phases: a new client or mandate gets a case whose phases fall due from the signature.

The phases, their owners and their due times (counted from the signature, `PHASES`):

| phase | owner | due |
|---|---|---|
| welcome message | the RM | within 2 hours of signature |
| intake form | the RM | 2 days |
| documents and access (credentials tested on receipt) | operations | 5 days |
| kickoff call | the RM | 5 days (the target: signature to kickoff in 5 days or fewer) |
| internal sales-to-delivery handoff | the RM | 7 days |
| check-ins | the RM | days 14, 30 and 60 |
| feedback survey | the RM | day 120 |

A phase is `done` (with who and when), `overdue` (past its due time), or `open`. Overdue
phases surface in the brief's open items and in the weekly review, which also reports the
days from signature to kickoff and the share of onboarded clients active at day 90 (a
released interaction or a phase done on or after day 60: the relationship is alive). Each
phase done is an audit event (`onboarding_done`); opening a case is one too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from clients.errors import InvalidOnboarding
from clients.lookup import readable_client
from clients.models import OnboardingCase, OnboardingPhase
from records.access import book_filter, require_permission
from records.ids import utcnow
from records.tables import Client, Source, User
from review.audit import append_event
from review.models import InteractionRecord

KICKOFF_TARGET_DAYS = 5
ACTIVE_DAY = 90


@dataclass(frozen=True)
class PhaseSpec:
    """One phase of the standard onboarding plan."""

    key: str
    title: str
    owner: str
    """`rm` (the client's relationship owner) or a team name."""
    due_after: timedelta


PHASES: tuple[PhaseSpec, ...] = (
    PhaseSpec("welcome", "Welcome message", "rm", timedelta(hours=2)),
    PhaseSpec("intake", "Intake form", "rm", timedelta(days=2)),
    PhaseSpec("documents", "Documents and access (credentials tested on receipt)", "Operations team",
              timedelta(days=5)),
    PhaseSpec("kickoff", "Kickoff call", "rm", timedelta(days=KICKOFF_TARGET_DAYS)),
    PhaseSpec("handoff", "Internal sales-to-delivery handoff", "rm", timedelta(days=7)),
    PhaseSpec("checkin_14", "Check-in at day 14", "rm", timedelta(days=14)),
    PhaseSpec("checkin_30", "Check-in at day 30", "rm", timedelta(days=30)),
    PhaseSpec("checkin_60", "Check-in at day 60", "rm", timedelta(days=60)),
    PhaseSpec("survey", "Feedback survey at day 120", "rm", timedelta(days=120)),
)
_BY_KEY = {p.key: p for p in PHASES}


class PhaseView(BaseModel):
    """One phase as people read it."""

    key: str
    title: str
    owner: str
    due_at: datetime
    status: str = Field(description="`done`, `overdue` or `open`.")
    done_at: datetime | None = None
    done_by: str | None = None
    note: str = ""


class OnboardingView(BaseModel):
    """One client's onboarding case with its phases."""

    case_id: str
    client_id: str
    client_name: str
    signed_at: datetime
    mandate: str
    phases: list[PhaseView]
    next_phase: str | None = Field(description="The first phase not done yet.")
    days_to_kickoff: int | None = Field(description="Days from signature to the kickoff call, once held.")


def open_onboarding(*, session: Session, client_ref: str, signed_at: datetime, user: User | None,
                    mandate: str = "") -> OnboardingCase:
    """Open an onboarding case: every phase, owned by the RM (or its team), due from `signed_at`.

    Raises:
        UnknownClient: the client is not in the user's book.
        InvalidOnboarding: the client already has a case.
    """
    require_permission(user, "clients")
    client = readable_client(session, client_ref, user)
    if session.exec(select(OnboardingCase).where(OnboardingCase.client_id == client.id)).first() is not None:
        raise InvalidOnboarding(f"{client.name} already has an onboarding case")
    signed = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)
    actor = user.name if user else "operator"
    case = OnboardingCase(client_id=client.id, signed_at=signed, mandate=mandate.strip(), opened_by=actor)
    session.add(case)
    session.flush()
    owner = client.relationship_owner or actor
    for ordinal, spec in enumerate(PHASES):
        session.add(OnboardingPhase(case_id=case.id, key=spec.key, ordinal=ordinal, due_at=signed + spec.due_after,
                                    owner=owner if spec.owner == "rm" else spec.owner))
    session.flush()
    append_event(session, event_type="onboarding_open", actor=actor, payload={
        "case_id": case.id, "client_id": client.id, "signed_at": signed.isoformat(), "mandate": case.mandate})
    return case


def advance(*, session: Session, client_ref: str, phase: str, user: User | None, note: str = "",
            when: datetime | None = None) -> OnboardingView:
    """Mark a phase done (who, when, a note) and return the case.

    Raises:
        UnknownClient: the client is not in the user's book.
        InvalidOnboarding: no case, no such phase, or the phase is done already.
    """
    require_permission(user, "clients")
    client = readable_client(session, client_ref, user)
    case = _case_of(session, client)
    if phase not in _BY_KEY:
        raise InvalidOnboarding(f"phase must be one of {', '.join(_BY_KEY)}, not {phase!r}")
    row = session.exec(select(OnboardingPhase).where(OnboardingPhase.case_id == case.id,
                                                     OnboardingPhase.key == phase)).one()
    if row.done_at is not None:
        raise InvalidOnboarding(f"{_BY_KEY[phase].title} was done on {row.done_at:%Y-%m-%d} by {row.done_by}")
    actor = user.name if user else "operator"
    row.done_at, row.done_by, row.note = when or utcnow(), actor, note.strip()
    session.add(row)
    session.flush()
    append_event(session, event_type="onboarding_done", actor=actor, payload={
        "case_id": case.id, "client_id": client.id, "phase": phase, "note": row.note})
    return _view(session, client, case, utcnow())


def onboarding_of(*, session: Session, client_ref: str, user: User | None,
                  now: datetime | None = None) -> OnboardingView:
    """One client's onboarding case.

    Raises:
        UnknownClient: the client is not in the user's book.
        InvalidOnboarding: the client has no case.
    """
    client = readable_client(session, client_ref, user)
    return _view(session, client, _case_of(session, client), now or utcnow())


def onboarding_cases(*, session: Session, user: User | None, now: datetime | None = None) -> list[OnboardingView]:
    """Every onboarding case of the user's book, newest signature first."""
    require_permission(user, "clients")
    rows = session.exec(select(OnboardingCase, Client).join(Client, col(Client.id) == col(OnboardingCase.client_id))
                        .where(book_filter(user, Client.id)).order_by(col(OnboardingCase.signed_at).desc())).all()
    return [_view(session, client, case, now or utcnow()) for case, client in rows]


def onboarding_measures(views: list[OnboardingView], session: Session, as_of: date) -> dict[str, object]:
    """Days from signature to kickoff (median, against the 5-day target) and the share active at day 90."""
    kickoffs = [v.days_to_kickoff for v in views if v.days_to_kickoff is not None]
    mature = [v for v in views if (as_of - v.signed_at.date()).days >= ACTIVE_DAY]
    active = [v for v in mature if _active_at_day_90(session, v)]
    return {
        "cases": len(views), "median_days_to_kickoff": median(kickoffs) if kickoffs else None,
        "kickoff_target_days": KICKOFF_TARGET_DAYS,
        "kickoffs_within_target": sum(d <= KICKOFF_TARGET_DAYS for d in kickoffs),
        "active_at_day_90_share": round(len(active) / len(mature), 3) if mature else None,
        "overdue_phases": sum(p.status == "overdue" for v in views for p in v.phases),
    }


def overdue_phases(session: Session, client_id: str, now: datetime) -> list[tuple[OnboardingPhase, str]]:
    """The client's overdue onboarding phases with their titles (for the brief's open items)."""
    case = session.exec(select(OnboardingCase).where(OnboardingCase.client_id == client_id)).first()
    if case is None:
        return []
    rows = session.exec(select(OnboardingPhase).where(OnboardingPhase.case_id == case.id,
                                                      col(OnboardingPhase.done_at).is_(None))
                        .order_by(col(OnboardingPhase.ordinal))).all()
    return [(r, _BY_KEY[r.key].title) for r in rows if _aware(r.due_at) < now]


def _case_of(session: Session, client: Client) -> OnboardingCase:
    case = session.exec(select(OnboardingCase).where(OnboardingCase.client_id == client.id)).first()
    if case is None:
        raise InvalidOnboarding(f"{client.name} has no onboarding case")
    return case


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _view(session: Session, client: Client, case: OnboardingCase, now: datetime) -> OnboardingView:
    rows = session.exec(select(OnboardingPhase).where(OnboardingPhase.case_id == case.id)
                        .order_by(col(OnboardingPhase.ordinal))).all()
    phases = [PhaseView(key=r.key, title=_BY_KEY[r.key].title, owner=r.owner, due_at=_aware(r.due_at),
                        status="done" if r.done_at else "overdue" if _aware(r.due_at) < now else "open",
                        done_at=_aware(r.done_at) if r.done_at else None, done_by=r.done_by, note=r.note)
              for r in rows]
    kickoff = next((p for p in phases if p.key == "kickoff" and p.done_at), None)
    signed = _aware(case.signed_at)
    return OnboardingView(case_id=case.id, client_id=client.id, client_name=client.name, signed_at=signed,
                          mandate=case.mandate, phases=phases,
                          next_phase=next((p.key for p in phases if p.status != "done"), None),
                          days_to_kickoff=(kickoff.done_at - signed).days if kickoff and kickoff.done_at else None)


def _active_at_day_90(session: Session, view: OnboardingView) -> bool:
    since = view.signed_at + timedelta(days=60)
    if any(p.done_at and p.done_at >= since for p in view.phases):
        return True
    contact = session.exec(select(InteractionRecord.id).join(Source, col(Source.id) == col(InteractionRecord.source_id))
                           .where(InteractionRecord.client_id == view.client_id,
                                  col(Source.occurred_at) >= since)).first()
    return contact is not None


DEMO_ONBOARDING: tuple[tuple[str, int, str, tuple[tuple[str, float], ...]], ...] = (
    # (client, days since signature, mandate, (phase, days after signature it was done)...)
    ("CRM-1004", 2, "Discretionary portfolio", (("welcome", 0.05),)),
    ("CRM-1007", 20, "Premier current account and ISA", (("welcome", 0.05), ("intake", 1), ("documents", 3),
                                                         ("kickoff", 4), ("handoff", 6))),
    ("CRM-1010", 100, "Advisory mandate", (("welcome", 0.1), ("intake", 2), ("documents", 4), ("kickoff", 6),
                                          ("handoff", 7), ("checkin_14", 14), ("checkin_30", 31),
                                          ("checkin_60", 62))),
)
"""The demo book's onboarding clients, at different phases (one overdue check-in, one late kickoff)."""


def seed_demo_onboarding(session: Session, today: date) -> list[OnboardingCase]:
    """Open the demo onboarding cases, signed relative to `today`, with their done phases."""
    from clients.lookup import find_client

    cases = []
    for ref, days_ago, mandate, done in DEMO_ONBOARDING:
        client = find_client(session, ref)
        if client is None:
            continue
        signed = datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), UTC) + timedelta(hours=10)
        case = open_onboarding(session=session, client_ref=client.id, signed_at=signed, user=None, mandate=mandate)
        for phase, after in done:
            advance(session=session, client_ref=client.id, phase=phase, user=None, note="demo",
                    when=signed + timedelta(days=after))
        cases.append(case)
    return cases
