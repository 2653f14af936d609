"""From the model's extractions to one ungrounded `InteractionDraft`.

Owners written as a first name or initials are resolved with the rules engine's
`OwnerResolver`; an evidence quote that differs from the source only in whitespace, case or
quote style is snapped to the exact source span; windows' actions are deduplicated by
overlapping evidence or the same description and owner; summary lists are unioned; the
purpose is the first window's unless a later one says ``complaint``. Grounding comes after.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime

from pipeline.dates import resolve_due
from pipeline.llm_schema import LLMAction, LLMExtraction
from pipeline.llm_windows import TextWindow
from pipeline.rules.owners import OwnerResolver, team_name
from pipeline.rules.wording import Voices, task_wording
from pipeline.schemas import (
    Action,
    Due,
    Evidence,
    InteractionDraft,
    InteractionSummary,
    Participant,
    Purpose,
    Sentiment,
    Side,
    SummaryParticipant,
)
from pipeline.text import locate_quote, normalise

_CHANNELS = {"call_transcript": "phone", "email": "email", "meeting_notes": "meeting"}


def _norm(text: str) -> str:
    return normalise(text, casefold=True, collapse_whitespace=True).text.strip()


def _locate(quote: str, source: str, start_hint: int) -> tuple[int, int, bool] | None:
    """Where ``quote`` is in ``source``, and whether it had to be snapped to the source's words.

    The snap ignores whitespace, case and quote style (`pipeline.text.locate_quote`).
    """
    span = locate_quote(quote, source, start_hint)
    if span is None:
        return None
    start, end = span
    return start, end, source[start:end] != quote


def _due(action: LLMAction, reference: date) -> Due:
    phrase = _clean(action.due_phrase)
    if not phrase:
        return Due.none()
    resolved = resolve_due(phrase, reference)
    if resolved is not None:
        if resolved.kind == "none":
            return Due.none(phrase)
        return resolved.model_copy(update={"phrase": phrase})
    try:
        proposed = date.fromisoformat(action.due_date.strip())
    except ValueError:
        return Due.none(phrase)
    # A date our table cannot read: keep it with its phrase; grounding checks the phrase.
    return Due(kind="date", date=proposed, phrase=phrase)


def _owner(action: LLMAction, resolver: OwnerResolver) -> tuple[str, Side]:
    owner = _clean(action.owner)
    participant = resolver.participant(owner)
    if participant is not None:
        return participant.name, participant.side
    if re.search(r"\bteam$", owner, re.IGNORECASE):
        return team_name(owner) or owner, "firm"
    return owner, action.owner_side


def _convert_action(
    action: LLMAction, window: TextWindow, source: str, reference: date, resolver: OwnerResolver
) -> tuple[Action, bool]:
    """The action in draft form, and whether its evidence was snapped to the source."""
    quote = action.evidence_quote
    # The model saw the text XML-escaped and may copy the escapes ("I&apos;ll").
    located = _locate(quote, source, window.start) or _locate(html.unescape(quote), source, window.start)
    if located is None:
        # Unvalidated on purpose: an empty or invented quote must reach grounding as it is,
        # to be dropped and counted there as evidence_not_in_source.
        evidence = Evidence.model_construct(text=quote, start=None, end=None)
        snapped = False
    else:
        start, end, snapped = located
        evidence = Evidence(text=source[start:end], start=start, end=end)
    owner, side = _owner(action, resolver)
    description = _wording(_clean(action.description) or evidence.text, owner, side, source, evidence.start, resolver)
    return (
        Action(
            description=description, owner=owner, owner_side=side, due=_due(action, reference), type=action.type,
            close_condition=_clean(action.close_condition), evidence=evidence,
        ),
        snapped,
    )  # fmt: skip


def _wording(description: str, owner: str, side: Side, source: str, start: int | None,
             resolver: OwnerResolver) -> str:
    """The model's description under the rules engine's wording rules: a third-person task.

    A firm action is taken as the owner's own commitment to the client; a client action as
    the firm's request to its owner: that says who "I" and "you" are in what the model wrote.
    """
    firm = [p for p in resolver.participants if p.side == "firm"]
    clients = [p for p in resolver.participants if p.side == "client"]
    if side == "firm":
        voices = Voices(owner, True, clients[0].name if clients else None)
    else:
        voices = Voices(firm[0].name if firm else None, True, owner)
    before = source[max(0, (start or 0) - 700) : start or 0]
    return task_wording(description, voices=voices, before=before, resolver=resolver)


def _clean(text: str) -> str:
    return html.unescape(text).strip()


def _duplicate(a: Action, b: Action) -> bool:
    ea, eb = a.evidence, b.evidence
    if None not in (ea.start, ea.end, eb.start, eb.end) and ea.start < eb.end and eb.start < ea.end:  # type: ignore[operator]
        return True
    return _norm(a.description) == _norm(b.description) and _norm(a.owner) == _norm(b.owner)


def _union(lists: list[list[str]]) -> list[str]:
    seen: set[str] = set()
    merged: list[str] = []
    for items in lists:
        for item in items:
            key = _norm(_clean(item))
            if key and key not in seen:
                seen.add(key)
                merged.append(_clean(item))
    return merged


def _merged_purpose(extractions: list[LLMExtraction]) -> Purpose:
    if any(e.purpose == "complaint" for e in extractions[1:]):
        return "complaint"
    return extractions[0].purpose


def _merged_sentiment(extractions: list[LLMExtraction]) -> Sentiment:
    values = {e.sentiment for e in extractions}
    if len(values) == 1:
        return extractions[0].sentiment
    return "negative" if values == {"negative", "neutral"} else "mixed"


def merge_extractions(
    extractions: list[tuple[TextWindow, LLMExtraction]],
    source: str,
    *,
    kind: str,
    occurred_at: datetime,
    participants: list[Participant],
    client: str,
) -> tuple[InteractionDraft, list[str]]:
    """Merge the windows' extractions into one ungrounded draft; also return snapped quotes."""
    resolver = OwnerResolver(participants)
    reference = occurred_at.date()
    actions: list[Action] = []
    snapped: list[str] = []
    for window, extraction in extractions:
        for llm_action in extraction.actions:
            action, was_snapped = _convert_action(llm_action, window, source, reference, resolver)
            if any(_duplicate(action, kept) for kept in actions):
                continue
            if was_snapped:
                snapped.append(llm_action.evidence_quote)
            actions.append(action)
    actions.sort(key=lambda a: a.evidence.start if a.evidence.start is not None else len(source))
    parsed = [e for _, e in extractions]
    decisions = _union([e.decisions for e in parsed])
    summary = InteractionSummary(
        client=client,
        kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred_at,
        channel=_CHANNELS.get(kind, "other"),
        participants=[SummaryParticipant(name=p.name, role=p.role, side=p.side) for p in participants],
        purpose=_merged_purpose(parsed),
        key_facts=_union([e.key_facts for e in parsed]),
        client_asks=_union([e.client_asks for e in parsed]),
        concerns=_union([e.concerns for e in parsed]),
        decisions=decisions,
        sentiment=_merged_sentiment(parsed),
    )
    draft = InteractionDraft(
        summary=summary,
        actions=actions,
        no_actions_reason=None if actions else "The model found no commitment or request in the text.",
        engine="llm",
    )
    return draft, snapped
