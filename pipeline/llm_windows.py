"""Fitting a long interaction into the model's context: the prompt budget and the text windows.

The prompt size is estimated at `CHARS_PER_TOKEN` characters per token (system and user
messages plus the tool schema, which servers add to the prompt); a text that does not fit
is cut along lines into windows sharing `OVERLAP_LINES` lines, one call each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from pipeline.llm_schema import LLMExtraction
from pipeline.prompt_files import PromptFile, RenderedPrompt
from pipeline.schemas import Participant
from pipeline.text import sentence_spans

CHARS_PER_TOKEN = 4
"""Rough characters per token for budgeting (English prose)."""
OUTPUT_RESERVE_TOKENS = 1024
"""Tokens kept free for the answer (capped at a quarter of the context window)."""
TOOL_PROTOCOL_TOKENS = 512
"""Tokens a server adds around the tool schema (llama.cpp's function-calling template: ~440)."""
_TEXT_INFLATION = 1.25
"""Escaped interaction text costs more per character (``'`` -> ``&apos;``; measured 3.5 chars/token)."""
OVERLAP_LINES = 2
"""Lines repeated at the start of the next window, so a commitment cut at a boundary is seen whole."""
MIN_WINDOW_TOKENS = 128
"""A window smaller than this cannot hold a useful part of an interaction."""


@dataclass(frozen=True)
class TextWindow:
    """One slice of the interaction text sent in one call."""

    start: int
    """Offset of the first character in the full text."""
    text: str
    """The slice itself: ``full_text[start:start + len(text)]``."""


def _occurred_at_text(occurred_at: datetime) -> str:
    # The weekday helps the model (and a reader of the prompt) with "by Friday".
    return f"{occurred_at.isoformat()} ({occurred_at.strftime('%A')})"


def render_extraction(
    prompt: PromptFile,
    text: str,
    kind: str,
    client: str,
    occurred_at: datetime,
    participants: list[Participant],
    window: str,
) -> RenderedPrompt:
    """The extraction prompt for one window of text."""
    return prompt.render(
        kind=kind, client=client, occurred_at=_occurred_at_text(occurred_at),
        participants=[p.model_dump() for p in participants], text=text, window=window,
    )  # fmt: skip


def window_note(index: int, total: int) -> str:
    """What the model is told about the window it sees ('' when the text is whole)."""
    if total == 1:
        return ""
    return (
        f"Part {index + 1} of {total} of a long interaction. Consecutive parts share a few lines. "
        "Extract only what this part states."
    )


def _schema_chars() -> int:
    return len(json.dumps(LLMExtraction.model_json_schema(), separators=(",", ":")))


def text_budget_chars(
    prompt: PromptFile,
    context_tokens: int,
    kind: str,
    client: str,
    occurred_at: datetime,
    participants: list[Participant],
) -> int:
    """Characters of interaction text one call can carry."""
    empty = render_extraction(prompt, "", kind, client, occurred_at, participants, window_note(0, 99))
    overhead_chars = len(empty.system) + len(empty.user) + _schema_chars()
    reserve = min(OUTPUT_RESERVE_TOKENS, context_tokens // 4) + TOOL_PROTOCOL_TOKENS
    return int(((context_tokens - reserve) * CHARS_PER_TOKEN - overhead_chars) / _TEXT_INFLATION)


def split_windows(text: str, budget_chars: int, *, overlap_lines: int = OVERLAP_LINES) -> list[TextWindow]:
    """Cut text along line boundaries into windows of at most ``budget_chars`` characters.

    Consecutive windows share up to ``overlap_lines`` lines (never so many that a window
    would make no progress). A single line longer than the budget is cut at sentence ends,
    or hard at the budget when it has none.

    Args:
        text: The full interaction text.
        budget_chars: Most characters per window (at least 1).
        overlap_lines: Lines repeated at the start of the next window.

    Returns:
        The windows in order; one window holding all of ``text`` when it fits.
    """
    budget = max(budget_chars, 1)
    if len(text) <= budget:
        return [TextWindow(0, text)]
    pieces = _pieces(text, budget)
    windows: list[TextWindow] = []
    first = 0
    while first < len(pieces):
        last, size = first, 0
        while last < len(pieces) and size + len(pieces[last][1]) <= budget:
            size += len(pieces[last][1])
            last += 1
        last = max(last, first + 1)
        start = pieces[first][0]
        end = pieces[last - 1][0] + len(pieces[last - 1][1])
        windows.append(TextWindow(start, text[start:end]))
        if last >= len(pieces):
            break
        first = max(last - overlap_lines, first + 1)
    return windows


def _pieces(text: str, budget: int) -> list[tuple[int, str]]:
    """(offset, piece) for each line, long lines cut at sentence ends or hard at ``budget``."""
    pieces: list[tuple[int, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if len(line) <= budget:
            pieces.append((offset, line))
        else:
            # Each sentence with the whitespace after it, so the pieces still tile the line.
            starts = [0, *(span.start for span in sentence_spans(line)[1:]), len(line)]
            for a, b in pairwise(starts):
                for i in range(a, b, budget):
                    pieces.append((offset + i, line[i : min(i + budget, b)]))
        offset += len(line)
    return pieces
