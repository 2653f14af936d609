"""The `onboarding` commands: cases with phases due from the signature, and marking a phase done."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import AsJson, console, echo_json, fail, make_table, run_in_session, user_named

if TYPE_CHECKING:
    from clients.onboarding import OnboardingView

onboarding_app = typer.Typer(help="Onboarding cases: phases, owners and due dates from the signature.",
                             no_args_is_help=True)
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (RMs see their own book).")]
Client = Annotated[str, typer.Argument(help="Client id, CRM id or exact name.")]


@onboarding_app.command("list")
def list_cases(as_user: AsUser = None, as_json: AsJson = False) -> None:
    """Every onboarding case of the book, with its next phase and overdue count."""
    from clients.onboarding import onboarding_cases

    views = run_in_session(lambda s, _c: onboarding_cases(session=s, user=user_named(s, as_user)))
    if as_json:
        echo_json([v.model_dump(mode="json") for v in views])
        return
    table = make_table("client", "signed", "next phase", "overdue")
    for v in views:
        table.add_row(v.client_name, v.signed_at.date().isoformat(), v.next_phase or "all done",
                      str(sum(p.status == "overdue" for p in v.phases)))
    console.print(table)


@onboarding_app.command("show")
def show(client: Client, as_user: AsUser = None, as_json: AsJson = False) -> None:
    """One client's onboarding phases: owner, due time, done or overdue."""
    from clients.onboarding import onboarding_of

    view = run_in_session(lambda s, _c: onboarding_of(session=s, client_ref=client, user=user_named(s, as_user)))
    _print(view, as_json)


@onboarding_app.command("open")
def open_case(
    client: Client,
    signed: Annotated[str, typer.Option("--signed", help="When the client signed, ISO 8601 (e.g. 2026-12-01T10:00).")],
    mandate: Annotated[str, typer.Option("--mandate", help="What was signed for.")] = "",
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Open a client's onboarding case; every phase falls due from the signature."""
    from clients.onboarding import onboarding_of, open_onboarding

    try:
        signed_at = datetime.fromisoformat(signed)
    except ValueError:
        raise fail(f"--signed must be an ISO 8601 time, e.g. 2026-12-01T10:00, not {signed!r}", 2) from None

    def run(session: Any, _container: Any) -> OnboardingView:
        user = user_named(session, as_user)
        open_onboarding(session=session, client_ref=client, signed_at=signed_at, user=user, mandate=mandate)
        return onboarding_of(session=session, client_ref=client, user=user)

    _print(run_in_session(run), as_json)


@onboarding_app.command("advance")
def advance_phase(
    client: Client,
    phase: Annotated[str, typer.Argument(help="welcome, intake, documents, kickoff, handoff, checkin_14, "
                                              "checkin_30, checkin_60 or survey.")],
    note: Annotated[str, typer.Option("--note", help="What was done (recorded in the audit trail).")] = "",
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Mark a phase done, now, by you."""
    from clients.onboarding import advance

    view = run_in_session(lambda s, _c: advance(session=s, client_ref=client, phase=phase, note=note,
                                                user=user_named(s, as_user)))
    _print(view, as_json)


def _print(view: OnboardingView, as_json: bool) -> None:
    if as_json:
        typer.echo(view.model_dump_json(indent=2))
        return
    console.rule(f"[bold]{view.client_name}[/] · onboarding · signed {view.signed_at:%Y-%m-%d %H:%M}")
    if view.days_to_kickoff is not None:
        console.print(f"Kickoff {view.days_to_kickoff} day(s) after signature (target 5 or fewer)")
    table = make_table("phase", "owner", "due", "status")
    for p in view.phases:
        status = f"done {p.done_at:%Y-%m-%d} by {p.done_by}" if p.done_at else p.status
        table.add_row(p.key, p.owner, p.due_at.strftime("%Y-%m-%d %H:%M"), status)
    console.print(table)
