"""`clientloop eval ...`: evaluation runs that score the engines on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

eval_app = typer.Typer(help="Score extraction, flags and cited answers on labelled data.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

SHARED_FS = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "fs-interactions" / "dev.jsonl"


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


def _metrics_table(title: str, metrics: dict[str, object], notes: dict[str, str] | None = None) -> None:
    from rich.table import Table

    table = Table("metric", "value", title=title)
    for name, value in metrics.items():
        shown = "n/a" + (f" ({notes[name]})" if notes and name in notes else "") if value is None else (
            f"{value:.3f}" if isinstance(value, float) else str(value))
        table.add_row(name, shown)
    console.print(table)


@eval_app.command("fs-interactions")
def fs_interactions(
    data: Annotated[Path, typer.Option("--data", help="JSONL in the fs-interactions format.")] = SHARED_FS,
    engine: Annotated[str, typer.Option(help="rules or llm.")] = "rules",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score action extraction, owners, dates, types, purpose and flags on labelled interactions."""
    from evals.fs_interactions import evaluate_file

    if not data.exists():
        raise typer.BadParameter(f"{data} does not exist; pass --data PATH to a fs-interactions JSONL file")
    if engine not in ("rules", "llm"):
        raise typer.BadParameter("--engine must be rules or llm")
    report = evaluate_file(data, engine=engine, flagger=_flagger())
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    _metrics_table(f"fs-interactions · {data.name} · {engine}", dict(report.metrics), getattr(report, "notes", None))
    misses = getattr(report, "misses", [])
    if misses:
        from rich.table import Table

        table = Table("record", "miss", "detail", title=f"{len(misses)} misses", show_lines=True)
        for m in misses:
            row = m if isinstance(m, dict) else m.model_dump()
            table.add_row(str(row.get("record_id", "")), str(row.get("kind", "")),
                          json.dumps({k: v for k, v in row.items() if k not in ("record_id", "kind")},
                                     ensure_ascii=False)[:400])
        console.print(table)


def _flagger():  # type: ignore[no-untyped-def]
    try:
        from review.policy import flags_for_record
    except ImportError:
        return None
    return flags_for_record


@eval_app.command("kb-questions")
def kb_questions(
    questions: Annotated[Optional[Path], typer.Option(help="Question JSONL (default: the demo set).")] = None,  # noqa: UP045
    kb: Annotated[Optional[Path], typer.Option(help="Knowledge folder to ingest (default: the demo KB).")] = None,  # noqa: UP045
    engine: Annotated[str, typer.Option(help="rules or llm.")] = "rules",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Retrieval recall@5, citation accuracy and abstention on the labelled knowledge questions."""
    import tempfile

    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from clientloop.settings import get_settings
    from evals.kb_questions import DEFAULT_QUESTIONS, evaluate_kb_questions, load_questions, report_json

    kb = kb or Path(__file__).resolve().parent / "demo_data" / "kb"
    qs = load_questions(questions or DEFAULT_QUESTIONS)
    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings().model_copy(update={"data_dir": Path(tmp), "database_url": None,
                                                     "chroma_mode": "embedded", "chroma_path": None})
        container = Container(settings)
        ingest_paths(container, [kb], kind="kb")
        with _progress() as bar:
            task = bar.add_task("questions", total=len(qs))
            report = evaluate_kb_questions(container, qs, engine=engine,
                                           on_progress=lambda d, t: bar.update(task, completed=d))
        container.engine.dispose()
    if as_json:
        typer.echo(report_json(report))
        return
    _metrics_table("knowledge questions", dict(report.metrics))
    from rich.table import Table

    table = Table("id", "expected", "abstained", "cited", "ok", title="per question", show_lines=False)
    for r in report.results:
        ok = (r.abstained if r.expected is None else bool(r.citation_correct))
        table.add_row(r.id, r.expected or "(no answer)", str(r.abstained), ", ".join(r.cited[:2]),
                      "[green]✓" if ok else "[red]✗")
    console.print(table)


def bench(
    synthetic_docs: Annotated[int, typer.Option(help="Documents in the synthetic ingestion corpus.")] = 5000,
    questions: Annotated[int, typer.Option(help="Questions timed for ask latency.")] = 50,
    draft_words: Annotated[int, typer.Option(help="Transcript length for drafting latency.")] = 1000,
    review_requests: Annotated[int, typer.Option(help="Requests sent to the review API.")] = 2000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure ingestion, ask, drafting and review-API speed and memory, each beside its baseline."""
    from rich.table import Table

    from evals.bench import run_bench

    with console.status("benchmarking…") as status:
        results = run_bench(synthetic_docs_n=synthetic_docs, ask_questions=questions, draft_words=draft_words,
                            review_requests=review_requests,
                            on_step=lambda name: status.update(f"benchmarking {name}…"))
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    table = Table("section", "figure", "value", title="clientloop bench")
    for section, figures in results.items():
        for name, value in figures.items():
            table.add_row(section, name, f"{value:,.3f}" if isinstance(value, float) else str(value))
    console.print(table)
