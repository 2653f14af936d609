"""Bench sections that time whole `clientloop` processes: `--help` start-up and `clientloop demo`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.bench_corpus import REPO
from evals.bench_figures import Raw
from evals.measure import percentile, run_measured


def demo_memory() -> Raw:
    """Peak RSS and wall time of `clientloop demo` in a temporary data directory, beside the model alone."""
    exe = str(Path(sys.executable).with_name("clientloop"))
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-demo-") as tmp:
        env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(Path(tmp) / "data"), "NO_COLOR": "1"}
        env.pop("CLIENTLOOP_DATABASE_URL", None)
        wall, rss, _ = run_measured([exe, "demo"], env, tmp)
        model_code = ("from pipeline.embeddings import OnnxMiniLMEmbeddings; "
                      "OnnxMiniLMEmbeddings().embed_query('What is the CHAPS fee?')")
        model_wall, model_rss, _ = run_measured([sys.executable, "-c", model_code], env, str(REPO))
    return {"wall_s": wall, "peak_rss_mb": rss, "model_wall_s": model_wall, "model_peak_rss_mb": model_rss}


def help_start_time(repeats: int = 5) -> Raw:
    """Seconds for `clientloop --help`, beside a bare `python -c pass` (the floor)."""
    exe = Path(sys.executable).with_name("clientloop")
    runs, floor = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        t2 = time.perf_counter()
        runs.append(t1 - t0)
        floor.append(t2 - t1)
    return {"repeats": repeats, "help_p50_s": percentile(runs, 50), "help_max_s": max(runs),
            "python_floor_p50_s": percentile(floor, 50), "python_floor_max_s": max(floor)}
