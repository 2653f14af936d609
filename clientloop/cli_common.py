"""What every `clientloop` command module shares: the consoles, a clean failure, the acting user.

The CLI runs on the server with direct database access, so `--as NAME` picks the acting
user from the users table the way a database shell trusts its operator; every rule (role,
book, maker-checker, versions) still applies and every action is audited under that
name. Only typer and rich load here: each command imports what it needs when it runs, so
`clientloop --help` and `clientloop ask` stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table
    from sqlmodel import Session

    from clientloop.container import Container
    from records.tables import User

T = TypeVar("T")

console = Console()
err = Console(stderr=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as an error and return the exit to raise (1: refused, 2: bad usage)."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def make_container() -> Container:
    """A fresh composition root from the settings (CLIENTLOOP_* variables and .env)."""
    from clientloop.container import Container

    return Container()


def run_in_session(fn: Callable[[Session, Container], T], *, name_error: bool = False) -> T:
    """Run `fn(session, container)` in one transaction; a domain error becomes a clean exit 1.

    `name_error` prefixes the message with the error's type (`StaleVersion: ...`), which the
    review and users commands show so a reviewer knows which rule refused them.
    """
    from records.errors import ClientloopError
    from records.session import session_scope

    container = make_container()
    try:
        with session_scope(container.engine) as session:
            return fn(session, container)
    except ClientloopError as exc:
        raise fail(f"{type(exc).__name__}: {exc}" if name_error else str(exc)) from exc


def user_named(session: Session, name: str | None) -> User | None:
    """The user named by `--as`, or None (the operator) without one."""
    if name is None:
        return None
    from review.users import get_user

    return get_user(session=session, name=name)


def detached_user(container: Container, name: str | None) -> User | None:
    """The user named by `--as`, detached from its session so it outlives it; None without one."""
    if name is None:
        return None
    from records.session import session_scope
    from review.users import get_user

    with session_scope(container.engine) as session:
        user = get_user(session=session, name=name)
        session.expunge(user)
    return user


def parse_as_of(value: str | None) -> date | None:
    """The `--as-of` day, or None for today; a malformed day is a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of must be YYYY-MM-DD, not {value!r}", 2) from None


def iso(value: Any) -> str | None:
    """A stored time as ISO 8601 UTC, or None."""
    from records.ids import iso_utc

    return iso_utc(value) if value is not None else None


def echo_json(data: Any) -> None:
    """Print `data` as indented JSON on stdout (times and other values as their string)."""
    import json

    typer.echo(json.dumps(data, indent=2, default=str))


ID_WIDTH = 26
"""A record id's length (a ULID): an id column is never narrower, so it is never cut."""


def make_table(*headers: str, ids: tuple[str, ...] = ("id",), title: str | None = None) -> Table:
    """A table that fits an 80-column terminal without cutting the ids people paste into the next command.

    The columns named in `ids` keep their full width on one line; the others wrap. Light
    borders (a rule under the header only) leave the width to the content.
    """
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=title, pad_edge=False)
    for header in headers:
        if header in ids:
            table.add_column(header, no_wrap=True, min_width=ID_WIDTH)
        else:
            table.add_column(header, overflow="fold")
    return table
