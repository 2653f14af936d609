"""`clientloop eval ...`: evaluation runs that score the engines on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

eval_app = typer.Typer(help="Score extraction, flags and cited answers on labelled data.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

SHARED_FS = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "fs-interactions" / "dev.jsonl"


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _metrics_table(title: str, metrics: dict[str, object], notes: dict[str, str] | None = None) -> None:
    from rich.table import Table

    table = Table("metric", "value", title=title)
    for name, value in metrics.items():
        shown = (
            "n/a" + (f" ({notes[name]})" if notes and name in notes else "")
            if value is None
            else (f"{value:.3f}" if isinstance(value, float) else str(value))
        )
        table.add_row(name, shown)
    console.print(table)


EngineOpt = Annotated[str, typer.Option("--engine", help="rules or llm (where the dataset supports it).")]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="The eval-data folder (default ../shared/eval-data).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write an HTML report here (and a .md beside it).")]


def _run_and_show(
    names: list[str],
    *,
    engine: str,
    data_dir: Path | None,
    as_json: bool,
    report: Path | None,
    fs_path: Path | None = None,
    split: str | None = None,
) -> None:
    """Run datasets with a progress bar, then print tables or JSON and write the report."""
    from evals.datasets import DatasetMissing
    from evals.runner import ENGINES, EngineNotSupported, data_available, run

    results = []
    skipped: dict[str, str] = {}
    missing: list[str] = []
    with _progress() as bar:
        for name in names:
            if engine not in ENGINES[name]:
                supported = ", ".join(ENGINES[name])
                skipped[name] = f"the {engine!r} engine cannot be used for {name} (supports: {supported})"
                continue
            why = None if fs_path and name == "fs-interactions" else data_available(name, data_dir)
            if why:
                skipped[name] = why
                missing.append(name)
                continue
            task = bar.add_task(name, total=None)

            def on_progress(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            try:
                results.append(
                    run(name, engine=engine, split=split, data_dir=data_dir, fs_path=fs_path, on_progress=on_progress)
                )
            except (EngineNotSupported, DatasetMissing) as exc:
                skipped[name] = str(exc)
            bar.remove_task(task)
    if len(names) == 1 and skipped:
        err.print(f"[red]{skipped[names[0]]}")
        raise typer.Exit(2)
    if report:
        from evals.report import write_report

        html_path, md_path = write_report(results, report, skipped=skipped)
        err.print(f"report written: {html_path} and {md_path}")
    if as_json:
        typer.echo(json.dumps({"results": [r.model_dump(mode="json") for r in results], "skipped": skipped}, indent=2))
        results = []
    for r in results:
        _metrics_table(f"{r.dataset} · {r.split} · {r.engine}", dict(r.metrics), r.notes)
        if len(names) == 1 and r.misses:
            _misses_table(r.misses)
    for name, why in skipped.items():
        err.print(f"[yellow]skipped {name}: {why}")
    if missing:
        # A run that silently scored fewer datasets than asked must not look like a pass.
        err.print(f"[red]data missing for: {', '.join(missing)}")
        raise typer.Exit(2)


def _misses_table(misses: list[dict[str, object]], limit: int = 40) -> None:
    from rich.table import Table

    table = Table(
        "record",
        "miss",
        "expected",
        "predicted",
        "text",
        title=f"{len(misses)} misses (first {limit})",
        show_lines=True,
    )
    for m in misses[:limit]:
        table.add_row(
            str(m.get("record_id") or m.get("meeting") or ""),
            str(m.get("kind", "")),
            str(m.get("expected", "")),
            str(m.get("predicted", "")),
            str(m.get("text", ""))[:300],
        )
    console.print(table)


@eval_app.command("fs-interactions")
def fs_interactions(
    data: Annotated[Path | None, typer.Option("--data", help="JSONL in the fs-interactions format.")] = None,
    engine: EngineOpt = "rules",
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
) -> None:
    """Score action extraction, owners, dates, types, purpose and flags on labelled interactions."""
    if data is not None and not data.exists():
        raise typer.BadParameter(f"{data} does not exist; pass --data PATH to a fs-interactions JSONL file")
    if data is None and data_dir is None and not SHARED_FS.exists():
        raise typer.BadParameter(f"{SHARED_FS} does not exist; pass --data PATH to a fs-interactions JSONL file")
    _run_and_show(["fs-interactions"], engine=engine, data_dir=data_dir, as_json=as_json, report=report, fs_path=data)


def _dataset_command(name: str, help_text: str) -> None:
    def command(
        engine: EngineOpt = "rules", data_dir: DataDirOpt = None, as_json: JsonOpt = False, report: ReportOpt = None
    ) -> None:
        _run_and_show([name], engine=engine, data_dir=data_dir, as_json=as_json, report=report)

    command.__doc__ = help_text
    eval_app.command(name)(command)


_dataset_command("fs-fresh", "Score an engine on the project's fs-fresh set (written blind, later tuned on).")
_dataset_command("fs-fresh2", "Score an engine on the project's fs-fresh2 set (written blind, never tuned on).")


@eval_app.command("kb-questions")
def kb_questions(
    split: Annotated[
        str, typer.Option(help="test (reported), train, dev, train+dev, demo (the 58 demo questions), or fresh "
                               "(the second blind set, evals/data/kb-fresh.jsonl).")
    ] = "test",
    engine: EngineOpt = "rules",
    as_json: JsonOpt = False,
    report: ReportOpt = None,
) -> None:
    """Abstention, citations, expected facts, section hit@5 (hybrid, vector, keyword) and ask time on KB questions."""
    _run_and_show(["kb-questions"], engine=engine, data_dir=None, as_json=as_json, report=report, split=split)


_dataset_command("enron-email-intent", "Request detection precision/recall on Enron email sentences (test split).")
_dataset_command("nlupp-banking", "Date, period and amount resolution on NLU++ banking (folds 10-19).")
_dataset_command("banking77", "Per-flag precision/recall of the sensitivity policy on Banking77 (test split).")
_dataset_command("banking77-themes", "Themes clustering purity and AMI against the 77 intents, beside TF-IDF k-means.")
_dataset_command("qmsum-ami", "Cited answers over AMI meeting transcripts and summary ROUGE (QMSum test).")


@eval_app.command("all")
def all_datasets(
    engine: EngineOpt = "rules", data_dir: DataDirOpt = None, as_json: JsonOpt = False, report: ReportOpt = None
) -> None:
    """Score every dataset (reported splits) and optionally write one HTML report."""
    from evals.runner import DATASETS

    _run_and_show(list(DATASETS), engine=engine, data_dir=data_dir, as_json=as_json, report=report)


@eval_app.command("baseline")
def baseline(
    write: Annotated[
        bool, typer.Option("--write", help="Regenerate evals/baseline.json from the current engines (with --only, "
                                           "only those datasets' scores).")
    ] = False,
    data_dir: DataDirOpt = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Score only this dataset (repeatable); default every gated dataset."),
    ] = None,
) -> None:
    """Compare the rules engine's dev/train scores with evals/baseline.json, or rewrite it.

    Exits 2 when a gated dataset's data is missing (it names which): a gate that scored
    nothing must not pass. Exits 1 when a score fell below the baseline.
    """
    from evals.baseline import BASELINE_FILE, compare, compute_scores, load_baseline, save_baseline
    from evals.runner import BASELINE_SPLITS

    unknown = [n for n in only or [] if n not in BASELINE_SPLITS]
    if unknown:
        err.print(f"[red]not a gated dataset: {', '.join(unknown)} (gated: {', '.join(BASELINE_SPLITS)})")
        raise typer.Exit(2)
    with console.status("scoring development splits…") as status:
        scores, skipped = compute_scores(
            data_dir=data_dir, names=only or None, on_step=lambda n: status.update(f"scoring {n}…")
        )
    for name, why in skipped.items():
        err.print(f"[red]data missing for {name}: {why}")
    if skipped:
        err.print(
            f"[red]{len(skipped)} of {len(skipped) + len(scores)} gated datasets could not be scored; "
            "the gate did not run" + (" and the baseline was not written" if write else "")
        )
        raise typer.Exit(2)
    if write:
        # `--only X` rewrites X's scores and keeps every other dataset's as recorded.
        save_baseline({**load_baseline(BASELINE_FILE), **scores} if only else scores, BASELINE_FILE)
        console.print(f"wrote {BASELINE_FILE} ({sum(len(v) for v in scores.values())} scores of "
                      f"{', '.join(scores)})")
        return
    drops = compare(load_baseline(BASELINE_FILE), scores)
    for line in drops:
        err.print(f"[red]{line}")
    if drops:
        raise typer.Exit(1)
    console.print(f"[green]no score below the baseline ({len(scores)} datasets scored: {', '.join(scores)})")


@eval_app.command("export-reviewed")
def export_reviewed(
    out: Annotated[Path | None, typer.Option("--out", help="JSONL file to write (default: stdout).")] = None,
) -> None:
    """Write approved and edited drafts as labelled cases in the fs-interactions format."""
    from clientloop.container import Container
    from evals.export_reviewed import export_cases

    container = Container()
    cases = export_cases(container)
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    if out:
        out.write_text(lines, encoding="utf-8")
        err.print(f"wrote {len(cases)} cases to {out}")
    else:
        typer.echo(lines, nl=False)


def _int_list(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v.replace("_", "")) for v in value.split(",") if v.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a comma-separated list of integers") from None
    if not sizes or min(sizes) < 0:
        raise typer.BadParameter("give at least one size, none negative")
    return sizes


def bench(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the table.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes, no LLM: under 2 minutes on 2 cores.")] = False,
    synthetic_docs: Annotated[int | None, typer.Option(help="Documents in the synthetic ingestion corpus.")] = None,
    ask_sizes: Annotated[
        str | None, typer.Option(help="Store sizes (chunks) for ask latency, e.g. 10000,100000.")
    ] = None,
    questions: Annotated[int | None, typer.Option(help="Questions timed per store size.")] = None,
    draft_words: Annotated[int | None, typer.Option(help="Transcript length for drafting latency.")] = None,
    brief_clients: Annotated[int | None, typer.Option(help="Clients in the synthetic brief book.")] = None,
    brief_interactions: Annotated[int | None, typer.Option(help="Interactions in the synthetic brief book.")] = None,
    review_requests: Annotated[int | None, typer.Option(help="Requests sent to the review API.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Concurrent review-API clients.")] = None,
    review_postgres: Annotated[
        str | None,
        typer.Option(help="Run the review API on PostgreSQL: a server URL, e.g. postgresql+psycopg://postgres@"
                          "127.0.0.1:5432/postgres (the bench makes its own database there and drops it after)."),
    ] = None,
    review_processes: Annotated[
        int | None, typer.Option(min=1, max=64, help="uvicorn processes serving the review API (as serve --processes).")
    ] = None,
    llm: Annotated[
        bool | None,
        typer.Option(
            "--llm/--no-llm",
            help="Draft the demo transcripts with SmolLM2 on a local llama.cpp server (default: on, off with --quick).",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Measure `clientloop demo` peak memory.")] = True,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare", help="A saved `bench --json` run: print each figure's change since it.", dir_okay=False
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option("--against", help="With --compare: compare this saved run instead of measuring.", dir_okay=False),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated sections to run (help, ingest, ask, draft_rules, brief, review_api, llm, demo).",
        ),
    ] = None,
) -> None:
    """Measure ingestion, ask, drafting, briefs, the review API, the LLM engine and memory, each beside a baseline."""
    from dataclasses import replace
    from typing import Any

    from rich.table import Table

    from evals.bench import BenchParams, run_bench
    from evals.bench_compare import load_report
    from evals.bench_figures import format_value, report_figures, table_rows

    if against is not None and compare is None:
        raise typer.BadParameter("--against needs --compare OLD.json")
    try:
        old = load_report(compare) if compare is not None else None
        if old is not None and against is not None:
            _print_comparison(old, load_report(against), as_json)
            return
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    params = BenchParams.quick() if quick else BenchParams()
    overrides: dict[str, Any] = {
        "synthetic_docs": synthetic_docs,
        "ask_questions": questions,
        "draft_words": draft_words,
        "brief_clients": brief_clients,
        "brief_interactions": brief_interactions,
        "review_requests": review_requests,
        "review_concurrency": concurrency,
        "review_postgres_url": review_postgres,
        "review_processes": review_processes,
        "llm": llm,
    }
    params = replace(params, **{k: v for k, v in overrides.items() if v is not None}, demo=demo)
    if ask_sizes is not None:
        params = replace(params, ask_sizes=_int_list(ask_sizes))
    if only:
        params = replace(params, only=tuple(o.strip() for o in only.split(",") if o.strip()))

    def started(name: str, index: int, total: int) -> None:
        status.update(f"bench [{index}/{total}] {name}…")

    def done(name: str, seconds: float, raw: dict[str, object]) -> None:
        outcome = f"[red]failed: {raw['error']}" if "error" in raw else "[green]done"
        err.print(f"bench {name}: {outcome}[/] in {seconds:.1f} s")

    with err.status("bench…") as status:
        report = run_bench(params, on_step=started, on_done=done)
    if old is not None:
        _print_comparison(old, report, as_json)
        return
    if as_json:
        typer.echo(json.dumps(report, indent=2, allow_nan=False))
        return
    m = report["machine"]
    console.print(
        f"[bold]machine[/]: {m.get('cpus')} CPUs ({m.get('cpus_usable')} usable"
        + (f", cgroup limit {m['cgroup_cpus']}" if "cgroup_cpus" in m else "")
        + f"), {m.get('cpu_model', 'unknown model')}, {m.get('ram_gb', '?')} GB RAM, Python {m['python']}; "
        f"load average {m['load_avg_1m']} at start, {m['load_avg_1m_end']} at end"
    )
    table = Table(
        "section",
        "figure",
        "value",
        "baseline",
        "ratio",
        title=f"clientloop bench{' --quick' if quick else ''} ({format_value(report['total_s'], 's')})",
    )
    for row in table_rows(report_figures(report)):
        table.add_row(*row)
    console.print(table)
    console.print(
        "[dim]ratio = value / baseline. Every baseline is measured in this run on this machine; "
        "ask_* stores use synthetic vectors (see the store build row). --json gives every raw figure.[/]"
    )


def _print_comparison(old: dict[str, object], new: dict[str, object], as_json: bool) -> None:
    from rich.table import Table

    from evals.bench_compare import change_rows, compare, comparison, machine_differences

    if as_json:
        typer.echo(json.dumps({"comparison": comparison(old, new), "new": new}, indent=2, allow_nan=False))
        return
    for what, a, b in machine_differences(old, new):
        err.print(f"[yellow]machines differ:[/] {what} {a} → {b} (trust the ratio columns over raw values)")
    table = Table(
        "section",
        "figure",
        "old",
        "new",
        "change",
        "old ratio",
        "new ratio",
        "verdict",
        title="clientloop bench: change since the old run",
    )
    for row in change_rows(compare(old, new)):
        table.add_row(*row)
    console.print(table)
    console.print("[dim]ratio = value / the baseline measured in the same run; verdict: ±5% is the same.[/]")
