"""The `handover` command: the relationship in one read for a new owner, and the change of owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_clients import print_sections
from clientloop.cli_common import console, fail, parse_as_of, run_in_session, user_named

if TYPE_CHECKING:
    from clients.handover import Handover


def handover(
    client: Annotated[str, typer.Argument(help="Client id, CRM id or exact name.")],
    to: Annotated[str | None, typer.Option("--to", help="Propose this RM (user name) as the new owner.")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the client's pending change (admins).")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the client's pending change (admins).")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the audit trail).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the handover as JSON.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today, YYYY-MM-DD (default: today).")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this user (RMs see their own book).")] = None,
) -> None:
    """The relationship handover: history, decisions, open promises, restrictions, contacts, next steps.

    With --to, propose the new owner; an admin then runs it again with --approve (or --reject).
    """
    from clients.handover import relationship_handover
    from clients.handover_change import decide_handover, propose_handover
    from records.access import require_permission

    if sum(bool(x) for x in (to, approve, reject)) > 1:
        raise fail("use one of --to, --approve and --reject", 2)
    day = parse_as_of(as_of)

    def run(session: Any, _container: Any) -> Handover:
        user = user_named(session, as_user)
        require_permission(user, "clients")
        if to:
            propose_handover(session=session, client_ref=client, to_owner=to, user=user, reason=reason)
        elif approve or reject:
            current = relationship_handover(session=session, client_ref=client, user=user, as_of=day)
            if current.change is None or current.change.status != "pending":
                raise _nothing_pending(current.client_name)
            decide_handover(session=session, handover_id=current.change.id, user=user, reason=reason,
                            decision="approve" if approve else "reject")
        return relationship_handover(session=session, client_ref=client, user=user, as_of=day)

    result = run_in_session(run)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_handover(result)


def _nothing_pending(name: str) -> Exception:
    from clients.errors import InvalidHandover

    return InvalidHandover(f"no change of owner is waiting for approval for {name}")


def print_handover(h: Handover) -> None:
    """Render a handover for a person."""
    console.rule(f"[bold]{h.client_name}[/] · handover · owner {h.owner or 'unassigned'} · as of {h.as_of}")
    if h.change is not None:
        moving = f"; {len(h.change.actions_to_move)} open action(s) move" if h.change.actions_to_move else ""
        console.print(f"[bold magenta]Change of owner {h.change.status}[/]: {h.change.from_owner or 'unassigned'} → "
                      f"{h.change.to_owner} (proposed by {h.change.proposed_by}){moving}", highlight=False)
    print_sections(h.sections)
