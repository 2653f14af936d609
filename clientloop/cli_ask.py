"""`clientloop ask`: a cited knowledge answer, or an honest abstention, on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from clientloop.cli_common import console, fail, make_container

if TYPE_CHECKING:
    from knowledge.schemas import Answer


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
            heading = heading[len(c.source_title) :].lstrip(" >")
        where = c.source_title + (f" › {heading}" if heading else "")
        console.print(f"  [cyan][{c.id}][/] {where} [dim](chars {c.span[0]}–{c.span[1]})[/]", highlight=False)
        console.print(f"      “{_display(c.quote)}”", highlight=False)
    for s in answer.unsupported:
        console.print(f"  [red]unsupported, removed:[/] {_display(s)}")


def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    engine: Annotated[str | None, typer.Option("--engine", help="rules or llm (default: settings).")] = None,
) -> None:
    """Answer a question from the knowledge base, with numbered citations, or abstain."""
    from clientloop.ask import ask as run_ask
    from records.errors import ClientloopError

    try:
        answer = run_ask(make_container(), question, engine=engine)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)
