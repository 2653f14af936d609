"""The `review`, `audit` and `users` command groups.

`--as NAME` picks the acting user from the users table: the CLI runs on the server with
direct database access, so it trusts the operator's choice of identity the way a
database shell would, but every rule (role, book, maker-checker, versions) still
applies, and every action is audited under that name. Heavy imports stay inside the
commands so `clientloop --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:
    from clientloop.container import Container

review_app = typer.Typer(help="Work the review queue: list, show, approve, edit, reject, release.",
                         no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
users_app = typer.Typer(help="Users, roles and API keys.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)

AsUser = Annotated[str, typer.Option("--as", help="Act as this user (from `clientloop users add`).")]


def _container() -> Container:
    from clientloop.container import Container

    return Container()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _run(fn: Any) -> Any:
    """Run `fn(session, container)` in one transaction; domain errors become a clean exit."""
    from records.errors import ClientloopError
    from records.session import session_scope

    container = _container()
    try:
        with session_scope(container.engine) as session:
            return fn(session, container)
    except ClientloopError as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from exc


def _user(session: Any, name: str) -> Any:
    from review.users import get_user

    return get_user(session=session, name=name)


@review_app.command("list")
def list_cmd(
    as_user: AsUser,
    status: Annotated[Optional[list[str]], typer.Option(help="Statuses (default: pending).")] = None,  # noqa: UP045
    flag: Annotated[Optional[str], typer.Option(help="Only items with this flag.")] = None,  # noqa: UP045
    client: Annotated[Optional[str], typer.Option(help="Client id, CRM id or exact name.")] = None,  # noqa: UP045
    assignee: Annotated[Optional[str], typer.Option(help="Claimed by ('none' = unclaimed).")] = None,  # noqa: UP045
    min_age_hours: Annotated[Optional[float], typer.Option(help="Only items at least this old.")] = None,  # noqa: UP045
    page: Annotated[int, typer.Option(min=1)] = 1,
    page_size: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the review queue you can see."""
    from clients.lookup import client_filter_id
    from review.queue import list_queue

    def go(session: Any, _c: Any) -> Any:
        return list_queue(session=session, user=_user(session, as_user), status=status, flag=flag,
                          client_id=client_filter_id(session, client), assignee=assignee,
                          min_age_hours=min_age_hours, page=page, page_size=page_size)

    result = _run(go)
    rows = [{"id": i.id, "kind": i.kind, "status": i.status, "flags": result.flags[i.id], "author": i.author,
             "assignee": i.assignee, "version": i.version, "created_at": i.created_at.isoformat()}
            for i in result.items]
    if as_json:
        typer.echo(json.dumps({"items": rows, "total": result.total, "page": result.page}, indent=2))
        return
    from rich.table import Table

    table = Table("id", "kind", "status", "flags", "author", "assignee", "v", title=f"{result.total} item(s)")
    for r in rows:
        table.add_row(r["id"], r["kind"], r["status"], ", ".join(r["flags"]) or "-", r["author"] or "-",
                      r["assignee"] or "-", str(r["version"]))
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
    flags = [{"flag": f.flag, "rule_id": f.rule_id, "where": f.where, "origin": f.origin, "matched": f.matched,
              "start": f.start, "end": f.end, "reason": f.reason} for f in shown["flags"]]
    if as_json:
        typer.echo(json.dumps({"id": item.id, "status": item.status, "version": item.version, "kind": item.kind,
                               "content": shown["content"], "flags": flags, "evidence": shown["evidence"],
                               "source_text": shown["source_text"]}, indent=2, default=str))
        return
    console.rule(f"[bold]{item.id}[/] · {item.kind} · {item.status} · version {item.version}")
    for f in flags:
        console.print(f"[yellow]flag {f['flag']}[/] ({f['origin']} {f['rule_id']}, {f['where']} "
                      f"{f['start']}–{f['end']}): “{f['matched']}”", highlight=False)
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
        outcome = decide_and_release(engine=container.engine, review_id=review_id, user=user, decision=decision,
                                     expected_version=version)
    except ClientloopError as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from exc
    decided = outcome.decided
    console.print(f"{decision.kind}: review {decided.item.id} is {decided.item.status} "
                  f"(version {decided.item.version}, draft {decided.draft.id})")
    if outcome.release_error:
        raise _fail(f"approved, but release failed ({outcome.release_error}); the approval stands: "
                    f"retry with `clientloop review release {decided.item.id} --as {as_user}`")
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
    what = (f"record {out.record.id} with {len(out.actions or [])} open action(s)" if out.record
            else f"outbox message {out.outbox.id} (not sent)" if out.outbox else "nothing")
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


Version = Annotated[Optional[int], typer.Option("--version", help="The version you reviewed (default: current).")]  # noqa: UP045


@review_app.command("approve")
def approve_cmd(review_id: str, as_user: AsUser, version: Version = None,
                reason: Annotated[Optional[str], typer.Option(help="Optional note.")] = None) -> None:  # noqa: UP045
    """Approve the current version and release it."""
    from review.decisions import Approve

    _decide(review_id, as_user, _version(version, review_id, as_user), Approve(reason=reason))


@review_app.command("edit")
def edit_cmd(
    review_id: str,
    as_user: AsUser,
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, help="JSON of the edited draft.")],
    version: Version = None,
    reason: Annotated[Optional[str], typer.Option(help="Why it was edited.")] = None,  # noqa: UP045
) -> None:
    """Replace the draft with an edited version (re-validated; a new version, diff kept)."""
    from review.decisions import Edit

    try:
        content = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _fail(f"{file} is not valid JSON: {exc}", 2) from exc
    if isinstance(content, dict) and "draft" in content and "summary" not in content:
        content = content["draft"]  # accept the output of `clientloop draft --json` as is
    _decide(review_id, as_user, _version(version, review_id, as_user), Edit(content=content, reason=reason))


@review_app.command("reject")
def reject_cmd(review_id: str, as_user: AsUser,
               reason: Annotated[str, typer.Option(help="Why (required).")], version: Version = None) -> None:
    """Reject the draft with a reason; nothing is released."""
    from pydantic import ValidationError

    from review.decisions import Reject

    try:
        decision = Reject(reason=reason)
    except ValidationError as exc:
        raise _fail("a rejection needs a reason", 2) from exc
    _decide(review_id, as_user, _version(version, review_id, as_user), decision)


@review_app.command("claim")
def claim_cmd(review_id: str, as_user: AsUser) -> None:
    """Claim an item so other reviewers leave it to you (it lapses after CLIENTLOOP_CLAIM_MINUTES)."""
    from review.claims import claim

    def go(session: Any, container: Container) -> Any:
        return claim(session=session, review_id=review_id, user=_user(session, as_user),
                     hold_minutes=container.settings.claim_minutes)

    item = _run(go)
    console.print(f"claimed {item.id} until {item.claim_expires_at:%Y-%m-%d %H:%M} UTC")


@review_app.command("unclaim")
def unclaim_cmd(review_id: str, as_user: AsUser) -> None:
    """Give a claim back (the holder, or an admin) so any reviewer may take the item."""
    from review.claims import unclaim

    item = _run(lambda session, _c: unclaim(session=session, review_id=review_id, user=_user(session, as_user)))
    console.print(f"{item.id} is unclaimed")


@review_app.command("handover")
def handover_cmd(review_id: str, as_user: AsUser,
                 to: Annotated[str, typer.Option("--to", help="A reviewer who may approve the item.")]) -> None:
    """Hand a claimed item to another reviewer (the holder, or an admin)."""
    from review.claims import hand_over

    def go(session: Any, container: Container) -> Any:
        return hand_over(session=session, review_id=review_id, user=_user(session, as_user), to=to,
                         hold_minutes=container.settings.claim_minutes)

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
        raise _fail(f"{type(exc).__name__}: {exc}") from exc
    _print_release(out)


@audit_app.command("verify")
def verify_cmd(
    expect_head: Annotated[str | None, typer.Option(help="A head hash recorded earlier.")] = None,
    deep: Annotated[bool, typer.Option(
        "--deep", help="Also re-derive every draft version, decision, release and action status from the trail."
    )] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Recompute the audit chain, check its MACs and checkpoints; name every break.

    Exits 1 when anything disagrees: a broken chain, an event or checkpoint the audit key
    did not sign, a tail cut below the last checkpoint, or (with --deep) a record the
    trail does not support.
    """
    from clientloop.audit_checks import verify_audit
    from records.errors import ClientloopError

    try:
        report = verify_audit(_container(), deep=deep, expected_head=expect_head)
    except ClientloopError as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from exc
    if as_json:
        _print_audit_json(report)
    else:
        _print_audit(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_audit_json(report: Any) -> None:
    from dataclasses import asdict

    console.print_json(json.dumps({
        "ok": report.ok, "chain": asdict(report.chain), "anchors": asdict(report.anchors), "deep": report.deep,
        "disagreements": [asdict(d) for d in report.disagreements],
    }))


def _print_audit(report: Any) -> None:
    chain, anchors = report.chain, report.anchors
    if chain.ok:
        console.print(f"[green]ok[/]: chain of {chain.checked} event(s) verified; head {chain.head_hash}")
    else:
        err.print(f"[bold red]chain broken[/] at event {chain.first_broken_seq}: {chain.reason} "
                  f"({chain.checked} event(s) read)")
    legacy = ""
    if anchors.unsigned_before_signing:
        legacy = f"; {anchors.unsigned_before_signing} written before signing began"
    console.print(f"MACs of {anchors.checked_events} event(s) and {anchors.checkpoints} checkpoint(s) checked{legacy}")
    for problem in anchors.problems:
        err.print(f"[bold red]anchor:[/] {problem}")
    if report.deep:
        console.print(f"records re-derived from the trail: {len(report.disagreements)} disagreement(s)")
    for d in report.disagreements:
        at = f" (event {d.seq})" if d.seq else ""
        err.print(f"[bold red]{d.table}[/] {d.record_id}: {d.problem}{at}")


@audit_app.command("checkpoint")
def checkpoint_cmd() -> None:
    """Write a signed checkpoint of the chain head to the checkpoint log (outside the database)."""
    from clientloop.audit_checks import checkpoint_now

    container = _container()
    cp = checkpoint_now(container)
    if cp is None:
        console.print("the audit trail is empty: nothing to checkpoint")
        return
    console.print(f"checkpoint: event {cp.seq}, head {cp.hash} -> {container.settings.resolved_audit_checkpoint_file}")


ExpiresIn = Annotated[Optional[int], typer.Option(  # noqa: UP045
    "--expires-in-days", min=0, help="Days the key stays valid (default CLIENTLOOP_API_KEY_DAYS; 0 = never).")]
By = Annotated[str, typer.Option("--by", help="Who is doing this, for the audit trail.")]


def _expiry(days: int | None, container: Any) -> Any:
    from review.users import expiry_after

    return expiry_after(container.settings.api_key_days if days is None else days)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (an RM's name is their book's owner).")],
    role: Annotated[str, typer.Option("--role", help="rm, reviewer, service or admin.")],
    expires_in_days: ExpiresIn = None,
    by: By = "cli",
) -> None:
    """Create a user and print their API key once (it is stored only as a hash)."""
    from review.users import create_user

    def go(session: Any, container: Any) -> Any:
        user, key = create_user(session=session, name=name, role=role,
                                expires_at=_expiry(expires_in_days, container), actor=by)
        return user.name, user.role, user.key_expires_at, key

    uname, urole, expires, key = _run(go)
    until = f"valid until {expires:%Y-%m-%d %H:%M} UTC" if expires else "no expiry"
    err.print(f"created {urole} {uname} ({until}); the key is shown once, store it now:")
    typer.echo(key)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List users with their key's state, id (not the key), expiry and open web sessions."""
    from review.users import key_id, key_state, list_users, open_session_counts

    def go(session: Any, _c: Any) -> Any:
        counts = open_session_counts(session=session)
        return [{"name": u.name, "role": u.role, "state": key_state(u), "key_id": key_id(u),
                 "key_expires_at": _iso(u.key_expires_at), "created_at": _iso(u.created_at),
                 "rotated_at": _iso(u.rotated_at), "revoked_at": _iso(u.revoked_at),
                 "web_sessions": counts.get(u.id, 0)} for u in list_users(session=session)]

    rows = _run(go)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table("name", "role", "state", "key id", "expires", "rotated", "revoked", "sessions",
                  title=f"{len(rows)} user(s)")
    for r in rows:
        table.add_row(r["name"], r["role"], r["state"], r["key_id"], r["key_expires_at"] or "never",
                      r["rotated_at"] or "-", r["revoked_at"] or "-", str(r["web_sessions"]))
    console.print(table)


def _iso(value: Any) -> str | None:
    from records.ids import iso_utc

    return iso_utc(value) if value is not None else None


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument(help="The user whose key to revoke.")], by: By = "cli") -> None:
    """Revoke a user's key now and end their web sessions (the user stays in the trail)."""
    from review.users import revoke_user

    _run(lambda session, _c: revoke_user(session=session, name=name, actor=by))
    console.print(f"revoked {name}: the key and every web session of {name} stopped working")


@users_app.command("rotate")
def users_rotate(
    name: Annotated[str, typer.Argument(help="The user whose key to replace.")],
    expires_in_days: ExpiresIn = None,
    by: By = "cli",
) -> None:
    """Replace a user's key (the old one stops at once), end their web sessions, print the new key once."""
    from review.users import rotate_key

    def go(session: Any, container: Any) -> Any:
        user, key = rotate_key(session=session, name=name, expires_at=_expiry(expires_in_days, container), actor=by)
        return user.key_expires_at, key

    expires, key = _run(go)
    until = f"valid until {expires:%Y-%m-%d %H:%M} UTC" if expires else "no expiry"
    err.print(f"rotated the key of {name} ({until}); the old key no longer works. The new key, shown once:")
    typer.echo(key)
