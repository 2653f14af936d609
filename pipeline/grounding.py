"""Grounding: check every drafted action against the source, whichever engine drafted it.

Grounding trusts nothing in the draft. For each action:

- **evidence** must be an exact span of the source. Offsets are recomputed by exact substring
  search (the first occurrence, unless the supplied offsets already point at the text); an
  action whose evidence is not in the source is dropped.
- **owner** must be a participant (matched case-insensitively, then rewritten to the listed
  spelling, with the participant's side) or a team written `<Name> team`. A team must be a
  known team or be named in the source; anything else is dropped.
- **due**: a date must come from a phrase present in the source; otherwise the due becomes
  "no date stated" and the action is kept but marked unsupported.

Every drop, mark and correction is counted by reason in the draft's `GroundingReport`, so an
evaluation can count rejections and a reviewer can see what was removed. The input draft is
never mutated: a new draft is returned.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.rules.owners import expand_team_abbreviations
from pipeline.schemas import (
    Action,
    Due,
    Evidence,
    GroundingIssue,
    GroundingReport,
    InteractionDraft,
    Participant,
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _record(report: GroundingReport, outcome: str, reason: str, detail: str) -> None:
    bucket = {"dropped": report.dropped, "marked_unsupported": report.unsupported, "corrected": report.corrected}[
        outcome
    ]
    bucket[reason] = bucket.get(reason, 0) + 1
    report.issues.append(GroundingIssue(reason=reason, outcome=outcome, detail=detail[:200]))  # type: ignore[arg-type]


def _ground_evidence(evidence: Evidence, source: str) -> Evidence | None:
    if not evidence.text:
        return None
    start, end = evidence.start, evidence.end
    if start is not None and end is not None and source[start:end] == evidence.text:
        return evidence
    start = source.find(evidence.text)
    if start < 0:
        return None
    return Evidence(text=evidence.text, start=start, end=start + len(evidence.text))


def _team_is_grounded(owner: str, source: str, known_teams: set[str]) -> bool:
    name = re.sub(r"\s+team$", "", owner.strip(), flags=re.IGNORECASE)
    if not name:
        return False
    if _fold(owner) in known_teams or _fold(name) in known_teams:
        return True
    return _fold(name) in _fold(source) or _fold(name) in _fold(expand_team_abbreviations(source))


def ground_draft(
    draft: InteractionDraft,
    *,
    source_text: str,
    participants: list[Participant],
    known_teams: Iterable[str] | None = None,
) -> InteractionDraft:
    """Check a draft's actions against the source and return a grounded copy with its report.

    Args:
        draft: The engine's draft (rules or LLM); not modified.
        source_text: The exact text the draft was made from.
        participants: The interaction's participants.
        known_teams: Team names the firm recognises (e.g. "Claims team"); teams named in the
            source are accepted as well.

    Returns:
        A new draft holding only grounded actions, with `grounding` counting what was dropped,
        marked unsupported or corrected, by reason.
    """
    report = GroundingReport(checked=True)
    teams = {_fold(t) for t in (known_teams or [])}
    by_name = {_fold(p.name): p for p in participants}
    folded_source = _fold(source_text)
    flat_source = " ".join(folded_source.replace(">", " ").split())
    kept: list[Action] = []
    for action in draft.actions:
        evidence = _ground_evidence(action.evidence, source_text)
        if evidence is None:
            _record(report, "dropped", "evidence_not_in_source", action.evidence.text)
            continue
        # Filling in missing offsets is routine; only wrong offsets count as a correction.
        supplied = action.evidence.start is not None or action.evidence.end is not None
        if supplied and evidence != action.evidence:
            _record(report, "corrected", "evidence_offsets_fixed", evidence.text)
        update: dict[str, object] = {"evidence": evidence}
        participant = by_name.get(_fold(action.owner))
        if participant is not None:
            if participant.name != action.owner:
                _record(report, "corrected", "owner_spelling_fixed", action.owner)
            if participant.side != action.owner_side:
                _record(report, "corrected", "owner_side_fixed", action.owner)
            update["owner"] = participant.name
            update["owner_side"] = participant.side
        elif re.search(r"\bteam$", action.owner.strip(), re.IGNORECASE) and _team_is_grounded(
            action.owner, source_text, teams
        ):
            if action.owner_side != "firm":
                _record(report, "corrected", "owner_side_fixed", action.owner)
            update["owner_side"] = "firm"
        else:
            _record(report, "dropped", "owner_unresolved", action.owner)
            continue
        due = action.due
        # Whitespace-insensitive: a hard-wrapped email breaks "within a\n   fortnight" over lines.
        if due.kind != "none" and (not due.phrase.strip() or " ".join(_fold(due.phrase).split()) not in flat_source):
            _record(report, "marked_unsupported", "due_phrase_not_in_source", due.phrase)
            update["due"] = Due.none()
        kept.append(action.model_copy(update=update))
    if draft.grounding.checked:
        # Grounding twice must not lose the first run's counts.
        for outcome, bucket in (("dropped", draft.grounding.dropped), ("marked_unsupported",
                                draft.grounding.unsupported), ("corrected", draft.grounding.corrected)):
            for reason, count in bucket.items():
                target = {"dropped": report.dropped, "marked_unsupported": report.unsupported,
                          "corrected": report.corrected}[outcome]
                target[reason] = target.get(reason, 0) + count
        report.issues = [*draft.grounding.issues, *report.issues]
    no_actions_reason = draft.no_actions_reason
    if not kept and not no_actions_reason:
        no_actions_reason = "All drafted actions failed grounding." if draft.actions else "No actions found."
    return draft.model_copy(update={"actions": kept, "grounding": report, "no_actions_reason": no_actions_reason})
