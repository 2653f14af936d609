"""The engine: run the policy's rules over a text and return flags with exact spans.

A match counts unless it lies inside one of its rule's (or flag's) exclusions, inside a
masked region (`context.py`), or just after a negation cue of its flag. Spans are found
in the normalised text and mapped back to the caller's offsets, so `text[start:end]` is
always the flag's text. A model can only add flags (`merge_model_flags`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from review.flags import Flag, FlagSet, ModelFlagProposal
from review.policy.context import Context
from review.policy.normalise import normalise, unwrap
from review.policy.spec import FlagPolicy, Policy, RuleSpec, default_policy


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _rule_spans(norm: str, ctx: Context, fp: FlagPolicy, rule: RuleSpec) -> Iterable[tuple[int, int]]:
    """The spans (in `norm`) where one rule's match counts."""
    exclusions = [*fp.exclusion_regexes, *rule.exclusion_regexes]
    excluded = [(m.start(), m.end()) for p in exclusions for m in p.finditer(norm)]
    for regex in rule.regexes:
        for m in regex.finditer(norm):
            s, e = m.start(), m.end()
            while e > s and norm[e - 1].isspace():
                e -= 1
            if e <= s or _inside(excluded, s, e) or ctx.masked_reason(s, e):
                continue
            if rule.negatable and fp.negation is not None and fp.negation.negates(norm[ctx.sentence_start(s) : s]):
                continue
            yield s, e


CLAUSE_CHARS = 140
"""The longest quote a reason shows around its match."""


# Without MULTILINE `$` is only the text's end, so a blank line is matched as its own break.
_NEW_LINE_STARTS = re.compile(r"[ \t]*(?:\r?\n|\r?$|[A-Z][\w .'’-]{0,40}:|[-*•>]|\d+[.)]\s)")
# A greeting line ("Omar," / "Dear Ms Shah,") opens the message; it is not part of its first sentence.
_SALUTATION = re.compile(
    r"(?:(?:hi|hello|dear|hey|morning|good \w+),? )?[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2},[ \t]*\r?", re.IGNORECASE
)


def _line_breaks(text: str, start: int, end: int) -> tuple[int, int]:
    """The line breaks around a span that end its sentence.

    A hard-wrapped email breaks lines mid-sentence: a break ends a sentence only before a
    blank line, a new speaker ("Name:"), a list item or a quote marker, or after a full stop,
    a header line or a greeting line.
    """
    left = start
    while (left := text.rfind("\n", 0, left)) >= 0:
        if (_NEW_LINE_STARTS.match(text, left + 1) or text[:left].rstrip()[-1:] in (".", "!", "?", ":", "")
                or _SALUTATION.fullmatch(text, text.rfind("\n", 0, left) + 1, left)):
            break
    right = end
    while (right := text.find("\n", right)) >= 0:
        if _NEW_LINE_STARTS.match(text, right + 1) or text[:right].rstrip()[-1:] in (".", "!", "?", ":"):
            break
        right += 1
    return left, right


def quote_around(text: str, start: int, end: int, *, limit: int = CLAUSE_CHARS) -> str:
    """The sentence (or line) holding `text[start:end]`, cut to about `limit` characters around it.

    Sentences end at `.`, `!`, `?` or `;` followed by a space, or at a line break that ends
    one (`_line_breaks`: not the breaks of a hard-wrapped paragraph); a cut side is marked
    with an ellipsis. Whitespace runs read as one space.
    """
    line_left, line_right = _line_breaks(text, start, end)
    left = max(line_left, *(text.rfind(p, 0, start) for p in (". ", "! ", "? ", "; "))) + 1
    ends = [i for i in (line_right, *(text.find(c, end) for c in (". ", "! ", "? ", "; "))) if i >= 0]
    right = min(ends) + (1 if ends and text[min(ends)] in ".!?" else 0) if ends else len(text)
    room = max(limit - (end - start), 0)
    cut_left, cut_right = max(left, start - room // 2), min(right, end + room - min(room // 2, start - left))
    quote = " ".join(text[cut_left:cut_right].split()).lstrip("> ")
    return ("…" if cut_left > left else "") + quote + ("…" if cut_right < right else "")


def reason_for(rule: RuleSpec, fp: FlagPolicy, text: str, start: int, end: int) -> str:
    """One line a reviewer reads: what the match is about, in words, and the sentence it is in."""
    about = rule.says or fp.description.split(".")[0].lower()
    return f"mentions {about}: \u201c{quote_around(text, start, end)}\u201d"


def _find(text: str, policy: Policy, *, where: Literal["source", "draft"], field: str | None) -> list[Flag]:
    folded, fold_index = normalise(text)
    # Hard-wrapped paragraphs read as whole sentences; spans map back through both steps.
    norm, wrap_index = unwrap(folded)
    index = [fold_index[i] for i in wrap_index]
    ctx = Context(norm, policy.context)
    unique: dict[tuple[str, int, int], Flag] = {}
    for name, fp in policy.flags.items():
        for rule in fp.rules:
            for s, e in _rule_spans(norm, ctx, fp, rule):
                start, end = index[s], index[e - 1] + 1
                # One flag per (rule, span): overlapping regexes of one rule add nothing.
                unique[(rule.id, start, end)] = Flag(
                    flag=name, rule_id=rule.id, severity=fp.severity, reviewer_role=fp.reviewer_role,
                    start=start, end=end, text=text[start:end], where=where, field=field,
                    reason=reason_for(rule, fp, text, start, end),
                )
    return sorted(unique.values(), key=lambda f: (f.start, f.end, f.flag, f.rule_id))


def apply_policy(text: str, *, policy: Policy | None = None) -> list[Flag]:
    """Run the policy over a source text.

    Args:
        text: The interaction text (transcript, notes or email thread).
        policy: The policy to apply; the packaged one by default.

    Returns:
        Every match that counts, as flags with spans into `text`, ordered by position.
    """
    return _find(text, policy or default_policy(), where="source", field=None)


def apply_policy_to_draft(
    draft_texts: Mapping[str, str] | Sequence[str],
    *,
    policy: Policy | None = None,
) -> list[Flag]:
    """Run the policy over the text fields of a draft (summary, actions, client message).

    Args:
        draft_texts: Field name to text, or a list of texts (named by their index).
        policy: The policy to apply; the packaged one by default.

    Returns:
        Flags with `where="draft"`, `field` naming the text, and spans into that text.
    """
    items = draft_texts.items() if isinstance(draft_texts, Mapping) else enumerate(draft_texts)
    pol = policy or default_policy()
    flags: list[Flag] = []
    for key, text in items:
        flags += _find(text, pol, where="draft", field=str(key))
    return flags


def merge_model_flags(
    rule_flags: Iterable[Flag],
    proposed: Iterable[ModelFlagProposal],
    source_text: str,
    *,
    policy: Policy | None = None,
) -> list[Flag]:
    """Add model-proposed flags to the rule flags; nothing is ever removed.

    A proposal counts only when its evidence is an exact substring of `source_text`;
    its severity and reviewer role come from the policy. Use `FlagSet.merge_model`
    directly to also get the rejected proposals.

    Args:
        rule_flags: The flags the policy raised (source and draft).
        proposed: The model's proposals.
        source_text: The source interaction text.
        policy: The policy giving severities and roles; the packaged one by default.

    Returns:
        All rule flags, unchanged and in order, followed by the accepted model flags.
    """
    pol = policy or default_policy()
    merged = FlagSet(flags=tuple(rule_flags)).merge_model(proposed, source_text=source_text, settings=pol.settings())
    return list(merged.flags)
