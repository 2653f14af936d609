"""What a bench run was measured on: cores, memory, Python, key package versions, the commit.

`clientloop bench --json` records this beside the figures, and `--compare` lists what
differs between two runs' machines, so a change in a figure can be told from a change of
machine or library.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

KEY_PACKAGES = (
    "clientloop",
    "onnxruntime",
    "tokenizers",
    "numpy",
    "chromadb",
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "pydantic",
    "langchain-core",
    "langchain-openai",
    "langchain-chroma",
    "llama-cpp-python",
)
"""The packages whose versions move the figures."""


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed versions of `names` (those not installed are left out)."""
    out = {}
    for name in names:
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out


def commit() -> str | None:
    """The short git commit of the checkout being measured, when there is one."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return None


def _first_line(path: str, prefix: str) -> str | None:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line
    return None


def machine_info() -> dict[str, Any]:
    """CPU count and model, memory and its cgroup limits, load average, Python, package versions, commit."""
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    model = _first_line("/proc/cpuinfo", "model name")
    if model:
        info["cpu_model"] = model.split(":", 1)[1].strip()
    memory = _first_line("/proc/meminfo", "MemTotal:")
    with contextlib.suppress(ValueError, IndexError):
        if memory:
            info["ram_gb"] = round(int(memory.split()[1]) / 1024 / 1024, 1)
    with contextlib.suppress(OSError, ValueError, ZeroDivisionError):
        quota = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota and quota[0] != "max":
            info["cgroup_cpus"] = round(int(quota[0]) / int(quota[1]), 2)
    with contextlib.suppress(OSError, ValueError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            info["cgroup_memory_gb"] = round(int(limit) / 1024**3, 1)
    info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    info["packages"] = package_versions()
    info["commit"] = commit()
    return info
