"""Purpose cues: the client's main reason for the interaction (invented snippets)."""

from __future__ import annotations

from pipeline.rules.purpose import classify_purpose


def _purpose(text: str, opening: str | None = None) -> str:
    return classify_purpose(text, opening=text if opening is None else opening)


def test_a_grievance_without_the_word_complaint_is_a_complaint() -> None:
    text = ("I'm pretty annoyed, there are fees on my statement. Somebody didn't press a button and that's not "
            "good enough. If this isn't put right I'll be taking it to the ombudsman.")
    assert _purpose(text) == "complaint"


def test_a_payment_that_failed_over_a_limit_is_a_payment_issue() -> None:
    text = ("On Friday the bulk payment failed because it went over the daily online limit. Can the daily limit go "
            "up to £40,000? Could you refund the two CHAPS payments I made after the failed run?")
    assert _purpose(text) == "payment_issue"


def test_payment_cues_count_plurals() -> None:
    assert _purpose("Two of my payments to the same payees have gone twice this month.") == "payment_issue"


def test_a_bare_advice_request_is_a_product_question() -> None:
    text = "I'm thinking of moving an old pension into my SIPP. Is it a good idea? Would I be better off leaving it?"
    assert _purpose(text) == "product_question"


def test_a_fund_event_the_firm_writes_about_is_a_portfolio_update_even_with_an_advice_question() -> None:
    text = ("Subject: Property fund - dealing suspended\nThe fund suspended dealing yesterday. When the fund does "
            "reopen, should I get out of it altogether? What would you do in my shoes?")
    assert _purpose(text) == "portfolio_update"


def test_a_change_of_who_signs_on_the_mandate_is_a_service_issue() -> None:
    text = ("I need to change who can sign on our account. Paul needs to come off the mandate. I'll need a signed "
            "mandate change form, and the mandate updates within five days.")
    assert _purpose(text) == "service_issue"


def test_a_fixed_rate_that_ends_is_a_renewal_despite_repayment_words() -> None:
    text = ("Subject: Your fixed rate ends 31 July - options\nWe'd like the two-year fix with the fee added to the "
            "loan. How do we make an overpayment by bank transfer? The early repayment charges run to 2029.")
    assert _purpose(text, opening="Subject: Your fixed rate ends 31 July - options") == "renewal"


def test_finance_for_a_purchase_is_a_product_question() -> None:
    text = ("We'd want to finance most of the machine over five years. Asset finance is the obvious fit. What sort "
            "of rate are we talking about? If approved we'd pay the supplier direct, against their invoice.")
    assert _purpose(text) == "product_question"


def test_a_mortgage_deal_coming_to_its_end_is_a_renewal_despite_payment_words() -> None:
    text = ("I'd like to top up my ISA by transfer, the same as my monthly payments. Also the mortgage: my five-year "
            "fix finishes in January and I'd go onto the standard variable rate. You can pick a new rate now, with "
            "no early repayment charge. A straight product switch needs no paperwork.")
    assert _purpose(text) == "renewal"


def test_an_early_repayment_charge_is_not_a_payment_cue() -> None:
    assert _purpose("There wouldn't be an early repayment charge on the new deal.") != "payment_issue"


def test_moving_old_pensions_into_the_sipp_is_a_service_issue_not_a_payment() -> None:
    text = ("Subject: Moving my old pensions into the SIPP\nI'd like to bring my two old workplace pensions together "
            "in my SIPP. Can you start the transfers? The transfer value is £41,870; please send the transfer form.")
    assert _purpose(text) == "service_issue"


def test_a_claim_named_by_its_number_is_serviced_even_with_cover_questions() -> None:
    text = ("Subject: RE: Claim HL-88213 - kitchen leak\nThe adjuster visits Monday. On your questions: the excess "
            "for escape of water is £350; the units are covered. Send me the plumber's invoice.\n"
            "Subject: Claim HL-88213 - kitchen leak\nIs the floor covered?")
    assert _purpose(text, opening="Subject: Claim HL-88213 - kitchen leak Is the floor covered?") == "service_issue"


def test_a_card_kept_by_a_machine_and_replaced_is_a_service_issue() -> None:
    assert _purpose("The replacement card arrived. I've cancelled the card that was kept by the machine.") == (
        "service_issue")


def test_an_attorney_registered_on_the_accounts_is_a_service_issue() -> None:
    text = "GW holds a registered LPA. POA team to register it on all 3 accounts. Correspondence address changed."
    assert _purpose(text) == "service_issue"


def test_a_fund_merger_and_its_manager_retiring_is_a_portfolio_update() -> None:
    text = ("Two bits of news on the fund the Trust holds. The lead manager is retiring in June, and the board is "
            "proposing to merge the fund into a bigger one; the ongoing charge comes down. What would you do?")
    assert _purpose(text, opening="") == "portfolio_update"


def test_your_review_with_a_rebalancing_recommendation_is_a_review() -> None:
    text = ("Is now still good for your review? You're at sixty-three in equities against the fifty-five we agreed, "
            "so I'd recommend rebalancing. That's after charges.")
    assert _purpose(text) == "review"


def test_what_a_policy_covers_and_taking_card_payments_are_product_questions() -> None:
    assert _purpose("Is the laptop covered? It would need to be a specified item. The excess is £100. "
                    "Your premium goes up from your October payment.") == "product_question"
    assert _purpose("People want to pay by card at the market. They quoted £15 a month for the card terminal.") == (
        "product_question")
