"""Grounding trusts nothing: evidence, owners and dates are each checked against the source."""

from datetime import date, datetime

from pipeline.grounding import ground_draft
from pipeline.schemas import Action, Due, Evidence, InteractionDraft, InteractionSummary, Participant

SOURCE = "Ana Ruiz: I'll send you the form by Friday.\nBen Cole: Our claims team will call you."
PEOPLE = [Participant(name="Ana Ruiz", role="service_agent", side="firm"),
          Participant(name="Ben Cole", role="client", side="client")]


def _action(evidence: str, owner: str = "Ana Ruiz", side: str = "firm", due: Due | None = None,
            start: int | None = None, end: int | None = None) -> Action:
    return Action(description="x", owner=owner, owner_side=side, due=due or Due.none(), type="task",
                  evidence=Evidence(text=evidence, start=start, end=end))


def _draft(*actions: Action) -> InteractionDraft:
    summary = InteractionSummary(client="Ben Cole", kind="call_transcript", occurred_at=datetime(2025, 6, 4),
                                 channel="phone", purpose="service_issue")
    return InteractionDraft(summary=summary, actions=list(actions))


def test_ground_draft_fixes_wrong_offsets() -> None:
    grounded = ground_draft(_draft(_action("I'll send you the form by Friday.", start=0, end=5)),
                            source_text=SOURCE, participants=PEOPLE)
    evidence = grounded.actions[0].evidence
    assert SOURCE[evidence.start:evidence.end] == evidence.text
    assert grounded.grounding.corrected == {"evidence_offsets_fixed": 1}


def test_ground_draft_drops_evidence_not_in_source() -> None:
    grounded = ground_draft(_draft(_action("I will send you the form.")), source_text=SOURCE, participants=PEOPLE)
    assert grounded.actions == []
    assert grounded.grounding.dropped == {"evidence_not_in_source": 1}
    assert grounded.no_actions_reason


def test_ground_draft_drops_unknown_owner_and_fixes_spelling_and_side() -> None:
    grounded = ground_draft(
        _draft(_action("I'll send you the form by Friday.", owner="Mallory Hacker"),
               _action("Our claims team will call you.", owner="ben cole", side="firm")),
        source_text=SOURCE, participants=PEOPLE,
    )
    assert [(a.owner, a.owner_side) for a in grounded.actions] == [("Ben Cole", "client")]
    assert grounded.grounding.dropped == {"owner_unresolved": 1}
    assert grounded.grounding.corrected == {"owner_spelling_fixed": 1, "owner_side_fixed": 1}


def test_ground_draft_accepts_team_named_in_source_or_known() -> None:
    draft = _draft(_action("Our claims team will call you.", owner="Claims team"),
                   _action("Our claims team will call you.", owner="Fraud team", side="client"))
    grounded = ground_draft(draft, source_text=SOURCE, participants=PEOPLE, known_teams=["Fraud team"])
    assert [(a.owner, a.owner_side) for a in grounded.actions] == [("Claims team", "firm"), ("Fraud team", "firm")]
    assert ground_draft(draft, source_text=SOURCE, participants=PEOPLE).grounding.dropped == {"owner_unresolved": 1}


def test_ground_draft_marks_due_without_source_phrase_unsupported() -> None:
    made_up = Due(kind="date", date=date(2025, 6, 9), phrase="on Monday")
    stated = Due(kind="date", date=date(2025, 6, 6), phrase="by Friday")
    grounded = ground_draft(
        _draft(_action("I'll send you the form by Friday.", due=made_up),
               _action("I'll send you the form by Friday.", due=stated)),
        source_text=SOURCE, participants=PEOPLE,
    )
    assert grounded.actions[0].due == Due.none()
    assert grounded.actions[1].due == stated
    assert grounded.grounding.unsupported == {"due_phrase_not_in_source": 1}


def test_ground_draft_does_not_mutate_input() -> None:
    draft = _draft(_action("not in the source"))
    ground_draft(draft, source_text=SOURCE, participants=PEOPLE)
    assert len(draft.actions) == 1 and not draft.grounding.checked
