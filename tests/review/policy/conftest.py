"""The fs-interactions dev set, for the policy's quality bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.eval_data import missing_eval_data

DEV = Path(__file__).resolve().parents[3] / ".." / "shared" / "eval-data" / "fs-interactions" / "dev.jsonl"


@pytest.fixture(scope="module")
def dev_records():
    if not DEV.exists():
        missing_eval_data(f"fs-interactions dev set not found at {DEV}")
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
