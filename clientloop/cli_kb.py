"""The `kb` command group: propose, list (`pending`), show, approve and reject knowledge-base changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientloop.cli_common import AsJson, console, detached_user, echo_json, fail, make_container, make_table

if TYPE_CHECKING:
    from clientloop.container import Container
    from records.tables import User

kb_app = typer.Typer(help="Knowledge-base changes: a second person approves each one.", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", help="Act as this knowledge-team user or admin.")]


def _context(as_user: str) -> tuple[Container, User]:
    container = make_container()
    user = detached_user(container, as_user)
    assert user is not None
    return container, user


@kb_app.command("propose")
def propose_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The document.")], as_user: AsUser
) -> None:
    """Propose a new knowledge document or a new version of one (held for a second person by default)."""
    from clientloop.kb_changes import propose
    from records.errors import ClientloopError

    try:
        container, user = _context(as_user)
        out = propose(container, file.read_bytes(), file.name, user)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    if out.ingested is None:
        console.print(f"change {out.change.id}: version {out.change.version} of {file.name}, waiting for approval")
    else:
        console.print(f"{file.name}: {out.ingested.outcome}, searchable now (approval is off)")


_CHANGE_FIELDS = (
    "id",
    "filename",
    "source_id",
    "version",
    "status",
    "proposed_by",
    "decided_by",
    "reason",
    "content_hash",
    "created_at",
    "decided_at",
)
"""What `kb pending --json` prints of a change: the fields of the API's view (`GET /v1/kb/changes`)."""


@kb_app.command("pending")
def pending_cmd(
    as_user: AsUser,
    status: Annotated[str, typer.Option(help="pending, approved, rejected or superseded.")] = "pending",
    as_json: AsJson = False,
) -> None:
    """List knowledge changes (default: those waiting for a decision)."""
    from clientloop.kb_changes import changes
    from records.access import require_kb_writer
    from records.errors import ClientloopError
    from records.session import session_scope

    try:
        container, user = _context(as_user)
        require_kb_writer(user)
        with session_scope(container.engine) as session:
            rows = [c.model_dump(mode="json", include=set(_CHANGE_FIELDS)) for c in changes(session, status=status)]
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        echo_json([{k: r[k] for k in _CHANGE_FIELDS} for r in rows])
        return
    if not rows:
        console.print(f"no {status} changes")
        return
    table = make_table("change", "document", "v", "status", "proposed by", "decided by", ids=("change",))
    for r in rows:
        table.add_row(r["id"], r["filename"], str(r["version"]), r["status"], r["proposed_by"], r["decided_by"] or "-")
    console.print(table)


@kb_app.command("show")
def show_cmd(change_id: str, as_user: AsUser, as_json: AsJson = False) -> None:
    """Show one change with its text, to read before deciding."""
    from clientloop.kb_changes import change_text
    from knowledge.models import KBChange
    from records.access import require_kb_writer
    from records.errors import ClientloopError, NotFound
    from records.session import session_scope

    try:
        container, user = _context(as_user)
        require_kb_writer(user)
        with session_scope(container.engine) as session:
            change = session.get(KBChange, change_id)
            if change is None:
                raise NotFound(f"no knowledge change {change_id!r}")
            row = change.model_dump(mode="json", include=set(_CHANGE_FIELDS))
            row = {k: row[k] for k in _CHANGE_FIELDS} | {"text": change_text(container, change)}
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        echo_json(row)
        return
    decided = f" · decided by {row['decided_by']}" if row["decided_by"] else ""
    console.rule(f"[bold]{row['filename']}[/] · version {row['version']} · {row['status']}")
    console.print(f"change {row['id']} · proposed by {row['proposed_by']}{decided}", highlight=False)
    if row["reason"]:
        console.print(f"reason: {row['reason']}", highlight=False)
    console.print(row["text"], highlight=False, markup=False)


@kb_app.command("approve")
def approve_cmd(change_id: str, as_user: AsUser) -> None:
    """Approve someone else's change: it is indexed and answers come from it."""
    from clientloop.kb_changes import approve
    from records.errors import ClientloopError

    try:
        container, user = _context(as_user)
        out = approve(container, change_id, user)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    console.print(f"approved: {out.change.filename} version {out.change.version} is searchable")


@kb_app.command("reject")
def reject_cmd(change_id: str, as_user: AsUser, reason: Annotated[str, typer.Option(help="Why (required).")]) -> None:
    """Reject a change with a reason; the approved version keeps answering."""
    from clientloop.kb_changes import reject
    from records.errors import ClientloopError

    try:
        container, user = _context(as_user)
        change = reject(container, change_id, user, reason)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    console.print(f"rejected: {change.filename} version {change.version}")
