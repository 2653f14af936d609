"""`clientloop themes`: the repeated concerns across a book's interactions and service cases."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import console, fail, run_in_session, user_named

if TYPE_CHECKING:
    from clients.themes import ThemesReport


def themes(
    since: Annotated[str | None, typer.Option("--since", help="Only from this day, YYYY-MM-DD.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="One RM's book (default: every book).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the themes as JSON.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this user (RMs see their own book).")] = None,
) -> None:
    """Service themes: repeated concerns, asks and cases, clustered without labels, with sources."""
    from clients.themes import service_themes

    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise fail(f"--since must be YYYY-MM-DD, not {since!r}", 2) from None

    def run(session: Any, _container: Any) -> ThemesReport:
        return service_themes(session=session, user=user_named(session, as_user), owner=owner, since=day)

    report = run_in_session(run)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    print_themes(report)


def print_themes(report: ThemesReport) -> None:
    """Render the themes for a person: name, counts, months, and linked examples."""
    since = f" · since {report.since}" if report.since else ""
    console.rule(f"[bold]Service themes[/] · {report.owner or 'all books'} · {report.clients} clients{since}")
    console.print(f"[dim]{report.phrases} concerns, asks and case descriptions; {report.method}[/]", highlight=False)
    if not report.themes:
        console.print("  No concern came up more than once.")
    for t in report.themes:
        months = ", ".join(f"{m} {n}" for m, n in t.by_month.items())
        console.print(f"\n[bold cyan]{t.id} {t.name}[/] [dim]({', '.join(t.keywords)})[/]", highlight=False)
        console.print(f"  {t.mentions} mentions, {t.clients} clients · {months}", highlight=False)
        for e in t.examples:
            where = f"{e.source.kind} {e.source.id}"
            if e.source.span:
                where += f" {e.source.span[0]}-{e.source.span[1]} of source {e.source.source_id}"
            console.print(f"  [dim]{e.date} {e.client}:[/] “{e.text}” [dim]({where})[/]", highlight=False)
