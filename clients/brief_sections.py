"""The brief's sections, composed from a gathered `ClientBook` (no database access).

Each function numbers its lines through the shared `LineNumbers`, so the narrative can
cite any line of the brief by id.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from clients.brief_book import ClientBook, RecentInteraction, aware
from clients.brief_lines import (
    DEFAULT_CADENCE_DAYS,
    KIND_LABEL,
    LineNumbers,
    action_link,
    alert_link,
    client_link,
    days_text,
    key_dates,
    money,
    record_link,
)
from clients.brief_models import BriefLine, Changes, LinkKind, SourceLink
from clients.models import ActionStatusChange
from review.models import RecordAction


def snapshot_lines(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    """The relationship snapshot: at most 12 fields that change the conversation."""
    c, p = b.client, b.profile
    cl = client_link(c)
    out = []
    team = p.service_team if p and p.service_team else "no service team recorded"
    out.append(L.line(f"{(c.segment or 'unsegmented').title()} · owner {c.relationship_owner or 'unassigned'}"
                      f" · {team}", cl, label="Relationship"))
    if p and p.client_since:
        days = (as_of - p.client_since).days
        span = f"{days // 365} year{'s' if days // 365 != 1 else ''}" if days >= 365 else f"{days // 30} months"
        tenure = f"client since {p.client_since.isoformat()} ({span})"
    else:
        tenure = "start of relationship not recorded"
    out.append(L.line(tenure.capitalize(), cl, label="Tenure"))
    primary = next((x for x in b.contacts if x.is_primary), b.contacts[0] if b.contacts else None)
    channel = f"; prefers {p.preferred_channel}" if p and p.preferred_channel else ""
    out.append(L.line(f"{primary.name} ({primary.role or 'contact'}){channel}" if primary else
                      f"No contact recorded{channel}", cl, label="Primary contact"))
    active = [h for h in b.holdings if h.status == "active"]
    total = sum(h.balance_minor or 0 for h in active if h.category in ("account", "product", "contract"))
    products = ", ".join(sorted({h.product_type.replace("_", " ") for h in active})) or "none"
    out.append(L.line(f"{len(active)} active ({products}); balances and values {money(total)}", cl,
                      label="Holdings"))
    cadence = (p.contact_cadence_days if p else None) or DEFAULT_CADENCE_DAYS
    cadence_note = f"usual cadence {cadence} days" + ("" if p and p.contact_cadence_days else " (assumed)")
    if b.recent:
        last = b.recent[0]
        ago = (as_of - last.occurred_at.date()).days
        kind = KIND_LABEL.get(last.source.kind, last.source.kind)
        out.append(L.line(f"{last.occurred_at.date().isoformat()} ({days_text(ago)} ago, {kind}); {cadence_note}",
                          record_link(last), label="Last contact"))
    else:
        out.append(L.line(f"No interactions on record; {cadence_note}", cl, label="Last contact"))
    overdue = [a for a in b.open_actions if a.due_date and a.due_date < as_of]
    first = overdue[0] if overdue else (b.open_actions[0] if b.open_actions else None)
    out.append(L.line(f"{len(b.open_actions)} open, {len(overdue)} overdue" if b.open_actions else "None open",
                      action_link(first) if first else cl, label="Follow-ups"))
    complaints = [x for x in b.cases if x.is_complaint]
    lead = complaints[0] if complaints else (b.cases[0] if b.cases else None)
    out.append(L.line(f"{len(b.cases)} open, {len(complaints)} complaint(s)" if b.cases else "None open",
                      SourceLink(kind="case", id=lead.id) if lead else cl, label="Cases"))
    upcoming = sorted((d, label, h) for h in active for d, label in key_dates(h, as_of) if d >= as_of)
    if upcoming:
        d, label, h = upcoming[0]
        out.append(L.line(f"{h.name}: {label} {d.isoformat()} (in {days_text((d - as_of).days)})",
                          SourceLink(kind="account", id=h.id), label="Next key date"))
    else:
        out.append(L.line("No renewal, review or maturity date ahead", cl, label="Next key date"))
    if b.documents:
        d0 = b.documents[0]
        out.append(L.line(f"{len(b.documents)} outstanding: {d0.name}", SourceLink(kind="document", id=d0.id),
                          label="Documents"))
    restrictions = [w for w in b.watch if w.kind == "restriction"]
    if restrictions:
        out.append(L.line(restrictions[0].text, SourceLink(kind="watch", id=restrictions[0].id),
                          label="Restriction"))
    if b.alerts:
        urgent = sum(a.urgent for a in b.alerts)
        out.append(L.line(f"{len(b.alerts)} open, {urgent} urgent: {b.alerts[0].title}", alert_link(b.alerts[0]),
                          label="Alerts"))
    if b.recent and len(out) < 12:
        sentiment = json.loads(b.recent[0].record.content_json or "{}").get("summary", {}).get("sentiment")
        if sentiment and sentiment not in ("neutral", "unknown"):
            out.append(L.line(f"{sentiment} at the last contact", record_link(b.recent[0]), label="Sentiment"))
    return out[:12]


def _when(at: datetime) -> str:
    """A moment as people write it: `3 Dec 2026 14:05 UTC`."""
    at = aware(at) or at
    return f"{at.day} {at:%b %Y %H:%M} UTC"


def interaction_title(i: RecentInteraction) -> str:
    """An interaction in words: `call on 16 Nov 2026 · complaint`."""
    content = json.loads(i.record.content_json or "{}")
    purpose = (content.get("summary") or {}).get("purpose")
    kind = KIND_LABEL.get(i.source.kind, i.source.kind.replace("_", " "))
    about = f" · {purpose.replace('_', ' ')}" if purpose else ""
    return f"{kind} on {i.occurred_at.day} {i.occurred_at:%b %Y}{about}"


def recent_lines(b: ClientBook, L: LineNumbers) -> list[BriefLine]:
    """The latest interactions, each with its purpose and first informative sentence."""
    out = []
    for i in b.recent:
        content = json.loads(i.record.content_json or "{}")
        purpose = (content.get("summary") or {}).get("purpose", "interaction").replace("_", " ")
        link = record_link(i)
        kind = KIND_LABEL.get(i.source.kind, i.source.kind)
        said = f": “{link.quote}”" if link.quote else ""
        out.append(L.line(f"{i.occurred_at.date().isoformat()} · {kind} · {purpose}{said}", link))
    return out


def _due_text(a: RecordAction, as_of: date) -> str:
    if a.due_date is None:
        return "no due date"
    if a.due_date < as_of:
        return f"due {a.due_date.isoformat()}, {days_text((as_of - a.due_date).days)} overdue"
    return f"due {a.due_date.isoformat()}"


def open_items_lines(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    """Open actions, alerts that are owned actions, open cases and awaited documents."""
    out = []
    for a in b.open_actions:
        owner = a.owner or "no owner"
        out.append(L.line(f"{a.description} ({owner}; {_due_text(a, as_of)})", action_link(a)))
    for alert in b.alerts:
        if alert.follow_up == "owned_action":
            due = f"due {alert.due_on.isoformat()}" if alert.due_on else "no due date"
            out.append(L.line(f"{alert.title} ({alert.owner or 'no owner'}; {due}; alert {alert.id})",
                              alert_link(alert)))
    for phase, title in b.onboarding_overdue:
        out.append(L.line(f"Onboarding: {title} ({phase.owner}; due {phase.due_at:%Y-%m-%d}, overdue)",
                          SourceLink(kind="onboarding", id=phase.id)))
    for case in b.cases:
        age = (as_of - case.opened_on).days
        label = "complaint" if case.is_complaint else case.case_type.replace("_", " ")
        sla = f", SLA {case.sla_days} days" if case.sla_days else ""
        out.append(L.line(f"Case: {label}, {case.status}, open {days_text(age)}{sla}: {case.summary}",
                          SourceLink(kind="case", id=case.id)))
    for d in b.documents:
        due = f", due {d.due_on.isoformat()}" if d.due_on else ""
        late = " (late)" if d.due_on and d.due_on < as_of else ""
        out.append(L.line(f"Awaiting from the client: {d.name}{due}{late}", SourceLink(kind="document", id=d.id)))
    return out


def accounts_lines(b: ClientBook, as_of: date, L: LineNumbers) -> list[BriefLine]:
    """One line per holding, active first, with its dates judged against `as_of`."""
    out = []
    for h in sorted(b.holdings, key=lambda x: (x.status != "active", x.category, x.name)):
        parts = [h.name]
        if h.balance_minor is not None:
            parts.append(money(h.balance_minor, h.currency))
        if h.contract_value_minor is not None:
            parts.append(f"contract {money(h.contract_value_minor, h.currency)}")
        if h.cover_minor is not None:
            parts.append(f"cover {money(h.cover_minor, h.currency)}")
        for d, label in key_dates(h, as_of):
            if d < as_of and label in ("renewal", "review"):
                word = "lapsed" if label == "renewal" else "overdue"
                parts.append(f"{label} {d.isoformat()} {word} ({days_text((as_of - d).days)} ago)")
            elif d >= as_of:
                parts.append(f"{label} {d.isoformat()}")
        if h.notice_period_days:
            parts.append(f"notice {h.notice_period_days} days")
        if h.opened_on:
            parts.append(f"opened {h.opened_on.isoformat()}")
        if h.status != "active":
            parts.append(h.status)
        out.append(L.line(" · ".join(parts), SourceLink(kind="account", id=h.id)))
    return out


def watch_lines(b: ClientBook, L: LineNumbers) -> list[BriefLine]:
    """Restrictions and watch items, then the advisory alerts with their follow-up."""
    out = [L.line(f"{w.kind.title()}: {w.text}", SourceLink(kind="watch", id=w.id)) for w in b.watch]
    for alert in b.alerts:
        follow = {"owned_action": "owned action", "adviser_meeting": "suggest an adviser meeting",
                  "next_contact": "raise at the next contact"}[alert.follow_up]
        canvas = ("urgent" if alert.urgent else "not urgent") + ", " + (
            "advice-sensitive" if alert.advice_sensitive else "not advice-sensitive")
        out.append(L.line(f"{alert.title} ({canvas}; {follow}): {alert.reason}", alert_link(alert)))
    return out


def changes(b: ClientBook, L: LineNumbers) -> tuple[Changes | None, Changes | None]:
    """What changed since the last brief and since the last interaction."""
    def status_lines(rows: list[ActionStatusChange]) -> list[BriefLine]:
        out = []
        for r in rows:
            verb = "Reopened" if r.to_status == "open" else f"Closed ({r.to_status})"
            kind: LinkKind = "action" if r.action_kind == "action" else "client"
            link = SourceLink(kind=kind, id=r.action_id if kind == "action" else r.client_id or "")
            out.append(L.line(f"{verb} by {r.actor} on {r.changed_at:%Y-%m-%d}: {r.reason}", link))
        return out

    since_brief = None
    if b.previous is not None:
        lines = [L.line(f"New interaction {i.occurred_at.date().isoformat()}", record_link(i))
                 for i in b.new_records]
        lines += status_lines(b.changes_since_brief)
        since_brief = Changes(since=b.previous.generated_at, lines=lines,
                              label=f"since the last brief ({_when(b.previous.generated_at)}, "
                                    f"by {b.previous.generated_by})")
    since_interaction = None
    if b.recent:
        since_interaction = Changes(since=b.recent[0].occurred_at,
                                    label=f"since the last interaction ({interaction_title(b.recent[0])})",
                                    lines=status_lines(b.changes_since_interaction))
    return since_brief, since_interaction
