"""The client recap letter: what a reviewer could send as it stands."""

from __future__ import annotations

from review.recap import Sender, render_recap

PRIYA = Sender("Priya Shah", "Relationship Manager")


def _content(actions: list[dict], **summary) -> dict:
    return {"summary": {"kind": "call_transcript", "occurred_at": "2026-12-03T10:00:00+00:00", **summary},
            "actions": actions}


def _action(description: str, side: str = "firm", type_: str = "task", owner: str = "Priya Shah",
            due: dict | None = None) -> dict:
    return {"description": description, "owner_side": side, "type": type_, "owner": owner, "status": "open",
            "due": due or {"kind": "none", "phrase": "no date stated"}}


def test_letter_names_the_client_dates_the_work_and_is_signed_with_name_and_title() -> None:
    message = render_recap(_content([
        _action("Send Helen Marsh the ISA form by Friday", due={"kind": "date", "date": "2026-12-04",
                                                              "phrase": "by Friday"}),
        _action("Return the signed form to Priya Shah", side="client", owner="Helen Marsh"),
    ]), client="Helen Marsh", sender=PRIYA)
    body = message.body
    assert body.startswith("Dear Helen Marsh,")
    assert "- Send you the ISA form by Friday 4 December" in body  # second person, the date once
    assert "What we need from you:\n- Return the signed form to me" in body  # the signer is "me"
    assert "contact me, Priya Shah" in body
    assert body.rstrip().endswith("Kind regards,\nPriya Shah\nRelationship Manager")


def test_a_relative_phrase_is_replaced_by_its_date_never_repeated() -> None:
    body = render_recap(_content([_action("Post the leaflet today", due={"kind": "date", "date": "2026-12-03",
                                                                          "phrase": "today"})]),
                        client="Helen Marsh", sender=PRIYA).body
    assert "- Post the leaflet by Thursday 3 December" in body and "(today)" not in body


def test_internal_work_stays_out_of_the_letter() -> None:
    body = render_recap(_content([
        _action("Raise a fraud referral with the payments security team"),
        _action("Ask the credit team for a view", type_="internal_request"),
        _action("Approve the fee refund", type_="approval"),
        _action("Send Helen Marsh a pack explaining the next steps", owner="Bereavement team"),
        _action("Call Helen Marsh on Tuesday"),
    ]), client="Helen Marsh", sender=PRIYA).body
    assert "fraud" not in body.lower() and "credit team" not in body and "Approve" not in body
    assert "Bereavement team" not in body and "pack explaining" not in body
    assert "- Call you on Tuesday" in body


def test_a_bereavement_opens_with_condolences_and_plain_calls_thank_for_speaking() -> None:
    sad = render_recap(_content([_action("Call Evelyn Marsh next Tuesday morning")],
                                sensitive_points=["My husband died last week."]),
                       client="Evelyn Marsh", sender=PRIYA).body
    assert "I am so sorry for your loss" in sad and "Thank you for your call" not in sad
    assert "With kind regards," in sad
    plain = render_recap(_content([_action("Call Evelyn Marsh next Tuesday morning")]), client="Evelyn Marsh",
                         sender=PRIYA).body
    assert "Thank you for speaking with us on 3 December 2026." in plain  # a call or a recorded meeting


def test_signs_of_vulnerability_make_the_wording_gentle() -> None:
    body = render_recap(_content([_action("Send Callum Fraser the plan", side="firm")],
                                 concerns=["Callum Fraser has been dreading making this call"]),
                        client="Callum Fraser", sender=PRIYA).body
    assert "There is no rush with anything we have asked of you." in body


def test_a_decision_worded_as_an_internal_action_and_internal_preparation_stay_out() -> None:
    body = render_recap(_content(
        [_action("Ask credit to consider a reduced fee", type_="approval"),
         _action("Write the credit paper and submit it on Tuesday the seventeenth",
                 due={"kind": "date", "date": "2026-12-08", "phrase": "Tuesday the seventeenth"}),
         _action("Diarise that review for the end of the period"),
         _action("Send Helen Marsh the statement on Friday", due={"kind": "date", "date": "2026-12-04",
                                                               "phrase": "Friday"})],
        decisions=["Ask credit to consider a reduced fee", "Client’s phone number updated during the call"]),
        client="Helen Marsh", sender=PRIYA).body
    assert "credit" not in body and "Diarise" not in body
    assert "- Your phone number updated during the call" in body
    assert "- Send you the statement by Friday 4 December" in body  # the phrase's "on" goes with it


def test_a_name_turned_you_takes_the_second_person_verb() -> None:
    body = render_recap(_content([_action("Send Kwame Osei the transfer forms once Kwame has heard back")]),
                        client="Kwame Osei", sender=PRIYA).body
    assert "- Send you the transfer forms once you have heard back" in body


def test_a_short_description_still_loses_its_phrase_to_the_date() -> None:
    body = render_recap(_content([_action("Call back tomorrow", due={"kind": "date", "date": "2026-12-04",
                                                                     "phrase": "tomorrow"})]),
                        client="Helen Marsh", sender=PRIYA).body
    assert "- Call back by Friday 4 December" in body and "tomorrow" not in body


def test_a_phrase_ending_in_punctuation_is_replaced_by_its_date() -> None:
    body = render_recap(_content([_action("Return the risk questionnaire by end of Nov.", side="client",
                                          owner="Helen Marsh",
                                          due={"kind": "date", "date": "2026-11-30", "phrase": "end of Nov."})]),
                        client="Helen Marsh", sender=PRIYA).body
    assert "- Return the risk questionnaire by Monday 30 November" in body


def test_a_business_client_is_written_to_through_the_people_who_spoke_for_it() -> None:
    content = _content([_action("Email the forecast over today", side="client", owner="Rob Keane",
                                due={"kind": "date", "date": "2026-12-03", "phrase": "today"}),
                        _action("Send the award letter to Priya Shah", side="client", owner="Anjali Patel")],
                       participants=[{"name": "Priya Shah", "role": "relationship_manager", "side": "firm"},
                                     {"name": "Anjali Patel", "role": "client", "side": "client"},
                                     {"name": "Rob Keane", "role": "other", "side": "client"}],
                       key_facts=["We've won the contract to supply the three Moorside hospitals"])
    body = render_recap(content, client="Patel Fresh Foods Ltd", sender=PRIYA).body
    assert body.startswith("Dear Anjali Patel and Rob Keane,")
    assert "- Rob Keane to email the forecast over by Thursday 3 December" in body
    assert "- Anjali Patel to send the award letter to me" in body
    assert "There is no rush" not in body  # a business that supplies hospitals is not a vulnerable client


def test_a_stay_in_hospital_makes_the_wording_gentle() -> None:
    body = render_recap(_content([_action("Send Helen Marsh the form")], concerns=["Helen Marsh is in hospital"]),
                        client="Helen Marsh", sender=PRIYA).body
    assert "There is no rush with anything we have asked of you." in body


def test_new_bank_details_are_never_written_back_and_the_change_waits_for_the_call_back() -> None:
    body = render_recap(_content([
        _action("Change the payee details on Helen Marsh’s current account to Carter Ltd, Sort code 20-45-77, "
                "Account 63018842"),
        _action("Call Helen Marsh back on the number already held on file to confirm the new payee details"),
    ]), client="Helen Marsh", sender=PRIYA).body
    assert "20-45-77" not in body and "63018842" not in body and "Change the payee" not in body
    assert "- Call you back on the number already held on file to confirm the new payee details" in body


def test_agreed_points_that_are_pleasantries_pronouns_actions_or_a_moved_date_stay_out() -> None:
    body = render_recap(_content(
        [_action("Send Daniel Okafor a remortgage illustration",
                 due={"kind": "date", "date": "2026-11-20", "phrase": "Friday"}),
         _action("Cancel the debit card today", due={"kind": "date", "date": "2026-12-03", "phrase": "today"})],
        decisions=["Catch up sometime in the new year", "Agreed: set that up once the payslips are in",
                   "It'll set out the rates and the fees for each option, but it isn't a recommendation",
                   "Remortgage illustration deadline moved from Thursday 19 November to Friday 20 November",
                   "Cancel the debit card today", "Interest stopped during the call"]),
        client="Daniel Okafor", sender=PRIYA).body
    assert "What we agreed:\n- Interest stopped during the call\n\nWhat we will do:" in body
    assert body.count("debit card") == 1


def test_note_shorthand_is_written_out_and_the_clients_own_adviser_is_yours() -> None:
    body = render_recap(_content([
        _action("Book follow-up meeting w/ Lena Fischer, early Dec, in person"),
        _action("Ask Ops why Sept statement was late and reply to Grace Whitfield"),
        _action("Speak to her accountant re gifting / IHT", side="client", owner="Grace Whitfield"),
    ], kind="meeting_notes"), client="Grace Whitfield", sender=PRIYA).body
    assert "- Book follow-up meeting with Lena Fischer, early December, in person" in body
    assert "- Ask our operations team why September statement was late and reply to you" in body
    assert "- Speak to your accountant about gifting / inheritance tax" in body


def test_a_decision_the_letter_already_gives_as_work_is_not_repeated() -> None:
    body = render_recap(_content([_action("Send Kwame Osei the transfer form for the Meridian pension")],
                                 decisions=["Send the client the transfer form for the Meridian pension"]),
                        client="Kwame Osei", sender=PRIYA).body
    assert body.count("transfer form") == 1 and "What we agreed" not in body


def test_only_what_was_agreed_or_done_goes_under_what_we_agreed_and_the_firm_is_we() -> None:
    body = render_recap(_content([], decisions=[
        "The firm has booked the client a call with Tomasz Nowak on Thursday 15 October at 11am",
        "A straight product switch needs no paperwork, but borrowing more is a new application",
        "The client’s forecast says the client need £120,000 from January",
        "Passcode to the client’s mobile sent during the call",
        "Support need logged by Dominic Ward during meeting (done)",
        "The client will get a text when it's credited",
        "Client’s phone number updated during the call"]), client="Kwame Osei", sender=PRIYA).body
    assert ("What we agreed:\n- We have booked you a call with Tomasz Nowak on Thursday 15 October at 11am\n"
            "- Your phone number updated during the call\n\n") in body
