"""Decisions settled in an exchange: a client's choice, a yes to a question, advice declined (invented)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Tariq Hussain", role="relationship_manager", side="firm"),
          Participant(name="Malcolm Reeve", role="client", side="client")]


def _decisions(text: str, kind: str = "call_transcript") -> list[str]:
    return draft_with_rules(text, kind=kind, occurred_at=datetime(2026, 3, 2, 10, tzinfo=UTC), participants=PEOPLE,
                            client="Malcolm Reeve").summary.decisions


def test_a_client_choosing_the_recommended_option_is_agreed_without_the_recommendation_words() -> None:
    call = ("Tariq Hussain: I'd suggest one of the two fixes.\nMalcolm Reeve: We'd like to go with your "
            "recommendation, the two-year fix at 4.29% with the fee added to the loan.\n")
    assert "Agreed: the two-year fix at 4.29% with the fee added to the loan" in _decisions(call)


def test_a_price_the_client_calls_fine_is_accepted() -> None:
    call = "Tariq Hussain: It would cost £7.40 a month.\nMalcolm Reeve: Well, £7.40 a month is fine.\n"
    assert "Accepted by the client: £7.40 a month" in _decisions(call)


def test_a_decline_counts_only_when_it_names_an_amount_or_a_product() -> None:
    call = ("Malcolm Reeve: I'd rather not tie up the other £150,000 in the notice account, though.\n"
            "Tariq Hussain: Understood.\nMalcolm Reeve: I'd rather not trust the post.\n")
    decisions = _decisions(call)
    assert "Declined by the client: tie up the other £150,000 in the notice account" in decisions
    assert not any("post" in d for d in decisions)


def test_lets_do_that_agrees_to_the_plan_the_firm_set_out_just_before() -> None:
    call = ("Malcolm Reeve: Could we do it in two halves?\nTariq Hussain: We can. If we take it down to 65% now and "
            "the rest in the new tax year, you spread the gain.\nMalcolm Reeve: Let's do that, then.\n")
    decisions = _decisions(call)
    assert "Agreed: take it down to 65% now and the rest in the new tax year" in decisions
    assert "Do that, then" not in decisions


def test_a_question_the_firm_answers_yes_settles_it_with_the_document_named() -> None:
    call = ("Tariq Hussain: I'll email you the transfer form today.\nMalcolm Reeve: Actually, can I scan it?\n"
            "Tariq Hussain: Yes, scanning it back is fine.\n")
    assert "Agreed: the client can scan the transfer form back" in _decisions(call)


def test_a_question_the_firm_does_not_answer_yes_settles_nothing() -> None:
    call = "Malcolm Reeve: Can I scan it?\nTariq Hussain: I'd rather you posted it.\n"
    assert not any(d.startswith("Agreed: the client can") for d in _decisions(call))


def test_advice_declined_with_a_referral_is_a_decision() -> None:
    call = ("Malcolm Reeve: Is it a good idea?\nTariq Hussain: I'm afraid I can't tell you that. Our SIPP is "
            "execution-only, so we can't give advice. You'd need to speak to a regulated financial adviser.\n")
    assert "No recommendation given (execution-only); referred to a regulated financial adviser" in _decisions(call)


def test_a_note_decline_names_what_was_presented() -> None:
    notes = ("Annual review. TH, MR.\n- TH presented FX forward proposal - hedge 50% of EUR purchases. MR declined: "
             "prefers spot.\n")
    assert "Declined by the client: FX forward proposal - hedge 50% of EUR purchases" in _decisions(
        notes, "meeting_notes")


def test_a_written_yes_settles_what_the_client_asked() -> None:
    email = ("From: Tariq Hussain <t@bank.example>\nTo: Malcolm Reeve <m@mail.example>\nDate: Mon, 2 Mar 2026 "
             "10:00:00 +0000\nSubject: RE: Online banking\n\nDear Malcolm,\n\nOn your questions: yes, online banking "
             "can be set up for four users, each with their own login.\n\nTariq\n")
    assert "Online banking can be set up for four users, each with their own login" in _decisions(email, "email")


def test_the_firms_task_in_a_bullet_with_the_clients_want_is_agreed_at_the_clients_request() -> None:
    notes = ("Review. TH, MR.\n- Income: MR wants monthly income up from £4k to £5k. TH to raise income to £5k/m, "
             "effective for the 3 Aug payment.\n- TH to send the fee breakdown by Fri.\n")
    decisions = _decisions(notes, "meeting_notes")
    assert "Raise income to £5k/m, effective for the 3 Aug payment" in decisions
    assert not any("fee breakdown" in d for d in decisions)


def test_a_notes_agreed_after_the_clients_want_agrees_the_want() -> None:
    notes = ("Call re payments. TH.\n- MR wants dual authorisation on all new payees going forward. Agreed - "
             "payments ops team to switch it on within 3 working days.\n")
    assert "Agreed: dual authorisation on all new payees going forward" in _decisions(notes, "meeting_notes")


def test_what_the_firm_rules_not_covered_or_not_needed_is_a_decision() -> None:
    call = ("Malcolm Reeve: And the fence?\nTariq Hussain: Fences, gates and hedges aren't covered for storm damage "
            "under your policy.\nMalcolm Reeve: And probate?\nTariq Hussain: It's under the threshold, so no grant of "
            "probate needed.\n")
    decisions = _decisions(call)
    assert "Fences, gates and hedges not covered for storm damage under the client’s policy" in decisions
    assert "No grant of probate needed" in decisions


def test_a_ruling_under_an_if_is_not_settled() -> None:
    call = "Tariq Hussain: If it was left unlocked, the bike isn't covered.\n"
    assert not any("covered" in d for d in _decisions(call))


def test_a_short_question_on_a_term_settled_by_a_short_answer_is_a_decision() -> None:
    call = ("Malcolm Reeve: And the arrangement fee?\nTariq Hussain: Nought point seven five per cent, same as last "
            "time.\nMalcolm Reeve: Fixed for five years?\nTariq Hussain: Yes, five.\n")
    decisions = _decisions(call)
    assert "Arrangement fee: 0.75%, same as last time" in decisions
    assert "Fixed for five years: yes, five" in decisions


def test_a_long_or_figureless_answer_settles_no_term() -> None:
    call = ("Malcolm Reeve: And the margin?\nTariq Hussain: I'll need to take that to the pricing desk.\n")
    assert not any(d.startswith("Margin") for d in _decisions(call))


def test_what_the_client_sends_during_the_call_and_the_firm_receives_is_done() -> None:
    call = ("Malcolm Reeve: I'll forward you the letter now.\n"
            "Tariq Hussain: Please do. I've got it, it's just come through.\n")
    assert "Letter forwarded during the call" in _decisions(call)


def test_a_promise_to_send_later_is_not_received_during_the_call() -> None:
    call = "Malcolm Reeve: I'll forward you the letter tomorrow.\nTariq Hussain: Thanks, I've got it noted.\n"
    assert not any("forwarded" in d for d in _decisions(call))
