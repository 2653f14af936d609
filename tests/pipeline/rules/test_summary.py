"""The summary in short third-person phrases (an invented call)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Tomasz Nowak", role="service_agent", side="firm"),
          Participant(name="Evelyn Marsh", role="client", side="client")]
CALL = """Tomasz Nowak: Good morning, you're through to Tomasz.
Evelyn Marsh: Hello. My husband died last week and I don't know where to start. Do I need probate?
Tomasz Nowak: I'm so sorry. That depends on the estate; the pack explains it.
Evelyn Marsh: There's his gym. They take money every month, I think it's forty pounds.
Tomasz Nowak: I can see that direct debit on the joint account. Would you like me to cancel it?
Evelyn Marsh: Yes, please.
Tomasz Nowak: I've cancelled that now. I'll send you a bereavement pack today.
"""


def _summary(text: str = CALL):
    return draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                            participants=PEOPLE, client="Evelyn Marsh").summary


def test_a_question_becomes_a_whether_phrase_without_names() -> None:
    assert "Whether the client needs probate" in _summary().client_asks


def test_work_done_during_the_call_is_a_decision_with_its_object() -> None:
    assert "Direct debit cancelled during the call" in _summary().decisions


def test_spoken_amounts_are_figures_in_key_facts() -> None:
    assert any("£40" in fact for fact in _summary().key_facts)


def test_bereavement_reads_negative_and_silence_reads_unknown() -> None:
    assert _summary().sentiment == "negative"
    quiet = "Tomasz Nowak: Hello.\nEvelyn Marsh: Hello. Can you send me a statement?\nTomasz Nowak: I'll post one."
    assert _summary(quiet).sentiment == "unknown"


def test_before_next_interaction_does_not_repeat_the_actions() -> None:
    summary = draft_with_rules(CALL, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                               participants=PEOPLE, client="Evelyn Marsh")
    descriptions = {a.description for a in summary.actions}
    assert descriptions and not descriptions & set(summary.summary.before_next_interaction)


def test_each_want_stated_outright_is_its_own_short_ask() -> None:
    call = CALL + "Evelyn Marsh: I want the fees refunded and I want it logged as a complaint.\n"
    asks = _summary(call).client_asks
    assert "The fees refunded" in asks
    assert any(a.lower().startswith("it logged as a complaint") for a in asks)


def test_a_question_after_a_lead_in_is_a_whether_phrase() -> None:
    call = CALL + "Evelyn Marsh: I suppose my question is, am I still covered for the car?\n"
    assert "Whether the client is still covered for the car" in _summary(call).client_asks


def test_a_decimal_in_a_noted_ask_does_not_cut_it() -> None:
    notes = "Review mtg.\n- EM wants the limit up from $4.0M to $6.5M from Jan.\n"
    summary = draft_with_rules(notes, kind="meeting_notes", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                               participants=[*PEOPLE[:1], Participant(name="Evelyn Marsh", role="client",
                                                                      side="client")],
                               client="Evelyn Marsh").summary
    assert any("$6.5M" in a for a in summary.client_asks)


def test_what_the_firm_does_as_the_client_asked_is_a_decision() -> None:
    call = CALL + ("Evelyn Marsh: And can you change the phone number on the account?\n"
                   "Tomasz Nowak: Sure, one second... that's updated now.\n")
    assert any(d.startswith("Change the phone number on the account") and "done during the call" in d
               for d in _summary(call).decisions)


def test_a_pleasantry_before_a_done_pro_form_is_no_decision() -> None:
    call = CALL + "Evelyn Marsh: That'd be lovely, yes please.\nTomasz Nowak: Great, that's done.\n"
    assert not any("lovely" in d for d in _summary(call).decisions)


def test_a_notes_passive_done_during_the_call_is_a_decision() -> None:
    notes = "Claim call.\nClaim registered during call, ref CLM-1234.\nTN to send the pack tomorrow.\n"
    summary = draft_with_rules(notes, kind="meeting_notes", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                               participants=PEOPLE, client="Evelyn Marsh").summary
    assert any("CLM-1234" in d for d in summary.decisions)


def test_what_do_i_do_asks_what_to_do() -> None:
    call = CALL + "Evelyn Marsh: So what do I do with the letter from the council?\n"
    assert "What to do with the letter from the council" in _summary(call).client_asks


def test_a_question_tag_is_dropped_and_the_verb_stays_after_the_subject() -> None:
    call = CALL + "Evelyn Marsh: Can the limit go up, do you think?\n"
    assert "Whether the limit can go up" in _summary(call).client_asks


def test_a_need_stated_outright_is_a_short_ask() -> None:
    call = CALL + "Evelyn Marsh: Sorry, but I need to make this a formal complaint.\n"
    assert "Make this a formal complaint" in _summary(call).client_asks


EMAIL = """From: Ola Nowak <ola@hair.example>
To: Jasper White <jasper@bank.example>
Date: Tue, 20 Jan 2026 19:42:00 +0000
Subject: Charges

Jasper,

My loan repayment was taken twice on 15 January.

Please can you:
1. Return the duplicate £412.60 to my account as soon as possible.
2. Refund the new £35 fee and the interest.

Ola
"""


def test_each_request_in_a_clients_list_is_an_ask_in_the_actions_wording() -> None:
    people = [Participant(name="Ola Nowak", role="client", side="client"),
              Participant(name="Jasper White", role="relationship_manager", side="firm")]
    asks = draft_with_rules(EMAIL, kind="email", occurred_at=datetime(2026, 1, 20, 19, 42, tzinfo=UTC),
                            participants=people, client="Ola Nowak").summary.client_asks
    assert "Refund the new £35 fee and the interest" in asks
    assert any(a.startswith("Return the duplicate £412.60 to the client’s account") for a in asks)


def test_a_pause_the_firm_has_also_made_is_a_decision_with_its_object() -> None:
    people = [Participant(name="Tobias Fenn", role="relationship_manager", side="firm"),
              Participant(name="Marisol Vega", role="client", side="client")]
    text = ("Tobias Fenn: I have also paused the chaser letters on the overdraft excess while we sort this out.\n"
            "Marisol Vega: Thank you.\n")
    draft = draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 2, 17, 9, tzinfo=UTC),
                             participants=people, client="Marisol Vega")
    assert any(d.lower().startswith("chaser letters") and "paused" in d for d in draft.summary.decisions)


def test_a_term_the_firm_keeps_is_a_decision_and_a_clients_question_about_it_is_not() -> None:
    people = [Participant(name="Henrietta Lowe", role="relationship_manager", side="firm"),
              Participant(name="Declan Farrelly", role="client", side="client")]
    text = ("Declan Farrelly: Does the arrangement fee stay at 0.75%?\n"
            "Henrietta Lowe: Yes, the arrangement fee stays at 0.75%, same as last time.\n")
    draft = draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 11, 4, 10, tzinfo=UTC),
                             participants=people, client="Declan Farrelly")
    assert draft.summary.decisions == ["Arrangement fee stays at 0.75%"]


def test_a_wh_question_reads_in_statement_order_with_the_party_singular() -> None:
    call = CALL + ("Evelyn Marsh: While I've got you, how much am I paying for all this now?\n"
                   "Evelyn Marsh: And when will the money arrive?\n")
    asks = _summary(call).client_asks
    assert "How much the client is paying for all this now" in asks
    assert "When the money will arrive" in asks


def test_asking_what_the_other_person_would_do_keeps_their_name() -> None:
    asks = _summary(CALL + "Evelyn Marsh: What would you do in my shoes?\n").client_asks
    assert "What Tomasz Nowak would do in Evelyn Marsh’s shoes" in asks


def test_money_the_client_will_need_is_an_ask() -> None:
    call = CALL + "Evelyn Marsh: We're changing the car, and I'll need twenty thousand out to my current account.\n"
    assert any(a.startswith("£20,000 out to the client") for a in _summary(call).client_asks)


def test_does_makes_the_verb_singular_even_when_the_subject_ends_in_s() -> None:
    asks = _summary(CALL + "Evelyn Marsh: First, does my diagnosis count?\n").client_asks
    assert "Whether the client’s diagnosis counts" in asks


def test_a_want_keeps_a_decimal_figure_whole() -> None:
    asks = _summary(CALL + "Evelyn Marsh: We'd like the two-year fix at 4.29% with the fee added to the loan.\n"
                    ).client_asks
    assert any("4.29% with the fee added to the loan" in a for a in asks)


def test_courtesy_around_a_request_is_not_positive_sentiment() -> None:
    email = ("Helen Marsh: Could you change the payee details to their new account? It's urgent. "
             "Could you waive the £25 CHAPS fee on this one? I'd really appreciate it.\n")
    people = [Participant(name="Priya Shah", role="relationship_manager", side="firm"),
              Participant(name="Helen Marsh", role="client", side="client")]
    summary = draft_with_rules(email, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                               participants=people, client="Helen Marsh").summary
    assert summary.sentiment == "unknown"
