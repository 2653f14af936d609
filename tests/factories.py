"""Factories shared by the tests: users with API keys, clients in a book, drafts through the real path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel, select

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


def page_client(app: Any, key: str | None = None) -> Any:
    """A TestClient for the /ui pages, signed in with `key` (or not signed in), redirects not followed."""
    from fastapi.testclient import TestClient

    client = TestClient(app, follow_redirects=False)
    client.get("/ui/login")
    if key is not None:
        csrf = client.cookies.get("clientloop_csrf") or ""
        r = client.post("/ui/login", data={"key": key, "csrf_token": csrf, "next": "/ui/"})
        assert r.status_code == 303, r.text
    return client


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


def make_draft(
    container: Container,
    text: str = PLAIN_CALL,
    *,
    author: str = "priya",
    client: str = "Daniel Okafor",
    occurred_at: str = "2026-11-16T10:00:00+00:00",
    people: list[dict[str, str]] | None = None,
    filename: str = "call.txt",
    kind: str = "call_transcript",
) -> Draft:
    """Submit an interaction and run the worker once: the real path to a draft and its review item."""
    from clientloop.interactions import submit_interaction
    from clientloop.worker import run_worker

    job = submit_interaction(
        container,
        data=text.encode(),
        filename=filename,
        client=client,
        kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred_at,
        participants=json.dumps(people or PEOPLE),
        requested_by=author,
    )
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


BOOK_TODAY = "2026-11-23"
"""The day the demo book's dates are relative to in the access matrices."""
MATRIX_USERS = [("priya", "rm"), ("tom", "rm"), ("rita", "reviewer"), ("sam", "service"), ("ada", "admin")]
"""One user per case of the access matrices: the owner of CRM-1001's book, another RM, and each other role."""

_moments = iter(range(1, 1_000_000))


def next_moment() -> str:
    """A new interaction time each call, so repeated uploads of the same text are separate interactions."""
    from datetime import UTC, datetime, timedelta

    return (datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=next(_moments))).isoformat()


@dataclass
class BookWorld:
    """The demo book, one user per role, and one flagged draft in priya's book (CRM-1001)."""

    container: Container
    keys: dict[str, str]
    client_id: str
    """CRM-1001's client id: a client in priya's book."""
    job_id: str
    review_id: str
    draft_id: str
    client_doc_id: str
    kb_doc_id: str


def load_book(container: Container, *users: tuple[str, str]) -> Container:
    """Load the demo book as of BOOK_TODAY and add each (name, role) user."""
    from datetime import date

    from clients.demo_book import load_demo_book

    with session_scope(container.engine) as session:
        load_demo_book(session, today=date.fromisoformat(BOOK_TODAY))
    for name, role in users:
        make_user(container, name, role)
    return container


def user_named(container: Container, name: str) -> Any:
    """The stored user, detached from its session so a test can pass it to a domain call."""
    from review.users import get_user

    with Session(container.engine) as session:
        user = get_user(session=session, name=name)
        session.expunge(user)
        return user


def make_book_world(container: Container) -> BookWorld:
    """Load the demo book, add the matrix users, a flagged draft for CRM-1001 and two documents."""
    from datetime import date

    from clientloop.ingest import ingest_bytes
    from clients.demo_book import load_demo_book
    from clients.lookup import find_client

    with session_scope(container.engine) as session:
        load_demo_book(session, today=date.fromisoformat(BOOK_TODAY))
        client = find_client(session, "CRM-1001")
        assert client is not None and client.relationship_owner == "priya"
        client_id = client.id
    keys = {name: make_user(container, name, role)[1] for name, role in MATRIX_USERS}
    draft = make_draft(container, COMPLAINT_CALL, author="priya", client="CRM-1001", occurred_at=next_moment())
    with Session(container.engine) as session:
        job = session.exec(select(Job).where(Job.draft_id == draft.id)).one()
    item = review_of(container, draft.id)
    client_doc = ingest_bytes(
        container,
        b"# Letter\n\nThe client asked for a copy of the ISA terms.\n",
        "letter.md",
        kind="note",
        client="CRM-1001",
    )
    kb_doc = ingest_bytes(container, b"# Fees\n\n## CHAPS\n\nA CHAPS payment costs 25 GBP.\n", "fees.md", kind="kb")
    return BookWorld(
        container=container,
        keys=keys,
        client_id=client_id,
        job_id=job.id,
        review_id=item.id,
        draft_id=draft.id,
        client_doc_id=client_doc.source_id,
        kb_doc_id=kb_doc.source_id,
    )


def truncate_all(c: Container) -> None:
    # The audit table refuses TRUNCATE to everyone (migration 0004). The harness connects
    # as the owner, the one role that may switch that trigger off, and does so only inside
    # this transaction; the application role cannot (tests/review/test_audit.py proves it).
    # chunk_keyword (migration 0011) is raw SQL, not a SQLModel table.
    tables = ", ".join([f'"{t.name}"' for t in SQLModel.metadata.sorted_tables] + ['"chunk_keyword"'])
    owner = create_engine(c.settings.database_owner_url or c.settings.resolved_database_url)
    try:
        c.engine  # noqa: B018  (migrates the fresh database on first use)
        with owner.begin() as conn:
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_no_truncate"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER auditevent_no_truncate"))
    finally:
        owner.dispose()


def release_one(container: Container) -> tuple[Container, Draft, Any, Any]:
    """One interaction drafted, approved by a reviewer and released through the real path.

    Returns the container, the draft, the interaction record and the approval.
    """
    from review.decisions import Approve, decide
    from review.models import Decision, InteractionRecord
    from review.release import release
    from review.users import get_user

    make_client(container)
    make_user(container, "priya", "rm")
    make_user(container, "rex", "reviewer")
    draft = make_draft(container)
    item = review_of(container, draft.id)
    with session_scope(container.engine) as s:
        rex = get_user(session=s, name="rex")
        out = decide(session=s, review_id=item.id, decision=Approve(), user=rex, expected_version=item.version)
        release(session=s, review_id=out.item.id, user=rex)
    with Session(container.engine) as s:
        record = s.exec(select(InteractionRecord)).one()
        decision = s.exec(select(Decision)).one()
        s.expunge(record)
        s.expunge(decision)
    return container, draft, record, decision
