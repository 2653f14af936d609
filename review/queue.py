"""The review queue: what a user may see, filtered and paginated, and one item beside its source.

Visibility is the one access rule (`records.access`) applied everywhere (list, show,
decide, release, versions): an `rm` sees the items of their own book (clients whose
`relationship_owner` is the RM's user name); `reviewer` and `admin` see everything;
`service` sees nothing here. An item a user may not see answers exactly like one that
does not exist (`NotFound`), so ids cannot be probed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, not_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from records.access import book_filter, can_read_draft, client_of, require_permission
from records.errors import NotFound
from records.ids import utcnow
from records.tables import Client, Draft, Source, User
from review.models import PENDING, Decision, FlagRecord, ReviewItem

MAX_PAGE_SIZE = 200


# The statements every read of an item runs, built once (building one cost about as much as
# running it on SQLite). The item's client comes with the item: the visibility check then
# finds it in the session's identity map instead of asking the database again.
_ITEM_WITH_CLIENT = (select(ReviewItem, Client).outerjoin(Client, col(Client.id) == col(ReviewItem.client_id))
                     .where(col(ReviewItem.id) == bindparam("id")))
# A read of one item gets the item, its client, its current draft and the source in one
# round trip (by the item's id), or two (by the id of a draft of its lineage).
_ITEM_FOR_SHOW = (select(ReviewItem, Client, Draft, Source)
                  .outerjoin(Client, col(Client.id) == col(ReviewItem.client_id))
                  .join(Draft, col(Draft.id) == col(ReviewItem.current_draft_id))
                  .outerjoin(Source, col(Source.id) == col(ReviewItem.source_id)))
_SHOWN_DRAFT = aliased(Draft)
_ITEM_FOR_SHOW_BY_ID = _ITEM_FOR_SHOW.where(col(ReviewItem.id) == bindparam("id"))
_ITEM_FOR_SHOW_BY_DRAFT = (_ITEM_FOR_SHOW.join(_SHOWN_DRAFT, col(_SHOWN_DRAFT.lineage_id) == col(ReviewItem.lineage_id))
                           .where(col(_SHOWN_DRAFT.id) == bindparam("id")))
_FLAGS = select(FlagRecord).where(col(FlagRecord.lineage_id) == bindparam("lineage_id")).order_by(
    col(FlagRecord.created_at))
_DECISIONS = select(Decision).where(col(Decision.review_id) == bindparam("review_id")).order_by(
    col(Decision.created_at))


def get_item(*, session: Session, review_id: str, user: User, fresh: bool = False) -> ReviewItem:
    """A review item the user may see.

    Args:
        session: The session.
        review_id: The item id, or the id of any draft of its lineage.
        user: Who asks.
        fresh: Re-read from the database, bypassing the session's identity map.

    Raises:
        Forbidden: the user's role has no access to the review queue.
        NotFound: no such item, or not visible to the user.
    """
    require_permission(user, "review")
    row = session.exec(_ITEM_WITH_CLIENT, params={"id": review_id},
                       execution_options={"populate_existing": fresh}).first()
    item = row[0] if row is not None else None
    if item is None:
        draft = session.get(Draft, review_id)
        if draft is not None:
            item = session.exec(
                select(ReviewItem).where(ReviewItem.lineage_id == draft.lineage_id)
                .execution_options(populate_existing=fresh)
            ).first()
    return _visible(session, item, user, review_id)


def _visible(session: Session, item: ReviewItem | None, user: User, review_id: str) -> ReviewItem:
    if item is None or not can_read_draft(user, client_of(session, item.client_id)):
        raise NotFound(f"no review item {review_id!r}")
    return item


@dataclass
class QueuePage:
    """One page of the queue."""

    items: list[ReviewItem]
    total: int
    page: int
    page_size: int

    @property
    def flags(self) -> dict[str, list[str]]:
        """Each item's flag names, by item id (parsed when asked for: the API reads them per item)."""
        return {i.id: json.loads(i.flags_json) for i in self.items}


def _conditions(
    user: User, *, status: list[str] | None, flag: str | None, client_id: str | None, min_age_hours: float | None,
    assignee: str | None, kind: str | None,
) -> list[ColumnElement[bool]]:
    conditions = [book_filter(user, ReviewItem.client_id), col(ReviewItem.status).in_(status or list(PENDING))]
    if flag:
        flagged = select(FlagRecord.lineage_id).where(FlagRecord.flag == flag)
        conditions.append(col(ReviewItem.lineage_id).in_(flagged))
    if client_id:
        conditions.append(col(ReviewItem.client_id) == client_id)
    if min_age_hours is not None:
        conditions.append(col(ReviewItem.created_at) <= utcnow() - timedelta(hours=min_age_hours))
    if assignee is not None:
        now = utcnow()
        live = or_(col(ReviewItem.claim_expires_at).is_(None), col(ReviewItem.claim_expires_at) > now)
        if assignee in ("", "none"):
            conditions.append(or_(col(ReviewItem.assignee).is_(None), not_(live)))
        else:
            conditions += [col(ReviewItem.assignee) == assignee, live]
    if kind:
        conditions.append(col(ReviewItem.kind) == kind)
    return conditions


def list_queue(
    *, session: Session, user: User, status: list[str] | None = None, flag: str | None = None,
    client_id: str | None = None, min_age_hours: float | None = None, assignee: str | None = None,
    kind: str | None = None, page: int = 1, page_size: int = 50, rows: bool = False,
) -> QueuePage:
    """The items a user may see, oldest first, filtered and paginated.

    Args:
        session: The session.
        user: Who asks; an RM sees only their own book.
        status: Statuses to include; default the pending ones.
        flag: Only items carrying this flag.
        client_id: Only this client's items (resolve a typed reference with `clients.lookup`).
        min_age_hours: Only items at least this old.
        assignee: Only items claimed by this user (`none` for unclaimed ones).
        kind: `interaction_summary` or `client_message`.
        page: 1-based page number.
        page_size: Items per page (at most 200).
        rows: The items as read-only rows with the item's attributes (no ORM objects: building
            them cost a page of 20 more than its queries), for a caller that only shows them.

    Returns:
        The page, the total number of matching items, and each item's flag names.

    Raises:
        Forbidden: the user's role has no access to the review queue.
    """
    require_permission(user, "review")
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    where = _conditions(user, status=status, flag=flag, client_id=client_id, min_age_hours=min_age_hours,
                        assignee=assignee, kind=kind)
    offset = (page - 1) * page_size
    page_of = (select(ReviewItem.__table__ if rows else ReviewItem).where(*where)  # type: ignore[attr-defined]
               .order_by(col(ReviewItem.created_at), col(ReviewItem.id)).offset(offset).limit(page_size))
    count = select(func.count()).select_from(ReviewItem).where(*where)
    # Rows skip the ORM twice: no objects built, and the statements go straight to the connection.
    run: Any = session.connection().execute if rows else session.execute
    result = run(page_of)
    items = list(result.all() if rows else result.scalars().all())
    # A page that is not full is the last one, so it gives the total. Otherwise the total is a
    # query of its own on purpose: `count(*) OVER ()` would fold it into the page's, but it
    # sorts every matching row, not just a page (12 times slower at 20,000 pending).
    if 0 < len(items) < page_size or (offset == 0 and not items):
        total = offset + len(items)
    else:
        total = run(count).scalar_one()
    return QueuePage(items=items, total=int(total), page=page, page_size=page_size)


def show_item(*, session: Session, review_id: str, user: User) -> dict[str, Any]:
    """An item with its current draft beside the source, evidence spans, flags and decisions.

    Raises:
        NotFound: no such item, or not visible to the user.
    """
    require_permission(user, "review")
    row = (session.exec(_ITEM_FOR_SHOW_BY_ID, params={"id": review_id}).first()
           or session.exec(_ITEM_FOR_SHOW_BY_DRAFT, params={"id": review_id}).first())
    if row is None:
        raise NotFound(f"no review item {review_id!r}")
    item, _client, draft, source = row  # the client lands in the identity map for the visibility check
    _visible(session, item, user, review_id)
    content = json.loads(draft.content_json)
    source_text = (source.text if source else "") or ""
    flags = session.exec(_FLAGS, params={"lineage_id": item.lineage_id}).all()
    decisions = session.exec(_DECISIONS, params={"review_id": item.id}).all()
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
