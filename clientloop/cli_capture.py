"""`clientloop ingest` and `clientloop draft`: documents into the index, interactions into drafts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientloop.cli_common import console, detached_user, err, fail, make_container, make_table
from records.vocabulary import INTERACTION_KINDS, InteractionKind

if TYPE_CHECKING:
    from clientloop.container import Container
    from clientloop.ingest import BatchReport
    from pipeline.documents import SourceKind


KIND_WORDS = "kb, call_transcript, meeting_notes or email"
"""The one `--kind` vocabulary of `ingest` and `draft`: the interaction kinds of
`records.vocabulary`, plus `kb` (knowledge served to everyone) for `ingest`."""

_SOURCE_KIND: dict[str, SourceKind] = {
    "kb": "kb",
    "call_transcript": "transcript",
    "meeting_notes": "note",
    "email": "email",
}
"""How each `--kind` word is stored as a source (the loaders' own words)."""

_KIND_ALIASES = {"transcript": "call_transcript", "note": "meeting_notes", "meeting": "meeting_notes"}
"""Older spellings still accepted (`ingest --kind transcript` was the documented one)."""


def _source_kind(kind: str | None) -> SourceKind | None:
    """The stored source kind for an `ingest --kind` word; None lets the loader detect it."""
    if kind is None:
        return None
    word = _KIND_ALIASES.get(kind, kind)
    if word not in _SOURCE_KIND:
        raise fail(f"--kind must be {KIND_WORDS}, not {kind!r}", 2)
    return _SOURCE_KIND[word]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest (folders recursively).")],
    client: Annotated[str | None, typer.Option("--client", help="Client id or name the files belong to.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"{KIND_WORDS} (default: detect; kb without --client).")
    ] = None,
    create_client: Annotated[bool, typer.Option("--create-client", help="Create the client if unknown.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Store, chunk, embed and index documents. One bad file does not stop the rest."""
    source_kind = _source_kind(kind)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or folder: {', '.join(missing)}", 2)
    report = _ingest_with_progress(paths, kind=source_kind, client=client, create_client=create_client)
    if as_json:
        results = [dataclasses.asdict(r) for r in report.results]
        errors = [{"path": path, "error": message} for path, message in report.errors]
        typer.echo(json.dumps({"results": results, "errors": errors}, indent=2))
    else:
        _print_ingest(report)
    if report.errors:
        raise fail(f"{len(report.errors)} file(s) rejected; the others were ingested")


def _ingest_with_progress(
    paths: list[Path], *, kind: SourceKind | None, client: str | None, create_client: bool
) -> BatchReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from clientloop.ingest import ingest_paths
    from records.errors import ClientloopError

    container = make_container()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("reading", total=None)
        files = 0

        def on_file(name: str) -> None:
            nonlocal files
            files += 1
            bar.update(task, description=f"[cyan]{files} files[/] · {name} · chunks indexed")

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            return ingest_paths(
                container,
                paths,
                kind=kind,
                client=client,
                create_client=create_client,
                progress=on_progress,
                on_file=on_file,
            )
        except ClientloopError as exc:
            raise fail(str(exc)) from exc


def _print_ingest(report: BatchReport) -> None:
    table = make_table("file", "outcome", "kind", "chunks", "title", ids=())
    for r in report.results:
        table.add_row(r.filename, r.outcome, r.kind, str(r.chunks), r.title)
    for path, message in report.errors:
        table.add_row(Path(path).name, "[red]rejected", "", "", message)
    console.print(table)


_EXT_KIND: dict[str, InteractionKind] = {".eml": "email", ".mbox": "email"}


def _interaction_kind(kind: str | None, file: Path) -> InteractionKind:
    """The interaction kind `--kind` names (an older spelling mapped), or the file's (default a call)."""
    if kind is None:
        return _EXT_KIND.get(file.suffix.lower(), "call_transcript")
    word = _KIND_ALIASES.get(kind, kind)
    if word == "kb":
        raise fail("a knowledge-base document is not drafted: `clientloop ingest FILE --kind kb`", 2)
    if word not in INTERACTION_KINDS:
        raise fail(f"--kind must be call_transcript, meeting_notes or email, not {kind!r}", 2)
    return word


def draft(
    file: Annotated[Path, typer.Argument(help="Transcript, meeting note or email file.", exists=True, dir_okay=False)],
    client: Annotated[str, typer.Option("--client", help="Client id, CRM id or exact name.")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="call_transcript, meeting_notes or email (default: from the file).")
    ] = None,
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
    from records.errors import ClientloopError

    interaction_kind = _interaction_kind(kind, file)
    if engine not in (None, "rules", "llm"):
        raise fail(f"--engine must be rules or llm, not {engine!r}", 2)
    container = make_container()
    try:
        people = participants.read_text(encoding="utf-8") if participants else None
        job = intake_interaction(
            container,
            user=detached_user(container, as_user),
            client=client,
            kind=interaction_kind,
            data=file.read_bytes(),
            filename=file.name,
            occurred_at=occurred_at,
            participants=people,
            engine=engine,  # type: ignore[arg-type]
            create_client=create_client,
        )
        me = worker_name()
        if job.status == "queued" and claim(container, job.id, me):
            with console.status("drafting…"):
                process_job(container, job.id, me)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    _show_job_draft(container, job.id, as_json=as_json)


def _show_job_draft(container: Container, job_id: str, *, as_json: bool) -> None:
    from pipeline.schemas import InteractionDraft
    from records.session import session_scope
    from records.tables import Draft, Job
    from review.explain import review_state

    with session_scope(container.engine) as session:
        job_row = session.get(Job, job_id)
        assert job_row is not None
        row = session.get(Draft, job_row.draft_id) if job_row.draft_id else None
        if row is None:
            raise fail(f"job {job_row.id} is {job_row.status}: {job_row.error or 'no draft yet'}")
        result = InteractionDraft.model_validate_json(row.content_json)
        meta = {"draft_id": row.id, "job_id": job_row.id, "engine": row.engine, "fallback": row.fallback}
        review = review_state(session, lineage_id=row.lineage_id)
    if as_json:
        body = {
            **meta,
            "draft": result.model_dump(mode="json"),
            "review": review.model_dump(mode="json") if review else None,
        }
        typer.echo(json.dumps(body, indent=2))
        return
    print_draft(result, meta)


def print_draft(result: object, meta: dict[str, object]) -> None:
    """Render a draft: the summary, then a table of actions."""
    from rich.table import Table

    from pipeline.schemas import InteractionDraft

    assert isinstance(result, InteractionDraft)
    s = result.summary
    console.rule(f"[bold]{s.client}[/] · {s.kind} · {s.occurred_at:%Y-%m-%d %H:%M} · purpose: {s.purpose}")
    console.print(f"draft {meta['draft_id']} · engine {meta['engine']}" + (" (fallback)" if meta["fallback"] else ""))
    lists = [
        ("Client asks", s.client_asks),
        ("Decisions", s.decisions),
        ("Concerns", s.concerns),
        ("Key facts", s.key_facts),
        ("Sensitive points", s.sensitive_points),
    ]
    for label, items in lists:
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
