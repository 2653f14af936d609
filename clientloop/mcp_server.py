"""`clientloop mcp`: the Model Context Protocol server, read-only, with the caller's own key.

An assistant connected here can ask the knowledge base (cited answers or an abstention),
read a client brief, search a client's released history and read the weekly review. It
cannot change anything: no tool writes a record (the brief is composed without storing a
snapshot). Every call is made as the user whose API key the connection carries, through
the same functions and the same access rule as the HTTP API: an RM's assistant sees that
RM's book only, and a role without a permission gets the same refusal as over HTTP.

Over stdio the key comes from `CLIENTLOOP_API_KEY` in the server's environment (the
assistant's MCP configuration sets it). Over streamable HTTP each request carries
`Authorization: Bearer <key>`, checked per call.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import date
from typing import Any

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from sqlmodel import Session

from clientloop.container import Container
from records.access import require_permission
from records.errors import ClientloopError, Unauthenticated
from records.session import session_scope
from records.tables import User

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def _bearer(ctx: Context) -> str | None:
    headers = ctx.headers or {}
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, key = value.partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


class _Caller:
    """Resolves the user behind a tool call: the request's bearer key, else the stdio key."""

    def __init__(self, container: Container, stdio_key: str | None) -> None:
        self.container = container
        self.stdio_key = stdio_key

    def user(self, ctx: Context) -> User:
        from review.users import authenticate

        key = _bearer(ctx) or (self.stdio_key if ctx.headers is None else None)
        if not key:
            raise Unauthenticated("no API key: set CLIENTLOOP_API_KEY for stdio, or send Authorization: Bearer <key>")
        with Session(self.container.engine, expire_on_commit=False) as session:
            user = authenticate(session=session, key=key)
            if user is not None:
                session.expunge(user)
        if user is None:
            raise Unauthenticated("the API key is not valid (unknown, revoked, expired or mistyped)")
        return user


async def _call(fn: Any, *args: Any) -> Any:
    """Run a blocking domain call off the event loop; our errors become the tool's error text."""
    try:
        return await anyio.to_thread.run_sync(fn, *args)
    except ClientloopError as exc:
        raise ToolError(f"{exc.code}: {exc}") from exc


def build_server(container: Container, *, stdio_key: str | None = None) -> MCPServer:
    """The MCP server around one container; `stdio_key` is the key stdio calls are made with."""
    caller = _Caller(container, stdio_key)
    server = MCPServer("clientloop", instructions=(
        "Read-only access to a bank's clientloop: cited knowledge-base answers (or an honest abstention), "
        "client briefs, a client's released interaction history and the weekly review, limited to the "
        "caller's own book and role."))

    @server.tool(annotations=READ_ONLY)
    async def ask_knowledge_base(question: str, ctx: Context) -> dict[str, Any]:
        """Answer a question from the knowledge base with numbered citations, or abstain when it cannot."""
        from clientloop.ask import ask

        def go(user: User) -> dict[str, Any]:
            require_permission(user, "ask")
            return ask(container, question).model_dump(mode="json")

        return dict(await _call(lambda: go(caller.user(ctx))))

    @server.tool(annotations=READ_ONLY)
    async def client_brief(client: str, ctx: Context, as_of: date | None = None) -> dict[str, Any]:
        """The two-minute brief of one client in your book (id, CRM id or exact name), each line with its source."""
        from clients.brief import generate_brief

        def go(user: User) -> dict[str, Any]:
            with session_scope(container.engine) as session:
                brief = generate_brief(session=session, client_ref=client, as_of=as_of, user=user, store=False)
                return brief.model_dump(mode="json")

        return dict(await _call(lambda: go(caller.user(ctx))))

    @server.tool(annotations=READ_ONLY)
    async def search_client_history(client: str, query: str, ctx: Context, limit: int = 10) -> dict[str, Any]:
        """Search one client's released interactions (never unreviewed drafts); best matches first, with quotes."""
        from clients.history import search_history

        def go(user: User) -> dict[str, Any]:
            with Session(container.engine) as session:
                hits = search_history(session, client, query, user, limit=max(1, min(limit, 50)))
                return {"hits": [asdict(h) for h in hits]}

        return dict(await _call(lambda: go(caller.user(ctx))))

    @server.tool(annotations=READ_ONLY)
    async def weekly_review(ctx: Context, owner: str | None = None, as_of: date | None = None) -> dict[str, Any]:
        """The weekly review of a book: overdue and due actions, alerts, vague notes (an RM always gets their own)."""
        from clients.weekly import weekly_review as review

        def go(user: User) -> dict[str, Any]:
            require_permission(user, "clients")
            with Session(container.engine) as session:
                return review(session=session, owner=owner, user=user, as_of=as_of).model_dump(mode="json")

        return dict(await _call(lambda: go(caller.user(ctx))))

    return server


def run(container: Container, *, transport: str, host: str, port: int) -> None:
    """Serve over stdio (key from CLIENTLOOP_API_KEY) or streamable HTTP (a key per request)."""
    if transport == "stdio":
        build_server(container, stdio_key=os.environ.get("CLIENTLOOP_API_KEY")).run("stdio")
        return
    build_server(container).run("streamable-http", host=host, port=port)
