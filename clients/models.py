"""Tables of the client record, its alerts, action status changes, import keys and briefs.

Profile, contacts, holdings, cases, documents and watch items describe the client;
alerts, status changes and brief snapshots are what clientloop derives and records.

Design decisions:

- **`Client` is extended, not edited.** `ClientProfile` is a 1:1 table keyed by the
  client id, so the composition root's `Client` stays as it is and a client created by an
  upload (with no CRM profile yet) is still a valid client.
- **Money is stored in minor units** (`*_minor`, integer pence or cents) with a currency
  code. Floats round, and SQLite has no exact decimal type; integers are exact on both
  databases.
- **External ids live in one table** (`ImportKey`: entity, external id → row id, plus the
  digest of the row last imported). It covers our tables and the review package's
  `InteractionRecord`/`RecordAction`, which have no external-id column, and it is what
  makes a re-import update (or skip) rather than duplicate.
- **A brief is an immutable snapshot** (`Brief`): the generated content, its time and
  the newest record it saw. What the conversation then covered is the next
  `InteractionRecord`, a different table; the two never mix.
- **Action status changes are rows** (`ActionStatusChange`) as well as audit events: the
  audit chain is the proof, this table is what the brief and the weekly review query
  (by client and time, indexed) without scanning audit payloads.
- **Alerts are upserted by `key`** (rule + subject), so re-running the advisory rules
  never duplicates an alert; an urgent alert carries an owner and a due date and is closed
  like any action.
- Indexes for the brief's queries on other packages' tables (sources by client and time,
  actions by client and status, records by client) are declared here against those
  tables, so Alembic's autogenerate sees them in the metadata and never proposes to drop
  them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from records.columns import text_field as _text
from records.columns import ts_field as _ts
from records.ids import new_id
from records.tables import Source
from review.models import InteractionRecord, RecordAction


class ClientProfile(SQLModel, table=True):
    """The CRM side of a client: team, tenure, cadence. One row per client."""

    client_id: str = Field(foreign_key="client.id", primary_key=True)
    external_id: str | None = Field(default=None, index=True, unique=True)
    party_type: str = "person"
    """`person` or `business`."""
    service_team: str | None = None
    client_since: date | None = None
    """Start of the relationship; tenure is counted from here."""
    contact_cadence_days: int | None = None
    """The client's usual gap between contacts; None means unknown (30 days is assumed)."""
    birth_year: int | None = None
    """For age-dependent advisory rules; never shown in the brief."""
    preferred_channel: str | None = None
    notes: str | None = _text()
    updated_at: datetime = _ts()


class Contact(SQLModel, table=True):
    """A person at (or for) the client: the client themself, a director, an attorney."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    is_primary: bool = False


class Holding(SQLModel, table=True):
    """A product, account or policy the client holds."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    category: str = "account"
    """`account`, `product`, `policy` or `contract`."""
    product_type: str = Field(index=True)
    """e.g. `mortgage`, `savings`, `isa`, `pension`, `home_insurance`, `life_cover`, `loan`."""
    name: str
    status: str = "active"
    currency: str = "GBP"
    balance_minor: int | None = None
    """Balance or value, in minor units."""
    contract_value_minor: int | None = None
    cover_minor: int | None = None
    """Sum insured or assured, for policies."""
    reference_value_minor: int | None = None
    """What the cover should match (rebuild or property value, income), for cover rules."""
    rate_fixed_until: date | None = None
    opened_on: date | None = None
    renewal_on: date | None = None
    maturity_on: date | None = None
    review_on: date | None = None
    notice_period_days: int | None = None


class ServiceCase(SQLModel, table=True):
    """A service case: an issue, a complaint, an investigation."""

    __table_args__ = (Index("ix_servicecase_client_status", "client_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    case_type: str
    status: str = "open"
    """`open`, `pending` or `closed`."""
    is_complaint: bool = False
    summary: str = _text("")
    opened_on: date
    closed_on: date | None = None
    sla_days: int | None = None
    owner_team: str | None = None


class OutstandingDocument(SQLModel, table=True):
    """A document the firm is waiting for from the client."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    name: str
    requested_on: date | None = None
    due_on: date | None = None
    status: str = "outstanding"
    """`outstanding` or `received`."""


class WatchItem(SQLModel, table=True):
    """A restriction or a thing to watch: power of attorney, vulnerability, a sanctions hold."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    kind: str = "watch"
    """`restriction` (limits what may be done) or `watch` (something to keep in mind)."""
    text: str = _text("")
    since: date | None = None
    until: date | None = None
    active: bool = True


class Alert(SQLModel, table=True):
    """An advisory rule's finding on one client, placed on the urgency × advice canvas."""

    __table_args__ = (Index("ix_alert_client_status", "client_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    key: str = Field(index=True, unique=True)
    """`<rule id>:<client id>:<subject id>`: one alert per rule and subject."""
    client_id: str = Field(foreign_key="client.id", index=True)
    rule_id: str = Field(index=True)
    subject_kind: str = "client"
    subject_id: str
    title: str
    reason: str = _text("")
    urgent: bool = False
    advice_sensitive: bool = False
    quadrant: str
    """`urgent_advice`, `urgent`, `advice` or `routine`."""
    follow_up: str
    """`owned_action`, `adviser_meeting` or `next_contact`."""
    owner: str | None = None
    due_on: date | None = None
    status: str = "open"
    """`open`, `done`, `cancelled` (closed by a person) or `resolved` (the condition cleared)."""
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ActionStatusChange(SQLModel, table=True):
    """One status change of an action (a record action or an alert's owned action)."""

    __table_args__ = (Index("ix_actionstatuschange_client_at", "client_id", "changed_at"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    action_id: str = Field(index=True)
    action_kind: str = "action"
    """`action` (a `RecordAction`) or `alert` (an alert's owned action)."""
    client_id: str | None = Field(default=None, foreign_key="client.id")
    from_status: str
    to_status: str
    reason: str = _text("")
    actor: str
    audit_seq: int
    changed_at: datetime = _ts()


class ImportKey(SQLModel, table=True):
    """External id of an imported row → the row it became, with the digest of what was imported."""

    __table_args__ = (UniqueConstraint("entity", "external_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    entity: str
    external_id: str
    target_id: str = Field(index=True)
    digest: str
    updated_at: datetime = _ts()


class Brief(SQLModel, table=True):
    """An immutable snapshot of one generated brief."""

    __table_args__ = (Index("ix_brief_client_generated", "client_id", "generated_at"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id")
    generated_at: datetime = _ts()
    generated_by: str
    as_of: date
    last_record_id: str | None = None
    """The newest interaction record the brief saw."""
    engine: str = "rules"
    prompt_version: str | None = None
    content_json: str = _text("{}")
    content_hash: str


# Indexes the brief and the weekly review need on other packages' tables.
Index("ix_source_client_occurred", Source.__table__.c.client_id, Source.__table__.c.occurred_at)  # type: ignore[attr-defined]
Index("ix_recordaction_client_status_due", RecordAction.__table__.c.client_id,  # type: ignore[attr-defined]
      RecordAction.__table__.c.status, RecordAction.__table__.c.due_date)  # type: ignore[attr-defined]
Index("ix_recordaction_status_due", RecordAction.__table__.c.status,  # type: ignore[attr-defined]
      RecordAction.__table__.c.due_date)  # type: ignore[attr-defined]
Index("ix_interactionrecord_client_created", InteractionRecord.__table__.c.client_id,  # type: ignore[attr-defined]
      InteractionRecord.__table__.c.created_at)  # type: ignore[attr-defined]


class HandoverRequest(SQLModel, table=True):
    """A proposed change of a client's relationship owner, waiting for an admin's approval."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    from_owner: str | None = None
    """The RM (user name) who owns the client when the change is proposed."""
    to_owner: str
    """The RM (user name) who will own it."""
    proposed_by: str
    proposed_at: datetime = _ts()
    reason: str = _text("")
    status: str = Field(default="pending", index=True)
    """`pending`, `approved` or `rejected`."""
    decided_by: str | None = None
    decided_at: datetime | None = _ts(nullable=True)
    moved_actions_json: str = _text("[]")
    """Ids of the open actions that moved from the old owner to the new one on approval."""


class OnboardingCase(SQLModel, table=True):
    """A new client or mandate being onboarded: phases with due dates counted from the signature."""

    id: str = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="client.id", index=True)
    signed_at: datetime = _ts()
    """When the client signed: every phase's due time is counted from here."""
    mandate: str = ""
    opened_by: str
    created_at: datetime = _ts()


class OnboardingPhase(SQLModel, table=True):
    """One phase of an onboarding case, with its named owner and due time."""

    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_onboardingphase_case_key"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    case_id: str = Field(foreign_key="onboardingcase.id", index=True)
    key: str
    ordinal: int
    owner: str
    due_at: datetime = _ts()
    done_at: datetime | None = _ts(nullable=True)
    done_by: str | None = None
    note: str = _text("")
