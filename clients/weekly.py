"""The weekly review: what needs attention across a book, with workflow measures beside it.

Design decisions:

- One function, `weekly_review`, returns plain data (a Pydantic model) for the CLI, the
  API and tests alike. Every query is scoped to the book first (all clients, one RM's,
  or the calling RM's own), then aggregated in SQL where the volume can be large
  (overdue actions, last contact per client) and in Python where it is small.
- "Silent" uses each client's own cadence (30 days when unknown); a renewal whose date has
  passed is reported as lapsed, never as "within 90 days".
- The workflow measures cover a trailing window (`period_days`, default 30) so they move
  week to week: share of interactions with usable notes (`clients.note_quality`),
  follow-ups per interaction, open overdue actions, actions reopened.
- Service themes (`clients.themes`) look back further (`THEMES_DAYS`): a concern becomes
  a theme by repeating, which takes more than a month in most books.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from clients.advisory import QUADRANTS, refresh_alerts
from clients.models import ActionStatusChange, Alert, ClientProfile, Holding, ServiceCase
from clients.note_quality import assess_action, assess_note
from clients.themes import service_themes, theme_lines
from records.access import book_owner
from records.ids import utcnow
from records.tables import Client, Source, User
from review.models import PENDING, InteractionRecord, RecordAction, ReviewItem

DEFAULT_CADENCE_DAYS = 30
THEMES_DAYS = 90


class WeeklyReview(BaseModel):
    """The weekly review of one book."""

    as_of: date
    owner: str | None = Field(default=None, description="The RM whose book this is (None: every book).")
    clients: int
    overdue_by_owner: dict[str, list[dict[str, Any]]]
    awaiting_review: list[dict[str, Any]]
    silent_clients: list[dict[str, Any]]
    renewals_60: list[dict[str, Any]]
    renewals_90: list[dict[str, Any]]
    lapsed: list[dict[str, Any]]
    open_cases: list[dict[str, Any]]
    alerts_by_quadrant: dict[str, list[dict[str, Any]]]
    other_teams: list[dict[str, Any]]
    note_quality: dict[str, list[dict[str, Any]]]
    measures: dict[str, Any]
    themes: list[dict[str, Any]] = Field(default_factory=list, description="The top service themes of the book.")
    onboarding: dict[str, Any] = Field(default_factory=dict, description="Onboarding: overdue phases and measures.")


def _book(session: Session, owner: str | None) -> dict[str, Client]:
    query = select(Client)
    if owner:
        query = query.where(Client.relationship_owner == owner)
    return {c.id: c for c in session.exec(query).all()}


def _in(column: Any, ids: list[str]) -> Any:
    return col(column).in_(ids)


@dataclass(frozen=True)
class _Scope:
    """The book being reviewed: its clients, today, and the start of the measured period."""

    session: Session
    clients: dict[str, Client]
    as_of: date
    start: datetime

    @property
    def ids(self) -> list[str]:
        return list(self.clients)

    def name(self, client_id: str | None) -> str | None:
        return self.clients[client_id].name if client_id else None

    def rows(self, query: Any) -> Sequence[Any]:
        """The query's rows; nothing for an empty book (no query at all)."""
        return self.session.exec(query).all() if self.clients else []


def weekly_review(*, session: Session, owner: str | None = None, user: User | None = None,
                  as_of: date | None = None, period_days: int = 30) -> WeeklyReview:
    """Build the weekly review.

    Args:
        session: The session; the caller commits (alerts are refreshed).
        owner: Restrict to one RM's book.
        user: Who asks: an RM always gets their own book, whatever `owner` says.
        as_of: Today (default: the current UTC date).
        period_days: The window for the workflow measures and the note-quality lists.
    """
    as_of = as_of or utcnow().date()
    owner = book_owner(user, owner)
    scope = _Scope(session, _book(session, owner), as_of,
                   datetime.combine(as_of - timedelta(days=period_days), datetime.min.time()))
    overdue_rows, overdue = _overdue(scope)
    r60, r90, lapsed = _key_dates(scope)
    open_actions = scope.rows(select(RecordAction).where(RecordAction.status == "open",
                                                         _in(RecordAction.client_id, scope.ids)))
    recent = scope.rows(
        select(InteractionRecord.id, InteractionRecord.client_id, Source.text, Source.occurred_at)
        .join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(_in(InteractionRecord.client_id, scope.ids), col(Source.occurred_at) >= scope.start))
    vague, usable = _vague_notes(scope, recent)
    return WeeklyReview(
        as_of=as_of, owner=owner, clients=len(scope.clients), overdue_by_owner=overdue,
        awaiting_review=_awaiting(scope), silent_clients=_silent(scope), renewals_60=r60, renewals_90=r90,
        lapsed=lapsed, open_cases=_open_cases(scope), alerts_by_quadrant=_alerts(scope),
        other_teams=_other_teams(scope, open_actions),
        note_quality={"vague_notes": vague, "actions_missing_owner_or_date": _unowned(scope, open_actions),
                      "open_past_due": [a for rows in overdue.values() for a in rows]},
        measures=_measures(scope, period_days, recent, usable, len(overdue_rows)),
        themes=theme_lines(service_themes(session=session, user=user, owner=owner,
                                          since=as_of - timedelta(days=THEMES_DAYS))),
        onboarding=_onboarding(scope),
    )


def _onboarding(scope: _Scope) -> dict[str, Any]:
    """The book's onboarding cases: overdue phases, days from signature to kickoff, share active at day 90."""
    from clients.onboarding import onboarding_cases, onboarding_measures

    now = min(utcnow(), datetime.combine(scope.as_of, time.max, UTC))
    views = [v for v in onboarding_cases(session=scope.session, user=None, now=now) if v.client_id in scope.clients]
    overdue = [{"client": v.client_name, "phase": p.title, "owner": p.owner, "due": p.due_at.date().isoformat()}
               for v in views for p in v.phases if p.status == "overdue"]
    return {"overdue_phases": overdue, "measures": onboarding_measures(views, scope.session, scope.as_of)}


def _overdue(scope: _Scope) -> tuple[Sequence[RecordAction], dict[str, list[dict[str, Any]]]]:
    """Overdue actions, and the same grouped by owner."""
    rows = scope.rows(select(RecordAction).where(
        RecordAction.status == "open", col(RecordAction.due_date) < scope.as_of,
        _in(RecordAction.client_id, scope.ids)).order_by(col(RecordAction.due_date)))
    overdue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in rows:
        assert a.due_date is not None
        overdue[a.owner or "(no owner)"].append({
            "action_id": a.id, "client": scope.name(a.client_id), "description": a.description,
            "due": a.due_date.isoformat(), "days_overdue": (scope.as_of - a.due_date).days, "type": a.type})
    return rows, dict(overdue)


def _awaiting(scope: _Scope) -> list[dict[str, Any]]:
    """Items awaiting review, oldest first, with their age."""
    pending = scope.rows(select(ReviewItem).where(col(ReviewItem.status).in_(PENDING),
                                                  _in(ReviewItem.client_id, scope.ids))
                         .order_by(col(ReviewItem.created_at)))
    return [{"review_id": r.id, "client": scope.name(r.client_id), "status": r.status, "kind": r.kind,
             "author": r.author, "assignee": r.assignee, "age_days": (scope.as_of - r.created_at.date()).days}
            for r in pending]


def _silent(scope: _Scope) -> list[dict[str, Any]]:
    """Clients whose last contact is beyond their own cadence (or who have none), most silent first."""
    last_contact = dict(scope.rows(
        select(InteractionRecord.client_id, func.max(Source.occurred_at))
        .join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(_in(InteractionRecord.client_id, scope.ids)).group_by(col(InteractionRecord.client_id))))
    cadences = dict(scope.rows(select(ClientProfile.client_id, ClientProfile.contact_cadence_days)
                               .where(_in(ClientProfile.client_id, scope.ids))))
    silent: list[dict[str, Any]] = []
    for cid, client in scope.clients.items():
        cadence = cadences.get(cid) or DEFAULT_CADENCE_DAYS
        last = last_contact.get(cid)
        gap = (scope.as_of - last.date()).days if last else None
        if gap is None or gap > cadence:
            silent.append({"client_id": cid, "client": client.name, "owner": client.relationship_owner,
                           "last_contact": last.date().isoformat() if last else None, "days_silent": gap,
                           "cadence_days": cadence})
    silent.sort(key=lambda s: -(s["days_silent"] if s["days_silent"] is not None else 10**6))
    return silent


def _key_dates(scope: _Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Renewals, reviews and fixed-rate ends within 60 and 90 days, and renewals or reviews lapsed."""
    holdings = scope.rows(select(Holding).where(_in(Holding.client_id, scope.ids), Holding.status == "active"))
    r60, r90, lapsed = [], [], []
    for h in holdings:
        for name in ("renewal_on", "rate_fixed_until", "review_on", "maturity_on"):
            d = getattr(h, name)
            if d is None:
                continue
            days = (d - scope.as_of).days
            item = {"client": scope.clients[h.client_id].name, "holding_id": h.id, "holding": h.name,
                    "what": name.removesuffix("_on").replace("_", " "), "date": d.isoformat(), "days": days}
            if days < 0 and name in ("renewal_on", "review_on"):
                lapsed.append(item)
            elif 0 <= days <= 60:
                r60.append(item)
            elif 60 < days <= 90:
                r90.append(item)
    by_days = itemgetter("days")
    return sorted(r60, key=by_days), sorted(r60 + r90, key=by_days), sorted(lapsed, key=by_days)


def _open_cases(scope: _Scope) -> list[dict[str, Any]]:
    """Open cases, complaints and those past their SLA first."""
    cases = scope.rows(select(ServiceCase).where(_in(ServiceCase.client_id, scope.ids),
                                                 ServiceCase.status != "closed"))
    return sorted(({
        "case_id": c.id, "client": scope.clients[c.client_id].name, "type": c.case_type, "complaint": c.is_complaint,
        "age_days": (scope.as_of - c.opened_on).days, "sla_days": c.sla_days,
        "past_sla": c.sla_days is not None and (scope.as_of - c.opened_on).days > c.sla_days,
    } for c in cases), key=lambda c: (not c["complaint"], not c["past_sla"], -c["age_days"]))


def _alerts(scope: _Scope) -> dict[str, list[dict[str, Any]]]:
    """Advisory alerts by quadrant, refreshed first."""
    alerts = refresh_alerts(scope.session, scope.ids, scope.as_of) if scope.clients else []
    by_quadrant: dict[str, list[dict[str, Any]]] = {q: [] for q in QUADRANTS}
    for alert in sorted(alerts, key=lambda a: (a.due_on or date.max, a.rule_id)):
        by_quadrant[alert.quadrant].append(_alert_view(alert, scope.clients))
    return by_quadrant


def _other_teams(scope: _Scope, open_actions: Sequence[RecordAction]) -> list[dict[str, Any]]:
    """Open actions that need another team."""
    return [{"action_id": a.id, "client": scope.name(a.client_id), "owner": a.owner, "description": a.description,
             "type": a.type, "due": a.due_date.isoformat() if a.due_date else None}
            for a in open_actions if a.type == "internal_request" or a.owner.lower().endswith(" team")]


def _vague_notes(scope: _Scope, recent: Sequence[Any]) -> tuple[list[dict[str, Any]], int]:
    """The period's notes too vague to use, and how many were usable."""
    vague, usable = [], 0
    for record_id, record_client_id, text, occurred in recent:
        verdict = assess_note(text)
        usable += verdict.usable
        if not verdict.usable:
            vague.append({"record_id": record_id, "client": scope.name(record_client_id),
                          "date": occurred.date().isoformat() if occurred else None, "issues": verdict.issues})
    return vague, usable


def _unowned(scope: _Scope, open_actions: Sequence[RecordAction]) -> list[dict[str, Any]]:
    """Open actions missing an owner or a date."""
    out = []
    for a in open_actions:
        issues = [i for i in assess_action(owner=a.owner, due_kind=a.due_kind, due_date=a.due_date,
                                           status=a.status, as_of=scope.as_of) if not i.startswith("open ")]
        if issues:
            out.append({"action_id": a.id, "client": scope.name(a.client_id), "description": a.description,
                        "issues": issues})
    return out


def _measures(scope: _Scope, period_days: int, recent: Sequence[Any], usable: int, overdue: int) -> dict[str, Any]:
    """The workflow measures over the period."""
    record_ids = [r[0] for r in recent]
    follow_ups = scope.session.exec(select(func.count()).select_from(RecordAction).where(
        _in(RecordAction.record_id, record_ids))).one() if record_ids else 0
    reopened = scope.rows(select(func.count()).select_from(ActionStatusChange).where(
        ActionStatusChange.to_status == "open", col(ActionStatusChange.changed_at) >= scope.start,
        _in(ActionStatusChange.client_id, scope.ids)))
    return {
        "period_days": period_days, "interactions": len(recent),
        "usable_note_share": round(usable / len(recent), 3) if recent else None,
        "follow_ups_per_interaction": round(follow_ups / len(recent), 2) if recent else None,
        "overdue_actions": overdue, "actions_reopened": reopened[0] if reopened else 0,
    }


def _alert_view(alert: Alert, clients: dict[str, Client]) -> dict[str, Any]:
    return {"alert_id": alert.id, "client": clients[alert.client_id].name, "rule": alert.rule_id,
            "title": alert.title, "reason": alert.reason, "follow_up": alert.follow_up, "owner": alert.owner,
            "due": alert.due_on.isoformat() if alert.due_on else None}
