"""One client lookup: by id, CRM external id or exact name, in that order."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from clients.lookup import NO_SUCH_CLIENT, client_filter_id, find_client, readable_client
from clients.models import ClientProfile
from records.errors import Forbidden, UnknownClient
from records.session import session_scope
from records.tables import Client, User


@pytest.fixture
def clients(container):
    with session_scope(container.engine) as session:
        esme = Client(name="Esme Achterberg", relationship_owner="priya")
        # A name that looks like another client's CRM id: the CRM id wins.
        lookalike = Client(name="CRM-1001", relationship_owner="tom")
        session.add_all([esme, lookalike])
        session.flush()
        session.add(ClientProfile(client_id=esme.id, external_id="CRM-1001"))
        return {"esme": esme.id, "lookalike": lookalike.id}


def test_a_client_is_found_by_id_crm_id_or_exact_name(container, clients) -> None:
    with Session(container.engine) as session:
        assert find_client(session, clients["esme"]).name == "Esme Achterberg"
        assert find_client(session, "CRM-1001").id == clients["esme"]
        assert find_client(session, " Esme Achterberg ").id == clients["esme"]
        assert find_client(session, clients["lookalike"]).name == "CRM-1001"
        assert find_client(session, "esme achterberg") is None and find_client(session, "") is None


def test_readable_client_applies_the_book_and_the_role(container, clients) -> None:
    priya, tom = User(name="priya", role="rm", key_hash="a"), User(name="tom", role="rm", key_hash="b")
    with Session(container.engine) as session:
        assert readable_client(session, "CRM-1001", priya).id == clients["esme"]
        with pytest.raises(UnknownClient):
            readable_client(session, "CRM-1001", tom)
        with pytest.raises(Forbidden):
            readable_client(session, "CRM-1001", User(name="sam", role="service", key_hash="c"))


def test_a_filter_by_an_unknown_reference_matches_nothing(container, clients) -> None:
    with Session(container.engine) as session:
        assert client_filter_id(session, "CRM-1001") == clients["esme"]
        assert client_filter_id(session, "nobody") == NO_SUCH_CLIENT
        assert client_filter_id(session, "  ") is None and client_filter_id(session, None) is None
