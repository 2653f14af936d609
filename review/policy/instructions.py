"""Find text addressed to an AI, an automated system or the reviewer, and turn it into holds.

The text is read the way a model reads it (`normalise.reveal`): tag characters decoded,
zero-width characters and accents dropped, lines joined, so a hidden, accented or
line-split instruction matches the same patterns as a plain one. Each match is widened
to its sentence, mapped back to the caller's offsets, and reported as one `Hold` per
sentence, with how it arrived (the carrier) and what it says in words.

Detection never changes a flag: the sensitivity policy reads the same text as before
and raises whatever its words raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from review.holds import Hold, HoldWhere
from review.policy.normalise import TAG_FIRST, TAG_LAST, is_hidden, reveal
from review.policy.spec import InstructionRule, Policy, default_policy

LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}
_MAX_SENTENCE = 400
_MAX_HOLDS_PER_TEXT = 20
_HISTORY_START = re.compile(
    r"^\s*-{2,}\s*(original message|forwarded message)\s*-{2,}\s*$|^\s*on\s.{4,}wrote:\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def _ends_sentence(text: str, i: int) -> bool:
    """Whether `text[i]` ends a sentence: a line break, or `.!?` followed by a space or the end."""
    if text[i] == "\n":
        return True
    return text[i] in ".!?" and (i + 1 == len(text) or text[i + 1].isspace())


def _sentence(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen `[s, e)` to the sentence around it (bounded, so one run-on line is not all shown)."""
    lo = s
    while lo > 0 and s - lo < _MAX_SENTENCE and not _ends_sentence(text, lo - 1):
        lo -= 1
    hi = e
    while hi < len(text) and hi - e < _MAX_SENTENCE and not _ends_sentence(text, hi):
        hi += 1
    if hi < len(text) and text[hi] in ".!?":
        hi += 1  # keep the full stop
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _carrier(original: str, start: int, end: int, where: HoldWhere, default: str) -> str:
    span = original[start:end]
    if any(TAG_FIRST <= ord(c) <= TAG_LAST for c in span):
        return "tag characters"
    if any(is_hidden(c) for c in span):
        return "zero-width characters"
    if where == "source":
        line_start = original.rfind("\n", 0, start) + 1
        if original[line_start:start].lstrip().startswith(">"):
            return "quoted history"
        if any(m.start() <= start for m in _HISTORY_START.finditer(original, 0, start + 1)):
            return "quoted history"
    return default


def _explain(revealed: str, carrier: str, language: str) -> str:
    quote = revealed if len(revealed) <= 200 else revealed[:197] + "..."
    where = "" if carrier == "text" else f" ({carrier.replace('_', ' ')})"
    lang = "" if language == "en" else f", in {LANGUAGES.get(language, language)}"
    return f"addresses an AI or a reviewer{where}{lang}: \u201c{quote}\u201d"


def _matches(revealed: str, rules: Iterable[InstructionRule]) -> list[tuple[int, int, InstructionRule]]:
    found: list[tuple[int, int, InstructionRule]] = []
    for rule in rules:
        for regex in rule.regexes:
            for m in regex.finditer(revealed):
                if m.end() > m.start():
                    found.append((*_sentence(revealed, m.start(), m.end()), rule))
    found.sort(key=lambda f: (f[0], -f[1]))
    return found


def find_instructions(
    text: str,
    *,
    where: HoldWhere,
    field: str | None = None,
    carrier: str = "text",
    separators: str = "",
    policy: Policy | None = None,
) -> list[Hold]:
    """Find sentences of `text` addressed to an AI or a reviewer.

    Args:
        text: The text to read (a source, a draft field, hidden content, a file name...).
        where: Which text it is, recorded on each hold.
        field: Which field, participant or hidden fragment it is.
        carrier: How the text arrived when nothing in the span says otherwise
            (`text`, `file name`, `participant name`, a hidden-content kind).
        separators: Characters read as spaces (`"_-.+"` for file names).
        policy: The policy whose `instructions` rules apply; the packaged one by default.

    Returns:
        One hold per sentence that matched, in order, spans into `text`.
    """
    pol = policy or default_policy()
    revealed, index = reveal(text, separators=separators)
    holds: list[Hold] = []
    covered = -1
    for s, e, rule in _matches(revealed, pol.instructions):
        if e <= covered or len(holds) >= _MAX_HOLDS_PER_TEXT:
            continue  # one hold per sentence: the first rule that matched it names it
        covered = e
        start, end = index[s], index[e - 1] + 1
        how = _carrier(text, start, end, where, carrier)
        holds.append(Hold(
            rule_id=rule.id, language=rule.language, where=where, field=field, start=start, end=end,
            text=text[start:end], revealed=revealed[s:e], carrier=how,
            explanation=_explain(revealed[s:e], how, rule.language),
        ))
    return holds
