"""The review queue: what a user may see, filtered and paginated, and one item beside its source.

Visibility is one rule applied everywhere (list, show, decide, release, versions): an
`rm` sees the items of their own book (clients whose `relationship_owner` is the RM's
user name); `reviewer` and `admin` see everything; `service` sees nothing here. An item
a user may not see answers exactly like one that does not exist (`NotFound`), so ids
cannot be probed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from records.errors import NotFound
from records.ids import utcnow
from records.tables import Client, Draft, Source, User
from review.models import PENDING, Decision, FlagRecord, ReviewItem

MAX_PAGE_SIZE = 200


def book_clause(user: User) -> Any:
    """A WHERE clause restricting review items to what `user` may see (None: everything)."""
    if user.role in ("reviewer", "admin"):
        return None
    if user.role == "rm":
        book = select(Client.id).where(Client.relationship_owner == user.name)
        return col(ReviewItem.client_id).in_(book)
    return col(ReviewItem.id) == None  # noqa: E711  (matches no row)


def can_see_client(session: Session, user: User, client_id: str | None) -> bool:
    """Whether `user` may see records of this client."""
    if user.role in ("reviewer", "admin", "service"):
        return True
    if user.role == "rm" and client_id:
        client = session.get(Client, client_id)
        return client is not None and client.relationship_owner == user.name
    return False


def get_item(*, session: Session, review_id: str, user: User, fresh: bool = False) -> ReviewItem:
    """A review item the user may see.

    Args:
        session: The session.
        review_id: The item id, or the id of any draft of its lineage.
        user: Who asks.
        fresh: Re-read from the database, bypassing the session's identity map.

    Raises:
        NotFound: no such item, or not visible to the user.
    """
    query = select(ReviewItem).where(ReviewItem.id == review_id)
    item = session.exec(query.execution_options(populate_existing=fresh)).first()
    if item is None:
        draft = session.get(Draft, review_id)
        if draft is not None:
            item = session.exec(
                select(ReviewItem).where(ReviewItem.lineage_id == draft.lineage_id)
                .execution_options(populate_existing=fresh)
            ).first()
    if item is None or not _visible(session, user, item):
        raise NotFound(f"no review item {review_id!r}")
    return item


def _visible(session: Session, user: User, item: ReviewItem) -> bool:
    if user.role in ("reviewer", "admin"):
        return True
    return user.role == "rm" and can_see_client(session, user, item.client_id)


@dataclass
class QueuePage:
    """One page of the queue."""

    items: list[ReviewItem]
    total: int
    page: int
    page_size: int
    flags: dict[str, list[str]] = field(default_factory=dict)


def _filtered(
    user: User, *, status: list[str] | None, flag: str | None, client_id: str | None, min_age_hours: float | None,
    assignee: str | None, kind: str | None,
) -> SelectOfScalar[ReviewItem]:
    query = select(ReviewItem)
    clause = book_clause(user)
    if clause is not None:
        query = query.where(clause)
    query = query.where(col(ReviewItem.status).in_(status or list(PENDING)))
    if flag:
        flagged = select(FlagRecord.lineage_id).where(FlagRecord.flag == flag)
        query = query.where(col(ReviewItem.lineage_id).in_(flagged))
    if client_id:
        query = query.where(ReviewItem.client_id == client_id)
    if min_age_hours is not None:
        query = query.where(col(ReviewItem.created_at) <= utcnow() - timedelta(hours=min_age_hours))
    if assignee is not None:
        query = query.where(col(ReviewItem.assignee).is_(None) if assignee in ("", "none")
                            else ReviewItem.assignee == assignee)
    if kind:
        query = query.where(ReviewItem.kind == kind)
    return query


def list_queue(
    *, session: Session, user: User, status: list[str] | None = None, flag: str | None = None,
    client: str | None = None, min_age_hours: float | None = None, assignee: str | None = None,
    kind: str | None = None, page: int = 1, page_size: int = 50,
) -> QueuePage:
    """The items a user may see, oldest first, filtered and paginated.

    Args:
        session: The session.
        user: Who asks; an RM sees only their own book.
        status: Statuses to include; default the pending ones.
        flag: Only items carrying this flag.
        client: Client id or exact name.
        min_age_hours: Only items at least this old.
        assignee: Only items claimed by this user (`none` for unclaimed ones).
        kind: `interaction_summary` or `client_message`.
        page: 1-based page number.
        page_size: Items per page (at most 200).

    Returns:
        The page, the total number of matching items, and each item's flag names.
    """
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    client_id = None
    if client:
        row = session.get(Client, client) or session.exec(select(Client).where(Client.name == client)).first()
        client_id = row.id if row else "-"
    query = _filtered(user, status=status, flag=flag, client_id=client_id, min_age_hours=min_age_hours,
                      assignee=assignee, kind=kind)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = list(session.exec(
        query.order_by(col(ReviewItem.created_at), col(ReviewItem.id)).offset((page - 1) * page_size).limit(page_size)
    ).all())
    return QueuePage(items=items, total=int(total), page=page, page_size=page_size,
                     flags={i.id: json.loads(i.flags_json) for i in items})


def show_item(*, session: Session, review_id: str, user: User) -> dict[str, Any]:
    """An item with its current draft beside the source, evidence spans, flags and decisions.

    Raises:
        NotFound: no such item, or not visible to the user.
    """
    item = get_item(session=session, review_id=review_id, user=user)
    draft = session.get(Draft, item.current_draft_id)
    source = session.get(Source, item.source_id)
    assert draft is not None
    content = json.loads(draft.content_json)
    source_text = (source.text if source else "") or ""
    flags = session.exec(select(FlagRecord).where(FlagRecord.lineage_id == item.lineage_id)
                         .order_by(col(FlagRecord.created_at))).all()
    decisions = session.exec(select(Decision).where(Decision.review_id == item.id)
                             .order_by(col(Decision.created_at))).all()
    return {
        "item": item, "draft": draft, "content": content, "source_text": source_text,
        "source": source, "evidence": evidence_spans(content, source_text), "flags": list(flags),
        "decisions": list(decisions),
    }


def evidence_spans(content: dict[str, Any], source_text: str) -> list[dict[str, Any]]:
    """Each action's evidence located in the source (offsets recomputed, never trusted)."""
    spans = []
    for i, action in enumerate(content.get("actions") or []):
        ev = (action.get("evidence") or {}).get("text") or ""
        start = source_text.find(ev) if ev else -1
        spans.append({"action": i, "text": ev, "start": start if start >= 0 else None,
                      "end": start + len(ev) if start >= 0 else None, "found": start >= 0})
    return spans
