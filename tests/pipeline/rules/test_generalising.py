"""Rules that carry over to new writers: dates said again, notes in the third person, types by structure."""

from datetime import date, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

_CALL = [Participant(name="Ines Moreau", role="service_agent", side="firm"),
         Participant(name="Tom Hale", role="client", side="client")]


def _actions(text: str, kind: str = "call_transcript", people: list[Participant] | None = None):
    draft = draft_with_rules(text, kind=kind, occurred_at=datetime.fromisoformat("2026-03-03T10:00:00+00:00"),
                             participants=people or _CALL, client="Tom Hale")
    return draft.actions


def test_a_promise_said_again_with_a_new_date_moves_the_date_when_restated() -> None:
    actions = _actions(
        "Ines Moreau: I'll look into the charge and ring you back by Thursday.\n"
        "Tom Hale: I'm out Thursday. Could you make it Wednesday?\n"
        "Ines Moreau: Wednesday's fine, I'll ring you Wednesday.\n"
    )
    assert len(actions) == 1
    assert actions[0].due.deadline == date(2026, 3, 4)


def test_a_restated_it_after_talk_of_the_date_is_the_same_promise_when_a_day_is_lost() -> None:
    actions = _actions(
        "Ines Moreau: We'd need a copy of the valuation.\n"
        "Tom Hale: I'll get it from the agent and email it to you tomorrow.\n"
        "Ines Moreau: Great.\n"
        "Tom Hale: Oh, hang on, tomorrow's no good, the agent is shut. Friday. I'll send it Friday.\n"
    )
    assert [a.due.deadline for a in actions if a.owner == "Tom Hale"] == [date(2026, 3, 6)]


def test_a_confirmation_takes_the_date_it_confirms_when_a_later_date_follows() -> None:
    actions = _actions(
        "Tom Hale: I'll phone the solicitor this afternoon. Actually, no, they're shut. I'll phone them Monday.\n"
        "Ines Moreau: Monday's fine, there's still time before the twentieth.\n"
    )
    assert actions[0].due.deadline == date(2026, 3, 9)


def test_notes_assign_work_in_the_third_person_when_the_author_writes_of_the_client() -> None:
    people = [Participant(name="Rosa Lind", role="relationship_manager", side="firm"),
              Participant(name="Omar Patel", role="client", side="client")]
    notes = ("OP in branch re ISA.\n- OP asked about tax on the gift. Said we can't advise -> he'll ask his "
             "accountant.\n- Need the old provider's details - OP to send via email.\n"
             "Omar needs to complete the transfer form and return it by Fri.\n")
    actions = _actions(notes, "meeting_notes", people)
    assert [a.owner for a in actions] == ["Omar Patel"] * 3
    assert actions[2].due.deadline == date(2026, 3, 6)


def test_a_next_heading_opens_an_action_list_when_items_name_owners() -> None:
    people = [Participant(name="Rosa Lind", role="relationship_manager", side="firm"),
              Participant(name="Omar Patel", role="client", side="client")]
    actions = _actions("Review mtg.\nNext\n- OP: payslips + P60 by Fri.\n- RL: illustration to OP.\n",
                       "meeting_notes", people)
    assert [a.owner for a in actions] == ["Omar Patel", "Rosa Lind"]


def test_types_read_structure_when_the_words_differ() -> None:
    actions = _actions(
        "Ines Moreau: I can't change the margin myself, so I'll put a request in to them today.\n"
        "Tom Hale: Fine.\n"
        "Ines Moreau: And I'll check that with our underwriters and let you know by Friday.\n"
        "Ines Moreau: I'll also take the fee question to the pricing committee.\n"
    )
    assert [a.type for a in actions] == ["approval", "internal_request", "approval"]


def test_a_team_usually_coming_back_is_its_action_when_named_the_turn_before() -> None:
    actions = _actions(
        "Ines Moreau: I'll raise a trace with our international payments team now, and they'll chase the bank.\n"
        "Tom Hale: How long does that take?\n"
        "Ines Moreau: They usually come back to you within three working days.\n"
    )
    assert [(a.owner, a.type) for a in actions] == [("Ines Moreau", "case"),
                                                    ("International payments team", "client_response")]


def test_a_quoted_message_dates_from_the_day_it_was_written_when_its_deadline_is_still_ahead() -> None:
    email = ("From: Tom Hale <tom@mail.example>\nTo: Ines Moreau <ines@bank.example>\nDate: Mon, 27 Jul 2026 08:15:00"
             " +0100\nSubject: Re: charge\n\nStill waiting, please refund the charge.\n\nTom\n\n"
             "On Thu, 23 Jul 2026 at 17:02, Ines Moreau <ines@bank.example> wrote:\n> Dear Tom,\n>\n"
             "> I'll email\n> you by Monday to explain the charge.\n")
    draft = draft_with_rules(email, kind="email", occurred_at=datetime.fromisoformat("2026-07-27T08:15:00+01:00"),
                             participants=_CALL, client="Tom Hale")
    quoted = [a for a in draft.actions if a.owner == "Ines Moreau" and "explain" in a.description]
    assert quoted and quoted[0].due.deadline == date(2026, 7, 27)


def test_the_same_call_on_the_same_day_said_again_is_one_action_when_no_recap_is_announced() -> None:
    actions = _actions(
        "Ines Moreau: I'll raise a fraud referral now. And someone from our fraud team will ring you back this "
        "afternoon.\n"
        "Tom Hale: Thank you.\n"
        "Ines Moreau: Two things, then. Keep the card cut up. And the fraud team will call you this afternoon.\n"
    )
    assert [a.owner for a in actions] == ["Ines Moreau", "Fraud team"]


def test_a_written_list_of_wants_asks_for_each_item_when_a_want_opens_it() -> None:
    email = ("From: Tom Hale <tom@mail.example>\nTo: Ines Moreau <ines@bank.example>\nDate: Mon, 02 Mar 2026 09:00:00"
             " +0000\nSubject: Complaint\n\nInes,\n\nWhat I want:\n\n1. The late fee refunded to my current account.\n"
             "2. A written reply by Friday explaining the delay.\n\nTom\n")
    draft = draft_with_rules(email, kind="email", occurred_at=datetime.fromisoformat("2026-03-02T09:00:00+00:00"),
                             participants=_CALL, client="Tom Hale")
    assert [(a.description, a.type) for a in draft.actions] == [
        ("Refund the late fee to Tom Hale’s current account", "approval"),
        ("Send a written reply by Friday explaining the delay", "client_response")]


def test_a_reply_that_names_the_work_keeps_the_asked_date_when_it_gives_none() -> None:
    actions = _actions(
        "Ines Moreau: I'll post you the form today. I need your signed copy by Friday at the latest.\n"
        "Tom Hale: I'll sign it the day it comes.\n"
    )
    assert [(a.owner, a.due.deadline) for a in actions if a.owner == "Tom Hale"] == [("Tom Hale", date(2026, 3, 6))]


def test_notes_that_call_the_client_client_give_the_client_the_work_when_one_client_took_part() -> None:
    people = [Participant(name="Rosa Lind", role="relationship_manager", side="firm"),
              Participant(name="Omar Patel", role="client", side="client")]
    notes = "Review, 3 Mar.\n- Client to provide 3m bank stmts by Fri.\n- Need P60 from customer.\n- RL to send pack.\n"
    actions = _actions(notes, "meeting_notes", people)
    assert [(a.owner, a.description) for a in actions] == [
        ("Omar Patel", "Provide 3m bank stmts by Fri"), ("Omar Patel", "Provide P60"), ("Rosa Lind", "Send pack")]


def test_written_wants_of_an_outcome_ask_the_reader_when_no_request_form_is_used() -> None:
    people = [Participant(name="Rosa Lind", role="relationship_manager", side="firm"),
              Participant(name="Omar Patel", role="client", side="client")]
    wanted = []
    for body in ("I would like a refund of the charge.", "I would like the account closed by Friday.",
                 "Would it be possible to move the payment date to the 15th?", "I trust you will refund the fee."):
        email = ("From: Omar Patel <o@x.example>\nTo: Rosa Lind <r@bank.example>\nDate: Tue, 03 Mar 2026 09:00:00 "
                 f"+0000\nSubject: Account\n\nHi Rosa,\n\n{body}\n\nOmar\n")
        wanted += [(a.owner, a.description) for a in _actions(email, "email", people)]
    assert wanted == [("Rosa Lind", "Provide a refund of the charge"), ("Rosa Lind", "Close the account by Friday"),
                      ("Rosa Lind", "Move the payment date to the 15th"), ("Rosa Lind", "Refund the fee")]
