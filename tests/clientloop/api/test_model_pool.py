"""A hanging model never starves the API: model calls get their own bounded pool."""

from __future__ import annotations

import threading
import time

import anyio
import pytest
from fastapi.testclient import TestClient

from clientloop.api import create_app
from clientloop.model_pool import ModelBusy, ModelPool, ModelTimedOut
from tests.factories import auth_headers, make_user


def test_the_pool_refuses_when_full_and_times_out_a_hung_call() -> None:
    release = threading.Event()
    pool = ModelPool(size=1, timeout=0.2)

    async def scenario() -> None:
        with pytest.raises(ModelTimedOut):
            await pool.run(lambda: release.wait(10))
        with pytest.raises(ModelBusy):  # the hung call still holds the only slot
            await pool.run(lambda: "never runs")
        release.set()
        await anyio.sleep(0.1)
        assert await pool.run(lambda: "answered") == "answered"

    anyio.run(scenario)
    pool.shutdown()


def test_48_hanging_model_answers_leave_the_review_queue_fast(container) -> None:
    hang = threading.Event()
    container.settings.engines = ["rules", "llm"]
    container.settings.llm_base_url = "http://127.0.0.1:9/v1"
    container.settings.llm_timeout_s = 30
    _u, rita = make_user(container, "rita", "reviewer")
    _u, sam = make_user(container, "sam", "service")

    import clientloop.api.ask as ask_route

    real = ask_route.ask

    def hanging(c, q, engine=None):
        if engine == "llm":
            hang.wait(30)
        return real(c, q, engine="rules")

    ask_route.ask = hanging
    try:
        with TestClient(create_app(container)) as api:
            statuses: list[int] = []

            def fire() -> None:
                r = api.post("/v1/ask", json={"question": "CHAPS fee?", "engine": "llm"}, headers=auth_headers(sam))
                statuses.append(r.status_code)

            threads = [threading.Thread(target=fire) for _ in range(48)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            started = time.monotonic()
            r = api.get("/v1/reviews", headers=auth_headers(rita))
            waited = time.monotonic() - started
            assert r.status_code == 200 and waited < 1.0, waited
            hang.set()
            for t in threads:
                t.join(timeout=30)
            assert statuses.count(503) >= 40 and statuses.count(200) == container.settings.model_pool_size
    finally:
        ask_route.ask = real
        hang.set()
