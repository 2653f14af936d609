"""Model calls made for a request run in a small pool of their own, never in the request threads.

A chat model that hangs must not starve the API: with the model called from the server's
shared thread pool, 48 hanging knowledge questions left `GET /v1/reviews` waiting 13 s.
Requests that need the model (an `llm` answer) run here instead: at most `size` at once,
each given `timeout` seconds; a request that finds the pool full is refused at once with
503 and `Retry-After` rather than queued behind the hung ones, and one that runs out of
time gets 504. Reviewers' reads keep the shared pool to themselves.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from records.errors import BackendFailure, ModelFailure

T = TypeVar("T")


class ModelBusy(BackendFailure):
    """Every model slot is taken; try again shortly."""

    code = "model_busy"
    retry_after = 5


class ModelTimedOut(ModelFailure):
    """The model did not answer within the time allowed."""

    status_code = 504
    code = "model_timeout"


class ModelPool:
    """A bounded executor for blocking model calls."""

    def __init__(self, size: int, timeout: float) -> None:
        self.size = size
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(size)
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="model")

    async def run(self, fn: Callable[[], T]) -> T:
        """Run `fn` in a free slot and wait at most `timeout` for it.

        Raises:
            ModelBusy: no slot is free.
            ModelTimedOut: `fn` ran past the timeout (its slot is freed when it returns).
        """
        if not self._slots.acquire(blocking=False):
            raise ModelBusy(f"all {self.size} model slots are busy; retry in a few seconds")

        def job() -> T:
            try:
                return fn()
            finally:
                self._slots.release()

        future = asyncio.wrap_future(self._executor.submit(job))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=self.timeout)
        except TimeoutError:
            raise ModelTimedOut(f"the model did not answer within {self.timeout:.0f} s; try again, or ask "
                                "without the llm engine") from None

    def shutdown(self) -> None:
        """Stop accepting work; running calls finish in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)
