"""The `users` command group: users, roles and API keys (stored only as hashes)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from clientloop.cli_common import console, err, iso, make_table, run_in_session

users_app = typer.Typer(help="Users, roles and API keys.", no_args_is_help=True)


def _run(fn: Any) -> Any:
    return run_in_session(fn, name_error=True)


ExpiresIn = Annotated[
    int | None,
    typer.Option(
        "--expires-in-days", min=0, help="Days the key stays valid (default CLIENTLOOP_API_KEY_DAYS; 0 = never)."
    ),
]
By = Annotated[str, typer.Option("--by", help="Who is doing this, for the audit trail.")]


def _expiry(days: int | None, container: Any) -> Any:
    from review.users import expiry_after

    return expiry_after(container.settings.api_key_days if days is None else days)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (an RM's name is their book's owner).")],
    role: Annotated[str, typer.Option("--role", help="rm, reviewer, service or admin.")],
    expires_in_days: ExpiresIn = None,
    by: By = "cli",
) -> None:
    """Create a user and print their API key once (it is stored only as a hash)."""
    from review.users import create_user

    def go(session: Any, container: Any) -> Any:
        user, key = create_user(
            session=session, name=name, role=role, expires_at=_expiry(expires_in_days, container), actor=by
        )
        return user.name, user.role, user.key_expires_at, key

    uname, urole, expires, key = _run(go)
    until = f"valid until {expires:%Y-%m-%d %H:%M} UTC" if expires else "no expiry"
    err.print(f"created {urole} {uname} ({until}); the key is shown once, store it now:")
    typer.echo(key)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List users with their key's state, id (not the key), expiry and open web sessions."""
    from review.users import key_id, key_state, list_users, open_session_counts

    def go(session: Any, _c: Any) -> Any:
        counts = open_session_counts(session=session)
        return [
            {
                "name": u.name,
                "role": u.role,
                "state": key_state(u),
                "key_id": key_id(u),
                "key_expires_at": iso(u.key_expires_at),
                "created_at": iso(u.created_at),
                "rotated_at": iso(u.rotated_at),
                "revoked_at": iso(u.revoked_at),
                "web_sessions": counts.get(u.id, 0),
            }
            for u in list_users(session=session)
        ]

    rows = _run(go)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = make_table(
        "name", "role", "key", "key id", "expires", "changed", "web", ids=("key id",), title=f"{len(rows)} user(s)"
    )
    table.columns[3].min_width = 12  # a key id is 12 characters, shown whole
    for r in rows:
        changed = (
            f"revoked {r['revoked_at'][:10]}"
            if r["revoked_at"]
            else f"rotated {r['rotated_at'][:10]}"
            if r["rotated_at"]
            else "-"
        )
        expires = r["key_expires_at"][:10] if r["key_expires_at"] else "never"
        table.add_row(r["name"], r["role"], r["state"], r["key_id"], expires, changed, str(r["web_sessions"]))
    console.print(table)


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument(help="The user whose key to revoke.")], by: By = "cli") -> None:
    """Revoke a user's key now and end their web sessions (the user stays in the trail)."""
    from review.users import revoke_user

    _run(lambda session, _c: revoke_user(session=session, name=name, actor=by))
    console.print(f"revoked {name}: the key and every web session of {name} stopped working")


@users_app.command("rotate")
def users_rotate(
    name: Annotated[str, typer.Argument(help="The user whose key to replace.")],
    expires_in_days: ExpiresIn = None,
    by: By = "cli",
) -> None:
    """Replace a user's key (the old one stops at once), end their web sessions, print the new key once."""
    from review.users import rotate_key

    def go(session: Any, container: Any) -> Any:
        user, key = rotate_key(session=session, name=name, expires_at=_expiry(expires_in_days, container), actor=by)
        return user.key_expires_at, key

    expires, key = _run(go)
    until = f"valid until {expires:%Y-%m-%d %H:%M} UTC" if expires else "no expiry"
    err.print(f"rotated the key of {name} ({until}); the old key no longer works. The new key, shown once:")
    typer.echo(key)
