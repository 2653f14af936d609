"""Factories shared by the tests: users with API keys, clients in a book, drafts through the real path."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from clientloop.container import Container
from records.session import session_scope
from records.tables import Client, Draft, Job

PEOPLE = [
    {"name": "Priya Shah", "role": "relationship_manager", "side": "firm"},
    {"name": "Daniel Okafor", "role": "client", "side": "client"},
]

PLAIN_CALL = (
    "Priya Shah: Morning Daniel, thanks for making time.\n"
    "Daniel Okafor: No problem. Could you send me the remortgage illustration?\n"
    "Priya Shah: Yes, I'll send you the remortgage illustration by Friday.\n"
    "Daniel Okafor: Great, and I'll email the latest payslips tomorrow.\n"
)
"""An interaction no sensitivity rule should flag."""

COMPLAINT_CALL = (
    "Priya Shah: Morning Daniel, thanks for making time.\n"
    "Daniel Okafor: I want to make a formal complaint about how my transfer was handled.\n"
    "Priya Shah: I'm sorry. I'll log the complaint today and send you the acknowledgement by Friday.\n"
    "Daniel Okafor: Thanks, and I'll email the transfer confirmation tomorrow.\n"
)
"""An interaction the policy flags as a complaint."""


def make_user(container: Container, name: str, role: str) -> tuple[Any, str]:
    """Create a user; return (user, api key)."""
    from review.users import create_user

    with session_scope(container.engine) as session:
        user, key = create_user(session=session, name=name, role=role)
        session.expunge(user)
    return user, key


def auth_headers(key: str) -> dict[str, str]:
    """Bearer headers for an API key."""
    return {"Authorization": f"Bearer {key}"}


def make_client(container: Container, name: str = "Daniel Okafor", owner: str | None = "priya") -> Client:
    """A client in `owner`'s book (created when missing)."""
    with session_scope(container.engine) as session:
        row = session.exec(select(Client).where(Client.name == name)).first()
        if row is None:
            row = Client(name=name, relationship_owner=owner)
        else:
            row.relationship_owner = owner
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def make_draft(container: Container, text: str = PLAIN_CALL, *, author: str = "priya",
               client: str = "Daniel Okafor", occurred_at: str = "2026-11-16T10:00:00+00:00",
               people: list[dict[str, str]] | None = None, filename: str = "call.txt",
               kind: str = "call_transcript") -> Draft:
    """Submit an interaction and run the worker once: the real path to a draft and its review item."""
    from clientloop.interactions import submit_interaction
    from clientloop.worker import run_worker

    job = submit_interaction(container, data=text.encode(), filename=filename, client=client, kind=kind,  # type: ignore[arg-type]
                             occurred_at=occurred_at, participants=json.dumps(people or PEOPLE),
                             requested_by=author)
    run_worker(container, once=True)
    with Session(container.engine) as session:
        row = session.get(Job, job.id)
        assert row is not None and row.draft_id, f"job {job.id} is {row.status if row else '?'}: {row and row.error}"
        draft = session.get(Draft, row.draft_id)
        assert draft is not None
        session.expunge(draft)
    return draft


def review_of(container: Container, some_id: str) -> Any:
    """The review item with this id, or of the lineage of the draft with this id (fresh from the database)."""
    from review.models import ReviewItem

    with Session(container.engine) as session:
        item = session.get(ReviewItem, some_id)
        if item is None:
            draft = session.get(Draft, some_id)
            assert draft is not None, f"no review item or draft {some_id}"
            item = session.exec(select(ReviewItem).where(ReviewItem.lineage_id == draft.lineage_id)).one()
        session.expunge(item)
    return item


def content_of(draft: Draft) -> dict[str, Any]:
    """A draft's content as JSON data."""
    return json.loads(draft.content_json)
