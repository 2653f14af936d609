"""Writing converted export rows: one writer per entity, each returning the row's id.

Interactions get the full chain of rows the review gate would have made (source, draft,
released review item, an `import` decision, the record) and an audit event; actions
follow the export's status through the same audited close path a person uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from clients.errors import RowProblem
from clients.import_values import ImportContext, ref_of
from clients.models import (
    ClientProfile,
    Contact,
    Holding,
    ImportKey,
    OutstandingDocument,
    ServiceCase,
    WatchItem,
)
from records.ids import canonical_json, utcnow
from records.tables import Client, Draft, Source
from records.vocabulary import KIND_CHANNEL, Channel, canonical_channel
from review.audit import append_event
from review.models import Decision, InteractionRecord, RecordAction, ReviewItem

Writer = Callable[[Session, dict[str, Any], ImportKey | None, ImportContext], str]
"""Writes one converted row (creating it, or updating the row its key names) and returns its id."""

_SOURCE_KIND = {"call_transcript": "transcript", "meeting_notes": "note", "email": "email"}
_ROLES = {"relationship_manager", "client", "service_agent", "operations", "compliance",
          "investment_specialist", "assistant", "other"}
_PURPOSES = {"review", "service_issue", "onboarding", "renewal", "portfolio_update", "complaint",
             "product_question", "payment_issue", "general_check_in"}
_ACTION_TYPES = {"task", "case", "approval", "internal_request", "client_response"}


def _apply(row: Any, values: dict[str, Any], names: dict[str, str] | None = None) -> None:
    for ours, value in values.items():
        setattr(row, (names or {}).get(ours, ours), value)


_MONEY = {"balance": "balance_minor", "contract_value": "contract_value_minor", "cover": "cover_minor",
          "reference_value": "reference_value_minor"}


def _upsert_client(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: ImportContext) -> str:
    client = session.get(Client, key.target_id) if key else None
    if client is None:
        # A client first seen through an upload (by name) is adopted, not duplicated.
        client = session.exec(select(Client).where(Client.name == values["name"])).first()
        if client is not None and session.get(ClientProfile, client.id) is not None:
            other = session.get(ClientProfile, client.id)
            if other is not None and other.external_id not in (None, values["external_id"]):
                raise RowProblem(f"another client ({other.external_id}) already has the name {values['name']!r}")
    if client is None:
        client = Client(name=values["name"])
    client.name = values["name"]
    client.segment = values.get("segment", client.segment)
    client.relationship_owner = values.get("relationship_owner", client.relationship_owner)
    session.add(client)
    session.flush()
    profile = session.get(ClientProfile, client.id) or ClientProfile(client_id=client.id)
    for name in ("external_id", "party_type", "service_team", "client_since", "contact_cadence_days",
                 "birth_year", "preferred_channel", "notes"):
        if name in values:
            setattr(profile, name, values[name] if values[name] is not None or name != "party_type" else "person")
    profile.updated_at = utcnow()
    session.add(profile)
    return client.id


def _simple(model: type[Any], names: dict[str, str] | None = None, defaults: dict[str, Any] | None = None
            ) -> Writer:
    def upsert(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: ImportContext) -> str:
        client_id = ref_of(session, ctx, "client", values.pop("client_external_id"))
        values.pop("external_id")
        row = session.get(model, key.target_id) if key else None
        if row is None:
            row = model(client_id=client_id, **dict(defaults or {}))
        row.client_id = client_id
        _apply(row, {k: v for k, v in values.items() if v is not None or k not in (defaults or {})}, names)
        session.add(row)
        session.flush()
        return str(row.id)

    return upsert


def _participants(raw: str | None, client_name: str) -> list[dict[str, str]]:
    people = []
    for part in (raw or "").split(";"):
        bits = [b.strip() for b in part.split("|")]
        if not bits[0]:
            continue
        role = bits[1] if len(bits) > 1 and bits[1] in _ROLES else "other"
        default_side = "client" if role == "client" else "firm"
        side = bits[2] if len(bits) > 2 and bits[2] in ("firm", "client") else default_side
        people.append({"name": bits[0], "role": role, "side": side})
    if not any(p["side"] == "client" for p in people):
        people.append({"name": client_name, "role": "client", "side": "client"})
    return people


def _spans(raw: str | None, text: str, field: str) -> list[str]:
    """The client's own words an export lists (`|`-separated); each must be a span of the interaction's text."""
    phrases = [p.strip() for p in (raw or "").split("|") if p.strip()]
    for phrase in phrases:
        if phrase not in text:
            raise RowProblem(f"{field} {phrase!r} is not a span of the interaction's text")
    return phrases


def _import_interaction(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: ImportContext) -> str:
    from pipeline.schemas import InteractionDraft, InteractionSummary

    if key is not None:
        raise RowProblem(f"interaction {values['external_id']!r} is already the record and records are "
                         "immutable; its changed content was not imported")
    client_id = ref_of(session, ctx, "client", values["client_external_id"])
    client = session.get(Client, client_id)
    assert client is not None
    kind = values["kind"]
    if kind not in _SOURCE_KIND:
        raise RowProblem(f"kind {kind!r} is not call_transcript, meeting_notes or email")
    purpose = values.get("purpose") or "general_check_in"
    if purpose not in _PURPOSES:
        raise RowProblem(f"purpose {purpose!r} is not one of {', '.join(sorted(_PURPOSES))}")
    text, when = values["text"], values["occurred_at"]
    author = values.get("author") or client.relationship_owner
    data = text.encode("utf-8")
    source = Source(
        key=f"import:interaction:{values['external_id']}", filename=ctx.file, kind=_SOURCE_KIND[kind],
        media_type="text/plain", title=f"{purpose.replace('_', ' ')} ({when:%Y-%m-%d})", client_id=client_id,
        content_hash="sha256:" + hashlib.sha256(data).hexdigest(), size_bytes=len(data),
        stored_path=f"import:{ctx.file}", status="ready", text=text,
        meta_json=canonical_json({"external_id": values["external_id"], "imported_from": ctx.file}),
        occurred_at=when,
    )
    session.add(source)
    session.flush()
    summary = InteractionSummary(
        client=client.name, kind=kind, occurred_at=when, channel=_channel(values.get("channel"), kind),
        participants=_participants(values.get("participants"), client.name),  # type: ignore[arg-type]
        purpose=purpose, sentiment=values.get("sentiment") if values.get("sentiment") in  # type: ignore[arg-type]
        ("positive", "neutral", "mixed", "negative") else "neutral",
        client_asks=_spans(values.get("client_asks"), text, "client_asks"),
        concerns=_spans(values.get("concerns"), text, "concerns"),
    )
    content = InteractionDraft(summary=summary, actions=[], engine="import",
                               no_actions_reason="imported from a CRM export; its actions are imported as rows")
    content_json = content.model_dump_json()
    draft = Draft(source_id=source.id, client_id=client_id, author=author, engine="import",
                  content_json=content_json, lineage_id="")
    draft.lineage_id = draft.id
    session.add(draft)
    session.flush()
    now = utcnow()
    item = ReviewItem(lineage_id=draft.lineage_id, source_id=source.id, client_id=client_id, author=author,
                      status="released", current_draft_id=draft.id, decided_by=ctx.actor, decided_at=now,
                      flags_json="[]")
    session.add(item)
    session.flush()
    decision = Decision(review_id=item.id, draft_id=draft.id, kind="import", actor=ctx.actor, actor_role="system",
                        reason=f"imported from {ctx.file}", seen_version=1, created_at=now)
    session.add(decision)
    session.flush()
    record = InteractionRecord(review_id=item.id, lineage_id=item.lineage_id, draft_id=draft.id,
                               decision_id=decision.id, source_id=source.id, client_id=client_id,
                               approved_by=ctx.actor, content_json=content_json, created_at=now)
    session.add(record)
    session.flush()
    append_event(session, event_type="import", actor=ctx.actor, payload={
        "entity": "interaction", "external_id": values["external_id"], "record_id": record.id,
        "source_id": source.id, "review_id": item.id, "draft_id": draft.id, "client_id": client_id,
        "content_hash": source.content_hash,
    })
    return record.id


def _channel(raw: str | None, kind: str) -> Channel:
    # The export's spelling ("In person", "telephone") becomes the engines' one; like sentiment,
    # an unknown channel is not worth rejecting the interaction over, so it reads "other".
    if not raw:
        return KIND_CHANNEL[kind]  # type: ignore[index]
    return canonical_channel(raw) or "other"


def _import_action(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: ImportContext) -> str:
    from clients.actions import set_status

    status = (values.get("status") or "open").lower()
    if status not in ("open", "done", "cancelled"):
        raise RowProblem(f"status {status!r} is not open, done or cancelled")
    if key is not None:
        action = session.get(RecordAction, key.target_id)
        if action is None:
            raise RowProblem(f"action {values['external_id']!r} was imported but its row is gone")
        if action.status != status:
            # The CRM closed (or reopened) it: follow, through the audited path.
            set_status(session=session, action_id=action.id, to_status=status, actor=values.get("closed_by") or
                       ctx.actor, reason=values.get("close_reason") or f"status {status} in {ctx.file}")
        return action.id
    record_id = ref_of(session, ctx, "interaction", values["interaction_external_id"])
    record = session.get(InteractionRecord, record_id)
    assert record is not None
    source = session.get(Source, record.source_id)
    text = (source.text if source else "") or ""
    evidence = values.get("evidence") or ""
    start = text.find(evidence) if evidence else -1
    if evidence and start < 0:
        raise RowProblem("the evidence is not a span of the interaction's text")
    a_type = values.get("type") or "task"
    if a_type not in _ACTION_TYPES:
        raise RowProblem(f"type {a_type!r} is not one of {', '.join(sorted(_ACTION_TYPES))}")
    ordinal = len(session.exec(select(RecordAction.id).where(RecordAction.record_id == record_id)).all())
    due = values.get("due_on")
    # An action that arrives already closed was never open here: it is imported closed, and the
    # import event records who closed it and why. Only later changes go through `set_status`.
    action = RecordAction(
        record_id=record_id, ordinal=ordinal, client_id=record.client_id, source_id=record.source_id,
        description=values["description"], owner=values.get("owner") or "",
        owner_side=values.get("owner_side") or "firm", type=a_type, status=status,
        due_kind="date" if due else "none", due_date=due, due_phrase=values.get("due_phrase") or "",
        evidence_text=evidence, evidence_start=start if start >= 0 else None,
        evidence_end=start + len(evidence) if start >= 0 else None,
    )
    session.add(action)
    session.flush()
    append_event(session, event_type="import", actor=ctx.actor, payload={
        "entity": "action", "external_id": values["external_id"], "action_id": action.id,
        "record_id": record_id, "client_id": record.client_id, "status": status,
        "closed_by": values.get("closed_by") if status != "open" else None,
        "close_reason": values.get("close_reason") if status != "open" else None,
    })
    return action.id


WRITERS: dict[str, Writer] = {
    "client": _upsert_client,
    "contact": _simple(Contact, defaults={"is_primary": False}),
    "holding": _simple(Holding, names=_MONEY, defaults={"category": "account", "status": "active",
                                                         "currency": "GBP"}),
    "case": _simple(ServiceCase, defaults={"status": "open", "is_complaint": False, "summary": ""}),
    "document": _simple(OutstandingDocument, defaults={"status": "outstanding"}),
    "watch": _simple(WatchItem, defaults={"kind": "watch", "active": True}),
    "interaction": _import_interaction,
    "action": _import_action,
}
