"""The `brief`, `weekly`, `clients` and `actions` commands.

Like the review commands, these run on the server with direct database access; `--as
NAME` names the acting user (from `clientloop users add`) where a person's name is
recorded (closing an action) or where the RM's book should limit what is shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import AsJson, console, echo_json, make_table, parse_as_of, run_in_session, user_named

if TYPE_CHECKING:
    from clients.brief import ClientBrief
    from clients.weekly import WeeklyReview

clients_app = typer.Typer(help="Client records: import CRM exports, list clients.", no_args_is_help=True)
actions_app = typer.Typer(help="Close or reopen follow-up actions (audited).", no_args_is_help=True)


def _run(fn: Any) -> Any:
    return run_in_session(fn)


def brief(
    client: Annotated[str, typer.Argument(help="Client id, CRM id or exact name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief as JSON.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today, YYYY-MM-DD (default: today).")] = None,
    narrative: Annotated[bool, typer.Option("--narrative", help="Add a cited narrative (LLM engine).")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this user (RMs see their own book).")] = None,
) -> None:
    """The two-minute client brief: six sections, every line linked to its source."""
    from clients.brief import generate_brief
    from records.access import require_permission

    day = parse_as_of(as_of)

    def run(session: Any, container: Any) -> ClientBrief:
        user = user_named(session, as_user)
        require_permission(user, "clients")
        model = container.chat_model if narrative and container.settings.engine == "llm" else None
        return generate_brief(
            session=session,
            client_ref=client,
            as_of=day,
            user=user_named(session, as_user),
            model=model,
            settings=container.settings,
        )

    result = _run(run)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_brief(result)


def print_sections(sections: list[Any]) -> None:
    """Brief-style sections (the brief's, the handover's): numbered lines with their reason and source kind."""
    for section in sections:
        console.print(f"\n[bold cyan]{section.title}[/]")
        if not section.lines:
            console.print(f"  [dim]{section.empty}[/]")
        for line in section.lines:
            head = f"[bold]{line.label}:[/] " if line.label else ""
            why = f" [yellow]← {line.reason}[/]" if line.reason else ""
            console.print(f"  [dim]{line.id}[/] {head}{line.text}{why} [dim]({line.source.kind})[/]", highlight=False)


def print_brief(b: ClientBrief) -> None:
    """Render a brief for a person."""
    console.rule(f"[bold]{b.client_name}[/] · brief {b.brief_id} · as of {b.as_of}")
    for changes in (b.since_last_brief, b.since_last_interaction):
        if changes is not None:
            console.print(f"[bold magenta]Changed {changes.label}[/]: " + ("" if changes.lines else "nothing"))
            for line in changes.lines:
                console.print(f"  [dim]{line.id}[/] {line.text}", highlight=False)
    print_sections(b.sections)
    if b.narrative:
        console.print("\n[bold cyan]Narrative[/]")
        for s in b.narrative:
            console.print(f"  {s.text} [dim][{', '.join(s.cites)}][/]", highlight=False)
    if b.narrative_note:
        console.print(f"[dim]{b.narrative_note}[/]")


def weekly(
    owner: Annotated[str | None, typer.Option("--owner", help="One RM's book (default: every book).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the review as JSON.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today, YYYY-MM-DD.")] = None,
    period_days: Annotated[int, typer.Option("--period-days", min=1, max=365, help="Window for measures.")] = 30,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this user (an RM gets their own book).")] = None,
) -> None:
    """The weekly review: overdue, awaiting review, silent clients, renewals, cases, alerts, measures."""
    from clients.weekly import weekly_review
    from records.access import require_permission

    day = parse_as_of(as_of)

    def run(session: Any, _c: Any) -> WeeklyReview:
        user = user_named(session, as_user)
        require_permission(user, "clients")
        return weekly_review(session=session, owner=owner, user=user, as_of=day, period_days=period_days)

    result = _run(run)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_weekly(result)


_ROW_IDS = ("action_id", "review_id", "case_id", "alert_id")
"""The id a weekly row carries, printed first so it can be pasted (`actions close`, `review show`)."""


def _row_id(row: dict[str, Any]) -> str:
    found = next((row[k] for k in _ROW_IDS if row.get(k)), None)
    return f"[dim]{found}[/] " if found else ""


def _silence(row: dict[str, Any]) -> dict[str, Any]:
    days = row.get("days_silent")
    return {**row, "silence": "no contact on record" if days is None else f"{days} days silent"}


def print_weekly(w: WeeklyReview) -> None:
    """Render the weekly review for a person."""
    console.rule(f"[bold]Weekly review[/] · {w.owner or 'all books'} · {w.clients} clients · as of {w.as_of}")
    console.print("[bold cyan]Overdue actions by owner[/]")
    for owner, rows in sorted(w.overdue_by_owner.items(), key=lambda kv: -len(kv[1])):
        console.print(f"  [bold]{owner}[/] ({len(rows)})")
        for r in rows[:5]:
            line = f"{r['client']}: {r['description']} ({r['days_overdue']} days)"
            console.print(f"    {_row_id(r)}{line}", highlight=False)
    sections: list[tuple[str, list[dict[str, Any]], str]] = [
        ("Awaiting review", w.awaiting_review, "{client}: {status}, {age_days} days"),
        (
            "Silent beyond cadence",
            [_silence(r) for r in w.silent_clients],
            "{client}: {silence} (cadence {cadence_days})",
        ),
        ("Renewals / reviews within 60 days", w.renewals_60, "{client}: {holding} {what} {date} ({days} days)"),
        ("Within 90 days", w.renewals_90, "{client}: {holding} {what} {date} ({days} days)"),
        ("Lapsed or overdue dates", w.lapsed, "{client}: {holding} {what} {date} ({days} days)"),
        ("Open cases", w.open_cases, "{client}: {type}, {age_days} days (complaint {complaint}, past SLA {past_sla})"),
        ("Needs another team", w.other_teams, "{client}: {description} ({owner})"),
    ]
    for quadrant, rows in w.alerts_by_quadrant.items():
        sections.append((f"Alerts: {quadrant}", rows, "{client}: {title} → {follow_up}"))
    sections.append(("Vague notes", w.note_quality["vague_notes"], "{client} {date}: {issues}"))
    sections.append(
        (
            "Actions missing owner or date",
            w.note_quality["actions_missing_owner_or_date"],
            "{client}: {description}: {issues}",
        )
    )
    sections.append(("Service themes", w.themes, "{name} ({mentions} mentions, {clients} clients)"))
    sections.append(("Onboarding phases overdue", w.onboarding.get("overdue_phases", []),
                     "{client}: {phase} ({owner}, due {due})"))
    for title, rows, fmt in sections:
        console.print(f"[bold cyan]{title}[/] ({len(rows)})")
        for r in rows[:8]:
            console.print("  " + _row_id(r) + fmt.format(**r), highlight=False)
    console.print(f"[bold cyan]Measures[/] {json.dumps(w.measures)}", highlight=False)
    if w.onboarding.get("measures"):
        console.print(f"[bold cyan]Onboarding[/] {json.dumps(w.onboarding['measures'])}", highlight=False)


@clients_app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="CSV or JSON exports.", exists=True, dir_okay=False)],
    mapping: Annotated[Path, typer.Option("--mapping", help="The column mapping (YAML).", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Import CRM exports; bad rows are reported with their line, good rows kept, re-imports update."""
    from clients.importer import import_files
    from clients.mapping import load_mapping

    reports = _run(lambda session, _c: import_files(session, list(files), load_mapping(mapping)))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        for r in reports:
            console.print(
                f"[bold]{r.file}[/] ({r.entity}, {r.encoding}): {r.rows} rows, {r.created} created, "
                f"{r.updated} updated, {r.unchanged} unchanged, {len(r.errors)} rejected"
            )
            for w in r.warnings:
                console.print(f"  [yellow]{w}[/]")
            for e in r.errors:
                console.print(f"  [red]line {e.line}[/]: {e.reason}", highlight=False)
    if any(r.errors for r in reports):
        raise typer.Exit(1)


@clients_app.command("list")
def list_cmd(
    owner: Annotated[str | None, typer.Option("--owner", help="One RM's book.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this user (RMs see their own book).")] = None,
    as_json: AsJson = False,
) -> None:
    """List clients with their CRM id, segment and owner."""
    from sqlmodel import col, select

    from clients.models import ClientProfile
    from records.access import book_filter, book_owner, require_permission
    from records.tables import Client

    def run(session: Any, _c: Any) -> list[dict[str, Any]]:
        user = user_named(session, as_user)
        require_permission(user, "clients")
        query = select(Client, ClientProfile.external_id).join(
            ClientProfile, col(ClientProfile.client_id) == col(Client.id), isouter=True
        )
        query = query.where(book_filter(user, Client.id))
        book = book_owner(user, owner)
        if book:
            query = query.where(Client.relationship_owner == book)
        rows = session.exec(query.order_by(col(Client.name))).all()
        return [
            {
                "id": c.id,
                "name": c.name,
                "external_id": ext,
                "segment": c.segment,
                "relationship_owner": c.relationship_owner,
            }
            for c, ext in rows
        ]

    rows = _run(run)
    if as_json:
        echo_json(rows)
        return
    table = make_table("id", "CRM id", "name", "segment", "owner", title=f"{len(rows)} client(s)")
    for r in rows:
        table.add_row(r["id"], r["external_id"] or "-", r["name"], r["segment"] or "-", r["relationship_owner"] or "-")
    console.print(table)


def _change(action_id: str, status: str, reason: str, name: str) -> None:
    from clients.actions import set_status

    change = _run(
        lambda session, _c: set_status(
            session=session,
            action_id=action_id,
            to_status=status,
            reason=reason,
            actor=name,
            user=user_named(session, name),
        )
    )
    console.print(
        f"{change.action_kind} {change.action_id}: {change.from_status} → {change.to_status} "
        f"by {change.actor} (audit #{change.audit_seq})"
    )


@actions_app.command("close")
def close_cmd(
    action_id: Annotated[str, typer.Argument(help="Action id (or an urgent alert's id).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is closed.")],
    as_user: Annotated[str, typer.Option("--as", help="Who closes it (a user).")],
    cancelled: Annotated[bool, typer.Option("--cancelled", help="Close as cancelled, not done.")] = False,
) -> None:
    """Close an action as done (or cancelled); recorded in the audit trail."""
    _change(action_id, "cancelled" if cancelled else "done", reason, as_user)


@actions_app.command("reopen")
def reopen_cmd(
    action_id: Annotated[str, typer.Argument(help="Action id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")],
    as_user: Annotated[str, typer.Option("--as", help="Who reopens it (a user).")],
) -> None:
    """Reopen a closed action; recorded in the audit trail."""
    _change(action_id, "open", reason, as_user)


def load_demo_book_cmd(container: Any) -> list[Any]:
    """Load the demo book into the container's database (used by `clientloop demo`)."""
    from datetime import date

    from clients.demo_book import load_demo_book
    from clients.onboarding import seed_demo_onboarding
    from records.session import session_scope

    with session_scope(container.engine) as session:
        reports = load_demo_book(session)
        seed_demo_onboarding(session, date.today())
        return reports
