"""`clientloop demo`: the shipped demo data loaded, drafted and asked, then where to go next."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientloop.cli_common import console, fail, make_container

if TYPE_CHECKING:
    from clientloop.container import Container

DEMO_QUESTIONS = [
    "What is the fee for a CHAPS payment?",
    "What call-back checks do we do when a customer changes a payee's bank details?",
    "How long do we have to resolve a complaint?",
    "Do we offer cryptocurrency custody?",
]


def demo(
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete the existing data directory first (asks nothing: it is gone).")
    ] = False,
) -> None:
    """Load the shipped demo data into a new data directory, answer a few questions, show where to go next.

    An existing data directory is never deleted unless you pass --fresh.
    """
    from clientloop.ask import ask as run_ask
    from clientloop.cli_ask import print_answer
    from clientloop.cli_clients import load_demo_book_cmd
    from clientloop.demo import DEMO_DIR, DEMO_USERS, create_demo_users
    from clientloop.ingest import ingest_paths
    from clientloop.settings import get_settings

    settings = get_settings()
    if settings.database_url is None and settings.data_dir.exists() and any(settings.data_dir.iterdir()):
        if not fresh:
            raise fail(
                f"{settings.data_dir.resolve()} already holds data. Run `clientloop demo --fresh` to delete "
                "it and start again, or set CLIENTLOOP_DATA_DIR to another folder."
            )
        shutil.rmtree(settings.data_dir)
    container = make_container()
    console.rule("[bold]clientloop demo")
    console.print(f"Data directory: {settings.data_dir.resolve()}")
    report = ingest_paths(container, [DEMO_DIR / "kb"], kind="kb")
    chunks = sum(r.chunks for r in report.results)
    console.print(f"Ingested {len(report.results)} knowledge documents ({chunks} chunks).")
    for path, message in report.errors:
        console.print(f"[red]rejected[/] {path}: {message}")
    book = load_demo_book_cmd(container)
    console.print(
        "Loaded the demo book: " + ", ".join(f"{r.created + r.updated + r.unchanged} {r.entity}s" for r in book)
    )
    keys = create_demo_users(container)
    _print_drafts(container)
    for q in DEMO_QUESTIONS:
        console.rule(f"[cyan]Ask: {q}")
        print_answer(run_ask(container, q))
    console.rule("Demo users (API keys are shown once)")
    for name, role, *_names in DEMO_USERS:
        console.print(f"  {name:<6} {role:<9} {keys[name]}")
    _print_next_steps()


def _print_drafts(container: Container) -> None:
    from rich.table import Table

    from clientloop.demo import draft_demo_interactions

    console.rule("[cyan]Capture: demo interactions drafted by the rules engine, then gated")
    table = Table("interaction", "client", "actions", "flags", "review status")
    table.columns[0].no_wrap = True
    for d in draft_demo_interactions(container):
        table.add_row(d.file, d.client, str(d.actions), ", ".join(d.flags) or "-", d.review_status)
    console.print(table)
    console.print("[dim]Flagged drafts wait for a reviewer who is not the author; the others for the RM to confirm.[/]")


def _print_next_steps() -> None:
    console.rule("Next")
    if sys.prefix != sys.base_prefix and shutil.which("clientloop") != str(Path(sys.prefix) / "bin" / "clientloop"):
        console.print(f"  first: source {Path(sys.prefix) / 'bin' / 'activate'}   (puts `clientloop` on your PATH)")
    console.print('  clientloop ask "your question" [--json]     ask the knowledge base')
    console.print("  clientloop ingest PATH... [--client ID]        add your own documents")
    console.print("  clientloop review list --as rosa                the review queue")
    console.print("  clientloop draft FILE --client NAME           draft a summary and actions from a transcript")
    console.print("  clientloop brief CRM-1001 [--json]              the two-minute brief of a demo client")
    console.print("  clientloop weekly [--owner priya]              the weekly review")
    console.print("  clientloop handover CRM-1001 [--to RM]        the relationship in one read for a new owner")
    console.print("  clientloop themes                              repeated service concerns across the book")
    console.print("  clientloop onboarding list                     the three demo clients being onboarded")
    console.print(
        "  clientloop serve                               then open http://127.0.0.1:8000/ui/ "
        "(sign in with a key above); API docs at /docs"
    )
