"""Suggested next actions: rules over the gathered book, each line with its rule and reason.

The rules: overdue follow-ups, a renewal or review within 90 days (or passed), a maturity
within 90 days, no contact beyond the client's cadence (30 days when unknown), an open
complaint, a case open past its SLA, a missing document, and the advisory alerts that
call for an adviser meeting.
"""

from __future__ import annotations

from datetime import date

from clients.brief_book import ClientBook
from clients.brief_lines import (
    DEFAULT_CADENCE_DAYS,
    LineNumbers,
    action_link,
    alert_link,
    client_link,
    days_text,
    key_dates,
    record_link,
)
from clients.brief_models import BriefLine, SourceLink
from clients.models import Holding

_WITHIN_DAYS = 90


def suggest_lines(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    """Every suggested next action for this client today."""
    out = _overdue(b, as_of, L)
    for h in b.holdings:
        if h.status == "active":
            out += _dates(h, as_of, L)
    out += _contact(b, as_of, L) + _cases(b, as_of, L)
    for doc in b.documents:
        due = f"due {doc.due_on.isoformat()}" if doc.due_on else "no due date"
        out.append(L.line(f"Ask for: {doc.name}", SourceLink(kind="document", id=doc.id), rule="missing_document",
                          reason=f"outstanding, {due}"))
    for alert in b.alerts:
        if alert.follow_up == "adviser_meeting":
            out.append(L.line(f"Offer a meeting with the adviser: {alert.title}", alert_link(alert),
                              rule=f"advisory:{alert.rule_id}", reason=alert.reason))
    return out


def _overdue(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    return [
        L.line(f"Chase: {a.description} ({a.owner or 'no owner'})", action_link(a), rule="overdue_follow_up",
               reason=f"follow-up was due {a.due_date.isoformat()}, {days_text((as_of - a.due_date).days)} ago")
        for a in b.open_actions if a.due_date and a.due_date < as_of
    ]


def _dates(h: Holding, as_of: date, L: LineNumbers) -> list[BriefLine]:
    out = []
    link = SourceLink(kind="account", id=h.id)
    for d, label in key_dates(h, as_of):
        days = (d - as_of).days
        if 0 <= days <= _WITHIN_DAYS:
            out.append(L.line(f"Prepare the {label} conversation for the {h.name}", link, rule="date_within_90_days",
                              reason=f"{label} on {d.isoformat()}, in {days_text(days)}"
                                     + (" (inside 60 days)" if days <= 60 else "")))
        elif days < 0 and label in ("renewal", "review"):
            state = "lapsed" if label == "renewal" else "overdue"
            out.append(L.line(f"Confirm what happened to the {h.name} {label}", link, rule=f"{label}_{state}",
                              reason=f"{label} date {d.isoformat()} passed {days_text(-days)} ago ({state})"))
    return out


def _contact(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    if not b.recent:
        return [L.line("Make first contact: no interaction is on record", client_link(b.client),
                       rule="no_recent_contact", reason="no interactions on record")]
    cadence = (b.profile.contact_cadence_days if b.profile else None) or DEFAULT_CADENCE_DAYS
    gap = (as_of - b.recent[0].occurred_at.date()).days
    if gap <= cadence:
        return []
    return [L.line("Get in touch: contact is overdue", record_link(b.recent[0]), rule="no_recent_contact",
                   reason=f"last contact {days_text(gap)} ago; cadence is {cadence} days")]


def _cases(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    out = []
    for case in b.cases:
        age = (as_of - case.opened_on).days
        link = SourceLink(kind="case", id=case.id)
        if case.is_complaint:
            out.append(L.line(f"Address the open complaint: {case.summary}", link, rule="open_complaint",
                              reason=f"complaint open {days_text(age)}"))
        if case.sla_days is not None and age > case.sla_days:
            out.append(L.line(f"Escalate the {case.case_type.replace('_', ' ')} case", link, rule="case_past_sla",
                              reason=f"open {days_text(age)}, SLA {case.sla_days} days"))
    return out
