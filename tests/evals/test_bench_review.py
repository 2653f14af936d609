"""The review bench: the server CPU reading (the server process and the worker processes it starts), and the load
generator counting what the server never answered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evals.bench_review import _server_cpu_s

BURN_IN_CHILD = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', "
    "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.4: pass\\ntime.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_cpu_of_a_worker_process_counts_for_the_server_that_started_it() -> None:
    server = subprocess.Popen([sys.executable, "-c", BURN_IN_CHILD], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        deadline = time.monotonic() + 20
        used = _server_cpu_s(server.pid) or 0.0
        while used < 0.35 and time.monotonic() < deadline:
            time.sleep(0.2)
            used = _server_cpu_s(server.pid) or 0.0
        assert used >= 0.35  # the parent itself only sleeps: the burn is its child's
    finally:
        os.kill(child, signal.SIGKILL)
        server.kill()
        server.wait()
    assert _server_cpu_s(server.pid) is None  # gone: nothing to read


def _mock_client(monkeypatch, handler) -> None:
    import httpx

    import evals.bench_load as load

    monkeypatch.setattr(load, "new_client", lambda base, _concurrency: httpx.AsyncClient(
        base_url=base, transport=httpx.MockTransport(handler)))


def test_a_read_the_server_never_answers_is_counted_by_kind_and_the_phase_goes_on(monkeypatch) -> None:
    import asyncio
    import itertools

    import httpx

    from evals.bench_load import load_gets

    calls = itertools.count()

    def handler(request: httpx.Request) -> httpx.Response:
        n = next(calls)
        if n % 5 == 0:
            raise httpx.ReadError("connection reset by peer", request=request)
        if n % 5 == 1:
            raise httpx.RemoteProtocolError("server disconnected without sending a response", request=request)
        return httpx.Response(503 if n % 5 == 2 else 200, json={})

    _mock_client(monkeypatch, handler)
    out = asyncio.run(load_gets("http://bench", 20, 4, lambda _i: ("/healthz", {}, {})))
    assert out["unanswered"] == {"ReadError": 4, "RemoteProtocolError": 4}
    assert out["errors"] == 12 and len(out["timings"]) == 12  # 4 unanswered of each kind, 4 answered 503


def test_a_workflow_step_left_unanswered_is_an_error_of_that_step(monkeypatch) -> None:
    import asyncio

    import httpx

    from evals.bench_load import workflow

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/reviews/r1":
            raise httpx.ReadError("connection reset by peer", request=request)
        return httpx.Response(200, json={}, headers={"ETag": '"1"'})

    _mock_client(monkeypatch, handler)
    out = asyncio.run(workflow("http://bench", {f"rev{i}": "k" for i in range(4)}, ["r0", "r1"], 100, 2))
    assert out["errors"] == {"show:ReadError": 1}
    assert [len(out["timings"][op]) for op in ("list", "show", "claim", "approve")] == [2, 1, 1, 1]


def test_the_load_generator_drops_idle_connections_before_the_server_does() -> None:
    from evals.bench_load import CLIENT_KEEPALIVE_S, SERVER_KEEPALIVE_S

    assert CLIENT_KEEPALIVE_S <= SERVER_KEEPALIVE_S / 2


def test_wrk_gets_is_none_without_wrk(monkeypatch) -> None:
    import shutil

    from evals.bench_load import wrk_gets

    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert wrk_gets("http://127.0.0.1:9", [("/healthz", None)], 2, 1) is None


@pytest.mark.skipif(__import__("shutil").which("wrk") is None, reason="needs Debian's wrk")
def test_wrk_sends_the_requests_in_turn_with_their_keys_and_counts_refusals() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from evals.bench_load import wrk_gets

    seen: list[tuple[str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            seen.append((self.path, self.headers.get("Authorization")))
            status = 403 if self.path == "/refused" else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        got = wrk_gets(f"http://127.0.0.1:{server.server_port}", [("/a", "key-a"), ("/b", None), ("/refused", "k")],
                       1, 1)
    finally:
        server.shutdown()
    assert got is not None and got["requests"] >= 3 and got["req_per_s"] > 0
    cycle = [("/a", "Bearer key-a"), ("/b", None), ("/refused", "Bearer k")]
    start = cycle.index(seen[0])  # wrk draws one request itself before sending: the turn may start anywhere
    assert seen == [cycle[(start + i) % 3] for i in range(len(seen))]
    refused = sum(1 for path, _ in seen if path == "/refused")
    # One connection: at most the request in flight when wrk stops is answered but not counted.
    assert refused - 1 <= got["errors"] <= refused and got["errors"] > 0
