#!/usr/bin/env bash
# Set up a virtual environment and run the whole test suite, on SQLite and then on
# PostgreSQL when one answers (CI requires it: CLIENTLOOP_REQUIRE_POSTGRES=1).
#   bash tests/run.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CLIENTLOOP_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# The browser tests drive Debian's chromium through Playwright (Playwright never downloads
# a browser here). Install it when missing and we may (root with apt); otherwise those
# tests skip with a reason, unless CLIENTLOOP_REQUIRE_BROWSER=1.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# llama-cpp-python compiles llama.cpp on first install (a few minutes on 2 cores).
"$VENV/bin/python" -m pip install --quiet -e ".[dev,llm-e2e]"

echo "== tests on SQLite"
"$VENV/bin/python" -m pytest "$@"

PG_URL=${CLIENTLOOP_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
if "$VENV/bin/python" - "$PG_URL" <<'PY'
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1]).connect() as c:
        c.execute(text("select 1"))
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc.__class__.__name__}")
    sys.exit(1)
PY
then
  echo "== tests on PostgreSQL"
  CLIENTLOOP_TEST_DATABASE_URL="$PG_URL" "$VENV/bin/python" -m pytest -m "not llm_server and not chroma_server and not packaging and not once" "$@"
elif [ "${CLIENTLOOP_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required here but not reachable at $PG_URL" >&2
  exit 1
fi
