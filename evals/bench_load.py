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
