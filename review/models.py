"""The review gate's tables: review items, decisions, flags, records, outbox, audit, web sessions.

Design decisions:

- One `ReviewItem` per draft *lineage* (the first draft and all its edits). Its
  `version` is the optimistic-concurrency token served as the `ETag`; it increments on
  every change (claim, edit, decision, release), and every write is a compare-and-set on
  it, so two reviewers can never both win.
- Drafts stay immutable (`records.tables.Draft`); an edit adds a row. The review
  item points at the current one.
- The released record (`InteractionRecord`, `RecordAction`) and the `OutboxMessage` are
  unique per review item, which is what makes release idempotent even when two
  processes race: the second insert fails and is treated as "already released".
- `AuditEvent.id` is the monotonic sequence number. It is assigned by `review.audit`
  under a lock (never by a database sequence, which leaves gaps after rollbacks on
  PostgreSQL and would look like a deleted row to the verifier).
- Server-owned fields (status, version, approved_by, hashes) never appear on request
  models; the API builds these rows itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from records.access import ROLES as ROLES  # the roles a user can hold, defined with the access rule
from records.columns import text_field as _text
from records.columns import ts_field as _ts
from records.ids import new_id

STATUSES = ("awaiting_author", "in_review", "approved", "rejected", "released")
"""The states of a review item."""

PENDING = ("awaiting_author", "in_review")
"""States in which a review item still waits for a decision."""


def claim_holder(item: ReviewItem, now: datetime | None = None) -> str | None:
    """Who holds the claim on `item` now: None when unclaimed or the claim has lapsed."""
    if not item.assignee:
        return None
    if item.claim_expires_at is not None:
        expires = item.claim_expires_at if item.claim_expires_at.tzinfo else item.claim_expires_at.replace(tzinfo=UTC)
        if (now or datetime.now(UTC)) >= expires:
            return None
    return item.assignee


class ReviewItem(SQLModel, table=True):
    """The review state of one draft lineage: who may decide it and what was decided."""

    id: str = Field(default_factory=new_id, primary_key=True)
    lineage_id: str = Field(index=True, unique=True)
    kind: str = Field(default="interaction_summary", index=True)
    """`interaction_summary` or `client_message`."""
    source_id: str = Field(foreign_key="source.id", index=True)
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    author: str | None = Field(default=None, index=True)
    status: str = Field(default="awaiting_author", index=True)
    requires_checker: bool = False
    """True when a reviewer who is not the author must decide (maker-checker)."""
    required_role: str | None = None
    """The role a checker needs (`reviewer`; `admin` always qualifies)."""
    flags_json: str = _text("[]")
    """The flag names on the current version, sorted (the details are `FlagRecord` rows)."""
    holds_json: str = _text("[]")
    """Holds on the lineage that are not flags (`review.holds.Hold` as JSON, with spans), oldest first:
    e.g. `instruction_in_text`. Any hold means `requires_checker`."""
    assignee: str | None = Field(default=None, index=True)
    claimed_at: datetime | None = _ts(nullable=True)
    claim_expires_at: datetime | None = _ts(nullable=True)
    """When the claim lapses; after that the item is free again (see `claim_holder`)."""
    current_draft_id: str = Field(foreign_key="draft.id")
    parent_review_id: str | None = Field(default=None, index=True)
    """For a client message: the review item of the summary it was drafted from."""
    decided_by: str | None = None
    decided_at: datetime | None = _ts(nullable=True)
    version: int = 1
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Decision(SQLModel, table=True):
    """One decision on a review item: approve, edit (a new version) or reject. Never changed."""

    id: str = Field(default_factory=new_id, primary_key=True)
    review_id: str = Field(foreign_key="reviewitem.id", index=True)
    draft_id: str = Field(foreign_key="draft.id")
    """The draft version the decision applies to (for an edit, the new version)."""
    kind: str
    actor: str
    actor_role: str
    reason: str | None = _text()
    diff_json: str | None = _text()
    seen_version: int
    """The review item version the decider saw (their `If-Match`)."""
    created_at: datetime = _ts()


class FlagRecord(SQLModel, table=True):
    """A sensitivity flag on a draft lineage: the rule (or model) that raised it and the span."""

    id: str = Field(default_factory=new_id, primary_key=True)
    lineage_id: str = Field(index=True)
    draft_id: str = Field(foreign_key="draft.id", index=True)
    flag: str = Field(index=True)
    rule_id: str
    severity: str = "medium"
    reason: str | None = _text()
    start: int | None = None
    end: int | None = None
    matched: str | None = _text()
    where: str = "source"
    """`source` (the upload) or `draft` (the drafted text)."""
    origin: str = "rule"
    """`rule` (the deterministic policy) or `model` (added by a model, with evidence)."""
    created_at: datetime = _ts()


class InteractionRecord(SQLModel, table=True):
    """The approved interaction summary: the record. Written once per review item."""

    __table_args__ = (UniqueConstraint("review_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    review_id: str = Field(foreign_key="reviewitem.id")
    lineage_id: str = Field(index=True)
    draft_id: str = Field(foreign_key="draft.id")
    decision_id: str = Field(foreign_key="decision.id")
    source_id: str = Field(foreign_key="source.id", index=True)
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    approved_by: str
    content_json: str = _text("{}")
    created_at: datetime = _ts()


class RecordAction(SQLModel, table=True):
    """An open, owned, dated follow-up of a released interaction, linked to its evidence."""

    __table_args__ = (UniqueConstraint("record_id", "ordinal"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    record_id: str = Field(foreign_key="interactionrecord.id", index=True)
    ordinal: int
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    description: str = _text("")
    owner: str = Field(index=True)
    owner_side: str
    type: str
    status: str = Field(default="open", index=True)
    due_kind: str = "none"
    due_date: date | None = None
    due_start: date | None = None
    due_end: date | None = None
    due_phrase: str = ""
    close_condition: str = _text("")
    evidence_text: str = _text("")
    evidence_start: int | None = None
    evidence_end: int | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class OutboxMessage(SQLModel, table=True):
    """An approved client message waiting to be sent by a person; the system never sends it."""

    __table_args__ = (UniqueConstraint("review_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    review_id: str = Field(foreign_key="reviewitem.id")
    draft_id: str = Field(foreign_key="draft.id")
    decision_id: str = Field(foreign_key="decision.id")
    client_id: str | None = Field(default=None, foreign_key="client.id", index=True)
    subject: str = _text("")
    body: str = _text("")
    approved_by: str
    sent: bool = False
    """Stays false: sending is a person's act outside clientloop."""
    created_at: datetime = _ts()


class AuditEvent(SQLModel, table=True):
    """One append-only audit event; `hash` chains it to the event before it."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    """The monotonic sequence number (1, 2, 3, ...), assigned under a lock."""
    event_id: str = Field(index=True, unique=True)
    event_type: str = Field(index=True)
    actor: str
    occurred_at: datetime = _ts()
    payload_json: str = _text("{}")
    payload_digest: str
    prev_hash: str
    hash: str
    mac: str | None = None
    """HMAC-SHA256 of `hash` under the audit key (kept outside the database); None if no key was set."""


class WebSession(SQLModel, table=True):
    """A web sign-in: the browser holds a random token, the server only its hash.

    It ends at sign-out, at `expires_at` (never later than the key's expiry), and when
    the user's key is revoked or rotated; an ended session is kept with why it ended.
    """

    id: str = Field(default_factory=new_id, primary_key=True)
    token_hash: str = Field(index=True, unique=True)
    """`sha256:<hex>` of the cookie's token; the token itself is never stored."""
    user_id: str = Field(foreign_key="user.id", index=True)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    ended_at: datetime | None = _ts(nullable=True)
    ended_reason: str | None = None
    """`sign_out`, `key_revoked` or `key_rotated`."""
