"""The `clientloop` command line (Typer + Rich).

Heavy modules are imported inside the commands so `clientloop --help` stays fast.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from rich.console import Console

if TYPE_CHECKING:
    from clientloop.container import Container
    from knowledge.schemas import Answer
    from records.tables import User

app = typer.Typer(
    name="clientloop",
    help="Cited knowledge answers, interaction drafts and review gates for relationship and service teams.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _register_subcommands() -> None:
    from clientloop.cli_eval import bench, eval_app

    app.add_typer(eval_app, name="eval")
    app.command()(bench)
    from clientloop.cli_review import audit_app, review_app, users_app

    app.add_typer(review_app, name="review")
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
    from clientloop.cli_clients import actions_app, brief, clients_app, weekly

    app.add_typer(clients_app, name="clients")
    app.add_typer(actions_app, name="actions")
    app.command()(brief)
    app.command()(weekly)
    from clientloop.cli_kb import kb_app

    app.add_typer(kb_app, name="kb")

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


def _container() -> Container:
    from clientloop.container import Container

    return Container()


def _show_version(value: bool) -> None:
    if value:
        from clientloop import __version__

        typer.echo(f"clientloop {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Cited knowledge answers, interaction drafts and review gates for relationship and service teams."""


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest (folders recursively).")],
    client: Annotated[str | None, typer.Option("--client", help="Client id or name the files belong to.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="kb, transcript or email (default: detect).")] = None,
    create_client: Annotated[bool, typer.Option("--create-client", help="Create the client if unknown.")] = False,
) -> None:
    """Store, chunk, embed and index documents. One bad file does not stop the rest."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from clientloop.ingest import ingest_paths
    from records.errors import ClientloopError

    if kind not in (None, "kb", "transcript", "email"):
        raise _fail(f"--kind must be kb, transcript or email, not {kind!r}", 2)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise _fail(f"no such file or folder: {', '.join(missing)}", 2)
    container = _container()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("reading", total=None)
        files = 0

        def on_file(name: str) -> None:
            nonlocal files
            files += 1
            bar.update(task, description=f"[cyan]{files} files[/] · {name} · chunks indexed")

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = ingest_paths(container, paths, kind=kind, client=client,  # type: ignore[arg-type]
                                  create_client=create_client, progress=on_progress, on_file=on_file)
        except ClientloopError as exc:
            raise _fail(str(exc)) from exc
    from rich.table import Table

    table = Table("file", "outcome", "kind", "chunks", "title")
    for r in report.results:
        table.add_row(r.filename, r.outcome, r.kind, str(r.chunks), r.title)
    for path, message in report.errors:
        table.add_row(Path(path).name, "[red]rejected", "", "", message)
    console.print(table)
    if report.errors:
        raise _fail(f"{len(report.errors)} file(s) rejected; the others were ingested")


def _display(text: str) -> str:
    """Text for a terminal: Markdown emphasis dropped, whitespace runs collapsed."""
    return " ".join(text.replace("**", "").split())


def print_answer(answer: Answer) -> None:
    """Render a cited answer for a person (the JSON output keeps quotes byte-exact)."""
    style = "yellow" if answer.abstained else "bold"
    console.print(f"[{style}]{_display(answer.answer)}[/]", highlight=False)
    if answer.fallback:
        console.print(f"[dim](LLM unavailable, rules-engine answer: {answer.fallback_reason})[/]")
    for c in answer.citations:
        heading = c.heading or ""
        if heading.startswith(c.source_title):
            heading = heading[len(c.source_title):].lstrip(" >")
        where = c.source_title + (f" › {heading}" if heading else "")
        console.print(f"  [cyan][{c.id}][/] {where} [dim](chars {c.span[0]}–{c.span[1]})[/]", highlight=False)
        console.print(f"      “{_display(c.quote)}”", highlight=False)
    for s in answer.unsupported:
        console.print(f"  [red]unsupported, removed:[/] {_display(s)}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    engine: Annotated[str | None, typer.Option("--engine", help="rules or llm (default: settings).")] = None,
) -> None:
    """Answer a question from the knowledge base, with numbered citations, or abstain."""
    from clientloop.ask import ask as run_ask
    from records.errors import ClientloopError

    try:
        answer = run_ask(_container(), question, engine=engine)
    except ClientloopError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@app.command()
def demo(
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Delete the existing data directory first (asks nothing: it is gone).")] = False,
) -> None:
    """Load the shipped demo data into a new data directory, answer a few questions, show where to go next.

    An existing data directory is never deleted unless you pass --fresh.
    """
    from clientloop.ask import ask as run_ask
    from clientloop.ingest import ingest_paths
    from clientloop.settings import get_settings

    settings = get_settings()
    if settings.database_url is None and settings.data_dir.exists() and any(settings.data_dir.iterdir()):
        if not fresh:
            raise _fail(f"{settings.data_dir.resolve()} already holds data. Run `clientloop demo --fresh` to delete "
                        "it and start again, or set CLIENTLOOP_DATA_DIR to another folder.")
        shutil.rmtree(settings.data_dir)
    container = _container()
    console.rule("[bold]clientloop demo")
    console.print(f"Data directory: {settings.data_dir.resolve()}")
    report = ingest_paths(container, [DEMO_DIR / "kb"], kind="kb")
    chunks = sum(r.chunks for r in report.results)
    console.print(f"Ingested {len(report.results)} knowledge documents ({chunks} chunks).")
    for path, message in report.errors:
        console.print(f"[red]rejected[/] {path}: {message}")
    from clientloop.cli_clients import load_demo_book_cmd
    from clientloop.demo import create_demo_users, draft_demo_interactions

    book = load_demo_book_cmd(container)
    console.print("Loaded the demo book: " + ", ".join(f"{r.created + r.updated + r.unchanged} {r.entity}s"
                                                      for r in book))
    keys = create_demo_users(container)
    console.rule("[cyan]Capture: demo interactions drafted by the rules engine, then gated")
    from rich.table import Table

    table = Table("interaction", "client", "actions", "flags", "review status")
    table.columns[0].no_wrap = True
    for d in draft_demo_interactions(container):
        table.add_row(d.file, d.client, str(d.actions), ", ".join(d.flags) or "-", d.review_status)
    console.print(table)
    console.print("[dim]Flagged drafts wait for a reviewer who is not the author; the others for the RM to confirm.[/]")
    for q in [
        "What is the fee for a CHAPS payment?",
        "What call-back checks do we do when a customer changes a payee's bank details?",
        "How long do we have to resolve a complaint?",
        "Do we offer cryptocurrency custody?",
    ]:
        console.rule(f"[cyan]Ask: {q}")
        print_answer(run_ask(container, q))
    console.rule("Demo users (API keys are shown once)")
    for name, role in [("priya", "rm"), ("rosa", "reviewer"), ("sam", "service"), ("admin", "admin")]:
        console.print(f"  {name:<6} {role:<9} {keys[name]}")
    _print_next_steps()


def _print_next_steps() -> None:
    console.rule("Next")
    if sys.prefix != sys.base_prefix and shutil.which("clientloop") != str(Path(sys.prefix) / "bin" / "clientloop"):
        console.print(f"  first: source {Path(sys.prefix) / 'bin' / 'activate'}   (puts `clientloop` on your PATH)")
    console.print("  clientloop ask \"your question\" [--json]     ask the knowledge base")
    console.print("  clientloop ingest PATH... [--client ID]        add your own documents")
    console.print("  clientloop review list --as rosa                the review queue")
    console.print("  clientloop draft FILE --client NAME           draft a summary and actions from a transcript")
    console.print("  clientloop brief CRM-1001 [--json]              the two-minute brief of a demo client")
    console.print("  clientloop weekly [--owner priya]              the weekly review")
    console.print("  clientloop serve                               then open http://127.0.0.1:8000/ui/ "
                  "(sign in with a key above); API docs at /docs")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=0, max=32,
        help="Drafting workers to run in each server process (default CLIENTLOOP_DRAFTING_WORKERS, 1).")] = None,
    no_workers: Annotated[bool, typer.Option(
        "--no-workers", help="Run no drafting workers here: a separate `clientloop worker` fleet drafts.")] = False,
    processes: Annotated[int, typer.Option(
        "--processes", min=1, max=64, help="uvicorn worker processes serving HTTP (PostgreSQL for more than 1).")] = 1,
) -> None:
    """Run the HTTP API and the web pages (OpenAPI docs at /docs), drafting uploads as they arrive.

    `--workers` counts drafting workers (threads that turn uploads into drafts) in each
    process; `--processes` counts uvicorn processes answering HTTP.
    """
    import os

    import uvicorn

    from clientloop.settings import get_settings

    settings = get_settings()
    drafting = 0 if no_workers else (settings.drafting_workers if workers is None else workers)
    if processes > 1 and settings.resolved_database_url.startswith("sqlite"):
        err.print("[yellow]warning:[/] several processes on SQLite serialise every write; use PostgreSQL "
                  "(CLIENTLOOP_DATABASE_URL) for --processes above 1")
    console.print(f"clientloop on http://{host}:{port}/ui/ · {processes} process(es) · "
                  f"{drafting} drafting worker(s) each" + ("" if drafting else " (run `clientloop worker`)"))
    os.environ["CLIENTLOOP_DRAFTING_WORKERS"] = str(drafting)  # read by each process's app factory
    get_settings.cache_clear()
    uvicorn.run("clientloop.api.app:app_from_settings", factory=True, host=host, port=port, workers=processes,
                log_level="info")


@app.command()
def mcp(
    transport: Annotated[str, typer.Option(help="stdio (for a local assistant) or http (streamable HTTP at /mcp).")]
    = "stdio",
    host: Annotated[str, typer.Option(help="Interface to bind (http).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (http).")] = 8765,
) -> None:
    """Serve the Model Context Protocol: read-only tools, as the user whose API key the caller holds.

    stdio: the key is CLIENTLOOP_API_KEY in this process's environment. http: every request
    sends Authorization: Bearer <key>. Tools: ask_knowledge_base, client_brief,
    search_client_history, weekly_review.
    """
    from clientloop.mcp_server import run

    if transport not in ("stdio", "http"):
        raise _fail("--transport is stdio or http", 2)
    run(_container(), transport=transport, host=host, port=port)


_EXT_KIND = {".eml": "email", ".mbox": "email"}


@app.command()
def draft(
    file: Annotated[Path, typer.Argument(help="Transcript, meeting note or email file.", exists=True, dir_okay=False)],
    client: Annotated[str, typer.Option("--client", help="Client id, CRM id or exact name.")],
    kind: Annotated[str | None, typer.Option(
        help="call_transcript, meeting_notes or email (default: from the file).")] = None,
    occurred_at: Annotated[str | None, typer.Option("--occurred-at", help="ISO 8601 time of the interaction.")] = None,
    engine: Annotated[str | None, typer.Option(help="rules or llm (default: settings).")] = None,
    participants: Annotated[Path | None, typer.Option(help="JSON file: list of {name, role, side}.")] = None,
    create_client: Annotated[bool, typer.Option("--create-client", help="Create the client if unknown.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the draft as JSON.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Upload as this user (the draft's author).")] = None,
) -> None:
    """Draft an interaction summary and its follow-up actions from a file, now."""
    from clientloop.interactions import intake_interaction
    from clientloop.worker import claim, process_job, worker_name
    from pipeline.schemas import InteractionDraft
    from records.errors import ClientloopError
    from records.session import session_scope
    from records.tables import Draft, Job
    from review.explain import review_state

    kind = kind or _EXT_KIND.get(file.suffix.lower(), "call_transcript")
    if kind not in ("call_transcript", "meeting_notes", "email"):
        raise _fail(f"--kind must be call_transcript, meeting_notes or email, not {kind!r}", 2)
    if engine not in (None, "rules", "llm"):
        raise _fail(f"--engine must be rules or llm, not {engine!r}", 2)
    container = _container()
    try:
        people = participants.read_text(encoding="utf-8") if participants else None
        job = intake_interaction(container, user=_cli_user(container, as_user), client=client, kind=kind,
                                 data=file.read_bytes(), filename=file.name, occurred_at=occurred_at,
                                 participants=people, engine=engine, create_client=create_client)  # type: ignore[arg-type]
        me = worker_name()
        if job.status == "queued" and claim(container, job.id, me):
            with console.status("drafting…"):
                process_job(container, job.id, me)
    except ClientloopError as exc:
        raise _fail(str(exc)) from exc
    with session_scope(container.engine) as session:
        job_row = session.get(Job, job.id)
        assert job_row is not None
        row = session.get(Draft, job_row.draft_id) if job_row.draft_id else None
        if row is None:
            raise _fail(f"job {job_row.id} is {job_row.status}: {job_row.error or 'no draft yet'}")
        result = InteractionDraft.model_validate_json(row.content_json)
        meta = {"draft_id": row.id, "job_id": job_row.id, "engine": row.engine, "fallback": row.fallback}
        review = review_state(session, lineage_id=row.lineage_id)
    if as_json:
        typer.echo(json.dumps({**meta, "draft": result.model_dump(mode="json"),
                               "review": review.model_dump(mode="json") if review else None}, indent=2))
        return
    print_draft(result, meta)


def _cli_user(container: Container, name: str | None) -> User | None:
    """The user named by `--as`, detached from its session; None (the operator) without one."""
    if name is None:
        return None
    from records.session import session_scope
    from review.users import get_user

    with session_scope(container.engine) as session:
        user = get_user(session=session, name=name)
        session.expunge(user)
    return user


def print_draft(result: object, meta: dict[str, object]) -> None:
    """Render a draft: the summary, then a table of actions."""
    from rich.table import Table

    from pipeline.schemas import InteractionDraft

    assert isinstance(result, InteractionDraft)
    s = result.summary
    console.rule(f"[bold]{s.client}[/] · {s.kind} · {s.occurred_at:%Y-%m-%d %H:%M} · purpose: {s.purpose}")
    console.print(f"draft {meta['draft_id']} · engine {meta['engine']}" + (" (fallback)" if meta["fallback"] else ""))
    for label, items in [("Client asks", s.client_asks), ("Decisions", s.decisions), ("Concerns", s.concerns),
                         ("Key facts", s.key_facts), ("Sensitive points", s.sensitive_points)]:
        if items:
            console.print(f"[bold]{label}[/]")
            for item in items:
                console.print(f"  • {item}", highlight=False)
    table = Table("owner", "due", "type", "action", "evidence", show_lines=True)
    for a in result.actions:
        due = a.due.phrase if a.due.kind == "none" else f"{a.due.deadline} ({a.due.phrase})"
        table.add_row(f"{a.owner} ({a.owner_side})", due, a.type, a.description, f"“{a.evidence.text}”")
    if result.actions:
        console.print(table)
    else:
        console.print(f"[dim]No actions: {result.no_actions_reason or 'none found'}[/]")
    g = result.grounding
    if g.dropped or g.unsupported:
        console.print(f"[yellow]grounding: dropped {g.dropped or '{}'}; unsupported {g.unsupported or '{}'}[/]")


@app.command()
def worker(
    processes: Annotated[int, typer.Option(min=1, max=32, help="Worker processes to run.")] = 1,
    once: Annotated[bool, typer.Option("--once", help="Stop when the queue is empty.")] = False,
    lease_seconds: Annotated[float, typer.Option(help="Seconds a job stays leased to one worker.")] = 300.0,
) -> None:
    """Run drafting workers as separate processes until interrupted."""
    import logging
    import multiprocessing as mp

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(processName)s %(message)s")
    if processes == 1:
        _worker_main(once, lease_seconds)
        return
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker_main, args=(once, lease_seconds), name=f"worker-{i}")
             for i in range(processes)]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()


def _worker_main(once: bool, lease_seconds: float) -> None:
    from clientloop.worker import run_worker

    count = run_worker(_container(), once=once, lease_seconds=lease_seconds)
    err.print(f"worker processed {count} job(s)")


_register_subcommands()


def _plain_help(command: click.Command) -> click.Command:
    """Help in words: a flag shows no type, a value its name (`--client CLIENT`), never `<str>` or `<list[Path]>`."""
    for param in command.params:
        desc = getattr(param, "type_descriptor", None)
        if isinstance(param, click.Argument) or param.param_type_name == "argument":
            # Typer prints an argument's Python type beside its name; the name says enough.
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
            param.metavar = param.metavar or (param.name or "value").upper()
        elif param.metavar is None and not (desc is not None and desc.is_choice):
            param.metavar = "" if getattr(param, "is_flag", False) else (param.name or "value").upper()
    make_help = command.get_help_option

    def help_option(ctx: click.Context) -> click.Option | None:
        option = make_help(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)
    return command


def main() -> None:
    """The `clientloop` console script: the Typer app with plain help; bad settings exit 2 with what to fix."""
    from pydantic import ValidationError

    try:
        _plain_help(typer.main.get_command(app))(prog_name="clientloop")
    except ValidationError as exc:  # the settings read from CLIENTLOOP_* variables or .env
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        err.print(f"[bold red]configuration error:[/] {problems}")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
