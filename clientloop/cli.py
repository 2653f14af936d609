"""The `clientloop` command line (Typer + Rich): the app, its commands in order, plain help.

The commands live beside this module, one concern each (`cli_ask`, `cli_capture`,
`cli_serve`, `cli_demo`, `cli_clients`, `cli_review`, `cli_audit`, `cli_users`, `cli_kb`,
`cli_eval`); this module only puts them together. Those modules import typer and rich
at the top and everything heavy inside the commands, so `clientloop --help` stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from clientloop.cli_common import err

app = typer.Typer(
    name="clientloop",
    help="Cited knowledge answers, interaction drafts and review gates for relationship and service teams.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from clientloop import __version__

        typer.echo(f"clientloop {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Cited knowledge answers, interaction drafts and review gates for relationship and service teams."""


def _register_commands() -> None:
    """Every command and group, in the order `clientloop --help` lists them."""
    from clientloop.cli_ask import ask
    from clientloop.cli_audit import audit_app
    from clientloop.cli_capture import draft, ingest
    from clientloop.cli_clients import actions_app, brief, clients_app, weekly
    from clientloop.cli_demo import demo
    from clientloop.cli_eval import bench, eval_app
    from clientloop.cli_jobs import jobs_app
    from clientloop.cli_kb import kb_app
    from clientloop.cli_review import review_app
    from clientloop.cli_serve import mcp, serve, worker
    from clientloop.cli_users import users_app

    for command in (ingest, ask, demo, serve, mcp, draft, worker, bench, brief, weekly):
        app.command()(command)
    for name, group in (
        ("eval", eval_app),
        ("review", review_app),
        ("audit", audit_app),
        ("users", users_app),
        ("jobs", jobs_app),
        ("clients", clients_app),
        ("actions", actions_app),
        ("kb", kb_app),
    ):
        app.add_typer(group, name=name)


_register_commands()


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

    try:
        _plain_help(typer.main.get_command(app))(prog_name="clientloop")
    except ValidationError as exc:  # the settings read from CLIENTLOOP_* variables or .env
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        err.print(f"[bold red]configuration error:[/] {problems}")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
