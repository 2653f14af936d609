"""The review bench's server CPU reading: the server process and the worker processes it starts."""

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
