"""What a reviewer must see about the client beside a draft: restrictions, watch items, open cases.

A reviewer approving "move £15,000 to my new account" must see that the client's
instructions may only come from their attorney. The review page and the review API show
this beside every draft of a client; it is read from the client record, not the draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from clients.models import ServiceCase, WatchItem


@dataclass(frozen=True)
class ContextLine:
    """One fact about the client, with where it comes from."""

    kind: str
    """`restriction`, `watch`, `complaint` or `case`."""
    text: str
    since: date | None
    ref: str
    """The id of the watch item or the case."""


@dataclass
class ClientContext:
    """The client facts a reviewer needs beside a draft, most binding first."""

    restrictions: list[ContextLine] = field(default_factory=list)
    watch: list[ContextLine] = field(default_factory=list)
    complaints: list[ContextLine] = field(default_factory=list)
    cases: list[ContextLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to show."""
        return not (self.restrictions or self.watch or self.complaints or self.cases)


# Built once: the review page and API read them beside every draft.
_ACTIVE_WATCH = (select(WatchItem).where(col(WatchItem.client_id) == bindparam("client_id"), col(WatchItem.active))
                 .order_by(col(WatchItem.since)))
_OPEN_CASES = (select(ServiceCase).where(col(ServiceCase.client_id) == bindparam("client_id"),
                                         col(ServiceCase.status).in_(("open", "pending")))
               .order_by(col(ServiceCase.opened_on)))


def client_context(session: Session, client_id: str | None, *, as_of: date | None = None) -> ClientContext:
    """Active restrictions and watch items, and open complaints and cases, of one client."""
    out = ClientContext()
    if client_id is None:
        return out
    today = as_of or date.today()
    items = session.exec(_ACTIVE_WATCH, params={"client_id": client_id}).all()
    for w in items:
        if w.until is not None and w.until < today:
            continue
        line = ContextLine(w.kind, w.text, w.since, w.id)
        (out.restrictions if w.kind == "restriction" else out.watch).append(line)
    cases = session.exec(_OPEN_CASES, params={"client_id": client_id}).all()
    for c in cases:
        line = ContextLine("complaint" if c.is_complaint else "case", f"{c.case_type}: {c.summary}".strip(": "),
                           c.opened_on, c.id)
        (out.complaints if c.is_complaint else out.cases).append(line)
    return out
