"""The `review` command group: work the review queue from the command line.

`--as NAME` picks the acting reviewer (see `cli_common`); every rule (role, book,
maker-checker, versions) applies and every decision is audited under that name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import console, fail, make_table, run_in_session, user_named

if TYPE_CHECKING:
    from sqlmodel import Session

    from clientloop.container import Container
    from records.tables import User

review_app = typer.Typer(
    help="Work the review queue: list, show, approve, edit, reject, release.", no_args_is_help=True
)

AsUser = Annotated[str, typer.Option("--as", help="Act as this user (from `clientloop users add`).")]


def _run(fn: Any) -> Any:
    return run_in_session(fn, name_error=True)


def _user(session: Session, name: str) -> User:
    user = user_named(session, name)
    assert user is not None
    return user


@review_app.command("list")
def list_cmd(
    as_user: AsUser,
    status: Annotated[list[str] | None, typer.Option(help="Statuses (default: pending).")] = None,
    flag: Annotated[str | None, typer.Option(help="Only items with this flag.")] = None,
    client: Annotated[str | None, typer.Option(help="Client id, CRM id or exact name.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Claimed by ('none' = unclaimed).")] = None,
    min_age_hours: Annotated[float | None, typer.Option(help="Only items at least this old.")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    page_size: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the review queue you can see."""
    from clients.lookup import client_filter_id
    from review.queue import list_queue

    def go(session: Any, _c: Any) -> Any:
        return list_queue(
            session=session,
            user=_user(session, as_user),
            status=status,
            flag=flag,
            client_id=client_filter_id(session, client),
            assignee=assignee,
            min_age_hours=min_age_hours,
            page=page,
            page_size=page_size,
        )

    result = _run(go)
    rows = [
        {
            "id": i.id,
            "kind": i.kind,
            "status": i.status,
            "flags": result.flags[i.id],
            "author": i.author,
            "assignee": i.assignee,
            "version": i.version,
            "created_at": i.created_at.isoformat(),
        }
        for i in result.items
    ]
    if as_json:
        typer.echo(json.dumps({"items": rows, "total": result.total, "page": result.page}, indent=2))
        return
    _print_queue(rows, total=result.total)


def _print_queue(rows: list[dict[str, Any]], *, total: int) -> None:
    """The queue as an 80-column table: ids whole, one flag a line, last; `kind` only when the page mixes kinds."""
    mixed = len({r["kind"] for r in rows}) > 1
    headers = ["id", "kind"] if mixed else ["id"]
    table = make_table(*headers, "status", "v", "author", "claimed", "flags", title=f"{total} item(s)")
    for r in rows:
        kind = [r["kind"]] if mixed else []
        flags = "\n".join(r["flags"]) or "-"
        table.add_row(r["id"], *kind, r["status"], str(r["version"]), r["author"] or "-", r["assignee"] or "-", flags)
    console.print(table)


@review_app.command("show")
def show_cmd(
    review_id: Annotated[str, typer.Argument(help="Review item id (or a draft id).")],
    as_user: AsUser,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a draft beside its source, with flags (rule and span) and evidence."""
    from review.queue import show_item

    def go(session: Any, _c: Any) -> Any:
        return show_item(session=session, review_id=review_id, user=_user(session, as_user))

    shown = _run(go)
    item = shown["item"]
    flags = [
        {
            "flag": f.flag,
            "rule_id": f.rule_id,
            "where": f.where,
            "origin": f.origin,
            "matched": f.matched,
            "start": f.start,
            "end": f.end,
            "reason": f.reason,
        }
        for f in shown["flags"]
    ]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "id": item.id,
                    "status": item.status,
                    "version": item.version,
                    "kind": item.kind,
                    "content": shown["content"],
                    "flags": flags,
                    "evidence": shown["evidence"],
                    "source_text": shown["source_text"],
                },
                indent=2,
                default=str,
            )
        )
        return
    console.rule(f"[bold]{item.id}[/] · {item.kind} · {item.status} · version {item.version}")
    for f in flags:
        console.print(
            f"[yellow]flag {f['flag']}[/] ({f['origin']} {f['rule_id']}, {f['where']} "
            f"{f['start']}–{f['end']}): “{f['matched']}”",
            highlight=False,
        )
    console.print("[bold]Draft[/]")
    console.print_json(json.dumps(shown["content"]))
    console.print("[bold]Source[/] [dim](evidence underlined, flagged spans in yellow)[/]")
    console.print(_highlighted(shown["source_text"], shown["evidence"], flags))


def _highlighted(source: str, evidence: list[dict[str, Any]], flags: list[dict[str, Any]]) -> Any:
    from rich.text import Text

    text = Text(source)
    for e in evidence:
        if e.get("found"):
            text.stylize("underline", e["start"], e["end"])
    for f in flags:
        if f["where"] == "source" and f["start"] is not None:
            text.stylize("bold yellow", f["start"], f["end"])
    return text


def _decide(review_id: str, as_user: str, version: int | None, decision: Any) -> None:
    from records.errors import ClientloopError
    from review.workflow import decide_and_release

    user, container = _run(_detached_user(as_user))
    try:
        outcome = decide_and_release(
            engine=container.engine, review_id=review_id, user=user, decision=decision, expected_version=version
        )
    except ClientloopError as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from exc
    decided = outcome.decided
    console.print(
        f"{decision.kind}: review {decided.item.id} is {decided.item.status} "
        f"(version {decided.item.version}, draft {decided.draft.id})"
    )
    if outcome.release_error:
        raise fail(
            f"approved, but release failed ({outcome.release_error}); the approval stands: "
            f"retry with `clientloop review release {decided.item.id} --as {as_user}`"
        )
    if outcome.released is not None:
        _print_release(outcome.released)


def _detached_user(name: str) -> Any:
    """A `_run` step returning the named user, detached so it outlives the session, and the container."""

    def go(session: Any, container: Any) -> Any:
        user = _user(session, name)
        session.expunge(user)
        return user, container

    return go


def _print_release(out: Any) -> None:
    what = (
        f"record {out.record.id} with {len(out.actions or [])} open action(s)"
        if out.record
        else f"outbox message {out.outbox.id} (not sent)"
        if out.outbox
        else "nothing"
    )
    console.print(f"released: {what}" + ("" if out.created else " (already released)"))
    if out.recap is not None:
        console.print(f"client recap drafted for approval: review {out.recap.id}")


def _version(session_version: int | None, review_id: str, as_user: str) -> int:
    if session_version is not None:
        return session_version
    from review.queue import get_item

    def go(session: Any, _c: Any) -> int:
        return get_item(session=session, review_id=review_id, user=_user(session, as_user)).version

    return int(_run(go))


Version = Annotated[int | None, typer.Option("--version", help="The version you reviewed (default: current).")]


@review_app.command("approve")
def approve_cmd(
    review_id: str,
    as_user: AsUser,
    version: Version = None,
    reason: Annotated[str | None, typer.Option(help="Optional note.")] = None,
) -> None:
    """Approve the current version and release it."""
    from review.decisions import Approve

    _decide(review_id, as_user, _version(version, review_id, as_user), Approve(reason=reason))


@review_app.command("edit")
def edit_cmd(
    review_id: str,
    as_user: AsUser,
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, help="JSON of the edited draft.")],
    version: Version = None,
    reason: Annotated[str | None, typer.Option(help="Why it was edited.")] = None,
) -> None:
    """Replace the draft with an edited version (re-validated; a new version, diff kept)."""
    from review.decisions import Edit

    try:
        content = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise fail(f"{file} is not valid JSON: {exc}", 2) from exc
    if isinstance(content, dict) and "draft" in content and "summary" not in content:
        content = content["draft"]  # accept the output of `clientloop draft --json` as is
    _decide(review_id, as_user, _version(version, review_id, as_user), Edit(content=content, reason=reason))


@review_app.command("reject")
def reject_cmd(
    review_id: str,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    version: Version = None,
) -> None:
    """Reject the draft with a reason; nothing is released."""
    from pydantic import ValidationError

    from review.decisions import Reject

    try:
        decision = Reject(reason=reason)
    except ValidationError as exc:
        raise fail("a rejection needs a reason", 2) from exc
    _decide(review_id, as_user, _version(version, review_id, as_user), decision)


@review_app.command("claim")
def claim_cmd(review_id: str, as_user: AsUser) -> None:
    """Claim an item so other reviewers leave it to you (it lapses after CLIENTLOOP_CLAIM_MINUTES)."""
    from review.claims import claim

    def go(session: Any, container: Container) -> Any:
        return claim(
            session=session,
            review_id=review_id,
            user=_user(session, as_user),
            hold_minutes=container.settings.claim_minutes,
        )

    item = _run(go)
    console.print(f"claimed {item.id} until {item.claim_expires_at:%Y-%m-%d %H:%M} UTC")


@review_app.command("unclaim")
def unclaim_cmd(review_id: str, as_user: AsUser) -> None:
    """Give a claim back (the holder, or an admin) so any reviewer may take the item."""
    from review.claims import unclaim

    item = _run(lambda session, _c: unclaim(session=session, review_id=review_id, user=_user(session, as_user)))
    console.print(f"{item.id} is unclaimed")


@review_app.command("handover")
def handover_cmd(
    review_id: str,
    as_user: AsUser,
    to: Annotated[str, typer.Option("--to", help="A reviewer who may approve the item.")],
) -> None:
    """Hand a claimed item to another reviewer (the holder, or an admin)."""
    from review.claims import hand_over

    def go(session: Any, container: Container) -> Any:
        return hand_over(
            session=session,
            review_id=review_id,
            user=_user(session, as_user),
            to=to,
            hold_minutes=container.settings.claim_minutes,
        )

    item = _run(go)
    console.print(f"{item.id} is now claimed by {item.assignee}")


@review_app.command("release")
def release_cmd(review_id: str, as_user: AsUser) -> None:
    """Release an approved item (idempotent): retries a release that failed after approval."""
    from records.errors import ClientloopError
    from review.workflow import release_in_own_transaction

    user, container = _run(_detached_user(as_user))
    try:
        out = release_in_own_transaction(engine=container.engine, review_id=review_id, user=user)
    except ClientloopError as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from exc
    _print_release(out)
