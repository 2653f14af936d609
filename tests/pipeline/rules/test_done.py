"""Work done during the interaction as decisions: the perfect, a finished state, a note's report."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.rules.done import DONE_OBJECT, noted_done, state_done
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Carys Bevan", role="service_agent", side="firm"),
          Participant(name="Douglas Ferguson", role="client", side="client")]


def _decisions(text: str, kind: str = "call_transcript") -> list[str]:
    return draft_with_rules(text, kind=kind, occurred_at=datetime(2026, 7, 29, 9, tzinfo=UTC), participants=PEOPLE,
                            client="Douglas Ferguson").summary.decisions


def test_verbs_the_old_list_missed_report_finished_work_with_their_object() -> None:
    call = ("Carys Bevan: I've opened the claim, and the reference is ST88130.\n"
            "Douglas Ferguson: Good.\n"
            "Carys Bevan: And I've just completed the switch to Voyager now, so there's no fee from today.\n")
    assert _decisions(call)[:2] == ["Claim opened during the call", "Switch to Voyager completed during the call"]


def test_the_object_stops_before_a_while_clause() -> None:
    call = "Carys Bevan: I've booked our emergency repairs team while we've been talking.\n"
    assert _decisions(call) == ["Emergency repairs team booked during the call"]


def test_a_named_thing_in_a_finished_state_is_done_and_a_bare_thats_done_is_not_a_decision() -> None:
    call = ("Carys Bevan: Do you want me to cancel it now?\nDouglas Ferguson: Yes, do it now.\n"
            "Carys Bevan: Okay, that's done. Paul's business debit card is cancelled.\n")
    assert _decisions(call) == ["Paul's business debit card cancelled during the call"]


def test_a_state_still_to_come_is_not_done() -> None:
    assert state_done("His card will be cancelled when the mandate changes.") is None
    assert state_done("The direct debit is now stopped.") == "The direct debit stopped"


def test_a_note_reports_work_done_by_initials_with_the_bullets_topic_when_the_object_is_missing() -> None:
    notes = ("DF in branch re his card. CB.\n"
             "- Queried £14 late fee on Aug statement - paid a day late. CB refunded as one-off.\n"
             "- Looks like invoice redirection. CB cancelled the scheduled payment on the call and deleted the new "
             "payee.\n- Wants limit down £9k -> £5k. Done in branch, effective now.\n")
    assert _decisions(notes, "meeting_notes")[:3] == [
        "£14 late fee on Aug statement refunded as one-off",
        "Scheduled payment cancelled on the call and deleted the new payee",
        "Limit down £9k -> £5k: done in branch, effective now"]


def test_a_note_line_by_the_client_is_not_the_firms_work() -> None:
    assert noted_done("DF cancelled the standing order himself") == ("DF", "cancelled",
                                                                     "the standing order himself")
    notes = "DF in branch. CB.\n- DF cancelled the standing order himself last week.\n"
    assert not any("standing order" in d for d in _decisions(notes, "meeting_notes"))


def test_a_hold_put_on_as_the_first_thing_done_is_placed_during_the_call() -> None:
    call = ("Carys Bevan: So the first thing I've done, while we've been talking, is put a thirty-day hold on any "
            "collections activity.\n")
    assert _decisions(call) == ["Thirty-day hold placed on any collections activity during the call"]


def test_them_done_names_the_plural_document_just_named_not_the_account() -> None:
    call = ("Carys Bevan: I can see your account. Yes, got it, three attachments.\n"
            "Carys Bevan: I've just forwarded them on to the claims team.\n")
    assert "Attachments forwarded during the call" in _decisions(call)


def test_thats_sent_now_names_nothing_and_is_no_decision() -> None:
    assert _decisions("Carys Bevan: That's sent now.\n") == []


def test_what_a_detail_was_changed_to_is_not_part_of_the_object() -> None:
    m = DONE_OBJECT.search("I've just updated your phone number to the new one, so the passcodes will come to that.")
    assert m is not None and m["object"] == "your phone number"
