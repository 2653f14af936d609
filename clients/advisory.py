"""Advisory rules as data, and the alerts they raise on the urgency × advice canvas.

Design decisions:

- **Rules are YAML** (`advisory_rules.yaml`), validated by Pydantic with `extra="forbid"`,
  so a compliance or product team can add "fixed rate ending within 60 days" without
  code. The condition vocabulary is deliberately small (product, days until a date, a
  ratio, age, a missing product) and every alert carries a reason written from the
  record's own values.
- **Types of alert are placed on the canvas, not single alerts**: a rule declares its
  advice sensitivity and its urgency (fixed, or urgent only when its date is close).
- **The quadrant decides the follow-up.** Urgent → an owned action for the relationship
  owner with a due date (closable like any follow-up, `clients.actions`);
  advice-sensitive but not urgent → suggest a meeting with the adviser; neither → wait
  for the next scheduled contact. Nothing is silently dropped: low urgency only changes
  how an alert is dealt with.
- **Alerts are refreshed, not appended.** `refresh_alerts` upserts by
  `rule:client:subject`; an open alert whose condition no longer holds becomes
  `resolved`; one a person closed stays closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, col, select

from clients.errors import AdvisoryRulesError
from clients.models import Alert, ClientProfile, Holding
from records.ids import utcnow
from records.tables import Client

RULES_PATH = Path(__file__).resolve().parent / "advisory_rules.yaml"

QUADRANTS = ("urgent_advice", "urgent", "advice", "routine")
"""Canvas quadrants: urgent and advice-sensitive, urgent only, advice-sensitive only, neither."""
FOLLOW_UP = {"urgent_advice": "owned_action", "urgent": "owned_action", "advice": "adviser_meeting",
             "routine": "next_contact"}
"""What each quadrant's alerts become."""



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DaysUntil(_Strict):
    """Days from today to a date field of the holding."""

    field: str
    min: int | None = None
    max: int | None = None


class RatioBelow(_Strict):
    """`field / of` under a threshold."""

    field: str
    of: str
    below: float


class AgeRange(_Strict):
    """The client's age in years."""

    min: int | None = None
    max: int | None = None


class Conditions(_Strict):
    """Every condition given must hold."""

    product_type: list[str] | None = None
    days_until: DaysUntil | None = None
    ratio_below: RatioBelow | None = None
    age: AgeRange | None = None
    lacks_product: str | None = None


class Rule(_Strict):
    """One advisory rule."""

    id: str
    title: str
    applies_to: Literal["holding", "client"] = "holding"
    when: Conditions
    urgent: bool = False
    urgent_within_days: int | None = Field(default=None, description="Urgent only when the date is this close.")
    advice_sensitive: bool = False
    due_in_days: int = 7
    reason: str


class RuleSet(_Strict):
    """The whole file."""

    version: Literal[1] = 1
    rules: list[Rule]


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    """Read and validate the rules file (cached).

    Raises:
        AdvisoryRulesError: unreadable, not YAML, or invalid.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = RuleSet.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise AdvisoryRulesError(f"{path.name}: cannot read the advisory rules: {exc}") from exc
    except ValidationError as exc:
        raise AdvisoryRulesError(f"{path.name}: invalid advisory rules: {exc.errors()[0]['msg']} "
                                 f"at {'.'.join(str(p) for p in exc.errors()[0]['loc'])}") from exc
    ids = [r.id for r in rules.rules]
    if len(ids) != len(set(ids)):
        raise AdvisoryRulesError(f"{path.name}: duplicate rule ids")
    return rules


@dataclass(frozen=True)
class Finding:
    """One rule firing on one subject, before it is stored."""

    rule: Rule
    client_id: str
    subject_kind: str
    subject_id: str
    reason: str
    urgent: bool
    event_date: date | None

    @property
    def quadrant(self) -> str:
        """The canvas quadrant."""
        if self.urgent:
            return "urgent_advice" if self.rule.advice_sensitive else "urgent"
        return "advice" if self.rule.advice_sensitive else "routine"


def _holding_finding(rule: Rule, h: Holding, as_of: date) -> Finding | None:
    w = rule.when
    if w.product_type and h.product_type not in w.product_type:
        return None
    values: dict[str, Any] = {"name": h.name.lower() if h.name else h.product_type,
                              "notice": h.notice_period_days or 0}
    when: date | None = None
    days = None
    if w.days_until:
        when = getattr(h, w.days_until.field, None)
        if when is None:
            return None
        days = (when - as_of).days
        if (w.days_until.min is not None and days < w.days_until.min) or (
                w.days_until.max is not None and days > w.days_until.max):
            return None
        values.update(date=when.isoformat(), days=days, ago=-days)
    if w.ratio_below:
        num, den = getattr(h, w.ratio_below.field, None), getattr(h, w.ratio_below.of, None)
        if not num or not den or num / den >= w.ratio_below.below:
            return None
        values["ratio"] = num / den
    urgent = rule.urgent
    if rule.urgent_within_days is not None and days is not None:
        urgent = days <= rule.urgent_within_days
    return Finding(rule, h.client_id, "holding", h.id, rule.reason.format(**values), urgent, when)


def _client_finding(rule: Rule, client: Client, profile: ClientProfile | None, products: set[str],
                    as_of: date) -> Finding | None:
    w = rule.when
    age = None
    if w.age:
        if profile is None or profile.birth_year is None or profile.party_type != "person":
            return None
        age = as_of.year - profile.birth_year
        if (w.age.min is not None and age < w.age.min) or (w.age.max is not None and age > w.age.max):
            return None
    if w.lacks_product and w.lacks_product in products:
        return None
    reason = rule.reason.format(client=client.name, age=age)
    return Finding(rule, client.id, "client", client.id, reason, rule.urgent, None)


def evaluate(session: Session, client_ids: list[str], as_of: date, rules: RuleSet | None = None) -> list[Finding]:
    """Run every rule over the clients' records.

    Args:
        session: The session.
        client_ids: The clients to check.
        as_of: Today, for date conditions.
        rules: The rules (default: the shipped file).
    """
    rules = rules or load_rules()
    findings: list[Finding] = []
    if not client_ids:
        return findings
    holdings: dict[str, list[Holding]] = {}
    for chunk in _chunks(client_ids):
        for h in session.exec(select(Holding).where(col(Holding.client_id).in_(chunk),
                                                    Holding.status == "active")).all():
            holdings.setdefault(h.client_id, []).append(h)
    client_rules = [r for r in rules.rules if r.applies_to == "client"]
    clients: dict[str, Client] = {}
    profiles: dict[str, ClientProfile] = {}
    if client_rules:
        for chunk in _chunks(client_ids):
            clients.update({c.id: c for c in session.exec(select(Client).where(col(Client.id).in_(chunk))).all()})
            profiles.update({p.client_id: p for p in session.exec(
                select(ClientProfile).where(col(ClientProfile.client_id).in_(chunk))).all()})
    for cid in client_ids:
        for rule in rules.rules:
            if rule.applies_to == "holding":
                findings += [f for h in holdings.get(cid, []) if (f := _holding_finding(rule, h, as_of))]
            elif cid in clients:
                products = {h.product_type for h in holdings.get(cid, [])}
                found = _client_finding(rule, clients[cid], profiles.get(cid), products, as_of)
                if found:
                    findings.append(found)
    return findings


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def refresh_alerts(session: Session, client_ids: list[str], as_of: date, rules: RuleSet | None = None) -> list[Alert]:
    """Bring the stored alerts of these clients in line with the rules; return the open ones.

    Args:
        session: The session; the caller commits.
        client_ids: The clients to refresh.
        as_of: Today.
        rules: The rules (default: the shipped file).

    Returns:
        The clients' open alerts after the refresh.
    """
    findings = evaluate(session, client_ids, as_of, rules)
    existing: dict[str, Alert] = {}
    for chunk in _chunks(client_ids):
        existing.update({a.key: a for a in session.exec(select(Alert).where(col(Alert.client_id).in_(chunk))).all()})
    owners: dict[str, str | None] = {}
    for chunk in _chunks(client_ids):
        owners.update(dict(session.exec(select(Client.id, Client.relationship_owner)
                                        .where(col(Client.id).in_(chunk))).all()))
    now = utcnow()
    seen: set[str] = set()
    for f in findings:
        key = f"{f.rule.id}:{f.client_id}:{f.subject_id}"
        seen.add(key)
        quadrant = f.quadrant
        due = None
        if FOLLOW_UP[quadrant] == "owned_action":
            due = as_of + timedelta(days=f.rule.due_in_days)
            if f.event_date and as_of <= f.event_date < due:
                due = f.event_date
        alert = existing.get(key)
        if alert is None:
            alert = Alert(key=key, client_id=f.client_id, rule_id=f.rule.id, subject_kind=f.subject_kind,
                          subject_id=f.subject_id, title=f.rule.title, reason=f.reason, urgent=f.urgent,
                          advice_sensitive=f.rule.advice_sensitive, quadrant=quadrant,
                          follow_up=FOLLOW_UP[quadrant], owner=owners.get(f.client_id), due_on=due)
            session.add(alert)
            existing[key] = alert
            continue
        if alert.status in ("done", "cancelled"):
            continue  # a person closed it; the rule does not reopen it
        changed = (alert.reason, alert.quadrant, alert.status) != (f.reason, quadrant, "open")
        if changed:
            alert.reason, alert.urgent, alert.quadrant = f.reason, f.urgent, quadrant
            alert.follow_up, alert.status, alert.updated_at = FOLLOW_UP[quadrant], "open", now
            alert.due_on = alert.due_on or due
            session.add(alert)
    for key, alert in existing.items():
        if key not in seen and alert.status == "open":
            alert.status, alert.updated_at = "resolved", now
            session.add(alert)
    session.flush()
    return [a for a in existing.values() if a.status == "open"]
