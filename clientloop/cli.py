"""The `clientloop` command line (Typer + Rich): the app, its commands in order, plain help.

The commands live beside this module, one concern each (`cli_ask`, `cli_capture`,
`cli_serve`, `cli_demo`, `cli_clients`, `cli_review`, `cli_audit`, `cli_users`,
`cli_jobs`, `cli_kb`, `cli_eval`); this module only puts them together. Those modules
import typer and rich at the top and everything heavy inside the commands.

`main` builds only the command it is asked to run (`clientloop ask ...` loads `cli_ask`
and nothing else of the CLI); `--help`, `--version` and anything unknown get the whole
app, as does `from clientloop.cli import app`.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Annotated, Any

import typer

COMMANDS: list[tuple[str, str, str]] = [
    ("ingest", "clientloop.cli_capture", "ingest"),
    ("ask", "clientloop.cli_ask", "ask"),
    ("demo", "clientloop.cli_demo", "demo"),
    ("serve", "clientloop.cli_serve", "serve"),
    ("mcp", "clientloop.cli_serve", "mcp"),
    ("draft", "clientloop.cli_capture", "draft"),
    ("worker", "clientloop.cli_serve", "worker"),
    ("bench", "clientloop.cli_eval", "bench"),
    ("brief", "clientloop.cli_clients", "brief"),
    ("weekly", "clientloop.cli_clients", "weekly"),
    ("themes", "clientloop.cli_themes", "themes"),
    ("handover", "clientloop.cli_handover", "handover"),
]
"""The commands (name, module, function), in the order `clientloop --help` lists them."""

GROUPS: list[tuple[str, str, str]] = [
    ("eval", "clientloop.cli_eval", "eval_app"),
    ("review", "clientloop.cli_review", "review_app"),
    ("audit", "clientloop.cli_audit", "audit_app"),
    ("users", "clientloop.cli_users", "users_app"),
    ("jobs", "clientloop.cli_jobs", "jobs_app"),
    ("clients", "clientloop.cli_clients", "clients_app"),
    ("actions", "clientloop.cli_clients", "actions_app"),
    ("kb", "clientloop.cli_kb", "kb_app"),
    ("onboarding", "clientloop.cli_onboarding", "onboarding_app"),
]
"""The command groups (name, module, Typer app), listed after the commands."""

ONE_SHOT = frozenset({"ask"})
"""Commands that answer and exit: they run without the cyclic garbage collector."""

_HELP = "Cited knowledge answers, interaction drafts and review gates for relationship and service teams."


def _show_version(value: bool) -> None:
    if value:
        from clientloop import __version__

        typer.echo(f"clientloop {__version__}")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Cited knowledge answers, interaction drafts and review gates for relationship and service teams."""


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command and group, or with only the one named `only`."""
    built = typer.Typer(
        name="clientloop", help=_HELP, no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False
    )
    built.callback()(_main)
    for name, module, attr in COMMANDS:
        if only in (None, name):
            built.command(name)(getattr(importlib.import_module(module), attr))
    for name, module, attr in GROUPS:
        if only in (None, name):
            built.add_typer(getattr(importlib.import_module(module), attr), name=name)
    return built


def __getattr__(name: str) -> Any:
    # `from clientloop.cli import app` (the tests, `python -m`) gets the whole app, built once.
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_METAVARS = {"as_user": "NAME"}
"""Value names that read better than the parameter's (`--as NAME`, not `--as AS_USER`)."""


def _metavar(param: Any) -> str:
    return _METAVARS.get(param.name or "", (param.name or "value").upper())


def _plain_help(command: Any) -> Any:
    """Help in words: a flag shows no type, a value its name (`--client CLIENT`), never `<str>` or `<list[Path]>`.

    `command` is the click command Typer builds (Typer carries its own copy of click, so
    parameters are told apart by their `param_type_name`, not by class).
    """
    for param in command.params:
        desc = getattr(param, "type_descriptor", None)
        if param.param_type_name == "argument":
            # Typer prints an argument's Python type beside its name; the name says enough.
            param.display_type_rich = lambda ctx: None
            param.metavar = param.metavar or _metavar(param)
        elif param.metavar is None and not (desc is not None and desc.is_choice):
            param.metavar = "" if getattr(param, "is_flag", False) else _metavar(param)
    make_help = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)
    return command


def main() -> None:
    """The `clientloop` console script: the Typer app with plain help; bad settings exit 2 with what to fix."""
    from pydantic import ValidationError

    from clientloop.cli_common import err

    first = sys.argv[1] if len(sys.argv) > 1 else None
    known = {name for name, _m, _a in COMMANDS + GROUPS}
    if first in ONE_SHOT:
        # Loading chromadb, SQLAlchemy and the model builds millions of objects the cyclic
        # collector would walk again and again; a one-shot command's garbage dies with it.
        gc.disable()
    try:
        _plain_help(typer.main.get_command(build_app(first if first in known else None)))(prog_name="clientloop")
    except ValidationError as exc:  # the settings read from CLIENTLOOP_* variables or .env
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        err.print(f"[bold red]configuration error:[/] {problems}")
        raise SystemExit(2) from None
    finally:
        # The process ends next: spare the interpreter's shutdown a full collection (0.4 s after an ask).
        gc.freeze()


if __name__ == "__main__":
    main()
