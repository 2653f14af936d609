"""Commitment and request detection (`pipeline.rules.commitments`), through the engine where ownership matters."""

from datetime import date

import pytest

from pipeline.rules.commitments import detect
from pipeline.schemas import Participant
from tests.pipeline.rules.test_engine import _draft, _rows

NOTE_PEOPLE = [Participant(name="Imogen Tate", role="relationship_manager", side="firm"),
               Participant(name="Sam Whitlow", role="client", side="client"),
               Participant(name="Leila Haddad", role="client", side="client")]


def test_notes_action_list_items_name_their_owner_before_a_colon() -> None:
    text = (
        "Branch meeting, new account\n"
        "Mandate: either to sign up to £5k.\n"
        "IT: explained the tariff, no questions.\n\n"
        "Actions:\n"
        "- SW: signed partnership agreement, by Fri\n"
        "- IT: call LH in a fortnight re docs\n"
    )
    draft = _draft(text, "meeting_notes", "2026-05-11T10:00:00+01:00", NOTE_PEOPLE, "Crumb & Co")
    assert _rows(draft) == [
        ("Sam Whitlow", "client", date(2026, 5, 15), "task", "SW: signed partnership agreement, by Fri"),
        ("Imogen Tate", "firm", date(2026, 5, 25), "client_response", "IT: call LH in a fortnight re docs"),
    ]
    assert draft.actions[0].description == "Signed partnership agreement, by Fri"


def test_notes_deliverable_sent_to_a_participant_by_a_date_is_the_authors() -> None:
    text = "Renewal meeting\n- Indicative terms to SW by end of Q1.\n"
    draft = _draft(text, "meeting_notes", "2026-03-03T14:30:00+00:00", NOTE_PEOPLE, "Crumb & Co")
    assert _rows(draft) == [
        ("Imogen Tate", "firm", date(2026, 3, 31), "client_response", "Indicative terms to SW by end of Q1."),
    ]
    assert draft.actions[0].description == "Send indicative terms to Sam Whitlow by end of Q1"


def test_notes_agreed_lead_in_and_shortened_team_name() -> None:
    text = "Call re payees\n- Agreed - payments ops team to switch on dual authorisation within 3 working days.\n"
    draft = _draft(text, "meeting_notes", "2026-09-03T10:20:00+01:00", NOTE_PEOPLE, "Crumb & Co")
    assert [(a.owner, a.due.deadline) for a in draft.actions] == [("Payments operations team", date(2026, 9, 8))]


CALL_PEOPLE = [Participant(name="Farah Siddiqui", role="service_agent", side="firm"),
               Participant(name="Owen Pryce", role="client", side="client")]
CALL_WHEN = "2026-02-10T11:00:00+00:00"  # a Tuesday


def _call(text: str):
    return _draft(text, "call_transcript", CALL_WHEN, CALL_PEOPLE, "Owen Pryce")


def test_they_after_a_team_is_that_team() -> None:
    draft = _call("Farah Siddiqui: Our bereavement team will look after the claim. They'll send you a claim pack "
                  "within five working days.\nOwen Pryce: Thanks.")
    assert [(a.owner, a.due.deadline, a.type) for a in draft.actions] == [
        ("Bereavement team", date(2026, 2, 17), "client_response")]


def test_they_will_be_with_you_to_do_work_is_that_work() -> None:
    draft = _call("Farah Siddiqui: I've booked our emergency repairs team. They'll be with you tomorrow morning to "
                  "put a temporary cover on.")
    assert [(a.owner, a.due.deadline) for a in draft.actions] == [("Emergency repairs team", date(2026, 2, 11))]


def test_a_department_or_its_role_named_without_team_owns_its_work() -> None:
    draft = _call("Farah Siddiqui: Customer relations will write to you in a fortnight at the latest.\n"
                  "Owen Pryce: Okay.\nFarah Siddiqui: And a claims handler will call you tomorrow.")
    assert [a.owner for a in draft.actions] == ["Customer relations team", "Claims team"]


def test_the_team_refers_back_to_the_team_named_before() -> None:
    draft = _call("Farah Siddiqui: The financial support team will look at a reduced payment plan.\n"
                  "Owen Pryce: Okay.\nFarah Siddiqui: So to recap, the team will look at the payment plan.")
    assert [a.owner for a in draft.actions] == ["Financial support team"]


def test_a_promise_after_so_is_its_own_clause_with_its_own_date() -> None:
    draft = _call("Farah Siddiqui: I can't refund it on my own, so I'll ask my team leader to sign off the refund "
                  "today.\nOwen Pryce: We're registering the death on Thursday, so I'll scan it over on Friday.")
    assert [(a.owner, a.due.deadline, a.type) for a in draft.actions] == [
        ("Farah Siddiqui", date(2026, 2, 10), "approval"), ("Owen Pryce", date(2026, 2, 13), "task")]


def test_a_reply_taking_up_a_request_keeps_the_request_in_its_evidence() -> None:
    draft = _call("Farah Siddiqui: What I'd like you to do is phone the builder on a number you already had.\n"
                  "Owen Pryce: I'll ring him tonight. Actually, no, he's out late, so I'll ring him first thing in "
                  "the morning.")
    [action] = draft.actions
    assert action.owner == "Owen Pryce" and action.due.deadline == date(2026, 2, 11)
    assert action.evidence.text.startswith("What I'd like you to do is phone the builder")


@pytest.mark.parametrize(
    "line",
    [
        "Farah Siddiqui: Let's get you through security and I'll take a look.",
        "Owen Pryce: I will dig out the paperwork at some point.",
        "Farah Siddiqui: I'll make sure you've got whatever you need.",
        "Owen Pryce: I'll pass that on. Bye now.",
        "Owen Pryce: Good point. I'll write that down.",
        "Farah Siddiqui: Yes, I'll put your address on.",
        "Farah Siddiqui: I'll include any interest charged on those fees in the same request.",
        "Farah Siddiqui: I'll put their number in the email with the form.",
        "Farah Siddiqui: Let me get you through security first and then we'll look at it together.",
    ],
)
def test_vague_note_taking_and_add_on_promises_are_not_actions(line: str) -> None:
    assert _call(line).actions == []


def test_if_it_helps_is_a_courtesy_not_a_condition() -> None:
    draft = _call("Farah Siddiqui: If it helps, I'll ask our wealth planning team for a note by Wednesday.")
    assert [(a.owner, a.due.deadline) for a in draft.actions] == [("Farah Siddiqui", date(2026, 2, 11))]


def test_a_date_for_it_beside_an_unavailability_dates_the_promise() -> None:
    draft = _call("Owen Pryce: I'll ring Ravensworth and ask. I'll do it Thursday, I'm off that day.")
    assert [(a.evidence.text, a.due.deadline) for a in draft.actions] == [
        ("I'll ring Ravensworth and ask. I'll do it Thursday, I'm off that day.", date(2026, 2, 12))]


def test_bring_is_a_request_verb_in_writing() -> None:
    from pipeline.rules import commitments as cm

    detection = cm.detect("Please could you bring your photo ID into the branch next Tuesday?", written=True)
    assert detection is not None and detection.kind == "request" and detection.verb == "bring"


QUESTION_EMAIL = """From: Daniel Okoro <d.okoro@home.example>
To: Lena Fischer <lena.fischer@insure.example>
Date: Tue, 22 Sep 2026 19:12:00 +0100
Subject: RE: Bike cover

Hi Lena,

Hope you're well? Please add the cover for the bike from 1 October.

When the new policy starts, should I cancel the old one? What would you do in my shoes?

Daniel

> From: Lena Fischer
> Is there anything else you'd like to check?
"""


def test_a_clients_questions_in_the_newest_email_ask_for_one_answer() -> None:
    people = [Participant(name="Daniel Okoro", role="client", side="client"),
              Participant(name="Lena Fischer", role="service_agent", side="firm")]
    draft = _draft(QUESTION_EMAIL, "email", "2026-09-22T19:12:00+01:00", people, "Daniel Okoro")
    answers = [a for a in draft.actions if a.description.startswith("Answer")]
    assert [(a.owner, a.type) for a in answers] == [("Lena Fischer", "client_response")]
    assert answers[0].evidence.text.endswith("What would you do in my shoes?")
    assert answers[0].description.endswith("What would Lena Fischer do in Daniel’s shoes")


LIST_EMAIL = """From: Yannick Morel <yannick@bank.example>
To: Sofia Marchetti <sofia@freight.example>
Date: Wed, 21 Oct 2026 10:05:00 +0100
Subject: Account opening

Dear Sofia,

Three items are still outstanding:

1. Please could you send the group structure chart by the 30th?
2. The board resolution to open the accounts, signed by two directors.
3. On tax, one of the trustees asked whether the share class creates any leakage.

Best regards,
Yannick
"""


def test_a_list_item_naming_only_a_deliverable_after_an_asked_item_is_asked_for_too() -> None:
    people = [Participant(name="Yannick Morel", role="relationship_manager", side="firm"),
              Participant(name="Sofia Marchetti", role="client", side="client")]
    draft = _draft(LIST_EMAIL, "email", "2026-10-21T10:05:00+01:00", people, "Sofia Marchetti")
    assert [(a.owner, a.description) for a in draft.actions] == [
        ("Sofia Marchetti", "Send the group structure chart by the 30th"),
        ("Sofia Marchetti", "Send the board resolution to open the accounts, signed by two directors"),
    ]


def test_how_the_firm_will_treat_something_is_decided_now_not_an_action() -> None:
    people = [Participant(name="Tom Reilly", role="service_agent", side="firm"),
              Participant(name="Sue Brent", role="client", side="client")]
    text = ("Tom Reilly: Did you make the payment yourself?\nSue Brent: No, nobody.\n"
            "Tom Reilly: Then we'll treat it as unauthorised. I'll call you on Friday to check the refund.\n")
    draft = _draft(text, "call_transcript", "2026-11-18T10:00:00+00:00", people, "Sue Brent")
    assert [a.description for a in draft.actions] == ["Call Sue Brent on Friday to check the refund"]


def test_making_one_record_of_what_was_said_is_note_taking_not_an_action() -> None:
    people = [Participant(name="Amira Haddad", role="service_agent", side="firm"),
              Participant(name="Erik Lind", role="client", side="client")]
    text = ("Erik Lind: My wife died last Tuesday.\nAmira Haddad: I'm very sorry. I'll make one record of this that "
            "the whole bank will use, so you won't need to tell us again.\n")
    draft = _draft(text, "call_transcript", "2026-11-19T10:00:00+00:00", people, "Erik Lind")
    assert draft.actions == []


@pytest.mark.parametrize(
    ("text", "kind", "verb"),
    [
        ("I'll try to get it to you by Friday", "commitment", "get"),
        ("I should be able to get the valuation to you next week", "commitment", "get"),
        ("Could you possibly send the payslips by Friday?", "request", "send"),
        ("Any chance you could waive the fee?", "request", "waive"),
        ("Is there any way you could extend the deadline?", "request", "extend"),
        ("I need the form back by the 12th", "request", "provide"),
    ],
)
def test_commitments_and_requests_in_other_words_are_detected(text: str, kind: str, verb: str) -> None:
    found = detect(text, written=False)
    assert found is not None and (found.kind, found.verb) == (kind, verb)


@pytest.mark.parametrize("text", ["I'll just check that for you now", "We should be able to help with that",
                                  "there's nothing we need before then", "We're going to start doing the market"])
def test_in_call_checks_and_offers_of_help_are_no_action(text: str) -> None:
    assert detect(text, written=False) is None


def test_a_leaflet_offered_in_case_it_helps_is_still_sent() -> None:
    people = [Participant(name="Amira Haddad", role="service_agent", side="firm"),
              Participant(name="Erik Lind", role="client", side="client")]
    text = ("Erik Lind: Thank you.\nAmira Haddad: I'll send you a letter within two business days listing every "
            "account, and a leaflet about bereavement support, in case it helps.\n")
    draft = _draft(text, "call_transcript", "2026-11-19T10:00:00+00:00", people, "Erik Lind")
    assert [a.owner for a in draft.actions] == ["Amira Haddad"]


@pytest.mark.parametrize(("text", "verb"), [("I'll have someone ring you back this afternoon", "ring"),
                                            ("I'll be sending you a letter", "send"),
                                            ("What I'm going to do now is raise a fraud referral for you", "raise")])
def test_work_taken_on_in_other_words_is_a_commitment(text: str, verb: str) -> None:
    found = detect(text, written=False)
    assert found is not None and (found.kind, found.verb) == ("commitment", verb)


def test_money_the_firm_says_will_be_refunded_to_the_listener_is_its_promise() -> None:
    people = [Participant(name="Tom Reilly", role="service_agent", side="firm"),
              Participant(name="Sue Brent", role="client", side="client")]
    text = ("Sue Brent: What about the money?\nTom Reilly: I'm raising the claim with our fraud team now, and the "
            "£349.99 will be refunded to your card account by the end of tomorrow.\n")
    draft = _draft(text, "call_transcript", "2026-11-18T10:00:00+00:00", people, "Sue Brent")
    assert [(a.description, a.owner, a.due.deadline) for a in draft.actions] == [
        ("Refund the £349.99 to Sue Brent’s card account by the end of tomorrow", "Tom Reilly", date(2026, 11, 19))]
