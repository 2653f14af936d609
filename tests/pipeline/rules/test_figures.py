"""Spoken numbers written as figures in summary phrases."""

from __future__ import annotations

from pipeline.rules.figures import sole_currency, written_figures


def test_a_scaled_amount_said_without_a_currency_takes_the_interactions_one() -> None:
    assert written_figures("Move the twenty thousand across", "GBP") == "Move the £20,000 across"
    assert written_figures("it's eighteen thousand four hundred", "GBP") == "it's £18,400"


def test_a_scaled_amount_stays_a_bare_figure_when_the_currency_is_unknown() -> None:
    assert written_figures("up to fifteen thousand for June") == "up to 15,000 for June"


def test_millions_are_noted_with_m() -> None:
    assert written_figures("from one point two million to one point six million", "GBP") == "from £1.2m to £1.6m"


def test_a_spoken_rate_is_a_percentage() -> None:
    assert written_figures("honouring the four point one per cent") == "honouring the 4.1%"
    assert written_figures("nought point seven five per cent") == "0.75%"
    assert written_figures("turnover is up eighteen per cent") == "turnover is up 18%"


def test_a_split_of_two_tens_making_a_hundred_is_written_with_a_slash() -> None:
    assert written_figures("go back to sixty-forty") == "go back to 60/40"
    assert written_figures("he is forty-one") == "he is forty-one"


def test_lone_small_numbers_stay_words() -> None:
    assert written_figures("the one with more shares, two things", "GBP") == "the one with more shares, two things"


def test_an_amount_that_names_its_currency_keeps_it() -> None:
    assert written_figures("it's four hundred and twelve quid", "EUR") == "it's £412"


def test_sole_currency_is_none_when_an_interaction_names_two() -> None:
    assert sole_currency("£40 a month, or €50") is None
    assert sole_currency("£40 a month, or forty pounds") == "GBP"


def test_a_currency_named_after_a_is_not_one_unit_of_it() -> None:
    from pipeline.rules.figures import written_figures

    assert written_figures("Can we open a EUR account as well?", None) == "Can we open a EUR account as well?"


def test_a_hundred_said_with_a_counts_as_one_hundred() -> None:
    # It was left as 'A hundred and £20,000' (only 'twenty thousand' was read).
    said = "we need a hundred and twenty thousand from January"
    assert written_figures(said, "GBP") == "we need £120,000 from January"
    assert written_figures("a hundred people came", "GBP") == "a hundred people came"
