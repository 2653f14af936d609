"""The one upload intake: a file or text, a client by any reference, the uploader's book."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from clientloop.interactions import InvalidInteraction, intake_interaction
from records.errors import Forbidden, UnknownClient
from records.tables import Client, Job
from tests.factories import PLAIN_CALL, make_client, make_user


@pytest.fixture
def users(container):
    make_client(container)
    return {n: make_user(container, n, r)[0] for n, r in [("priya", "rm"), ("omar", "rm"), ("rita", "reviewer")]}


def _intake(container, user, **kw):
    args = {"client": "Daniel Okafor", "kind": "call_transcript", "text": PLAIN_CALL} | kw
    return intake_interaction(container, user=user, **args)


def test_text_upload_is_queued_as_the_uploader(container, users) -> None:
    job = _intake(container, users["priya"])
    assert job.status == "queued" and job.requested_by == "priya"


@pytest.mark.parametrize(("kw", "message"), [
    ({"text": None}, "file or paste"), ({"data": b"hello"}, "not both"), ({"kind": "fax"}, "kind"),
])
def test_incomplete_uploads_are_refused(container, users, kw, message) -> None:
    with pytest.raises(InvalidInteraction, match=message):
        _intake(container, users["priya"], **kw)


def test_outside_the_book_is_unknown_and_stores_nothing(container, users) -> None:
    with pytest.raises(UnknownClient):
        _intake(container, users["omar"])
    with pytest.raises(Forbidden):
        _intake(container, users["rita"])
    assert not (container.settings.uploads_dir.exists() and any(container.settings.uploads_dir.rglob("*")))
    with Session(container.engine) as session:
        assert session.exec(select(Job)).all() == []


def test_a_client_an_rm_creates_joins_their_book(container, users) -> None:
    _intake(container, users["omar"], client="New Client Ltd", create_client=True)
    with Session(container.engine) as session:
        assert session.exec(select(Client).where(Client.name == "New Client Ltd")).one().relationship_owner == "omar"
