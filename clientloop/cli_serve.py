"""`clientloop serve`, `mcp` and `worker`: the long-running processes."""

from __future__ import annotations

from typing import Annotated

import typer

from clientloop.cli_common import console, err, fail, make_container


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            max=32,
            help="Drafting workers to run in each server process (default CLIENTLOOP_DRAFTING_WORKERS, 1).",
        ),
    ] = None,
    no_workers: Annotated[
        bool,
        typer.Option("--no-workers", help="Run no drafting workers here: a separate `clientloop worker` fleet drafts."),
    ] = False,
    processes: Annotated[
        int,
        typer.Option(
            "--processes", min=1, max=64, help="uvicorn worker processes serving HTTP (PostgreSQL for more than 1)."
        ),
    ] = 1,
) -> None:
    """Run the HTTP API and the web pages (OpenAPI docs at /docs), drafting uploads as they arrive.

    `--workers` counts drafting workers (threads that turn uploads into drafts) in each
    process; `--processes` counts uvicorn processes answering HTTP.
    """
    import os

    import uvicorn

    from clientloop.settings import get_settings

    settings = get_settings()
    drafting = 0 if no_workers else (settings.drafting_workers if workers is None else workers)
    if processes > 1 and settings.resolved_database_url.startswith("sqlite"):
        err.print(
            "[yellow]warning:[/] several processes on SQLite serialise every write; use PostgreSQL "
            "(CLIENTLOOP_DATABASE_URL) for --processes above 1"
        )
    console.print(
        f"clientloop on http://{host}:{port}/ui/ · {processes} process(es) · "
        f"{drafting} drafting worker(s) each" + ("" if drafting else " (run `clientloop worker`)")
    )
    os.environ["CLIENTLOOP_DRAFTING_WORKERS"] = str(drafting)  # read by each process's app factory
    get_settings.cache_clear()
    uvicorn.run(
        "clientloop.api.app:app_from_settings", factory=True, host=host, port=port, workers=processes, log_level="info"
    )


def mcp(
    transport: Annotated[
        str, typer.Option(help="stdio (for a local assistant) or http (streamable HTTP at /mcp).")
    ] = "stdio",
    host: Annotated[str, typer.Option(help="Interface to bind (http).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (http).")] = 8765,
) -> None:
    """Serve the Model Context Protocol: read-only tools, as the user whose API key the caller holds.

    stdio: the key is CLIENTLOOP_API_KEY in this process's environment. http: every request
    sends Authorization: Bearer <key>. Tools: ask_knowledge_base, client_brief,
    search_client_history, weekly_review.
    """
    from clientloop.mcp_server import run

    if transport not in ("stdio", "http"):
        raise fail("--transport is stdio or http", 2)
    run(make_container(), transport=transport, host=host, port=port)


def worker(
    processes: Annotated[int, typer.Option(min=1, max=32, help="Worker processes to run.")] = 1,
    once: Annotated[bool, typer.Option("--once", help="Stop when the queue is empty.")] = False,
    lease_seconds: Annotated[float, typer.Option(help="Seconds a job stays leased to one worker.")] = 300.0,
) -> None:
    """Run drafting workers as separate processes until interrupted."""
    import logging
    import multiprocessing as mp

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(processName)s %(message)s")
    if processes == 1:
        _worker_main(once, lease_seconds)
        return
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker_main, args=(once, lease_seconds), name=f"worker-{i}") for i in range(processes)]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()


def _worker_main(once: bool, lease_seconds: float) -> None:
    from clientloop.worker import run_worker

    count = run_worker(make_container(), once=once, lease_seconds=lease_seconds)
    err.print(f"worker processed {count} job(s)")
