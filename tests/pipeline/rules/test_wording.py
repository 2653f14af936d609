"""Action wording: third-person tasks from first- and second-person clauses (sentences invented for the tests)."""

from __future__ import annotations

import pytest

from pipeline.rules.owners import OwnerResolver
from pipeline.rules.wording import Voices, task_wording
from pipeline.schemas import Participant

PEOPLE = [
    Participant(name="Amira Haddad", role="relationship_manager", side="firm"),
    Participant(name="Danny Kowalczyk", role="client", side="client"),
    Participant(name="Mei-Lin Tan", role="relationship_manager", side="firm"),
]
RESOLVER = OwnerResolver(PEOPLE)
FIRM_TO_CLIENT = Voices(speaker="Amira Haddad", speaker_is_firm=True, addressee="Danny Kowalczyk")
CLIENT_TO_FIRM = Voices(speaker="Danny Kowalczyk", speaker_is_firm=False, addressee="Amira Haddad")


def word(body: str, voices: Voices = FIRM_TO_CLIENT, before: str = "", clause: str = "") -> str:
    return task_wording(body, voices=voices, before=before, resolver=RESOLVER, clause=clause or body)


@pytest.mark.parametrize(("body", "expected"), [
    ("send you that form by Friday.", "Send Danny Kowalczyk that form by Friday"),
    ("call you back on your home number tomorrow", "Call Danny Kowalczyk back on Danny’s home number tomorrow"),
    ("send the figures over to our tax team today", "Send the figures over to the tax team today"),
    ("let you know the outcome by Monday", "Let Danny Kowalczyk know the outcome by Monday"),
])
def test_firm_commitment_reads_in_the_third_person(body: str, expected: str) -> None:
    assert word(body) == expected


def test_client_request_names_the_firm_person_and_the_clients_own_account() -> None:
    assert word("pay £500 into my current account and send me the receipt", CLIENT_TO_FIRM) == (
        "Pay £500 into Danny Kowalczyk’s current account and send Danny the receipt")


def test_trailing_purpose_clause_is_cut_but_not_a_leading_one() -> None:
    assert word("write up the proposal, so you've got it all in writing") == "Write up the proposal"
    assert word("raise a formal complaint today, I'll also chase the team") == "Raise a formal complaint today"
    assert word("send it so") == "Send it so"  # too short to cut: the clause stays whole


def test_bare_object_takes_the_deliverable_named_just_before() -> None:
    before = "Amira Haddad: If you can send us the invoice, I'll send a request to the team. Danny Kowalczyk: Sure."
    assert word("post it to you", CLIENT_TO_FIRM, before=before) == "Post the invoice to Amira Haddad"


def test_ringing_them_takes_an_organisation_named_before_never_a_document() -> None:
    before = "There's free advice from a charity called ClearPath Money Advice. Would you send the letter to them?"
    assert word("phone them tomorrow", CLIENT_TO_FIRM, before=before) == "Phone ClearPath Money Advice tomorrow"
    assert word("phone them tomorrow", CLIENT_TO_FIRM, before="Please send the letter.") == "Phone them tomorrow"


def test_a_determiner_is_not_a_pronoun_to_resolve() -> None:
    assert word("stop that collection today", before="we could put forward a payment plan") == (
        "Stop that collection today")


def test_need_statement_and_sign_off_become_tasks() -> None:
    clause = "The other thing we'll need is a copy of the death certificate."
    assert word(clause, clause=clause) == "Provide a copy of the death certificate"
    clause = "Because they were applied automatically, the refund needs sign-off from our fees review team."
    assert word(clause, clause=clause) == "Sign off the refund"


def test_initials_in_notes_become_names_and_acronyms_stay() -> None:
    assert word("send the summary to MLT once requote in") == "Send the summary to Mei-Lin Tan once the requote arrives"
    assert word("ask whether we can offer a US-reportable mandate") == (
        "Ask whether the firm can offer a US-reportable mandate")


def test_a_person_named_for_you_takes_the_third_person_verb() -> None:
    assert word("get that to you today, whichever you prefer") == (
        "Get that to Danny Kowalczyk today, whichever Danny prefers")


def test_long_description_is_cut_at_a_clause_boundary_never_mid_word() -> None:
    body = "ring the supplier on the number you have always used, " + "not any number in that email, " * 6 + "and ask"
    out = word(body)
    assert len(out) <= 180 and not out.endswith((" the", " to", " and", ","))
    assert out.startswith("Ring the supplier on the number Danny Kowalczyk has always used")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("call you myself on Friday to check the refund has landed",
         "Call Danny Kowalczyk on Friday to check the refund has landed"),
        ("send the award letter myself this afternoon", "Send the award letter this afternoon"),
        ("ring them myself, I think", "Ring them"),
        ("send a copy to myself", "Send a copy to Amira Haddad"),  # after a preposition it is the person
    ],
)
def test_emphasis_and_hedges_are_not_part_of_the_task(body: str, expected: str) -> None:
    assert task_wording(body, voices=FIRM_TO_CLIENT, before="", resolver=RESOLVER) == expected


def test_a_second_sentence_after_a_comma_is_cut() -> None:
    text = task_wording("take it into the branch on Monday, my daughter can drive me", voices=CLIENT_TO_FIRM,
                        before="Could you post us one copy of the certificate, or bring it in?", resolver=RESOLVER)
    assert text == "Take the copy of the certificate into the branch on Monday"


def test_a_thing_said_to_be_ready_is_what_email_it_sends() -> None:
    before = "Amira Haddad: I'll send you the complete credit paper next week. The forecast is done,"
    assert word("email it over today", before=before) == "Email the forecast over today"
    assert word("ring them today", before=before) == "Ring them today"  # "them" after a contact verb is people


def test_send_it_in_reads_as_returning_it_without_a_dangling_in() -> None:
    from pipeline.rules.owners import OwnerResolver
    from pipeline.rules.wording import Voices, task_wording

    voices = Voices(speaker="Colin Bradshaw", speaker_is_firm=False, addressee="Mei Lin Tan")
    assert task_wording("sign the form and send it in", voices=voices, before="", resolver=OwnerResolver([])) == (
        "Sign the form and return it")


def test_ringing_them_takes_an_organisation_given_as_an_example() -> None:
    from pipeline.rules.wording import antecedent

    before = "There are free debt advice services, like the Moneywise Trust. Would you talk to them?"
    assert antecedent(before, "them", people=True) == "the Moneywise Trust"


def test_ring_them_rings_the_party_named_by_its_role() -> None:
    before = "If the gym takes a card payment each month you'll need to give them the new card number."
    assert word("ring them when the card comes", CLIENT_TO_FIRM, before=before) == "Ring the gym when the card comes"


def test_ring_them_after_a_contract_rings_its_provider() -> None:
    before = "Are there any direct debits that should stop, like a subscription? There's her mobile phone contract."
    assert word("ring them", CLIENT_TO_FIRM, before=before) == "Ring the mobile phone provider"


def test_a_bare_it_takes_what_the_same_verb_took_before() -> None:
    before = ("You can do the top-up yourself in the app. If you want to review the mix, I can book you in. "
              "No, I'm happy with the funds.")
    assert word("do it in the app tonight", CLIENT_TO_FIRM, before=before) == "Do the top-up in the app tonight"


def test_acknowledging_it_acknowledges_the_complaint_just_named() -> None:
    before = "I'd like to log that as a complaint. Done. Your complaint reference is CMP-20481."
    assert word("write to you within three business days to acknowledge it", before=before) == (
        "Write to Danny Kowalczyk within three business days to acknowledge the complaint")


def test_tidy_tail_ends_a_task_on_a_word_a_list_ends_on_when_speech_trails_off() -> None:
    from pipeline.rules.wording import tidy_tail

    assert tidy_tail("Chase the team and let Ana know where it's got to") == ("Chase the team and let Ana know the "
                                                                              "latest position")
    assert tidy_tail("Tell Ana what the exit charges are") == "Tell Ana the exit charges"
    assert tidy_tail("Send Ana the valuer's invoice for that") == "Send Ana the valuer's invoice"
    assert tidy_tail("Ring Ana in a week to see how she's getting on") == "Ring Ana in a week to see how she is doing"
    assert tidy_tail("Send the reply within a week, and usually it's sooner") == "Send the reply within a week"
    assert tidy_tail("Close 0932") == "Close account 0932"


def test_about_that_is_about_the_subject_of_the_sentence_before() -> None:
    before = "One other thing: my address is changing next month, as we're moving to Leeds. I'll"
    assert word("ring the contact centre about that separately", CLIENT_TO_FIRM, before=before) == (
        "Ring the contact centre about the address change separately")


def test_permission_to_go_ahead_is_not_part_of_the_task() -> None:
    assert word("go ahead and send me the transfer form", CLIENT_TO_FIRM) == "Send Danny Kowalczyk the transfer form"


def test_things_that_are_in_arrive_in_the_plural() -> None:
    assert word("set up the adviser appointment once the payslips are in") == (
        "Set up the adviser appointment once the payslips arrive")
    assert word("set up the adviser appointment once the form is in") == (
        "Set up the adviser appointment once the form arrives")
