"""Search over a client's released history only."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from clients.history import search_history
from records.errors import InvalidQuestion, UnknownClient
from review.users import get_user
from tests.factories import make_client, make_draft, make_user, release_one


def test_only_released_records_of_the_users_book_are_found(container) -> None:
    release_one(container)
    make_draft(container, "Priya Shah: Daniel, the remortgage draft is pending.\n")  # drafted, never released
    make_client(container, "Other Client", owner="omar")
    make_user(container, "omar", "rm")
    with Session(container.engine) as s:
        priya, omar = get_user(session=s, name="priya"), get_user(session=s, name="omar")
        hits = search_history(s, "Daniel Okafor", "remortgage illustration", priya)
        assert len(hits) == 1 and "remortgage illustration" in hits[0].quote
        assert search_history(s, "Daniel Okafor", "cryptocurrency", priya) == []
        with pytest.raises(UnknownClient):
            search_history(s, "Daniel Okafor", "remortgage", omar)
        with pytest.raises(InvalidQuestion):
            search_history(s, "Daniel Okafor", "the and of", priya)
