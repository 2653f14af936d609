"""Decisions on review items: approve, edit (a new version) or reject, as a typed union.

Design decisions:

- **A decision is data.** `Approve | Edit | Reject` is a discriminated Pydantic union
  with `extra="forbid"`: a body carrying `status: approved` (or any field we do not
  know) is refused, so nothing but the `kind` of a decision by an allowed person moves an
  item. `Reject` needs a reason.
- **Optimistic concurrency.** Every decision names the item version it was based on
  (HTTP `If-Match`). Missing → `PreconditionRequired` (428); different from the
  current one → `StaleVersion` (412) and nothing changes; already approved, rejected or
  released → `AlreadyDecided` (409). The check and the write happen under the writer
  lock (`review.audit.lock_for_write`), so two deciders are strictly ordered.
- **Maker-checker.** Makers of a lineage are its author and everyone who edited a
  version. A flagged item (`requires_checker`) is approved only by a `reviewer` or
  `admin` who is none of them. An unflagged item may be confirmed by its author or by a
  reviewer/admin. Rejecting is allowed to makers too: withdrawing a draft releases
  nothing. A claim by someone else blocks other deciders (admins excepted).
- **Edits never mutate.** An edit validates the new content (schema, then grounding
  against the source, then the policy), writes a new immutable `Draft` (same lineage,
  `version + 1`, `parent_id`), stores the diff on the decision as an RFC 6902 JSON Patch
  (`jsonpatch`, so applying it to the old version gives the new one), and moves the item
  to it. Flags from the edit are added to the lineage's; none are removed, and an edit
  that introduces a flag turns an author-confirmable item into a checker item.
- **Side effects come later.** Approving only records the decision; release
  (`review.release`) runs as its own step and is idempotent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import jsonpatch
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from sqlmodel import Session, select

from pipeline.schemas import InteractionDraft
from records.access import acts_as, has_permission
from records.ids import canonical_json, new_id, utcnow
from records.session import lock_for_write
from records.tables import Draft, Job, Source, User
from review.audit import append_event
from review.errors import (
    AlreadyDecided,
    InvalidDecision,
    NotAllowed,
    PreconditionRequired,
    StaleVersion,
)
from review.gate import (
    CHECKER_ROLE,
    draft_fields,
    flag_names,
    hold_for_checker,
    instruction_holds,
    policy_flags,
    required_role,
    store_flags,
)
from review.models import PENDING, Decision, ReviewItem, claim_holder
from review.queue import get_item


class Approve(BaseModel):
    """Approve the current version as it stands."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["approve"] = "approve"
    reason: str | None = Field(default=None, max_length=4000, description="Optional note for the record.")


class Edit(BaseModel):
    """Replace the current version with edited content (a new version; the diff is kept)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["edit"] = "edit"
    content: dict[str, Any] = Field(
        description="The whole edited draft: an InteractionDraft for summaries, {subject, body} for messages."
    )
    reason: str | None = Field(default=None, max_length=4000, description="Why it was edited.")


class Reject(BaseModel):
    """Reject the draft; nothing is released. A reason is required."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["reject"] = "reject"
    reason: str = Field(min_length=1, max_length=4000, description="Why the draft is rejected.")

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a rejection needs a reason")
        return value.strip()


DecisionBody = Annotated[Approve | Edit | Reject, Field(discriminator="kind")]
"""The decision union a reviewer sends."""

decision_adapter: TypeAdapter[Approve | Edit | Reject] = TypeAdapter(DecisionBody)


@dataclass
class DecisionOutcome:
    """What a decision did."""

    item: ReviewItem
    decision: Decision
    draft: Draft


def parse_decision(data: dict[str, Any]) -> Approve | Edit | Reject:
    """Validate a decision body.

    Raises:
        InvalidDecision: unknown kind, unknown field, or a rejection without a reason.
    """
    try:
        return decision_adapter.validate_python(data)
    except ValidationError as exc:
        raise InvalidDecision("invalid decision: " + _errors(exc), problems=[e["msg"] for e in exc.errors()]) from exc


def _errors(exc: ValidationError, limit: int = 5) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors()[:limit]]
    return "; ".join(parts)


def makers(session: Session, item: ReviewItem) -> set[str]:
    """Everyone who authored a version of the item: its author and every editor."""
    editors = session.exec(select(Decision.actor).where(Decision.review_id == item.id, Decision.kind == "edit")).all()
    return ({item.author} if item.author else set()) | set(editors)


def may_approve(item: ReviewItem, user: User, item_makers: set[str]) -> str | None:
    """Why `user` may not approve `item`, or None when they may."""
    if item.requires_checker:
        if not acts_as(user, item.required_role or CHECKER_ROLE):
            reasons = json.loads(item.flags_json) + sorted({h["reason"] for h in json.loads(item.holds_json)})
            return f"this draft is held ({', '.join(reasons)}); a reviewer must approve it"
        if user.name in item_makers:
            return "maker-checker: the author or an editor of a flagged draft cannot approve it"
        return None
    if has_permission(user, "check") or user.name == item.author:
        return None
    return "only the draft's author or a reviewer can confirm it"


def check_allowed(session: Session, item: ReviewItem, user: User, kind: str) -> None:
    """Raise `NotAllowed` unless `user` may make a decision of `kind` on `item`."""
    holder = claim_holder(item)
    if holder and holder != user.name and not has_permission(user, "override_claims"):
        raise NotAllowed(f"claimed by {holder}; only they (or an admin) can decide it now, "
                         "or ask them to unclaim or hand it over")
    item_makers = makers(session, item)
    if kind == "approve":
        why = may_approve(item, user, item_makers)
        if why:
            raise NotAllowed(why)
        return
    # Editing and rejecting change nothing outside the lineage: makers and reviewers may do both.
    if has_permission(user, "check") or user.name in item_makers:
        return
    raise NotAllowed("only the draft's author, an editor or a reviewer can edit or reject it")


def decide(
    *, session: Session, review_id: str, decision: Approve | Edit | Reject, user: User,
    expected_version: int | None,
) -> DecisionOutcome:
    """Record one decision on a review item (in the caller's transaction).

    Args:
        session: The session; the caller commits.
        review_id: The review item.
        decision: Approve, Edit or Reject.
        user: Who decides.
        expected_version: The item version the decision was based on (`If-Match`).

    Returns:
        The updated item, the decision row and the (possibly new) current draft.

    Raises:
        PreconditionRequired: no expected version.
        Forbidden: the user's role has no access to the review queue.
        NotFound: no such item, or not visible to the user.
        AlreadyDecided: the item was already approved, rejected or released.
        StaleVersion: the item changed since the caller read it.
        NotAllowed: role, maker-checker or claim forbids it.
        InvalidDecision: the edit fails validation.
    """
    if expected_version is None:
        raise PreconditionRequired("send the version you saw: If-Match: \"<version>\" (from the ETag)")
    lock_for_write(session)
    item = get_item(session=session, review_id=review_id, user=user, fresh=True)
    if item.status not in PENDING:
        raise AlreadyDecided(f"review {review_id} is already {item.status}")
    if item.version != expected_version:
        raise StaleVersion(f"review {review_id} is at version {item.version}, not {expected_version}; reload it",
                           expected=expected_version, current=item.version)
    check_allowed(session, item, user, decision.kind)
    current = session.get(Draft, item.current_draft_id)
    assert current is not None
    if isinstance(decision, Edit):
        return _edit(session, item, current, decision, user, expected_version)
    now = utcnow()
    row = Decision(review_id=item.id, draft_id=current.id, kind=decision.kind, actor=user.name, actor_role=user.role,
                   reason=decision.reason, seen_version=expected_version, created_at=now)
    item.status = "approved" if isinstance(decision, Approve) else "rejected"
    item.decided_by, item.decided_at = user.name, now
    _touch(item, now)
    session.add(row)
    session.add(item)
    session.flush()
    append_event(session, event_type="decision", actor=user.name, payload={
        "review_id": item.id, "lineage_id": item.lineage_id, "draft_id": current.id, "decision_id": row.id,
        "kind": decision.kind, "actor_role": user.role, "reason": decision.reason, "seen_version": expected_version,
        "version": item.version, "requires_checker": item.requires_checker,
    })
    return DecisionOutcome(item, row, current)


def _touch(item: ReviewItem, now: Any) -> None:
    item.version += 1
    item.updated_at = now


def validate_content(kind: str, content: dict[str, Any], source_text: str,
                     participants: list[Any] | None = None) -> dict[str, Any]:
    """Re-validate edited content: the schema, then grounding against the source.

    Args:
        kind: `interaction_summary` or `client_message`.
        content: The edited content.
        source_text: The source the summary must stay grounded in.
        participants: The interaction's participants as first drafted (an edit cannot
            add people to make an owner resolve).

    Returns:
        The validated content as JSON-ready data (grounding report refreshed).

    Raises:
        InvalidDecision: the content fails the schema, or grounding would drop part of it.
    """
    if kind == "client_message":
        from review.recap import ClientMessage

        try:
            return ClientMessage.model_validate(content).model_dump(mode="json")
        except ValidationError as exc:
            raise InvalidDecision("edited message is invalid: " + _errors(exc)) from exc
    try:
        draft = InteractionDraft.model_validate(content)
    except ValidationError as exc:
        raise InvalidDecision("edited draft fails the schema: " + _errors(exc),
                              problems=[e["msg"] for e in exc.errors()]) from exc
    grounded = _ground(draft, source_text, participants or [])
    if len(grounded.actions) < len(draft.actions):
        problems = [f"{i.reason}: {i.detail}" for i in grounded.grounding.issues if i.outcome == "dropped"]
        raise InvalidDecision(
            "edited draft fails grounding (every action's evidence must be an exact span of the source, its "
            "owner a participant or a known team): " + "; ".join(problems[:5]), problems=problems,
        )
    return grounded.model_dump(mode="json")


def _ground(draft: InteractionDraft, source_text: str, participants: list[Any]) -> InteractionDraft:
    from pipeline.grounding import ground_draft

    return ground_draft(draft, source_text=source_text, participants=participants)


def lineage_participants(session: Session, item: ReviewItem) -> list[Any]:
    """The participants of the interaction: as given on upload, else as the first draft listed them."""
    from pipeline.schemas import Participant

    first = session.get(Draft, item.lineage_id)
    people: dict[str, Participant] = {}
    job = session.get(Job, first.job_id) if first is not None and first.job_id else None
    for p in json.loads(job.payload_json).get("participants", []) if job else []:
        people.setdefault(p["name"], Participant(**p))
    if first is not None and first.kind == "interaction_summary":
        for p in (json.loads(first.content_json).get("summary") or {}).get("participants") or []:
            people.setdefault(p["name"], Participant(name=p["name"], role=p.get("role", "other"), side=p["side"]))
    return list(people.values())


def json_diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """The edit as an RFC 6902 JSON Patch from `old` to `new` (`jsonpatch`): `{op, path, value}` operations."""
    return list(jsonpatch.make_patch(old, new).patch)


def _touches_only_grounding(diff: list[dict[str, Any]]) -> bool:
    # The grounding report is recomputed on every edit; a change there alone is no edit.
    return all(op["path"].startswith("/grounding") and op.get("from", "/grounding").startswith("/grounding")
               for op in diff)


def _edit(session: Session, item: ReviewItem, current: Draft, decision: Edit, user: User,
          seen: int) -> DecisionOutcome:
    source = session.get(Source, current.source_id)
    source_text = (source.text if source else "") or ""
    old_content = json.loads(current.content_json)
    new_content = validate_content(item.kind, decision.content, source_text, lineage_participants(session, item))
    diff = json_diff(old_content, new_content)
    if _touches_only_grounding(diff):
        raise InvalidDecision("the edit changes nothing; approve the draft instead")
    now = utcnow()
    new_draft = Draft.model_validate(current.model_dump() | {
        "id": new_id(), "version": current.version + 1, "parent_id": current.id, "job_id": None,
        "author": user.name, "engine": "human", "model": None, "prompt_version": None, "fallback": False,
        "content_json": canonical_json(new_content), "created_at": now,
    })
    session.add(new_draft)
    session.flush()
    flags = policy_flags(source_text=source_text, fields=draft_fields(new_content, item.kind), include_source=False)
    store_flags(session, new_draft, flags)
    before = set(json.loads(item.flags_json))
    names = sorted(before | set(flag_names(flags)))
    added = sorted(set(names) - before)
    if names and not item.requires_checker:
        # An edit that brings in sensitive content now needs a checker, like a flagged draft.
        item.requires_checker, item.required_role, item.status = True, required_role(flags), "in_review"
    elif names and required_role(flags) == "admin":
        item.required_role = "admin"
    item.flags_json = canonical_json(names)
    # Text addressed to an AI or a reviewer, written in by an edit, holds the item too.
    holds = instruction_holds(fields=draft_fields(new_content, item.kind))
    hold_for_checker(item, flags=flags, holds=holds)
    item.current_draft_id = new_draft.id
    if item.assignee == user.name and may_approve(item, user, makers(session, item) | {user.name}):
        # The editor of a held draft may not approve it (maker-checker): keeping their claim
        # would lock every other reviewer out of the one decision left.
        item.assignee, item.claimed_at, item.claim_expires_at = None, None, None
    _touch(item, now)
    row = Decision(review_id=item.id, draft_id=new_draft.id, kind="edit", actor=user.name, actor_role=user.role,
                   reason=decision.reason, diff_json=canonical_json(diff), seen_version=seen, created_at=now)
    session.add(row)
    session.add(item)
    session.flush()
    append_event(session, event_type="edit", actor=user.name, payload={
        "review_id": item.id, "lineage_id": item.lineage_id, "draft_id": new_draft.id, "parent_id": current.id,
        "version": new_draft.version, "kind": item.kind, "decision_id": row.id, "reason": decision.reason,
        "diff": diff, "content": new_content, "seen_version": seen, "item_version": item.version,
        "added_flags": added, "flags": flags, "holds": holds,
    })
    return DecisionOutcome(item, row, new_draft)
