"""Conversation rules: restatements, recaps and follow-on clauses settle into the actions already drafted."""

from datetime import date, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

AGENT = Participant(name="Nadia Ferreira", role="service_agent", side="firm")
CLIENT = Participant(name="Owen Pritchard", role="client", side="client")
RM = Participant(name="Lena Varga", role="relationship_manager", side="firm")


def _actions(text: str, kind: str = "call_transcript", people=(AGENT, CLIENT), when="2026-05-13T10:00:00+01:00"):
    draft = draft_with_rules(text, kind=kind, occurred_at=datetime.fromisoformat(when), participants=list(people),
                             client=people[-1].name)
    return [(a.owner, a.due.deadline, a.evidence.text) for a in draft.actions]


def test_recap_at_the_end_of_a_call_restates_actions_rather_than_adding_them() -> None:
    text = """Nadia Ferreira: I'll email you the cancellation confirmation and the refund breakdown today.
Owen Pritchard: Great, thanks.
Nadia Ferreira: And our payments team will return the overpaid premium within five working days.
Owen Pritchard: Perfect.
Nadia Ferreira: So just to recap, I'll email you the cancellation confirmation today, \
and the payments team will return the overpaid premium within five working days.
Owen Pritchard: Lovely."""
    rows = _actions(text)
    assert [(owner, due) for owner, due, _ in rows] == [
        ("Nadia Ferreira", date(2026, 5, 13)), ("Payments team", date(2026, 5, 20))]
    assert all("recap" not in evidence for _, _, evidence in rows)


def test_recap_with_a_new_date_moves_the_restated_action() -> None:
    text = """Nadia Ferreira: I'll post the replacement policy documents to you tomorrow.
Owen Pritchard: Thanks.
Nadia Ferreira: To confirm what we've agreed, I'll post the replacement policy documents on Friday instead."""
    assert [(o, d) for o, d, _ in _actions(text)] == [("Nadia Ferreira", date(2026, 5, 15))]


def test_different_deliverables_by_one_owner_stay_separate_in_a_recap() -> None:
    text = """Nadia Ferreira: I'll email you the cancellation confirmation today.
Owen Pritchard: Okay.
Nadia Ferreira: So to recap, I'll email the confirmation today, \
and I'll also ring the broker about the no-claims letter tomorrow."""
    owners = [o for o, _, _ in _actions(text)]
    assert len(owners) == 2


def test_notes_actions_list_keeps_the_list_item_as_the_record() -> None:
    text = """Review - O Pritchard
- OP asked about consolidating his two pensions. LV will ask the pensions team for a transfer value comparison.

Actions
- LV to ask pensions team for transfer value comparison, by end of month."""
    rows = _actions(text, kind="meeting_notes", people=(RM, CLIENT), when="2026-05-13T10:00:00+01:00")
    assert rows == [("Lena Varga", date(2026, 5, 31),
                     "LV to ask pensions team for transfer value comparison, by end of month.")]


def test_team_follow_on_told_with_a_pronoun_dates_the_team_action() -> None:
    text = """Nadia Ferreira: Next, our claims team will arrange a loss adjuster, \
and they'll ring you within two working days to book the visit.
Owen Pritchard: Fine."""
    assert [(o, d) for o, d, _ in _actions(text)] == [("Claims team", date(2026, 5, 15))]


def test_indirect_request_from_the_firm_is_the_clients_action() -> None:
    text = """Nadia Ferreira: What I'd ask is that you keep the damaged items and photograph them for us.
Owen Pritchard: No problem, I can do that tonight."""
    assert [(o, d) for o, d, _ in _actions(text)] == [("Owen Pritchard", date(2026, 5, 13))]


def test_walking_the_caller_through_and_seeing_to_promised_work_add_nothing() -> None:
    text = """Nadia Ferreira: I'll take you through what we need from you first.
Owen Pritchard: Okay.
Nadia Ferreira: I'll send the claim form today. I'll make sure the form goes out on time."""
    assert [(o, d) for o, d, _ in _actions(text)] == [("Nadia Ferreira", date(2026, 5, 13))]


def test_reply_emailing_the_thing_asked_for_dates_the_request() -> None:
    text = """Nadia Ferreira: Could you send me the contractor's quote for the repair?
Owen Pritchard: I'll email it tonight."""
    rows = _actions(text)
    assert [(o, d) for o, d, _ in rows] == [("Owen Pritchard", date(2026, 5, 13))]
    assert rows[0][2].startswith("Could you send me")


def _call_of(text: str):
    from datetime import datetime

    from pipeline.grounding import ground_draft
    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    people = [Participant(name="Tariq Hussain", role="service_agent", side="firm"),
              Participant(name="Malcolm Reeve", role="client", side="client")]
    draft = draft_with_rules(text, kind="call_transcript", occurred_at=datetime.fromisoformat("2026-03-12T12:20:00"),
                             participants=people, client="Malcolm Reeve")
    return ground_draft(draft, source_text=text, participants=people)


def test_reporting_back_on_an_ask_in_its_sentence_is_one_action_dated_by_the_report() -> None:
    draft = _call_of("Tariq Hussain: And I'll ask our ISA transfers team to chase Greyfield by phone this afternoon, "
                     "and I'll call you back tomorrow with where it's got to.\nMalcolm Reeve: Fine.")
    assert [(a.type, a.due.deadline.isoformat()) for a in draft.actions] == [("internal_request", "2026-03-13")]


def test_an_answer_promised_after_an_undated_step_to_credit_dates_it() -> None:
    draft = _call_of("Tariq Hussain: The twenty I'll need to put to credit, because it's an increase. I'll have an "
                     "answer for you by Tuesday.\nMalcolm Reeve: Okay.")
    assert [(a.type, a.due.deadline.isoformat()) for a in draft.actions] == [("approval", "2026-03-17")]


def test_steps_in_separate_sentences_with_their_own_dates_stay_two() -> None:
    draft = _call_of("Tariq Hussain: I'll send the figures to our tax team today. Then I'll come back to you by "
                     "Friday.\nMalcolm Reeve: Fine.")
    assert len(draft.actions) == 2


def test_a_recap_restating_an_action_by_its_date_adds_nothing() -> None:
    draft = _call_of("Tariq Hussain: I'll ask our underwriters whether they can extend full cover, and ring you back "
                     "on Monday.\nMalcolm Reeve: Fine.\nTariq Hussain: So, to recap. I'll speak to underwriting about "
                     "the empty house and call you on Monday.")
    assert len(draft.actions) == 1


def test_work_the_other_party_says_is_done_during_the_call_is_no_action() -> None:
    draft = _call_of("Malcolm Reeve: I'll forward you the letter now.\nTariq Hussain: Please do. I've got it, it's "
                     "just come through.")
    assert draft.actions == []


REPLY_LINE_THREAD = """From: George Hathaway <george@mill.example>
To: Simone Baptiste <simone@wealth.example>
Date: Tue, 14 Apr 2026 08:31:00 +0100
Subject: Re: Fund suspended

Simone,

Thanks for sending the fund manager's letter on Friday. Could you send me the updated valuation by Friday?

Best,
George

On Fri, 10 Apr 2026 at 11:02, Simone Baptiste wrote:
> Dear George,
>
> I'll send you the fund manager's letter later today. I'll write to you
> as soon as the fund reopens for dealing. I'll also send you a valuation next week.
>
> Kind regards,
> Simone
"""


def test_a_reply_line_opens_the_quoted_message_and_thanks_complete_the_best_matching_promise() -> None:
    from datetime import datetime

    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    people = [Participant(name="George Hathaway", role="client", side="client"),
              Participant(name="Simone Baptiste", role="relationship_manager", side="firm")]
    draft = draft_with_rules(REPLY_LINE_THREAD, kind="email", occurred_at=datetime.fromisoformat("2026-04-14T08:31"),
                             participants=people, client="George Hathaway")
    evidence = [a.evidence.text for a in draft.actions]
    # The letter was thanked for; the valuation is asked for again on top; the reopening promise is open.
    assert evidence == ["Could you send me the updated valuation by Friday?",
                        "I'll write to you\n> as soon as the fund reopens for dealing."]


def test_by_then_takes_the_date_of_the_sentence_before() -> None:
    draft = _call_of("Tariq Hussain: The review meeting is on Friday.\nMalcolm Reeve: Right. I'll send you the "
                     "signed forms by then.")
    assert [a.due.deadline.isoformat() for a in draft.actions] == ["2026-03-13"]


def test_by_then_without_an_earlier_date_states_none() -> None:
    draft = _call_of("Malcolm Reeve: I'll send you the signed forms by then.")
    assert [a.due.deadline for a in draft.actions] == [None]


def test_a_pro_form_reply_after_a_date_was_negotiated_dates_the_request() -> None:
    draft = _call_of("Tariq Hussain: Could you send me your last VAT return by Monday?\n"
                     "Malcolm Reeve: Could I get it to you by the end of the week instead?\n"
                     "Tariq Hussain: End of the week's fine.\nMalcolm Reeve: Yes. I'll email it over.")
    assert [(a.owner, a.due.deadline.isoformat()) for a in draft.actions] == [("Malcolm Reeve", "2026-03-13")]


def test_a_new_plan_for_it_after_actually_replaces_the_first() -> None:
    draft = _call_of("Malcolm Reeve: I'll print it and post it back tomorrow. Actually, can I scan it?\n"
                     "Tariq Hussain: Yes, scanning it back is fine.\nMalcolm Reeve: Then I'll scan it back tonight.")
    assert [(a.evidence.text, a.due.deadline.isoformat()) for a in draft.actions] == [
        ("Then I'll scan it back tonight.", "2026-03-12")]


def test_an_ask_for_it_after_a_need_statement_is_the_one_request() -> None:
    draft = _call_of("Tariq Hussain: We'll need an income and expenditure form from you.\nMalcolm Reeve: Okay.\n"
                     "Tariq Hussain: Could you get it back to us by Friday?")
    assert [a.evidence.text for a in draft.actions] == ["Could you get it back to us by Friday?"]


def test_a_deadline_for_the_whole_written_request_dates_each_ask_and_a_reason_dates_none() -> None:
    text = """From: Owen Pritchard <owen@example.com>
To: Lena Varga <lena@bank.example>
Subject: Two things

Hi Lena,

Could you change the payee details on my account to the new builder?
Their email said it's urgent because the old account closes next week.

Could you also waive the £25 CHAPS fee on this one?

I'm away from Wednesday, so ideally this would be done by Tuesday 19th.

Owen
"""
    rows = _actions(text, kind="email", people=(RM, CLIENT), when="2026-05-13T10:00:00+01:00")
    # The two asks (the payee call-back control the engine adds comes after them, undated by design).
    assert [(due, "waive" in evidence) for _, due, evidence in rows[:2]] == [
        (date(2026, 5, 19), False), (date(2026, 5, 19), True)], rows


def test_now_turning_to_the_next_topic_dates_nothing() -> None:
    # 2026-05-13 is a Wednesday; three business days on is Monday 18 May.
    text = """Owen Pritchard: The call-back never happened.
Nadia Ferreira: Done, it's logged as a complaint. Customer Relations will write to you within three business days to \
acknowledge it. Now the transaction. Did you make it yourself?
Owen Pritchard: No."""
    assert [(owner, due) for owner, due, _ in _actions(text)] == [("Customer Relations team", date(2026, 5, 18))]


def test_a_newer_go_ahead_request_supersedes_the_quoted_promise_of_the_same_form() -> None:
    people = (RM, Participant(name="Kofi Mensah", role="client", side="client"))
    text = """From: Kofi Mensah
To: Lena Varga
Date: Mon, 12 Oct 2026 19:47:03 +0100

Please go ahead and send me the transfer form for the Meridian pension.

-----Original Message-----
From: Lena Varga
Sent: Wed, 07 Oct 2026 14:05:40 +0100

I'll send you the SIPP Transfer-In Forms once you've heard back from the providers.
"""
    rows = _actions(text, kind="email", people=people, when="2026-10-12T19:47:03+01:00")
    assert [evidence for _, _, evidence in rows] == [
        "Please go ahead and send me the transfer form for the Meridian pension."]


def test_a_quoted_plan_the_newer_message_calls_off_is_no_action_when_it_says_ignore_it() -> None:
    from datetime import datetime

    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    email = ("From: Ines Moreau <ines@bank.example>\nTo: Tom Hale <tom@mail.example>\nDate: Wed, 14 Oct 2026 08:52:00"
             " +0100\nSubject: RE: Claim\n\nTom,\n\nWe're sending an adjuster instead, so please ignore the Harlow "
             "Surveys call.\n\nInes\n\n-----Original Message-----\nFrom: Ines Moreau <ines@bank.example>\n"
             "Sent: Monday, October 12, 2026 4:40 PM\nSubject: Claim\n\nI'll ask Harlow Surveys to ring you on "
             "Thursday to arrange a visit.\n")
    people = [Participant(name="Ines Moreau", role="service_agent", side="firm"),
              Participant(name="Tom Hale", role="client", side="client")]
    draft = draft_with_rules(email, kind="email", occurred_at=datetime.fromisoformat("2026-10-14T08:52:00+01:00"),
                             participants=people, client="Tom Hale")
    assert draft.actions == []
