"""The two-minute client brief: six sections, every line linked to where it came from.

Sections: relationship snapshot (8 to 12 fields that change the conversation), recent
activity, open items, account context, watch items, suggested next actions.

Design decisions:

- **Every line carries a `source`**: the kind of record (client, account, case, record,
  action, document, watch) and its id; for interactions also the source id, a character
  span and the quote at that span, so a reader can jump to the words. `resolve_link`
  checks a link the way a test (or an auditor) would; the brief never contains a line
  it cannot point at.
- **Nothing is invented.** A client with no interactions gets "no interactions on
  record", not a guess. Empty sections say they are empty.
- **Dates are judged against `as_of`.** A renewal date in the past is *lapsed*, never
  "within 90 days"; an action due before today is *overdue*.
- **Suggested next actions come from rules with the reason shown** (`_suggest`):
  overdue follow-ups, a renewal or review within 90 days (or passed), no contact beyond
  the client's cadence (30 days when unknown), an open complaint, missing documents, a
  case open past its SLA, and the urgent or advice-sensitive advisory alerts.
- **Plan and conversation never mix.** Each generated brief is stored as an immutable
  `Brief` snapshot with its generation time and the newest record it saw. What the call
  then covered becomes the next `InteractionRecord`. The next brief compares against
  both: "since the last brief" and "since the last interaction".
- **The narrative is optional and grounded.** With the LLM engine a short narrative is
  asked for over the numbered lines (`prompts/brief.v1.jinja`, lines through the
  escaping serializer); a sentence survives only if every id it cites is a line of this
  brief. A model failure leaves the brief without a narrative, never without its lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from clients.advisory import refresh_alerts
from clients.lookup import readable_client
from clients.models import (
    ActionStatusChange,
    Alert,
    Brief,
    ClientProfile,
    Contact,
    Holding,
    OutstandingDocument,
    ServiceCase,
    WatchItem,
)
from records.ids import canonical_json, new_id, sha256_tag, utcnow
from records.tables import Client, Source, User
from review.models import InteractionRecord, RecordAction

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from pipeline.options import ModelLimits

LinkKind = Literal["client", "account", "case", "record", "action", "document", "watch"]
DEFAULT_CADENCE_DAYS = 30
RECENT_INTERACTIONS = 5
PROMPT_NAME = "brief.v1"
_KIND_LABEL = {"transcript": "call", "note": "meeting notes", "email": "email"}
_DATE_FIELDS = (("rate_fixed_until", "fixed rate ends"), ("renewal_on", "renewal"), ("review_on", "review"),
                ("maturity_on", "maturity"))


class SourceLink(BaseModel):
    """Where a line of the brief came from."""

    kind: LinkKind = Field(description="The kind of record the line comes from.")
    id: str = Field(description="The record's id.")
    source_id: str | None = Field(default=None, description="For interactions: the source holding the text.")
    span: tuple[int, int] | None = Field(default=None, description="Character offsets of `quote` in the source.")
    quote: str | None = Field(default=None, description="The exact source text at `span`.")


class BriefLine(BaseModel):
    """One line of the brief."""

    id: str = Field(description="Line id within this brief (`L1`, `L2`, ...), cited by the narrative.")
    text: str
    label: str | None = Field(default=None, description="For snapshot fields: the field's name.")
    source: SourceLink
    rule: str | None = Field(default=None, description="For suggested actions: the rule that fired.")
    reason: str | None = Field(default=None, description="For suggested actions: why it is suggested.")


class BriefSection(BaseModel):
    """One of the six sections."""

    key: str
    title: str
    lines: list[BriefLine] = Field(default_factory=list)
    empty: str | None = Field(default=None, description="Why the section has no lines.")


class NarrativeSentence(BaseModel):
    """One sentence of the pre-call narrative and the brief lines supporting it."""

    text: str = Field(description="One short sentence for the relationship manager.")
    cites: list[str] = Field(description="Ids of the brief lines that support the sentence, e.g. ['L2', 'L5'].")


class BriefNarrative(BaseModel):
    """A short narrative over the brief: at most five sentences, each citing brief lines."""

    sentences: list[NarrativeSentence] = Field(default_factory=list, description="The sentences, in order.")


class Changes(BaseModel):
    """What changed since a point in time (the last brief, or the last interaction)."""

    since: datetime | None = None
    label: str
    lines: list[BriefLine] = Field(default_factory=list)


class ClientBrief(BaseModel):
    """A generated brief (the content of a `Brief` snapshot)."""

    brief_id: str
    client_id: str
    client_name: str
    as_of: date
    generated_at: datetime
    generated_by: str
    sections: list[BriefSection]
    since_last_brief: Changes | None = None
    since_last_interaction: Changes | None = None
    previous_brief_id: str | None = None
    narrative: list[NarrativeSentence] = Field(default_factory=list)
    narrative_dropped: int = 0
    narrative_note: str | None = None
    engine: str = "rules"
    prompt_version: str | None = None

    def lines(self) -> list[BriefLine]:
        """Every line: the sections' and the change lists'."""
        out = [line for s in self.sections for line in s.lines]
        for changes in (self.since_last_brief, self.since_last_interaction):
            if changes:
                out += changes.lines
        return out


# --- Gathering --------------------------------------------------------------------------------


@dataclass
class _Interaction:
    record: InteractionRecord
    source: Source
    occurred_at: datetime


@dataclass
class _Book:
    client: Client
    profile: ClientProfile | None
    contacts: list[Contact]
    holdings: list[Holding]
    cases: list[ServiceCase]
    documents: list[OutstandingDocument]
    watch: list[WatchItem]
    alerts: list[Alert]
    recent: list[_Interaction]
    interaction_count: int
    open_actions: list[RecordAction]
    previous: Brief | None
    changes_since_brief: list[ActionStatusChange] = field(default_factory=list)
    changes_since_interaction: list[ActionStatusChange] = field(default_factory=list)
    new_records: list[_Interaction] = field(default_factory=list)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _gather(session: Session, client: Client, as_of: date) -> _Book:
    cid = client.id
    rows = session.exec(
        select(InteractionRecord, Source).join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(Source.client_id == cid, InteractionRecord.client_id == cid)
        .order_by(col(Source.occurred_at).desc()).limit(RECENT_INTERACTIONS)
    ).all()
    recent = [_Interaction(r, s, _aware(s.occurred_at) or _aware(r.created_at)) for r, s in rows]  # type: ignore[arg-type]
    count = session.exec(select(func.count()).select_from(InteractionRecord)
                         .where(InteractionRecord.client_id == cid)).one()
    previous = session.exec(select(Brief).where(Brief.client_id == cid)
                            .order_by(col(Brief.generated_at).desc()).limit(1)).first()
    book = _Book(
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
    if previous is not None:
        since = _aware(previous.generated_at)
        book.changes_since_brief = list(session.exec(
            select(ActionStatusChange).where(ActionStatusChange.client_id == cid,
                                             col(ActionStatusChange.changed_at) > since)
            .order_by(col(ActionStatusChange.changed_at))).all())
        book.new_records = [i for i in recent if (_aware(i.record.created_at) or since) > since]  # type: ignore[operator]
    if recent:
        book.changes_since_interaction = list(session.exec(
            select(ActionStatusChange).where(ActionStatusChange.client_id == cid,
                                             col(ActionStatusChange.changed_at) > recent[0].occurred_at)
            .order_by(col(ActionStatusChange.changed_at))).all())
    return book


# --- Composing --------------------------------------------------------------------------------


_SENTENCE = re.compile(r"[^\n.!?]+[.!?]?")


def quote_of(text: str, *, min_words: int = 5, max_chars: int = 220) -> tuple[int, int, str] | None:
    """The first informative sentence of a text, as (start, end, exact substring)."""
    first = None
    for m in _SENTENCE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if not stripped:
            continue
        start = m.start() + chunk.index(stripped[0])
        end = start + len(stripped)
        if end - start > max_chars:
            cut = text.rfind(" ", start, start + max_chars)
            end = cut if cut > start else start + max_chars
        candidate = (start, end, text[start:end])
        first = first or candidate
        if len(stripped.split()) >= min_words and ":" not in stripped[:12]:
            return candidate
    return first


def _money(minor: int | None, currency: str = "GBP") -> str:
    if minor is None:
        return "n/a"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, currency + " ")
    return f"{symbol}{minor / 100:,.0f}"


def _days(n: int) -> str:
    return f"{n} day" + ("" if abs(n) == 1 else "s")


class _Lines:
    """Numbers lines across the whole brief."""

    def __init__(self) -> None:
        self.n = 0

    def line(self, text: str, source: SourceLink, **kw: Any) -> BriefLine:
        self.n += 1
        return BriefLine(id=f"L{self.n}", text=text, source=source, **kw)


def _client_link(c: Client) -> SourceLink:
    return SourceLink(kind="client", id=c.id)


def _record_link(i: _Interaction) -> SourceLink:
    found = quote_of(i.source.text or "")
    if found is None:
        return SourceLink(kind="record", id=i.record.id, source_id=i.source.id)
    start, end, quote = found
    return SourceLink(kind="record", id=i.record.id, source_id=i.source.id, span=(start, end), quote=quote)


def _action_link(a: RecordAction) -> SourceLink:
    if a.evidence_start is not None and a.evidence_end is not None:
        return SourceLink(kind="action", id=a.id, source_id=a.source_id, span=(a.evidence_start, a.evidence_end),
                          quote=a.evidence_text)
    return SourceLink(kind="action", id=a.id, source_id=a.source_id)


def _alert_link(alert: Alert) -> SourceLink:
    return SourceLink(kind="account" if alert.subject_kind == "holding" else "client", id=alert.subject_id)


def _next_dates(h: Holding, as_of: date) -> list[tuple[date, str]]:
    return [(d, label) for name, label in _DATE_FIELDS if (d := getattr(h, name)) is not None]


def _snapshot(b: _Book, as_of: date, L: _Lines) -> list[BriefLine]:  # noqa: N803
    c, p = b.client, b.profile
    cl = _client_link(c)
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
    out.append(L.line(f"{len(active)} active ({products}); balances and values {_money(total)}", cl,
                      label="Holdings"))
    cadence = (p.contact_cadence_days if p else None) or DEFAULT_CADENCE_DAYS
    cadence_note = f"usual cadence {cadence} days" + ("" if p and p.contact_cadence_days else " (assumed)")
    if b.recent:
        last = b.recent[0]
        ago = (as_of - last.occurred_at.date()).days
        kind = _KIND_LABEL.get(last.source.kind, last.source.kind)
        out.append(L.line(f"{last.occurred_at.date().isoformat()} ({_days(ago)} ago, {kind}); {cadence_note}",
                          _record_link(last), label="Last contact"))
    else:
        out.append(L.line(f"No interactions on record; {cadence_note}", cl, label="Last contact"))
    overdue = [a for a in b.open_actions if a.due_date and a.due_date < as_of]
    first = overdue[0] if overdue else (b.open_actions[0] if b.open_actions else None)
    out.append(L.line(f"{len(b.open_actions)} open, {len(overdue)} overdue" if b.open_actions else "None open",
                      _action_link(first) if first else cl, label="Follow-ups"))
    complaints = [x for x in b.cases if x.is_complaint]
    lead = complaints[0] if complaints else (b.cases[0] if b.cases else None)
    out.append(L.line(f"{len(b.cases)} open, {len(complaints)} complaint(s)" if b.cases else "None open",
                      SourceLink(kind="case", id=lead.id) if lead else cl, label="Cases"))
    upcoming = sorted((d, label, h) for h in active for d, label in _next_dates(h, as_of) if d >= as_of)
    if upcoming:
        d, label, h = upcoming[0]
        out.append(L.line(f"{h.name}: {label} {d.isoformat()} (in {_days((d - as_of).days)})",
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
        out.append(L.line(f"{len(b.alerts)} open, {urgent} urgent: {b.alerts[0].title}", _alert_link(b.alerts[0]),
                          label="Alerts"))
    if b.recent and len(out) < 12:
        sentiment = json.loads(b.recent[0].record.content_json or "{}").get("summary", {}).get("sentiment")
        if sentiment and sentiment != "neutral":
            out.append(L.line(f"{sentiment} at the last contact", _record_link(b.recent[0]), label="Sentiment"))
    return out[:12]


def _recent(b: _Book, L: _Lines) -> list[BriefLine]:  # noqa: N803
    out = []
    for i in b.recent:
        content = json.loads(i.record.content_json or "{}")
        purpose = (content.get("summary") or {}).get("purpose", "interaction").replace("_", " ")
        link = _record_link(i)
        kind = _KIND_LABEL.get(i.source.kind, i.source.kind)
        said = f": “{link.quote}”" if link.quote else ""
        out.append(L.line(f"{i.occurred_at.date().isoformat()} · {kind} · {purpose}{said}", link))
    return out


def _due_text(a: RecordAction, as_of: date) -> str:
    if a.due_date is None:
        return "no due date"
    if a.due_date < as_of:
        return f"due {a.due_date.isoformat()}, {_days((as_of - a.due_date).days)} overdue"
    return f"due {a.due_date.isoformat()}"


def _open_items(b: _Book, as_of: date, L: _Lines) -> list[BriefLine]:  # noqa: N803
    out = []
    for a in b.open_actions:
        owner = a.owner or "no owner"
        out.append(L.line(f"{a.description} ({owner}; {_due_text(a, as_of)})", _action_link(a)))
    for alert in b.alerts:
        if alert.follow_up == "owned_action":
            due = f"due {alert.due_on.isoformat()}" if alert.due_on else "no due date"
            out.append(L.line(f"{alert.title} ({alert.owner or 'no owner'}; {due}; alert {alert.id})",
                              _alert_link(alert)))
    for case in b.cases:
        age = (as_of - case.opened_on).days
        label = "complaint" if case.is_complaint else case.case_type.replace("_", " ")
        sla = f", SLA {case.sla_days} days" if case.sla_days else ""
        out.append(L.line(f"Case: {label}, {case.status}, open {_days(age)}{sla}: {case.summary}",
                          SourceLink(kind="case", id=case.id)))
    for d in b.documents:
        due = f", due {d.due_on.isoformat()}" if d.due_on else ""
        late = " (late)" if d.due_on and d.due_on < as_of else ""
        out.append(L.line(f"Awaiting from the client: {d.name}{due}{late}", SourceLink(kind="document", id=d.id)))
    return out


def _accounts(b: _Book, as_of: date, L: _Lines) -> list[BriefLine]:  # noqa: N803
    out = []
    for h in sorted(b.holdings, key=lambda x: (x.status != "active", x.category, x.name)):
        parts = [h.name]
        if h.balance_minor is not None:
            parts.append(_money(h.balance_minor, h.currency))
        if h.contract_value_minor is not None:
            parts.append(f"contract {_money(h.contract_value_minor, h.currency)}")
        if h.cover_minor is not None:
            parts.append(f"cover {_money(h.cover_minor, h.currency)}")
        for d, label in _next_dates(h, as_of):
            if d < as_of and label in ("renewal", "review"):
                word = "lapsed" if label == "renewal" else "overdue"
                parts.append(f"{label} {d.isoformat()} {word} ({_days((as_of - d).days)} ago)")
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


def _watch(b: _Book, L: _Lines) -> list[BriefLine]:  # noqa: N803
    out = [L.line(f"{w.kind.title()}: {w.text}", SourceLink(kind="watch", id=w.id)) for w in b.watch]
    for alert in b.alerts:
        follow = {"owned_action": "owned action", "adviser_meeting": "suggest an adviser meeting",
                  "next_contact": "raise at the next contact"}[alert.follow_up]
        canvas = ("urgent" if alert.urgent else "not urgent") + ", " + (
            "advice-sensitive" if alert.advice_sensitive else "not advice-sensitive")
        out.append(L.line(f"{alert.title} ({canvas}; {follow}): {alert.reason}", _alert_link(alert)))
    return out


def _suggest(b: _Book, as_of: date, L: _Lines) -> list[BriefLine]:  # noqa: N803
    out = []
    for a in b.open_actions:
        if a.due_date and a.due_date < as_of:
            out.append(L.line(f"Chase: {a.description} ({a.owner or 'no owner'})", _action_link(a),
                              rule="overdue_follow_up",
                              reason=f"follow-up was due {a.due_date.isoformat()}, "
                                     f"{_days((as_of - a.due_date).days)} ago"))
    for h in b.holdings:
        if h.status != "active":
            continue
        for d, label in _next_dates(h, as_of):
            days = (d - as_of).days
            if label == "maturity" and days > 90:
                continue
            if 0 <= days <= 90:
                out.append(L.line(f"Prepare the {label} conversation for the {h.name}",
                                  SourceLink(kind="account", id=h.id), rule="date_within_90_days",
                                  reason=f"{label} on {d.isoformat()}, in {_days(days)}"
                                         + (" (inside 60 days)" if days <= 60 else "")))
            elif days < 0 and label in ("renewal", "review"):
                state = "lapsed" if label == "renewal" else "overdue"
                out.append(L.line(f"Confirm what happened to the {h.name} {label}", SourceLink(kind="account", id=h.id),
                                  rule=f"{label}_{state}",
                                  reason=f"{label} date {d.isoformat()} passed {_days(-days)} ago ({state})"))
    cadence = (b.profile.contact_cadence_days if b.profile else None) or DEFAULT_CADENCE_DAYS
    if b.recent:
        gap = (as_of - b.recent[0].occurred_at.date()).days
        if gap > cadence:
            out.append(L.line("Get in touch: contact is overdue", _record_link(b.recent[0]), rule="no_recent_contact",
                              reason=f"last contact {_days(gap)} ago; cadence is {cadence} days"))
    else:
        out.append(L.line("Make first contact: no interaction is on record", _client_link(b.client),
                          rule="no_recent_contact", reason="no interactions on record"))
    for case in b.cases:
        age = (as_of - case.opened_on).days
        if case.is_complaint:
            out.append(L.line(f"Address the open complaint: {case.summary}", SourceLink(kind="case", id=case.id),
                              rule="open_complaint", reason=f"complaint open {_days(age)}"))
        if case.sla_days is not None and age > case.sla_days:
            out.append(L.line(f"Escalate the {case.case_type.replace('_', ' ')} case",
                              SourceLink(kind="case", id=case.id), rule="case_past_sla",
                              reason=f"open {_days(age)}, SLA {case.sla_days} days"))
    for doc in b.documents:
        due = f"due {doc.due_on.isoformat()}" if doc.due_on else "no due date"
        out.append(L.line(f"Ask for: {doc.name}", SourceLink(kind="document", id=doc.id), rule="missing_document",
                          reason=f"outstanding, {due}"))
    for alert in b.alerts:
        if alert.follow_up == "adviser_meeting":
            out.append(L.line(f"Offer a meeting with the adviser: {alert.title}", _alert_link(alert),
                              rule=f"advisory:{alert.rule_id}", reason=alert.reason))
    return out


def _changes(b: _Book, L: _Lines) -> tuple[Changes | None, Changes | None]:  # noqa: N803
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
        lines = [L.line(f"New interaction {i.occurred_at.date().isoformat()}", _record_link(i))
                 for i in b.new_records]
        lines += status_lines(b.changes_since_brief)
        since_brief = Changes(since=b.previous.generated_at, label=f"since the last brief ({b.previous.id})",
                              lines=lines)
    since_interaction = None
    if b.recent:
        since_interaction = Changes(since=b.recent[0].occurred_at,
                                    label=f"since the last interaction ({b.recent[0].record.id})",
                                    lines=status_lines(b.changes_since_interaction))
    return since_brief, since_interaction


def compose(b: _Book, as_of: date, *, brief_id: str, generated_by: str, generated_at: datetime) -> ClientBrief:
    """Build the brief's content from gathered records (no database access)."""
    L = _Lines()  # noqa: N806
    snapshot = _snapshot(b, as_of, L)
    recent = _recent(b, L)
    sections = [
        BriefSection(key="snapshot", title="Relationship snapshot", lines=snapshot),
        BriefSection(key="recent_activity", title="Recent activity", lines=recent,
                     empty=None if recent else "No interactions on record for this client."),
        BriefSection(key="open_items", title="Open items", lines=_open_items(b, as_of, L)),
        BriefSection(key="account_context", title="Account context", lines=_accounts(b, as_of, L)),
        BriefSection(key="watch_items", title="Watch items", lines=_watch(b, L)),
        BriefSection(key="next_actions", title="Suggested next actions", lines=_suggest(b, as_of, L)),
    ]
    for s in sections:
        if not s.lines and s.empty is None:
            s.empty = {"open_items": "Nothing open.", "account_context": "No products, accounts or policies on record.",
                       "watch_items": "No restrictions, watch items or alerts.",
                       "next_actions": "No rule suggests an action today."}.get(s.key, "Nothing on record.")
    since_brief, since_interaction = _changes(b, L)
    return ClientBrief(
        brief_id=brief_id, client_id=b.client.id, client_name=b.client.name, as_of=as_of,
        generated_at=generated_at, generated_by=generated_by, sections=sections,
        since_last_brief=since_brief, since_last_interaction=since_interaction,
        previous_brief_id=b.previous.id if b.previous else None,
    )


# --- Narrative (LLM engine) -------------------------------------------------------------------


def ground_narrative(brief: ClientBrief, output: BriefNarrative) -> tuple[list[NarrativeSentence], int]:
    """Keep only sentences whose every citation is a line of this brief.

    Returns:
        The kept sentences (citations de-duplicated) and how many were dropped.
    """
    ids = {line.id for line in brief.lines()}
    kept, dropped = [], 0
    for s in output.sentences:
        cites = list(dict.fromkeys(c.strip() for c in s.cites))
        if s.text.strip() and cites and all(c in ids for c in cites):
            kept.append(NarrativeSentence(text=s.text.strip(), cites=cites))
        else:
            dropped += 1
    return kept, dropped


def add_narrative(brief: ClientBrief, model: BaseChatModel, settings: ModelLimits, *, wait: Any = None) -> None:
    """Ask the model for a short cited narrative and attach what survives grounding."""
    from pipeline.errors import ModelError
    from pipeline.llm import invoke_structured, prompt_messages
    from pipeline.prompt_files import load_prompt
    from pipeline.redaction import Redactor, redact_messages, restore_parsed

    prompt = load_prompt(PROMPT_NAME)
    lines = [{"id": line.id, "label": line.label or "", "text": line.text} for line in brief.lines()]
    rendered = prompt.render(client=brief.client_name, lines=lines)
    brief.engine, brief.prompt_version = "llm", prompt.version_hash
    # The lines are client data: redacted before they leave, the narrative restored after.
    redactor = Redactor([brief.client_name]) if settings.redact_model_input else None
    try:
        result = invoke_structured(model, redact_messages(prompt_messages(rendered), redactor), BriefNarrative,
                                   max_retries=settings.llm_max_retries, wait=wait)
    except ModelError as exc:
        brief.narrative_note = f"no narrative: the model failed ({type(exc).__name__})"
        return
    brief.narrative, brief.narrative_dropped = ground_narrative(brief, restore_parsed(result.parsed, redactor))
    if brief.narrative_dropped:
        brief.narrative_note = f"{brief.narrative_dropped} sentence(s) without a valid citation were dropped"


# --- Entry points -----------------------------------------------------------------------------


def generate_brief(*, session: Session, client_ref: str, as_of: date | None = None, user: User | None = None,
                   actor: str | None = None, model: BaseChatModel | None = None,
                   settings: ModelLimits | None = None, store: bool = True) -> ClientBrief:
    """Generate a client's brief and store it as an immutable snapshot.

    Args:
        session: The session; the caller commits.
        client_ref: Client id, external id or exact name.
        as_of: Today (default: the current UTC date).
        user: Who asks (RMs see only their own book).
        actor: Recorded as the generator (default: the user's name, or `system`).
        model: A chat model: when given (the LLM engine), a cited narrative is added.
        settings: Needed with `model` (retries).
        store: Store the snapshot (a `Brief` row).

    Raises:
        UnknownClient: no such client, or not visible to the user.
    """
    client = readable_client(session, client_ref, user)
    as_of = as_of or utcnow().date()
    book = _gather(session, client, as_of)
    now = utcnow()
    brief = compose(book, as_of, brief_id=new_id(), generated_by=actor or (user.name if user else "system"),
                    generated_at=now)
    if model is not None and settings is not None:
        add_narrative(brief, model, settings)
    if store:
        content = brief.model_dump(mode="json")
        session.add(Brief(id=brief.brief_id, client_id=client.id, generated_at=now, generated_by=brief.generated_by,
                          as_of=as_of, last_record_id=book.recent[0].record.id if book.recent else None,
                          engine=brief.engine, prompt_version=brief.prompt_version,
                          content_json=canonical_json(content), content_hash=sha256_tag(canonical_json(content))))
        session.flush()
    return brief


_LINK_MODELS: dict[str, type[Any]] = {
    "client": Client, "account": Holding, "case": ServiceCase, "record": InteractionRecord,
    "action": RecordAction, "document": OutstandingDocument, "watch": WatchItem,
}


def resolve_link(session: Session, link: SourceLink) -> str | None:
    """Check that a link points at a real record (and, with a span, at the quoted words).

    Returns:
        None when the link works, else what is wrong.
    """
    row = session.get(_LINK_MODELS[link.kind], link.id)
    if row is None:
        return f"no {link.kind} {link.id}"
    if link.span is not None:
        source = session.get(Source, link.source_id) if link.source_id else None
        if source is None or source.text is None:
            return f"no source text {link.source_id}"
        start, end = link.span
        if source.text[start:end] != link.quote:
            return f"span {link.span} of {link.source_id} is not the quote"
        if getattr(row, "source_id", link.source_id) != link.source_id:
            return f"{link.kind} {link.id} does not come from source {link.source_id}"
    return None
