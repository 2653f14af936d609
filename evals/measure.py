"""Measurement primitives every bench module shares: percentiles, peak memory, a measured child process.

A leaf module (it imports nothing from `evals`), so `evals.bench` can run the sections of
`evals.bench_brief` and `evals.bench_review` without those importing it back.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (q in 0-100): the smallest value with q% of values at or below it.

    `numpy.percentile` with ``method="inverted_cdf"`` is exactly the nearest-rank definition.
    Returns NaN for no values (a section that timed nothing reports no figure rather than
    failing).

    Raises:
        ValueError: q is outside 0-100.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be in [0, 100], not {q}")
    if len(values) == 0:
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=float), q, method="inverted_cdf"))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (`ru_maxrss` is in KiB on Linux).

    After `reset_peak_rss()` succeeded, the peak since that reset (`VmHWM`; `ru_maxrss` never
    goes down).
    """
    hwm = _status_kib("VmHWM")
    return hwm / 1024 if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Restart this process's peak-memory count from its current resident size; False where unsupported.

    Linux resets the high-water mark when 5 is written to `/proc/self/clear_refs` (since 4.0),
    so one step of a section (ingest alone, not the baselines after it) gets its own peak.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_kib(field: str) -> int | None:
    """A `kB` field of `/proc/self/status`, or None off Linux."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def run_measured(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of that process, exit code) via `os.wait4`.

    Raises:
        RuntimeError: the command exited non-zero (the message ends with its output).
    """
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            log.seek(0)
            raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {log.read().decode()[-1500:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode
