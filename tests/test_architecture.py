"""The shape of the house: imports point down the layers, never up into the composition root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_domain_package_imports_the_composition_root():
    done = subprocess.run(
        ["git", "grep", "-nE", "^\\s*(from|import) clientloop", "--", "pipeline", "knowledge", "review", "clients",
         "records"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.stdout == "", done.stdout
