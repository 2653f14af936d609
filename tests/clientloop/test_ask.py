"""What is scored is what ships: every entry point answers through `clientloop.ask.ask`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSWERERS = {"answer_with_rules", "answer_with_llm", "run_llm_answer"}
ENTRY_POINTS = [
    "clientloop/cli_ask.py",
    "clientloop/api/ask.py",
    "clientloop/web/home.py",
    "clientloop/mcp_server.py",
    "evals/kb_questions.py",
]


def _imports(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    return {
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_every_entry_point_answers_through_clientloop_ask() -> None:
    for name in ENTRY_POINTS:
        imported = _imports(ROOT / name)
        assert ("clientloop.ask", "ask") in imported, name
        assert not {n for _, n in imported} & ANSWERERS, f"{name} calls an answerer directly"


def test_only_clientloop_ask_calls_the_answerers_for_the_knowledge_base() -> None:
    # evals/datasets/qmsum.py answers over meeting transcripts, not the knowledge base.
    allowed = {"clientloop/ask.py", "evals/datasets/qmsum.py"}
    for package in ("clientloop", "evals"):
        for path in (ROOT / package).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name not in allowed:
                assert not {n for _, n in _imports(path)} & ANSWERERS, f"{name} calls an answerer directly"
