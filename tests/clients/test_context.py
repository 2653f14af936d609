"""The client facts shown beside a draft: live restrictions and watch items, open complaints and cases."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from clients.context import client_context
from clients.models import ServiceCase, WatchItem
from records.session import session_scope
from tests.factories import make_client


def test_only_live_restrictions_watch_items_and_open_cases_are_shown(container) -> None:
    client = make_client(container)
    with session_scope(container.engine) as s:
        s.add_all([
            WatchItem(client_id=client.id, kind="restriction", text="Attorney instructions only"),
            WatchItem(client_id=client.id, kind="watch", text="Recently bereaved", since=date(2026, 11, 1)),
            WatchItem(client_id=client.id, kind="watch", text="Old", until=date(2026, 1, 1)),
            WatchItem(client_id=client.id, kind="restriction", text="Lifted", active=False),
            ServiceCase(client_id=client.id, case_type="complaint", is_complaint=True, opened_on=date(2026, 11, 2),
                        summary="Late transfer"),
            ServiceCase(client_id=client.id, case_type="card", opened_on=date(2026, 10, 2), summary="Card declined",
                        status="pending"),
            ServiceCase(client_id=client.id, case_type="card", opened_on=date(2026, 9, 2), summary="Closed one",
                        status="closed"),
        ])
    with Session(container.engine) as s:
        ctx = client_context(s, client.id, as_of=date(2026, 12, 3))
    assert [line.text for line in ctx.restrictions] == ["Attorney instructions only"]
    assert [line.text for line in ctx.watch] == ["Recently bereaved"]
    assert [line.text for line in ctx.complaints] == ["complaint: Late transfer"]
    assert [line.text for line in ctx.cases] == ["card: Card declined"]
    with Session(container.engine) as s:
        assert client_context(s, None).empty
