"""The review bench's load generator: concurrent clients sending requests over loopback, and what came back.

Every request the server answers is timed; one it never answers (the connection reset or
closed under it: httpx's `ReadError`, `RemoteProtocolError`) is an error of its phase,
counted by kind, and the phase goes on. Neither ends the run, and neither drops out of the
figures.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

SERVER_KEEPALIVE_S = 5
"""How long the server keeps an idle connection open: uvicorn's default, as `clientloop serve` runs it."""
CLIENT_KEEPALIVE_S = 2.0
"""How long the load generator reuses an idle connection: well inside the server's, so it never sends on one
the server is closing."""


async def load_gets(base: str, n_requests: int, concurrency: int,
                    request: Callable[[int], tuple[str, dict[str, Any], dict[str, str]]]) -> dict[str, Any]:
    """`n_requests` GETs from `concurrency` concurrent clients; `request(i)` gives the i-th (path, params, headers)."""
    import httpx

    timings: list[float] = []
    errors = 0
    unanswered: dict[str, int] = {}
    async with new_client(base, concurrency) as client:
        per_client = [n_requests // concurrency + (i < n_requests % concurrency) for i in range(concurrency)]

        async def one(first: int, n: int) -> None:
            nonlocal errors
            for i in range(first, first + n):
                path, params, headers = request(i)
                t0 = time.perf_counter()
                try:
                    r = await client.get(path, params=params, headers=headers)
                except httpx.TransportError as exc:
                    count(unanswered, type(exc).__name__)
                    errors += 1
                    continue
                timings.append(time.perf_counter() - t0)
                errors += r.status_code >= 400

        starts = [sum(per_client[:i]) for i in range(concurrency)]
        t0 = time.perf_counter()
        await asyncio.gather(*(one(first, n) for first, n in zip(starts, per_client, strict=True)))
        elapsed = time.perf_counter() - t0
    return {"timings": timings, "errors": errors, "unanswered": unanswered, "elapsed": elapsed}


def new_client(base: str, concurrency: int) -> Any:
    """The load generator's client: a connection per concurrent client, kept alive for less than the server keeps it.

    httpx keeps an idle connection 5 s by default, exactly as long as uvicorn does, so a
    request could go out on a connection the server was closing at that moment and come back
    as a `ReadError` (reset) or `RemoteProtocolError` (closed without a response). Dropping
    idle connections well before the server does leaves no such race.
    """
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency,
                          keepalive_expiry=CLIENT_KEEPALIVE_S)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0)


def count(counts: dict[str, int], key: str) -> None:
    """Add one to `counts[key]`."""
    counts[key] = counts.get(key, 0) + 1


def reviewer(keys: dict[str, str], i: int) -> dict[str, str]:
    """The headers of the i-th request's reviewer (four take turns)."""
    return {"Authorization": f"Bearer {keys[f'rev{i % 4}']}"}


async def workflow(base: str, keys: dict[str, str], ids: list[str], n_requests: int,
                   concurrency: int) -> dict[str, Any]:
    """The workflow: per draft, list, show, claim and approve (which releases)."""
    import httpx

    timings: dict[str, list[float]] = {"list": [], "show": [], "claim": [], "approve": []}
    errors: dict[str, int] = {}
    sent = 0
    async with new_client(base, concurrency) as client:
        sem = asyncio.Semaphore(concurrency)

        async def timed(op: str, coro: Any) -> Any:
            nonlocal sent
            if sent >= n_requests:
                coro.close()
                return None
            sent += 1
            t0 = time.perf_counter()
            try:
                r = await coro
            except httpx.TransportError as exc:
                count(errors, f"{op}:{type(exc).__name__}")  # never answered: an error, and the item's task ends
                return None
            timings[op].append(time.perf_counter() - t0)
            if r.status_code >= 400:
                count(errors, f"{op}:{r.status_code}")
            return r

        async def one(i: int, review_id: str) -> None:
            headers = reviewer(keys, i)
            async with sem:
                await timed("list", client.get("/v1/reviews", params={"page_size": 20, "page": 1 + i % 5},
                                               headers=headers))
                shown = await timed("show", client.get(f"/v1/reviews/{review_id}", headers=headers))
                if shown is None:
                    return
                claimed = await timed("claim", client.post(f"/v1/reviews/{review_id}/claim", headers=headers))
                etag = (claimed if claimed is not None else shown).headers.get("etag")
                if etag:
                    await timed("approve", client.post(f"/v1/reviews/{review_id}/decisions", json={"kind": "approve"},
                                                       headers={**headers, "If-Match": etag}))

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i, rid) for i, rid in enumerate(ids)))
        elapsed = time.perf_counter() - t0
    return {"timings": timings, "errors": errors, "elapsed": elapsed}


WRK_SCRIPT = """
local requests_ = {}
for line in io.lines(os.getenv("CLIENTLOOP_WRK_REQUESTS")) do
  local path, key = line:match("^(%S+) ?(%S*)$")
  requests_[#requests_ + 1] = {path, key}
end
local i = 0
request = function()
  i = i + 1
  local r = requests_[(i - 1) % #requests_ + 1]
  local headers = {}
  if r[2] ~= "" then headers["Authorization"] = "Bearer " .. r[2] end
  return wrk.format("GET", r[1], headers)
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'CLIENTLOOP_WRK {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, '
    .. '"status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""
"""wrk's Lua side: GETs taken in turn from a file of `path [key]` lines, and one JSON summary line at the end."""


def wrk_gets(base: str, requests: list[tuple[str, str | None]], concurrency: int,
             seconds: float) -> dict[str, Any] | None:
    """GETs from `wrk` (C, one thread) for `seconds`, `concurrency` connections; None when wrk is not installed.

    The Python load generator above shares the 2 cores with the server and tops out near 350
    req/s however fast the server is, so `/healthz` measured with it is the client's limit,
    not the server's, and every ratio to it flatters the route. wrk costs the server little
    CPU, so its figures show what the server itself does. `requests` are (path, bearer key or
    None), taken in turn. Returns req_per_s, p50_ms, p99_ms, requests, errors (non-2xx/3xx
    responses and socket errors).
    """
    import json
    import os
    import shutil
    import subprocess
    import tempfile

    binary = shutil.which("wrk")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="clientloop-wrk-") as tmp:
        script, listing = os.path.join(tmp, "gets.lua"), os.path.join(tmp, "requests.txt")
        with open(script, "w", encoding="utf-8") as fh:
            fh.write(WRK_SCRIPT)
        with open(listing, "w", encoding="utf-8") as fh:
            fh.writelines(f"{path} {key or ''}\n" for path, key in requests)
        out = subprocess.run([binary, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", script, base],
                             env={**os.environ, "CLIENTLOOP_WRK_REQUESTS": listing}, capture_output=True, text=True,
                             timeout=seconds + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("CLIENTLOOP_WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary (exit {out.returncode}): {out.stderr.strip()[-500:]}")
    raw = json.loads(line.split(" ", 1)[1])
    return {"requests": float(raw["requests"]), "req_per_s": raw["requests"] / raw["seconds"],
            "p50_ms": raw["p50_ms"], "p99_ms": raw["p99_ms"],
            "errors": float(raw["status_errors"] + raw["socket_errors"])}
