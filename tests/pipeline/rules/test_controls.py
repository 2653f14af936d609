"""Control actions: a written payee-change request gets the firm's call-back."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Priya Shah", role="relationship_manager", side="firm"),
          Participant(name="Helen Marsh", role="client", side="client")]
EMAIL = """From: Helen Marsh <helen@example.com>
To: Priya Shah <priya@bank.example>
Subject: Builder

Hi Priya,

The builder has moved banks. Could you update the payee details for them before Friday?

Thanks,
Helen
"""


def _draft(text: str, kind: str = "email"):
    return draft_with_rules(text, kind=kind, occurred_at=datetime(2026, 11, 20, 9, tzinfo=UTC), participants=PEOPLE,
                            client="Helen Marsh")


def test_a_written_payee_change_gets_a_call_back_owned_by_the_reader() -> None:
    draft = _draft(EMAIL)
    call_backs = [a for a in draft.actions if a.description.startswith("Call Helen Marsh back")]
    assert len(call_backs) == 1
    action = call_backs[0]
    assert (action.owner, action.owner_side, action.type) == ("Priya Shah", "firm", "task")
    assert action.due.kind == "none" and action.due.phrase == "before the payee details are changed"
    assert EMAIL[action.evidence.start : action.evidence.end] == action.evidence.text
    assert "payee details" in action.evidence.text


def test_an_email_without_a_payee_change_gets_no_call_back() -> None:
    draft = _draft(EMAIL.replace("The builder has moved banks. Could you update the payee details for them",
                                 "Could you send me the statement"))
    assert not any("Call Helen Marsh back" in a.description for a in draft.actions)


def test_a_call_is_left_alone_the_check_happens_on_the_line() -> None:
    call = "Helen Marsh: The builder has moved banks, can you update the payee details?\nPriya Shah: Let me check."
    assert not any("Call Helen Marsh back" in a.description for a in _draft(call, "call_transcript").actions)
