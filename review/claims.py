"""Claims on review items: take one, give it back, hand it to another reviewer, or let it lapse.

A claim tells other reviewers "leave this to me". It must never become a lock nobody can
open: it lapses after `hold_minutes` (a setting the callers pass), the holder or an admin
can unclaim it, the holder or an admin can hand it to another reviewer, and an editor
who may no longer approve their own edit loses it (`review.decisions`). Every change is
in the audit trail (`claim`, `unclaim`, `handover` events).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from records.access import has_permission
from records.ids import utcnow
from records.session import lock_for_write
from records.tables import User
from review.audit import append_event
from review.decisions import makers, may_approve
from review.errors import AlreadyClaimed, AlreadyDecided, InvalidDecision, NotAllowed, StaleVersion
from review.models import PENDING, ReviewItem, claim_holder
from review.queue import get_item

DEFAULT_HOLD_MINUTES = 240.0
"""How long a claim lasts when the caller does not say (`CLIENTLOOP_CLAIM_MINUTES`)."""


def _pending(session: Session, review_id: str, user: User, expected_version: int | None) -> ReviewItem:
    lock_for_write(session)
    item = get_item(session=session, review_id=review_id, user=user, fresh=True)
    if item.status not in PENDING:
        raise AlreadyDecided(f"review {review_id} is already {item.status}")
    if expected_version is not None and expected_version != item.version:
        raise StaleVersion(f"review {review_id} is at version {item.version}, not {expected_version}",
                           expected=expected_version, current=item.version)
    return item


def _assign(session: Session, item: ReviewItem, to: str | None, *, actor: User, event: str,
            hold_minutes: float) -> ReviewItem:
    now = utcnow()
    previous = claim_holder(item, now)
    item.assignee = to
    item.claimed_at = now if to else None
    item.claim_expires_at = now + timedelta(minutes=hold_minutes) if to else None
    item.version += 1
    item.updated_at = now
    session.add(item)
    session.flush()
    append_event(session, event_type=event, actor=actor.name, payload={
        "review_id": item.id, "lineage_id": item.lineage_id, "previous_assignee": previous, "assignee": to,
        "expires_at": item.claim_expires_at.isoformat() if item.claim_expires_at else None, "version": item.version,
    })
    return item


def claim_blocked(session: Session, item: ReviewItem, user: User) -> str | None:
    """Why `user` may not claim `item` now, or None when they may."""
    if item.status not in PENDING:
        return f"it is already {item.status}"
    if not has_permission(user, "check"):
        return "only reviewers claim drafts"
    holder = claim_holder(item)
    if holder == user.name:
        return "you hold the claim already"
    if holder and not has_permission(user, "override_claims"):
        return f"{holder} holds the claim; ask them to unclaim or hand it over"
    return may_approve(item, user, makers(session, item))


def claim(*, session: Session, review_id: str, user: User, expected_version: int | None = None,
          hold_minutes: float = DEFAULT_HOLD_MINUTES) -> ReviewItem:
    """Take a pending item for yourself, for `hold_minutes`, so other reviewers leave it alone.

    Claiming an item you already hold renews it. Raises `AlreadyClaimed` when another
    reviewer holds a live claim (admins may take it over), `NotAllowed` when you could not
    approve the item anyway, `AlreadyDecided` or `StaleVersion` as the decisions do.
    """
    item = _pending(session, review_id, user, expected_version)
    if not has_permission(user, "check"):
        raise NotAllowed("only reviewers claim drafts")
    holder = claim_holder(item)
    if holder and holder != user.name and not has_permission(user, "override_claims"):
        raise AlreadyClaimed(f"review {review_id} is claimed by {holder}; ask them to unclaim or hand it over")
    why = may_approve(item, user, makers(session, item))
    if why:
        raise NotAllowed(why)
    return _assign(session, item, user.name, actor=user, event="claim", hold_minutes=hold_minutes)


def unclaim(*, session: Session, review_id: str, user: User, expected_version: int | None = None) -> ReviewItem:
    """Give a claim back (the holder, or an admin), so any reviewer may take the item."""
    item = _pending(session, review_id, user, expected_version)
    holder = claim_holder(item)
    if holder is None:
        raise InvalidDecision(f"review {review_id} is not claimed")
    if holder != user.name and not has_permission(user, "override_claims"):
        raise NotAllowed(f"only {holder} (or an admin) can give this claim back")
    return _assign(session, item, None, actor=user, event="unclaim", hold_minutes=0)


def hand_over(*, session: Session, review_id: str, user: User, to: str, expected_version: int | None = None,
              hold_minutes: float = DEFAULT_HOLD_MINUTES) -> ReviewItem:
    """Pass a claim to another reviewer who may approve the item (the holder, or an admin)."""
    item = _pending(session, review_id, user, expected_version)
    holder = claim_holder(item)
    if holder != user.name and not has_permission(user, "override_claims"):
        raise NotAllowed("only the reviewer holding the claim (or an admin) can hand it over")
    target = session.exec(select(User).where(User.name == to)).first()
    if target is None or not target.active:
        raise InvalidDecision(f"no active user {to!r} to hand the item to")
    if not has_permission(target, "check"):
        raise InvalidDecision(f"{to} is not a reviewer")
    why = may_approve(item, target, makers(session, item))
    if why:
        raise InvalidDecision(f"{to} could not approve it: {why}")
    return _assign(session, item, to, actor=user, event="handover", hold_minutes=hold_minutes)
