"""Drafting workers inside the API process, so `clientloop serve` alone drafts uploads.

A bank's first install is one machine running `clientloop serve`; uploads must be drafted
without a second command. The pool runs N worker threads (`run_worker`) for the life of
the app; a separate fleet (`clientloop worker`) can run beside it or instead of it
(`serve --no-workers`): jobs are leased, so each is drafted once either way.
"""

from __future__ import annotations

import logging
import threading

from clientloop.container import Container
from clientloop.worker import run_worker

log = logging.getLogger("clientloop.drafting")


class DraftingPool:
    """N drafting worker threads over one container."""

    def __init__(self, container: Container, workers: int, *, poll_seconds: float = 1.0,
                 lease_seconds: float = 300.0) -> None:
        self.container = container
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> int:
        """How many worker threads are alive."""
        return sum(t.is_alive() for t in self._threads)

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        if self._threads:
            return
        self._stop.clear()
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"drafting-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("drafting pool: %d worker(s) started", self.workers)

    def _work(self) -> None:
        try:
            run_worker(self.container, poll_seconds=self.poll_seconds, lease_seconds=self.lease_seconds,
                       stop=self._stop)
        except Exception:  # a dead thread must be visible in the log, not silent
            log.exception("drafting worker stopped")

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every worker to stop after its current job, and wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads = []
