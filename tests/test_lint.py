"""House rules the linters check: ruff (with McCabe complexity at 15) and modules of one concern."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 450
"""Past this, a module holds more than one concern: split it along its own seams."""
EXEMPT = ("clientloop/migrations/", "clientloop/demo_data/")
"""Generated or data-building code, read as a whole."""


def test_ruff_is_clean_with_complexity_checked():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_is_over_the_size_limit():
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True).stdout.split()
    too_long = {}
    for name in files:
        path = ROOT / name
        if name.startswith(EXEMPT) or not path.exists():
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long[name] = lines
    assert files and not too_long, too_long
