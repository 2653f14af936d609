"""Reviewer decisions become evaluation cases: approved and edited drafts, in the fs format.

A draft a reviewer approved (as drafted, or after editing it) is a labelled example: the
source text plus the actions, purpose and flags a person signed off. `export_cases`
writes each such review item as one record in the fs-interactions format, so the same
scorer (`evals.fs_interactions.evaluate_records`) can run on it.

Decisions:

- Only `interaction_summary` items whose status is `approved` or `released` are exported;
  pending and rejected items carry no human judgement of what is right.
- The labels are the *current* draft of the lineage, i.e. the version the reviewer
  approved; `provenance.edited` says whether a person changed the engine's draft, which
  makes those cases the most informative ones.
- Flags are the lineage's flag names (`ReviewItem.flags_json`): the gate never lowers a
  flag, so the approved set is the policy's flags plus any added on edit.
- A due date becomes `YYYY-MM-DD` (a range by its end date, as the scoring rules say) or
  null. Participants come from the drafting job's request, else from the summary.
- Record ids are `reviewed-<review id>`, so exports from different days merge without
  clashing. Nothing is written back to the database.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from clientloop.container import Container
from records.tables import Client, Draft, Job, Source
from review.models import Decision, ReviewItem

EXPORTED_STATUSES = ("approved", "released")
_INTERACTION_KINDS = {"transcript": "call_transcript", "note": "meeting_notes", "notes": "meeting_notes",
                      "email": "email", "meeting_notes": "meeting_notes", "call_transcript": "call_transcript"}


def _due(due: Any) -> str | None:
    if not isinstance(due, dict):
        return None
    value = due.get("end") if due.get("kind") == "range" else due.get("date")
    return str(value) if value else None


def _evidence(evidence: Any) -> str:
    return evidence.get("text", "") if isinstance(evidence, dict) else str(evidence or "")


def case_for(session: Session, item: ReviewItem) -> dict[str, Any] | None:
    """The fs-format case for one approved review item, or None when its source is gone.

    Args:
        session: A database session.
        item: An approved or released `interaction_summary` review item.

    Returns:
        The record: `id`, `kind`, `occurred_at`, `client`, `participants`, `text`, `gold`
        and `provenance`.
    """
    draft = session.get(Draft, item.current_draft_id)
    source = session.get(Source, item.source_id)
    if draft is None or source is None or not source.text:
        return None
    content = json.loads(draft.content_json)
    summary = content.get("summary") or {}
    job = session.exec(select(Job).where(Job.source_id == source.id).order_by(col(Job.created_at))).first()
    payload = json.loads(job.payload_json) if job is not None and job.payload_json else {}
    client = session.get(Client, item.client_id) if item.client_id else None
    participants = payload.get("participants") or [
        {"name": p.get("name"), "role": p.get("role", "other"), "side": p.get("side")}
        for p in summary.get("participants", [])
    ]
    edited = session.exec(
        select(Decision).where(Decision.review_id == item.id, Decision.kind == "edit")
    ).first() is not None
    occurred = source.occurred_at or draft.created_at
    return {
        "id": f"reviewed-{item.id}",
        "kind": payload.get("kind") or summary.get("kind") or _INTERACTION_KINDS.get(source.kind, source.kind),
        "occurred_at": occurred.isoformat() if occurred else None,
        "client": {"name": client.name if client else payload.get("client") or summary.get("client"),
                   "segment": client.segment if client else None},
        "participants": participants,
        "text": source.text,
        "gold": {
            "purpose": summary.get("purpose"),
            "actions": [
                {"description": a.get("description", ""), "owner": a.get("owner", ""),
                 "owner_side": a.get("owner_side"), "due": _due(a.get("due")), "type": a.get("type"),
                 "evidence": _evidence(a.get("evidence"))}
                for a in content.get("actions", [])
            ],
            "sensitivity": sorted(json.loads(item.flags_json or "[]")),
            "client_asks": list(summary.get("client_asks", [])),
            "decisions": list(summary.get("decisions", [])),
        },
        "provenance": {"review_id": item.id, "draft_id": draft.id, "draft_version": draft.version,
                       "engine": draft.engine, "decided_by": item.decided_by, "status": item.status,
                       "edited": edited},
    }


def export_cases(container: Container) -> list[dict[str, Any]]:
    """Every approved or edited-and-approved interaction draft as an fs-format case, oldest first.

    Args:
        container: The application container (its database is read, never written).

    Returns:
        The cases.
    """
    with Session(container.engine) as session:
        items = session.exec(
            select(ReviewItem)
            .where(col(ReviewItem.status).in_(EXPORTED_STATUSES), ReviewItem.kind == "interaction_summary")
            .order_by(col(ReviewItem.created_at))
        ).all()
        return [case for item in items if (case := case_for(session, item)) is not None]
