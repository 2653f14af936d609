"""The `audit` command group: verify the hash-chained audit trail, write signed checkpoints."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from clientloop.cli_common import console, err, fail, make_container

audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify_cmd(
    expect_head: Annotated[str | None, typer.Option(help="A head hash recorded earlier.")] = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also re-derive every draft version, decision, release and action status from the trail."
        ),
    ] = False,
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
        report = verify_audit(make_container(), deep=deep, expected_head=expect_head)
    except ClientloopError as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from exc
    if as_json:
        _print_audit_json(report)
    else:
        _print_audit(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_audit_json(report: Any) -> None:
    from dataclasses import asdict

    console.print_json(
        json.dumps(
            {
                "ok": report.ok,
                "chain": asdict(report.chain),
                "anchors": asdict(report.anchors),
                "deep": report.deep,
                "disagreements": [asdict(d) for d in report.disagreements],
            }
        )
    )


def _print_audit(report: Any) -> None:
    chain, anchors = report.chain, report.anchors
    if chain.ok:
        console.print(f"[green]ok[/]: chain of {chain.checked} event(s) verified; head {chain.head_hash}")
    else:
        err.print(
            f"[bold red]chain broken[/] at event {chain.first_broken_seq}: {chain.reason} "
            f"({chain.checked} event(s) read)"
        )
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

    container = make_container()
    cp = checkpoint_now(container)
    if cp is None:
        console.print("the audit trail is empty: nothing to checkpoint")
        return
    console.print(f"checkpoint: event {cp.seq}, head {cp.hash} -> {container.settings.resolved_audit_checkpoint_file}")
