"""Who may read and write what: the one access rule, as data and plain functions.

Every route, page, CLI command and service asks these functions; nothing compares a
role by hand. The README's "Who may read and write what" table is `PERMISSIONS`,
`READ_SCOPE` and `UPLOAD_SCOPE` written out (a test keeps the two in step).

Design decisions:

- **Permissions say what a role may do; scopes say for which clients.** An RM's *book*
  is the clients whose `relationship_owner` is the RM's user name. Reading a client's
  records (drafts, briefs, documents, actions) is limited by `READ_SCOPE`; uploading for
  a client by `UPLOAD_SCOPE`. A record without a client (a knowledge document) belongs to
  no book.
- **Service staff write, they do not read client records.** They upload interactions and
  documents for any client and see the status of their own uploads, but never a draft
  (unreleased or not), the review queue, a brief or the weekly review.
- **Outside the book is "not found", a wrong role is "forbidden".** A record of a client
  the caller may not read raises `NotFound` (404) exactly like a missing one, so ids
  cannot be probed; a route the caller's role may not use raises `Forbidden` (403): the
  role is no secret.
- **`user=None` is the server's operator** (a CLI command run without `--as`), who sees
  every book; HTTP callers are always a signed-in user.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import false, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from records.errors import Forbidden, NotFound, UnknownClient
from records.tables import Client, Job, User

Role = Literal["rm", "reviewer", "service", "knowledge", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
"""The roles a user can hold."""

Permission = Literal["ask", "upload", "review", "check", "override_claims", "clients", "import_clients", "write_kb",
                     "reassign_clients"]
"""What a role may do:

- `ask`: knowledge questions, knowledge documents, the status of one's own uploads.
- `upload`: interactions and documents, for the clients in `UPLOAD_SCOPE`.
- `review`: the review queue and drafts of readable clients; confirm, edit or reject one's
  own drafts; release approved ones.
- `check`: claim review items; confirm, edit or reject anyone's draft (flagged ones need
  the item's required role as well, and someone who is not a maker of it).
- `override_claims`: decide or claim an item someone else has claimed.
- `clients`: client lists, briefs, the weekly review, note quality; close actions.
- `import_clients`: CRM imports (they touch every book).
- `write_kb`: add or replace knowledge-base documents, and approve or reject someone
  else's change; every member of staff is answered from them, so nobody else writes them.
- `reassign_clients`: approve or reject a proposed change of a client's relationship owner
  (it moves the client between books).
"""

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "rm": frozenset({"ask", "upload", "review", "clients"}),
    "reviewer": frozenset({"ask", "review", "check", "clients"}),
    "service": frozenset({"ask", "upload"}),
    "knowledge": frozenset({"ask", "write_kb"}),
    "admin": frozenset(get_args(Permission)),
}

Scope = Literal["own_book", "every_book", "none"]
READ_SCOPE: dict[Role, Scope] = {"rm": "own_book", "reviewer": "every_book", "service": "none",
                                 "knowledge": "none", "admin": "every_book"}
"""Whose client records (drafts, briefs, documents, actions) a role may read."""
UPLOAD_SCOPE: dict[Role, Scope] = {"rm": "own_book", "reviewer": "none", "service": "every_book",
                                   "knowledge": "none", "admin": "every_book"}
"""For whose clients a role may upload; a client an RM creates by uploading joins the RM's book."""
SCOPED: dict[Permission, dict[Role, Scope]] = {"upload": UPLOAD_SCOPE, "review": READ_SCOPE, "clients": READ_SCOPE}
"""The permissions limited to some clients, and the scope that limits each."""


def role_of(user: User) -> Role:
    """The user's role; an unknown one (a row edited by hand) is refused."""
    if user.role not in ROLES:
        raise Forbidden(f"unknown role {user.role!r}")
    return user.role


def roles_with(permission: Permission) -> tuple[Role, ...]:
    """The roles holding `permission`, in `ROLES` order."""
    return tuple(r for r in ROLES if permission in PERMISSIONS[r])


def permissions_of(user: User | None) -> frozenset[Permission]:
    """Everything the user's role may do (the operator: everything)."""
    return PERMISSIONS["admin"] if user is None else PERMISSIONS[role_of(user)]


def has_permission(user: User | None, permission: Permission) -> bool:
    """Whether the user's role holds `permission` (the operator holds every one)."""
    return permission in permissions_of(user)


def require_permission(user: User | None, permission: Permission) -> None:
    """Refuse a role without `permission`.

    Raises:
        Forbidden: the role does not hold it.
    """
    if not has_permission(user, permission):
        assert user is not None
        raise Forbidden(f"this needs the role {' or '.join(roles_with(permission))}; you are {user.role}")


def acts_as(user: User, role: str) -> bool:
    """Whether the user may act where `role` is required (an admin may act as any role)."""
    return user.role in (role, "admin")


def _in_scope(scope: Scope, user: User, client: Client | None) -> bool:
    if scope == "every_book":
        return True
    return scope == "own_book" and client is not None and client.relationship_owner == user.name


def can_read_client(user: User | None, client: Client | None) -> bool:
    """Whether the user may read the records of `client` (None: a record of no client's)."""
    return user is None or _in_scope(READ_SCOPE[role_of(user)], user, client)


def can_upload_for(user: User | None, client: Client | None) -> bool:
    """Whether the user may upload for `client` (None: a new client the upload creates)."""
    if user is None:
        return True
    if not has_permission(user, "upload"):
        return False
    return client is None or _in_scope(UPLOAD_SCOPE[role_of(user)], user, client)


def new_client_owner(user: User | None) -> str | None:
    """The owner of a client the user creates by uploading: an RM's own book, else nobody yet."""
    if user is not None and UPLOAD_SCOPE[role_of(user)] == "own_book":
        return user.name
    return None


def can_read_draft(user: User | None, client: Client | None) -> bool:
    """Whether the user may read drafts (and their review items) of `client`."""
    return has_permission(user, "review") and can_read_client(user, client)


def can_read_job(user: User | None, job: Job, client: Client | None) -> bool:
    """Whether the user may see a drafting job's status: their own upload, or a readable client's."""
    return (user is not None and job.requested_by == user.name) or can_read_client(user, client)


def client_of(session: Session, client_id: str | None) -> Client | None:
    """The client row a record points at, if any."""
    return session.get(Client, client_id) if client_id else None


def require_readable_client(session: Session, user: User | None, client_id: str | None, message: str) -> None:
    """Refuse, as not found, a record whose client the user may not read.

    Raises:
        NotFound: the user may not read the client's records (`message` says what was asked for).
    """
    if not can_read_client(user, client_of(session, client_id)):
        raise NotFound(message)


def require_upload_client(user: User | None, client: Client | None, ref: str) -> None:
    """Refuse an upload for a client outside the user's upload scope.

    Raises:
        Forbidden: the role may not upload at all.
        UnknownClient: the client is outside the user's book (answered like an unknown one).
    """
    require_permission(user, "upload")
    if not can_upload_for(user, client):
        raise UnknownClient(f"unknown client {ref!r}")


def _scope_clause(scope: Scope, user: User, client_id: Any) -> ColumnElement[bool]:
    if scope == "every_book":
        return true()
    if scope == "own_book":
        book = select(Client.id).where(Client.relationship_owner == user.name)
        return col(client_id).in_(book)
    return false()


def book_filter(user: User | None, client_id: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows (by their client-id column) whose client the user may read."""
    return true() if user is None else _scope_clause(READ_SCOPE[role_of(user)], user, client_id)


def upload_filter(user: User | None, client_id: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the clients (by their id column) the user may upload for."""
    if user is None:
        return true()
    if not has_permission(user, "upload"):
        return false()
    return _scope_clause(UPLOAD_SCOPE[role_of(user)], user, client_id)


def book_owner(user: User | None, owner: str | None) -> str | None:
    """The book a per-book view shows: an RM always gets their own, whatever `owner` says."""
    if user is not None and READ_SCOPE[role_of(user)] == "own_book":
        return user.name
    return owner


def require_kb_writer(user: User | None) -> None:
    """Refuse anyone but the knowledge team and admins (None, the operator, may) a knowledge-base write.

    Raises:
        Forbidden: the role does not hold `write_kb`.
    """
    if not has_permission(user, "write_kb"):
        raise Forbidden("only the knowledge team (role knowledge) or an admin may add or change knowledge-base "
                        "documents; upload a client's document with its client instead")
