"""`clientloop mcp`: read-only tools, each call made as the key's user under the API's access rule."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from clientloop.ingest import ingest_bytes
from clientloop.mcp_server import build_server
from records.session import session_scope
from review.users import rotate_key
from tests.factories import make_client, make_user, release_one

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(container):
    """Priya's released interaction for Daniel Okafor, a fee schedule in the KB, and keys per role."""
    release_one(container)
    make_client(container, "Other Client", owner="omar")
    ingest_bytes(container, b"# Fees\n\n## CHAPS\n\nA CHAPS payment costs 25 GBP.\n", "fees.md", kind="kb")
    keys = {name: make_user(container, name, role)[1] for name, role in [("omar", "rm"), ("sam", "service")]}
    with session_scope(container.engine) as s:
        keys["priya"] = rotate_key(session=s, name="priya", actor="test")[1]  # release_one made her; a key to use
    return keys


def _call(server_or_params, tool: str, args: dict) -> tuple[bool, dict | str]:
    async def main():
        async with Client(server_or_params) as client:
            result = await client.call_tool(tool, args)
            text = result.content[0].text if result.content else ""
            return result.is_error, (text if result.is_error else json.loads(text))

    return anyio.run(main)


def _tools(server) -> list:
    async def main():
        async with Client(server) as client:
            return (await client.list_tools()).tools

    return anyio.run(main)


def test_every_tool_is_read_only(container, world) -> None:
    tools = {t.name: t for t in _tools(build_server(container, stdio_key=world["priya"]))}
    assert set(tools) == {"ask_knowledge_base", "client_brief", "search_client_history", "weekly_review"}
    assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in tools.values())


def test_an_rm_reads_only_their_own_book(container, world) -> None:
    priya = build_server(container, stdio_key=world["priya"])
    omar = build_server(container, stdio_key=world["omar"])
    failed, brief = _call(priya, "client_brief", {"client": "Daniel Okafor"})
    assert not failed and brief["client_name"] == "Daniel Okafor"
    failed, message = _call(omar, "client_brief", {"client": "Daniel Okafor"})
    assert failed and "unknown client" in message
    failed, found = _call(priya, "search_client_history", {"client": "Daniel Okafor", "query": "remortgage"})
    assert not failed and found["hits"] and "remortgage" in found["hits"][0]["quote"].lower()
    failed, message = _call(omar, "search_client_history", {"client": "Daniel Okafor", "query": "remortgage"})
    assert failed and "unknown client" in message
    failed, weekly = _call(omar, "weekly_review", {"owner": "priya"})
    assert not failed and weekly["owner"] == "omar"  # an RM always gets their own book


def test_service_staff_ask_but_read_no_client_records(container, world) -> None:
    sam = build_server(container, stdio_key=world["sam"])
    failed, answer = _call(sam, "ask_knowledge_base", {"question": "What is the fee for a CHAPS payment?"})
    assert not failed and not answer["abstained"] and answer["citations"]
    for tool, args in [("client_brief", {"client": "Daniel Okafor"}), ("weekly_review", {})]:
        failed, message = _call(sam, tool, args)
        assert failed and "forbidden" in message.lower(), message


def test_a_call_without_a_valid_key_is_refused(container, world) -> None:
    for key in (None, "clk_not-a-key"):
        server = build_server(container, stdio_key=key)
        failed, message = _call(server, "ask_knowledge_base", {"question": "CHAPS fee?"})
        assert failed and "unauthenticated" in message.lower()


def test_stdio_server_answers_the_packages_own_client(container, world, settings) -> None:
    env = {"PYTHONPATH": str(REPO), "CLIENTLOOP_DATA_DIR": str(settings.data_dir), "CLIENTLOOP_ENV": "test",
           "CLIENTLOOP_API_KEY": world["priya"], "HOME": os.environ.get("HOME", "/tmp")}
    if settings.database_url:
        env["CLIENTLOOP_DATABASE_URL"] = settings.database_url
    params = StdioServerParameters(command=sys.executable, args=["-m", "clientloop.cli", "mcp"], env=env)
    failed, brief = _call(params, "client_brief", {"client": "Daniel Okafor"})
    assert not failed and brief["client_name"] == "Daniel Okafor"


def test_http_calls_use_the_requests_bearer_key_never_the_stdio_key(container, world) -> None:
    from types import SimpleNamespace

    from clientloop.mcp_server import _Caller
    from records.errors import Unauthenticated

    caller = _Caller(container, stdio_key=world["priya"])
    over_http = SimpleNamespace(headers={"authorization": f"Bearer {world['omar']}"})
    assert caller.user(over_http).name == "omar"
    with pytest.raises(Unauthenticated):
        caller.user(SimpleNamespace(headers={}))  # an HTTP request without a key does not inherit stdio's
    assert caller.user(SimpleNamespace(headers=None)).name == "priya"  # stdio carries no headers
