"""The database keyword index, on SQLite (FTS5) and, with CLIENTLOOP_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from clientloop.ingest import ingest_bytes
from knowledge.keyword_index import KeywordIndex, KeywordRow, index_chunks, unindex_sources

FEES = b"""# Fee schedule

## CHAPS

CHAPS same-day payment: \xc2\xa325 per payment. Cut-off for CHAPS is 3:30pm.

## International

Outgoing international payment (SWIFT or SEPA): \xc2\xa315 per payment.
"""

SAVER = b"""# Easy Saver

## Rates

The Easy Saver pays 3.5% a year. We give 14 days' notice before we reduce the interest rate.
"""


def _rows(container) -> list[tuple[str, str]]:
    with container.engine.connect() as conn:
        return [(str(a), str(b)) for a, b in conn.execute(text("SELECT chunk_id, kind FROM chunk_keyword")).all()]


def test_ingest_writes_keyword_rows_with_the_chunks(container) -> None:
    ingest_bytes(container, FEES, "fees.md", kind="kb")
    index = KeywordIndex(container.engine)
    hits = index.search("What does a CHAPS payment cost?", where={"kind": "kb"})
    assert hits and all(score > 0 for _, score in hits)
    top = container.store.get_with_embeddings([hits[0][0]])[1][0]
    assert "CHAPS" in top.text
    assert {kind for _, kind in _rows(container)} == {"kb"}


def test_amounts_rates_and_compounds_match_whole(container) -> None:
    ingest_bytes(container, FEES, "fees.md", kind="kb")
    ingest_bytes(container, SAVER, "saver.md", kind="kb")
    index = KeywordIndex(container.engine)
    assert "£15" in container.store.get_with_embeddings([index.search("£15")[0][0]])[1][0].text
    assert "3.5%" in container.store.get_with_embeddings([index.search("3.5%")[0][0]])[1][0].text
    same_day = index.search("same-day")
    assert "same-day" in container.store.get_with_embeddings([same_day[0][0]])[1][0].text
    assert same_day[0][1] > 2 * same_day[1][1]  # "day" alone also matches "14 days'"; the compound dominates


def test_filter_by_kind_and_client(container) -> None:
    index = KeywordIndex(container.engine)
    with container.engine.begin() as conn:
        index_chunks(
            conn,
            [
                KeywordRow("kb:0", "kb", "The CHAPS fee is £25.", "kb", None),
                KeywordRow("call:0", "call", "Client asked about the CHAPS fee.", "call_transcript", "c-9"),
            ],
        )
    assert [cid for cid, _ in index.search("CHAPS fee", where={"kind": "kb"})] == ["kb:0"]
    assert [cid for cid, _ in index.search("CHAPS fee", where={"client_id": "c-9"})] == ["call:0"]
    assert {cid for cid, _ in index.search("CHAPS fee")} == {"kb:0", "call:0"}
    assert set(index.scores("CHAPS", ["call:0", "missing"])) == {"call:0"}
    with pytest.raises(ValueError, match="filters on equality"):
        index.search("CHAPS", where={"heading": "x"})


def test_reingest_replaces_rows_and_unindex_removes_them(container) -> None:
    ingest_bytes(container, FEES, "fees.md", kind="kb")
    before = {cid for cid, _ in _rows(container)}
    ingest_bytes(container, FEES.replace(b"\xc2\xa325", b"\xc2\xa330"), "fees.md", kind="kb")
    after = {cid for cid, _ in _rows(container)}
    assert after and not (after & before)
    index = KeywordIndex(container.engine)
    assert index.search("£25") == [] and index.search("£30")
    source_id = container.store.get_with_embeddings([next(iter(after))])[1][0].metadata["source_id"]
    with container.engine.begin() as conn:
        unindex_sources(conn, [str(source_id)])
    assert _rows(container) == []


def test_narrative_words_are_dropped_from_long_questions(container) -> None:
    index = KeywordIndex(container.engine, max_df_ratio=0.5)
    with container.engine.begin() as conn:
        index_chunks(
            conn,
            [KeywordRow(f"d:{i}", "d", f"customer account note {i}", "kb") for i in range(8)]
            + [KeywordRow("chaps:0", "c", "customer account CHAPS cut-off", "kb")],
        )
    with container.engine.connect() as conn:
        _, weights = index.query_terms(conn, "My customer called about their account and a CHAPS payment")
    assert list(weights) == ["chap"]
    assert index.search("customer account CHAPS")[0][0] == "chaps:0"


def test_container_retriever_uses_the_database_index(container) -> None:
    ingest_bytes(container, FEES, "fees.md", kind="kb")
    ingest_bytes(container, SAVER, "saver.md", kind="kb")
    retriever = container.retriever
    assert retriever.keyword_index is not None
    passages = retriever.retrieve("notice before the interest rate is reduced", where={"kind": "kb"}, k=3)
    assert passages[0].source_title == "Easy Saver"
    assert all(p.keyword_score is not None for p in passages)
    keyword_only = retriever.retrieve("SWIFT", where={"kind": "kb"}, mode="keyword", k=3)
    assert "SWIFT" in keyword_only[0].text and keyword_only[0].vector_score is not None


def test_held_words_follow_the_prefix_rule_within_the_filter(container) -> None:
    index = KeywordIndex(container.engine)
    with container.engine.begin() as conn:
        index_chunks(
            conn,
            [
                KeywordRow("kb:0", "kb", "Withdrawals from the Easy Saver are free; CHAPS costs £25.", "kb", None),
                KeywordRow("call:0", "call", "The client asked about a travel card.", "call_transcript", "c-9"),
            ],
        )
    held = index.held_words(["withdraw", "easy", "chap", "£25", "£2", "travel", "card"], where={"kind": "kb"})
    # "withdraw" begins the stored "withdrawal" term; "£2" is not a prefix match; "travel" is only in a call.
    assert held == {"withdraw", "easy", "chap", "£25"}
    assert index.held_words(["withdrawalss"], where={"kind": "kb"}) == {"withdrawalss"}  # begins with a term
    assert index.held_words(["travel", "card"], where={"client_id": "c-9"}) == {"travel", "card"}
    with pytest.raises(ValueError, match="filters on equality"):
        index.held_words(["chap"], where={"heading": "x"})


def test_a_question_vocabulary_from_the_index_vetoes_like_the_whole_corpus(container) -> None:
    from knowledge.answerability import unknown_names

    ingest_bytes(container, FEES, "fees.md", kind="kb")
    ingest_bytes(container, SAVER, "saver.md", kind="kb")
    retriever = container.retriever
    assert retriever.keyword_index is not None
    whole = retriever.vocabulary({"kind": "kb"})
    for question in (
        "What's the APR on the Harbour Platinum credit card?",
        "What does a same-day CHAPS payment cost?",
        "How much notice before the Easy Saver's rate is cut?",
    ):
        asked = retriever.vocabulary({"kind": "kb"}, question=question)
        assert len(asked) < len(whole)
        assert unknown_names(question, asked) == unknown_names(question, whole)
    assert unknown_names("What's the APR on the Harbour Platinum credit card?", whole)
