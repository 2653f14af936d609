"""Finding a client by the reference a person types: its id, its CRM external id or its exact name.

One lookup for every entry point (API and page uploads, the CLI's `draft`, `brief` and
`ingest --client`, the review queue's client filter), so a reference that works in one
place works in all of them. The order is fixed: id, then external id, then name. An id
is a ULID and an external id is unique, so a reference matches one client at most in
each step; a name that happens to equal another client's external id loses to it.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from clients.models import ClientProfile
from records.access import Permission, can_read_client, require_permission
from records.errors import UnknownClient
from records.tables import Client, User

NO_SUCH_CLIENT = "-"
"""The client id a filter uses when its reference matches no client (matches no row)."""


def find_client(session: Session, ref: str) -> Client | None:
    """A client by id, CRM external id or exact name; None when none matches."""
    ref = ref.strip()
    if not ref:
        return None
    found = session.get(Client, ref)
    if found is not None:
        return found
    profile = session.exec(select(ClientProfile).where(ClientProfile.external_id == ref)).first()
    if profile is not None:
        return session.get(Client, profile.client_id)
    return session.exec(select(Client).where(col(Client.name) == ref)).first()


def readable_client(session: Session, ref: str, user: User | None, permission: Permission = "clients") -> Client:
    """A client whose records the user may read, by id, external id or name.

    Raises:
        Forbidden: the user's role does not hold `permission`.
        UnknownClient: no such client, or not in the user's book.
    """
    require_permission(user, permission)
    client = find_client(session, ref)
    if client is None or not can_read_client(user, client):
        raise UnknownClient(f"unknown client {ref!r}")
    return client


def client_filter_id(session: Session, ref: str | None) -> str | None:
    """The client id a list filtered by `ref` keeps: None for no filter, `NO_SUCH_CLIENT` when nothing matches."""
    if ref is None or not ref.strip():
        return None
    client = find_client(session, ref)
    return client.id if client else NO_SUCH_CLIENT
