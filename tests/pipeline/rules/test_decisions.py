"""Decisions from the action pass: a date moved during the interaction, a record the firm agreed to open."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.rules.decisions import _deliverable, _gist, without_phrase
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Nina Okafor", role="service_agent", side="firm"),
          Participant(name="Paul Brandt", role="client", side="client")]
# 2026-11-20 is a Friday: Monday is 23 November, Wednesday 25 November.
CALL = """Nina Okafor: Good morning, Nina speaking.
Paul Brandt: Hello. Water has come through the ceiling and ruined the carpet.
Nina Okafor: I'm sorry to hear that. I'll log a claim for the water damage straight after this call.
Nina Okafor: Could you send me photos of the ceiling by Monday?
Paul Brandt: I'm away until Tuesday. Could it be Wednesday?
Nina Okafor: Wednesday's fine.
"""


def _draft(text: str = CALL):
    return draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                            participants=PEOPLE, client="Paul Brandt")


def test_a_date_moved_during_the_call_is_a_decision_naming_both_days() -> None:
    decisions = _draft().summary.decisions
    assert any("moved from Monday 23 November to Wednesday 25 November" in d and "photos" in d.lower()
               for d in decisions)


def test_the_moved_action_no_longer_quotes_the_first_date() -> None:
    photos = next(a for a in _draft().actions if "photos" in a.description)
    assert str(photos.due.date) == "2026-11-25"
    assert "Monday" not in photos.description


def test_a_case_the_firm_opens_is_a_decision() -> None:
    assert any("claim" in d.lower() and "moved" not in d for d in _draft().summary.decisions)


def test_a_sign_off_the_client_asks_for_in_writing_is_an_action_but_no_decision() -> None:
    email = ("From: Paul Brandt <paul@example.com>\nTo: Nina Okafor <nina@bank.example>\n"
             "Subject: Fee\n\nHi Nina,\n\nCould you waive the £25 CHAPS fee on my last payment?\n\nPaul\n")
    out = draft_with_rules(email, kind="email", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                           participants=PEOPLE, client="Paul Brandt")
    assert [a.type for a in out.actions if "waive" in a.description.lower()] == ["approval"]
    assert not any("waive" in d.lower() for d in out.summary.decisions)  # nobody at the firm agreed yet


def test_a_date_that_was_never_moved_gives_no_moved_decision() -> None:
    moved = "Paul Brandt: I'm away until Tuesday. Could it be Wednesday?\nNina Okafor: Wednesday's fine.\n"
    settled = CALL.replace(moved, "Paul Brandt: Monday's fine.\n")
    assert not any("moved" in d for d in _draft(settled).summary.decisions)


def test_without_phrase_takes_the_date_and_its_preposition_out() -> None:
    assert without_phrase("Send the photos of the ceiling by Monday", "Monday") == "Send the photos of the ceiling"
    assert without_phrase("Send the pack", "Monday") == "Send the pack"


def test_a_moved_decision_names_the_deliverable_not_its_recipient() -> None:
    moved = [d for d in _draft().summary.decisions if "moved" in d]
    assert moved and all("Nina" not in d for d in moved)


def test_a_moved_hand_over_is_named_as_the_deadline_of_what_is_handed_over() -> None:
    assert ("Photos of the ceiling deadline moved from Monday 23 November to Wednesday 25 November"
            in _draft().summary.decisions)


def test_a_moved_call_about_something_is_named_by_it() -> None:
    call = CALL + ("Nina Okafor: I'll ring you on Monday to confirm the refund. Oh, I'm out Monday. Let's say "
                   "Wednesday instead.\nPaul Brandt: Wednesday's fine.\n")
    moved = [d for d in _draft(call).summary.decisions if "call" in d.lower() and "moved" in d]
    assert moved == ["Refund call moved from Monday 23 November to Wednesday 25 November"]


def test_a_hand_over_named_by_a_pronoun_takes_the_last_document_named() -> None:
    before = "We'll need the supplier's quote and your management accounts. The accounts are with our accountant."
    assert _deliverable("Get them all to Grace Liddell", "Stuart McAllister", before=before) == "Accounts deadline"
    assert _deliverable("Get it back to Rhys Powell", "Jade Whitaker", before="Fill in the income form, please.") == (
        "Income form deadline")


def test_whose_the_deliverable_is_and_who_it_comes_from_are_left_out() -> None:
    assert _gist("Send Dominic Reyes Tamsin Harper’s last VAT return") == "Send last VAT return"
    assert _gist("Get a quote off him") == "Get a quote"


def test_a_moved_call_is_named_as_a_call_without_the_person_called() -> None:
    call = CALL + ("Nina Okafor: I'll ring you back on Monday to check. Oh, I'm out Monday. Let's say Wednesday "
                   "instead.\nPaul Brandt: Wednesday's fine.\n")
    moved = [d for d in _draft(call).summary.decisions if d.startswith("Call")]
    assert moved == ["Call-back moved from Monday 23 November to Wednesday 25 November"]


def test_a_protective_step_the_firm_commits_to_is_a_decision_but_a_hand_over_is_not() -> None:
    call = CALL + "Nina Okafor: I'll stop that direct debit collection today, so nothing leaves your account.\n"
    decisions = _draft(call).summary.decisions
    assert any(d.startswith("Stop that direct debit collection") for d in decisions)
    assert not any(d.startswith("Send") for d in decisions)


def test_without_phrase_keeps_a_short_rest_unless_told_how_short_may_be_left() -> None:
    assert without_phrase("Call back tomorrow", "tomorrow") == "Call back tomorrow"
    assert without_phrase("Call back tomorrow", "tomorrow", min_words=1) == "Call back"
