"""`clientloop ask`: a cited knowledge answer, or an honest abstention, on the terminal.

Two ways to answer, one output: here, from this machine's knowledge base (the vector
store and the embedding model load in this process), or with `--server URL` from a
running `clientloop serve` over `POST /v1/ask`, which answers from models it already
holds; that path imports no retrieval code at all, so it starts in a fraction of the time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import console, fail, make_container

if TYPE_CHECKING:
    from knowledge.schemas import Answer

SERVER_TIMEOUT_SECONDS = 120.0
"""How long `--server` waits for an answer (an LLM answer can take a while on a small server)."""


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
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            metavar="URL",
            envvar="CLIENTLOOP_SERVER_URL",
            help="Ask a running `clientloop serve` at URL (POST /v1/ask) instead of this machine's data.",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            metavar="KEY",
            envvar="CLIENTLOOP_API_KEY",
            help="Your API key for --server; prefer the variable (a flag shows in the process list).",
        ),
    ] = None,
) -> None:
    """Answer a question from the knowledge base, with numbered citations, or abstain."""
    if engine not in (None, "rules", "llm"):
        raise fail(f"--engine must be rules or llm, not {engine!r}", 2)
    answer = _ask_server(server, api_key, question, engine) if server else _ask_here(question, engine)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


def _ask_here(question: str, engine: str | None) -> Answer:
    from clientloop.ask import ask as run_ask
    from records.errors import ClientloopError

    try:
        return run_ask(make_container(), question, engine=engine)
    except ClientloopError as exc:
        raise fail(str(exc)) from exc


def _ask_server(url: str, api_key: str | None, question: str, engine: str | None) -> Answer:
    """The server's answer to `question`; every way the request can fail becomes a clean exit."""
    import json

    from knowledge.schemas import Answer

    if not api_key:
        raise fail("--server needs your API key: set CLIENTLOOP_API_KEY (from `clientloop users add`)", 2)
    body: dict[str, Any] = {"question": question}
    if engine:
        body["engine"] = engine
    endpoint = url.rstrip("/") + "/v1/ask"
    status, payload = _post_json(endpoint, body, api_key)
    if status != 200:
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        raise fail(f"{endpoint} answered {status}: {error.get('message') or json.dumps(payload)[:300]}")
    try:
        return Answer.model_validate(payload)
    except ValueError as exc:
        raise fail(f"{endpoint} did not answer with a clientloop answer ({exc.__class__.__name__})") from exc


def _post_json(endpoint: str, body: dict[str, Any], api_key: str) -> tuple[int, Any]:
    """POST `body` as JSON with the key as a bearer token; return (status, decoded body).

    The standard library's client keeps this path free of any HTTP package's import cost.
    """
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=SERVER_TIMEOUT_SECONDS) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, {"error": {"message": raw.decode("utf-8", "replace")[:300]}}
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise fail(f"cannot reach {endpoint}: {reason}") from exc
    except ValueError as exc:  # a 200 whose body is not JSON
        raise fail(f"{endpoint} did not answer JSON") from exc
