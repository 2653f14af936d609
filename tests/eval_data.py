"""Missing evaluation data: a skip with the dataset named, or a failure where CI requires the data.

CI (`.ci/run`) sets `CLIENTLOOP_REQUIRE_EVAL_DATA=1`: there the shared `eval-data` folder is
beside the repository and every evaluation test must run, so a missing dataset fails the
run instead of letting the regression gate pass by skipping. Elsewhere (a fresh clone
without `../shared`) the tests skip, naming the dataset and where it was looked for.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_ENV = "CLIENTLOOP_REQUIRE_EVAL_DATA"


def eval_data_required() -> bool:
    """Whether this run must have every evaluation dataset (CI)."""
    return os.environ.get(REQUIRE_ENV) == "1"


def missing_eval_data(why: str) -> NoReturn:
    """Skip (or, when the data is required, fail) a test whose evaluation data is absent."""
    if eval_data_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {why}", pytrace=False)
    pytest.skip(f"{why} (set {REQUIRE_ENV}=1 to make this a failure)")
