"""Client asks from a note's report, the firm's restatement, and the firm's answer to a vague ask (invented)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.rules.asks import vague
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Tessa Nguyen", role="service_agent", side="firm"),
          Participant(name="Fiona Gallagher", role="client", side="client")]


def _asks(text: str, kind: str = "call_transcript") -> list[str]:
    return draft_with_rules(text, kind=kind, occurred_at=datetime(2026, 8, 12, 11, tzinfo=UTC), participants=PEOPLE,
                            client="Fiona Gallagher").summary.client_asks


def test_a_bullet_without_a_subject_reports_the_clients_want() -> None:
    notes = ("FG in branch 12/8 re her credit card. TN.\n- Wants limit down £9k -> £5k.\n"
             "- Asked re 0% balance transfer of £2,100.\n- TN to email terms tomorrow.\n")
    asks = _asks(notes, "meeting_notes")
    assert "Limit down £9k -> £5k" in asks
    assert "About 0% balance transfer of £2,100" in asks


def test_a_note_reports_queried_and_pushing_as_asks() -> None:
    notes = ("Review. TN, FG.\n- FG queried custody fee line on last statement.\n"
             "- FG also pushing margin 2.25% -> 1.95%.\n")
    asks = _asks(notes, "meeting_notes")
    assert "Custody fee line on last statement" in asks
    assert "Margin 2.25% -> 1.95%" in asks


def test_a_want_later_in_a_bullet_without_its_subject_is_not_read_as_the_clients() -> None:
    notes = "Review. TN, FG.\n- Portfolio steady. Wants nothing changed by us.\n"
    assert not any("changed" in a for a in _asks(notes, "meeting_notes"))


def test_the_firms_reply_restating_what_the_client_asked_is_an_ask() -> None:
    email = ("From: Tessa Nguyen <t@bank.example>\nTo: Fiona Gallagher <f@mail.example>\nDate: Wed, 12 Aug 2026 "
             "11:00:00 +0100\nSubject: RE: Account\n\nDear Fiona,\n\nYou also asked whether we can open a EUR account "
             "alongside the sterling one. I'll check with our FX team.\n\nTessa\n")
    assert "Whether the firm can open a EUR account alongside the sterling one" in _asks(email, "email")


def test_a_vague_ask_takes_the_wording_of_the_firms_answer_in_the_next_turn() -> None:
    call = ("Fiona Gallagher: And the interest?\n"
            "Tessa Nguyen: Good point. I'll include any interest charged on those fees in the same request.\n")
    assert _asks(call) == ["Include any interest charged on those fees in the same request"]


def test_a_vague_ask_the_next_turn_does_not_answer_keeps_its_words() -> None:
    call = ("Fiona Gallagher: And the fence?\nTessa Nguyen: Fences aren't covered for storm damage.\n"
            "Fiona Gallagher: Right.\nTessa Nguyen: I'll email you the claim confirmation today.\n")
    assert _asks(call) == ["The fence"]


def test_what_counts_as_vague() -> None:
    assert vague("Every penny of that back") and vague("The interest") and vague("Sort it out")
    assert not vague("Refund the £87.40 foreign transaction fees")


def test_a_question_with_it_as_subject_names_the_document_of_the_turn_before() -> None:
    call = ("Tessa Nguyen: We'll need an income and expenditure form from you. I'll email it to you today.\n"
            "Fiona Gallagher: Okay. Is it long?\n")
    assert "Whether the income and expenditure form is long" in _asks(call)


def test_it_as_an_object_is_left_alone() -> None:
    from pipeline.rules.asks import with_document

    assert with_document("Whether the client should vote for it", "I'll email you the proxy form.") == (
        "Whether the client should vote for it")


def test_is_it_a_good_idea_names_the_plan_the_client_stated() -> None:
    call = ("Fiona Gallagher: I'm thinking of moving an old work pension into my SIPP.\n"
            "Tessa Nguyen: Okay, which pension is it?\nFiona Gallagher: Ravensworth. Is it a good idea?\n")
    assert "Whether moving an old work pension into the client’s SIPP is a good idea" in _asks(call)


def test_what_happens_next_takes_the_firms_answer() -> None:
    call = ("Fiona Gallagher: And then what happens?\nTessa Nguyen: Once we've got the form, the support team will "
            "look at a reduced payment plan for the loan.\n")
    assert _asks(call) == ["What happens next: once the firm has got the form, the support team will look at a "
                           "reduced payment plan for the loan"]


def test_a_noted_ask_stops_at_the_dash_before_the_firms_reply() -> None:
    notes = "Renewal mtg. TN, FG.\n- FG asked if flood limit can go higher - UW unlikely to agree.\n"
    assert "Whether flood limit can go higher" in _asks(notes, "meeting_notes")


def test_the_firms_yes_before_its_commitment_is_left_out_of_the_answer() -> None:
    call = ("Fiona Gallagher: Could you send me something in writing about that?\n"
            "Tessa Nguyen: Yes, I'll email you our guide to ISAs today.\n")
    assert "Email the client the firm’s guide to ISAs today" in _asks(call)
