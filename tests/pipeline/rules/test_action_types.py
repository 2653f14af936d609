"""Action types (`pipeline.rules.action_types`): the guide's ordered rules on firm-owned actions."""

import pytest

from pipeline.rules.action_types import classify_type


def _type(clause: str, verb: str, *, context: str = "", team: bool = False) -> str:
    return classify_type(clause, verb=verb, owner_side="firm", owner_is_team=team, sentence=clause,
                         context=context or clause)


@pytest.mark.parametrize(
    ("clause", "verb"),
    [
        ("I'll put the whole thing to credit, the three hundred thousand over five years", "put"),
        ("CW to put paper to credit next week.", "put"),
        ("I'll ask our underwriters whether they can extend full cover while probate goes through", "ask"),
        ("I'll ask my manager whether we can drop it to seventy-five", "ask"),
    ],
)
def test_taking_a_case_to_credit_or_asking_to_bend_terms_is_an_approval(clause: str, verb: str) -> None:
    assert _type(clause, verb) == "approval"


def test_deciding_whether_to_pay_redress_is_an_approval_after_a_because() -> None:
    clause = ("The complaints team will look at whether you've lost interest because of the delay, and whether "
              "we should pay you the difference.")
    assert _type(clause, "look", team=True) == "approval"


def test_an_internal_ask_after_saying_it_cannot_be_changed_here_is_an_approval() -> None:
    line = "I can't change it myself, but I'll ask our pricing team whether they can help."
    assert _type("I'll ask our pricing team whether they can help.", "ask", context=line) == "approval"


@pytest.mark.parametrize(
    "clause",
    [
        "IB to ask Tax team whether we can offer a PFIC-friendly mandate.",
        "I'll check with our FX team whether a EUR account can be opened at the same time",
    ],
)
def test_asking_a_team_what_is_possible_stays_an_internal_request(clause: str) -> None:
    assert _type(clause, "ask") == "internal_request"


def test_getting_a_quote_from_underwriting_is_an_internal_request() -> None:
    assert _type("PH to get GIT quote at £25k from u/w.", "get") == "internal_request"


def test_recording_a_service_failure_formally_opens_a_case() -> None:
    clause = "I'm going to record this formally with our customer relations team as a service failure"
    assert _type(clause, "record") == "case"


def test_a_claim_pack_is_a_document_not_a_claim() -> None:
    assert _type("They'll send you a claim pack within five working days.", "send", team=True) == "client_response"


def test_working_something_out_for_the_client_is_a_client_response() -> None:
    assert _type("I'll then work out the rough gain for you.", "work") == "client_response"


@pytest.mark.parametrize(
    ("clause", "verb", "expected"),
    [
        ("I'll speak to my manager about waiving the fee", "speak", "approval"),
        ("I'll ask the lending team for a decision on the increase", "ask", "approval"),
        ("I'll get the limit increased to five thousand", "get", "approval"),
        ("I'll confirm with the credit team whether that works", "confirm", "internal_request"),
        ("I'll check that with our underwriters and let you\n  know by Friday", "check", "internal_request"),
        ("I'll get back to you once the waiver is approved", "get", "client_response"),
    ],
)
def test_types_follow_the_guide_when_worded_another_way(clause: str, verb: str, expected: str) -> None:
    assert classify_type(clause, verb=verb, owner_side="firm", owner_is_team=False) == expected


def test_a_team_investigating_opens_a_case_when_it_names_no_question() -> None:
    assert classify_type("Our fraud team will investigate", verb="investigate", owner_side="firm",
                         owner_is_team=True) == "case"
