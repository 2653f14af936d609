"""The firm's recommendations and proposals as decisions, offers the client took up as asks."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Rajiv Menon", role="relationship_manager", side="firm"),
          Participant(name="Ana Costa", role="client", side="client")]
CALL = """Rajiv Menon: Morning Ana, it's Rajiv with your review.
Ana Costa: Hi Rajiv.
Rajiv Menon: Equities have run ahead, so our recommendation is to rebalance back to sixty-forty.
Ana Costa: Makes sense.
Rajiv Menon: I can see the standing order to the gym on the joint account. Would you like me to cancel it?
Ana Costa: Yes, please.
"""


def _summary(text: str = CALL):
    return draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                            participants=PEOPLE, client="Ana Costa").summary


def test_a_recommendation_stated_outright_is_a_decision() -> None:
    assert "Recommended: rebalance back to 60/40" in _summary().decisions


def test_a_proposal_is_noted_as_proposed_in_the_third_person() -> None:
    call = CALL + "Rajiv Menon: We're proposing to keep your fee at 0.5% for another year.\n"
    assert "Proposed: keep the client’s fee at 0.5% for another year" in _summary(call).decisions


def test_a_recommendation_under_a_condition_or_in_a_question_decides_nothing() -> None:
    call = CALL.replace("so our recommendation is", "if you agree, our recommendation is")
    call += "Ana Costa: Would you recommend the ethical fund?\n"
    assert not any(d.startswith("Recommended") for d in _summary(call).decisions)


def test_an_offer_the_client_accepts_is_an_ask_with_its_object() -> None:
    assert "Cancel the standing order" in _summary().client_asks


def test_an_offer_the_client_declines_is_no_ask() -> None:
    declined = CALL.replace("Ana Costa: Yes, please.", "Ana Costa: No, leave it for now.")
    assert not any(a.startswith("Cancel") for a in _summary(declined).client_asks)
