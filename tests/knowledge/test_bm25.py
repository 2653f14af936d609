from __future__ import annotations

from knowledge.bm25 import BM25Index, tokenize


def test_tokenize_lowercases_drops_stopwords_and_stems() -> None:
    assert tokenize("How do I change my Address?") == ["chang", "address"]
    assert tokenize("changes changed changing") == ["chang"] * 3
    assert tokenize("transferred transfers") == ["transfer", "transfer"]


def test_tokenize_keeps_money_and_rates_whole() -> None:
    assert tokenize("A £25 fee, 3.5% rate and 1,000 points") == ["£25", "fee", "3.5%", "rat", "1,000", "point"]


def test_tokenize_drops_single_letters_but_keeps_digits() -> None:
    assert tokenize("customer's 5 year") == ["customer", "5", "year"]


def test_search_ranks_the_matching_document_first() -> None:
    docs = [
        "CHAPS same-day payment costs £25 per payment.",
        "Savings accounts pay variable interest.",
        "Change of address needs identity checks.",
    ]
    index = BM25Index(docs)
    assert index.search("what is the CHAPS fee", k=3)[0][0] == 0
    assert index.search("changing an address", k=3)[0][0] == 2


def test_rare_terms_weigh_more_than_common_ones() -> None:
    docs = ["card fee", "card limit", "card chargeback dispute", "card"]
    index = BM25Index(docs)
    assert index.idf("chargeback") > index.idf("card") > 0
    assert index.search("card chargeback", k=1)[0][0] == 2


def test_shorter_documents_score_higher_for_the_same_term_count() -> None:
    index = BM25Index(["fee", "fee and many other words about unrelated things entirely"])
    scores = index.scores("fee")
    assert scores[0] > scores[1] > 0


def test_no_shared_terms_gives_no_results() -> None:
    index = BM25Index(["alpha beta"])
    assert index.search("gamma", k=5) == []
    assert BM25Index([]).search("anything", k=5) == []


def test_tokenize_keeps_hyphenated_compounds_beside_their_parts() -> None:
    assert tokenize("same-day buy-to-let 5-year") == ["day", "same-day", "buy", "buy-to-let", "5", "year", "5-year"]
    index = BM25Index(["Payments arrive the next day.", "Pay the same-day CHAPS fee.", "Cards are free."])
    assert index.search("same-day", k=1)[0][0] == 1
