from __future__ import annotations

from knowledge.answer import answer_with_rules
from knowledge.answerability import DEFAULT_CUTOFF, assess, named_things
from tests.knowledge.test_answer import passage

CARD = "The Harbour Classic Credit Card has a representative APR of 24.9% variable. The late payment fee is £12."


def test_named_things_are_product_phrases_and_names_not_places_or_weekdays() -> None:
    assert "travel card" in named_things("What's the foreign fee on the travel card?")
    assert "Bitcoin" in named_things("Can customers buy Bitcoin through the app?")
    assert "buy-to-let" in named_things("Maximum LTV on a buy-to-let mortgage?")
    names = named_things("Customer's payment to Turkey was held on Saturday; what can I say?")
    assert "Turkey" not in names and "Saturday" not in names
    assert named_things("Can a business get a higher overdraft?") == []
    # A possessive names an owner: a friend's account is an account, not a product of that name.
    assert named_things("Can money be sent to a friend's account?") == []
    assert "Junior Saver account" in named_things("Can I see my daughter’s Junior Saver account?")


def test_a_product_the_passages_do_not_name_lowers_answerability() -> None:
    asked = assess("What's the APR on the Harbour travel card?", [passage(CARD, vector_score=0.6)])
    covered = assess("What's the APR on the Harbour Classic card?", [passage(CARD, vector_score=0.6)])
    assert asked.missing_names == ("Harbour travel card",)
    assert covered.missing_names == ()
    assert asked.probability < DEFAULT_CUTOFF <= covered.probability


def test_words_of_a_product_in_two_places_do_not_make_that_product() -> None:
    text = "Personal customers can apply online. A business term loan runs for 1 to 10 years."
    decision = assess("What's the APR on a personal loan?", [passage(text, vector_score=0.6)])
    assert decision.pair_missing == 1.0 and decision.missing_names == ("personal loan",)
    # The modifier may follow the noun: mortgages in a sole name are sole mortgages.
    sole = passage("Mortgages in a sole name: no arrears action for 6 months after the death.", vector_score=0.6)
    assert assess("Sole mortgage arrears pause after death?", [sole]).missing_names == ()


def test_near_miss_says_what_the_knowledge_base_covers_and_cites_it() -> None:
    answer = answer_with_rules("What's the APR on the Harbour travel card?", [passage(CARD, vector_score=0.6)])
    assert answer.abstained
    assert answer.near_miss == "describes the Harbour Classic Credit Card, not the Harbour travel card"
    assert answer.answer.startswith("Not found in the knowledge base: it describes the Harbour Classic Credit Card")
    assert answer.answer.endswith("[1]") and len(answer.citations) == 1
    assert CARD.startswith(answer.citations[0].quote)
    assert answer.answerability is not None and answer.answerability < DEFAULT_CUTOFF


def test_an_answer_carries_its_answerability() -> None:
    fees = passage(CARD, vector_score=0.7).model_copy(update={"heading": "Harbour Classic Credit Card > Fees"})
    answer = answer_with_rules("What is the late payment fee on the Classic card?", [fees])
    assert not answer.abstained and answer.near_miss is None
    assert "£12" in answer.answer
    assert answer.answerability is not None and answer.answerability >= DEFAULT_CUTOFF


def test_unrelated_question_abstains_without_a_near_miss() -> None:
    answer = answer_with_rules("What time does the staff canteen open?", [passage(CARD, vector_score=0.2)])
    assert answer.abstained and answer.near_miss is None and answer.citations == []


def test_a_property_no_sentence_gives_for_the_thing_marks_the_attribute_missing() -> None:
    from knowledge.asked import attribute_missing

    saver = passage(
        "The Easy Saver pays 3.1% AER variable. Business customers use the Business Reserve Account instead.",
        vector_score=0.6,
    )
    assert attribute_missing("What's the interest rate on the Business Reserve Account?", [saver]) == 1.0
    rated = passage("The Business Reserve Account pays an interest rate of 2.5%.", vector_score=0.6)
    assert attribute_missing("What's the interest rate on the Business Reserve Account?", [rated]) == 0.0
    # The property must come with the thing's own name: the CHAPS cut-off is not the Bacs cut-off.
    payments = passage("Bacs payments are free. The CHAPS cut-off is 3:30pm.", vector_score=0.6)
    assert attribute_missing("What's the cut-off time for a Bacs payment?", [payments]) == 1.0
    assert attribute_missing("What's the cut-off time for a CHAPS payment?", [payments]) == 0.0
    # Not a property question, or a figure the passage states without the word: no signal.
    assert attribute_missing("How do I close an Easy Saver?", [saver]) == 0.0
    assert attribute_missing("What's the least a cardholder has to pay on the card?", [saver]) == 0.0


def test_near_miss_on_a_property_says_the_thing_is_mentioned_without_it() -> None:
    saver = passage("Business customers use the Business Reserve Account instead (not covered here).", vector_score=0.5)
    answer = answer_with_rules("What's the interest rate on the Business Reserve Account?", [saver])
    assert answer.abstained
    assert answer.near_miss == "mentions the Business Reserve Account but not its interest rate"
    assert answer.citations[0].quote == saver.text


def test_near_miss_names_only_proper_product_names_and_never_quotes_a_title() -> None:
    from knowledge.near_miss import _covered_names

    row = "| Monthly account fee, Harbour Current Account | £0 | n/a |"
    assert _covered_names(row, "account", "Premier current account") == ["Harbour Current Account"]
    assert _covered_names("Covers overdrafts, term loans and asset finance.", "loan", "student loan") == []
    title = passage("Procedure: Lost and Stolen Cards\n\nCall the customer back.", vector_score=0.5)
    title = title.model_copy(update={"source_title": "Procedure: Lost and Stolen Cards"})
    answer = answer_with_rules("What's the APR on the Harbour travel card?", [title])
    # No product is named instead; the section it comes closest in is, quoting a sentence, not the title.
    assert answer.abstained and answer.near_miss == "comes closest in Procedure: Lost and Stolen Cards"
    assert [c.quote for c in answer.citations] == ["Call the customer back."]


def test_a_price_is_given_by_any_price_word_or_an_amount() -> None:
    from knowledge.asked import attribute_missing

    chaps = passage("A CHAPS payment costs 25 GBP.", vector_score=0.6)
    assert attribute_missing("What is the fee for a CHAPS payment?", [chaps]) == 0.0
    loan = passage("Business term loan: £10,000 to £2 million. Arrangement fee 1.5%.", vector_score=0.6)
    assert attribute_missing("What's the early repayment fee on a business term loan?", [loan]) == 1.0


def test_a_named_thing_no_document_mentions_vetoes_the_answer() -> None:
    from knowledge.answerability import unknown_names
    from knowledge.bm25 import tokenize

    vocabulary = set(tokenize(CARD + " Harbour current account debit card"))
    assert unknown_names("What's the APR on the Harbour Platinum credit card?", vocabulary) == (
        "Platinum",
        "Platinum credit card",
    )
    # An owner is not a product, and a bare compound is a word.
    assert unknown_names("Can I pay into a friend's account?", vocabulary) == ()
    fees = passage(CARD, vector_score=0.7)
    vetoed = assess("What's the APR on the Harbour Platinum credit card?", [fees], vocabulary=vocabulary)
    assert vetoed.probability == 0.0 and vetoed.unknown_names
    assert assess("What's the APR on the Harbour Classic card?", [fees], vocabulary=vocabulary).probability > 0


def test_is_there_a_property_on_a_thing_the_passages_describe_without_it_is_a_gap() -> None:
    from knowledge.asked import attribute_gap

    loan = passage("Business term loan: £10,000 to £2 million over 1 to 10 years. Arrangement fee 1.5%.")
    assert attribute_gap("Is there an early repayment charge on a business term loan?", [loan]) == (
        "early repayment charge",
        "business term loan",
    )
    stated = passage("Business term loan: no early repayment charge applies after the first year.")
    assert attribute_gap("Is there an early repayment charge on a business term loan?", [stated]) is None
    # "free" states a price; "a way to" asks how, not for a property.
    bacs = passage("Bacs payments are free. The CHAPS cut-off is 3:30pm.")
    assert attribute_gap("Is there a fee for a Bacs payment?", [bacs]) is None
    assert attribute_gap("Is there a way for a customer to close a Bacs payment online?", [bacs]) is None


def test_what_a_thing_charges_is_a_gap_when_no_sentence_prices_it() -> None:
    from knowledge.asked import attribute_gap

    card = passage("The Harbour Classic Credit Card has no annual fee. Cash withdrawals are not allowed abroad.")
    assert attribute_gap("What late fee does the Classic card charge?", [card]) == ("late fee", "Classic card")
    assert attribute_gap("What annual fee does the Classic card charge?", [card]) is None
    # What is charged for is the thing: the fee for a CHAPS payment, not a fee of "we".
    chaps = passage("A CHAPS payment costs £25. Faster Payments are free.")
    assert attribute_gap("What fee do we charge for a CHAPS payment?", [chaps]) is None
    assert attribute_gap("What fee do we charge for an international payment?", [chaps]) == (
        "fee",
        "international payment",
    )


def test_a_cap_asks_for_a_figure_the_passage_may_word_otherwise() -> None:
    scams = passage("APP scam reimbursement is limited to £85,000 per claim.", vector_score=0.6)
    assert assess("APP scam reimbursement cap?", [scams]).missing_names == ()
    # The thing capped must still be there.
    assert assess("Hardship payment cap?", [scams]).missing_names == ("Hardship payment cap",)


def test_a_possessive_property_and_an_opening_time_are_properties_of_a_thing() -> None:
    from knowledge.asked import attribute_gap

    invest = passage("Harbour & Vale Invest is the platform of Harbour & Vale Bank. Shares cost £5.95 a trade.")
    assert attribute_gap("What is Harbour & Vale Bank's share price today?", [invest]) == (
        "share price",
        "Harbour & Vale Bank",
    )
    priced = passage("Harbour & Vale Bank shares closed at £4.20 today.")
    assert attribute_gap("What is Harbour & Vale Bank's share price today?", [priced]) is None
    branch = passage("Branches open at 9am. The contact centre is open 8am to 8pm.")
    assert attribute_gap("What time does the staff canteen open?", [branch]) == ("open", "staff canteen")
    assert attribute_gap("What time does the contact centre open?", [branch]) is None


def test_how_long_a_thing_takes_to_do_something_is_given_by_its_duration() -> None:
    from knowledge.asked import attribute_gap

    statements = passage("Cheques paid into a current account show on statements. Faster Payments take 2 hours.")
    assert attribute_gap("How long does a cheque paid into a current account take to clear?", [statements]) == (
        "clear",
        "cheque paid into a current account",
    )
    # A duration in a sentence naming the thing answers it, however the doing is worded.
    abroad = passage("International payments usually reach the beneficiary bank in 1 to 4 business days.")
    assert attribute_gap("How long does an international payment take to arrive?", [abroad]) is None


def test_a_figure_asked_for_needs_a_figure_of_that_kind_in_the_sentence() -> None:
    from knowledge.asked import attribute_gap

    print_ = passage("Use the format the customer asked for (large print, braille, audio).")
    assert attribute_gap("What minimum font size counts as large print?", [print_]) == (
        "minimum font size",
        "large print",
    )
    sized = passage("Large print letters use a font size of at least 16 points.")
    assert attribute_gap("What minimum font size counts as large print?", [sized]) is None
    # "maximum" asks for an amount: a sentence naming the limit without one does not give it.
    unstated = passage("Payments past the arranged limit of a Harbour account are returned unpaid.")
    assert attribute_gap("What's the maximum arranged limit on a Harbour account?", [unstated]) is not None
    stated = passage("The arranged limit of a Harbour account is £5,000 at most.")
    assert attribute_gap("What's the maximum arranged limit on a Harbour account?", [stated]) is None


def test_how_to_do_something_to_a_thing_no_sentence_names_is_a_gap_and_a_near_miss() -> None:
    from knowledge.asked import attribute_gap

    address = passage("Update the address. The system sends a confirmation letter to both addresses.")
    address = address.model_copy(update={"heading": "Procedure: Change of Address > Making the change"})
    question = "How do we update a customer's surname after they get married?"
    assert attribute_gap(question, [address]) == ("update", "surname")
    assert attribute_gap("How do we update a customer's address after a move?", [address]) is None
    answer = answer_with_rules(question, [address])
    assert answer.abstained
    assert answer.near_miss == "covers “Making the change” in Procedure: Change of Address, not how to update a surname"
    assert answer.citations[0].quote == "Update the address."


def test_a_near_miss_no_rule_names_is_told_where_the_knowledge_base_comes_closest() -> None:
    mortgages = passage(
        "Fixed rate: 2-year, 3-year and 5-year fixes, with or without a £999 product fee. The SVR is 7.49%.",
        vector_score=0.56,
    ).model_copy(update={"heading": "Product Guide: Residential Mortgages > Product range"})
    answer = answer_with_rules("What's the current rate on the 5-year fixed mortgage with no product fee?", [mortgages])
    assert answer.abstained
    assert answer.near_miss == "comes closest in “Product range” of Product Guide: Residential Mortgages"
    assert answer.citations[0].quote.startswith("Fixed rate: 2-year")
    # A question on another subject is told nothing.
    far = mortgages.model_copy(update={"vector_score": 0.27})
    assert answer_with_rules("How do I book annual leave in the HR system?", [far]).near_miss is None
