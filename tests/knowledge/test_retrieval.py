from __future__ import annotations

from pathlib import Path

import pytest

from clientloop.settings import Settings
from knowledge.retrieval import HybridRetriever
from pipeline.vectorstore import ChunkStore

FEES = """# Fee schedule

CHAPS same-day payment: £25 per payment. Cut-off for CHAPS is 3:30pm.

Outgoing international payment (SWIFT or SEPA): £15 per payment.

Copy statements cost £5 each for statements older than 12 months."""

ADDRESS = """# Change of address

Confirm the full new address, including postcode, using the address lookup tool.

For 10 days after an address change we do not send a new card to the new address."""

SAVINGS = """# Easy Saver

The Easy Saver is a variable-rate savings account with unlimited withdrawals.

We give 14 days' notice before we reduce the interest rate."""


def paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for part in text.split("\n\n"):
        start = text.index(part, pos)
        spans.append((start, start + len(part)))
        pos = start + len(part)
    return spans


def index_source(store: ChunkStore, embeddings, source_id: str, title: str, text: str, **meta) -> None:
    spans = paragraphs(text)
    texts = [text[s:e] for s, e in spans]
    store.upsert(
        [f"{source_id}:{i}" for i in range(len(spans))],
        texts,
        [
            {
                "source_id": source_id,
                "source_title": title,
                "heading": title,
                "start": s,
                "end": e,
                "ordinal": i,
                **{"kind": "kb", **meta},
            }
            for i, (s, e) in enumerate(spans)
        ],
        embeddings.embed_documents(texts),
    )


SOURCES = {
    "fees": ("Fee schedule", FEES),
    "address": ("Change of address", ADDRESS),
    "savings": ("Easy Saver", SAVINGS),
}


@pytest.fixture
def kb(tmp_path: Path, embeddings) -> ChunkStore:
    store = ChunkStore.from_settings(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    for sid, (title, text) in SOURCES.items():
        index_source(store, embeddings, sid, title, text)
    return store


def test_retrieve_finds_the_relevant_chunk_first(kb: ChunkStore, embeddings) -> None:
    passages = HybridRetriever(kb, embeddings, k=3).retrieve("What is the fee for a CHAPS payment?")
    top = passages[0]
    assert top.chunk_id == "fees:1"
    assert top.source_title == "Fee schedule"
    assert top.text == FEES[top.start : top.end]
    assert top.vector_score is not None and top.vector_score > 0.3
    assert top.keyword_score is not None and top.keyword_score > 0


def test_every_passage_carries_both_scores(kb: ChunkStore, embeddings) -> None:
    passages = HybridRetriever(kb, embeddings, k=6).retrieve("customer moving house")
    assert len(passages) == 6
    assert all(p.vector_score is not None and p.keyword_score is not None for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_paraphrase_is_found_by_the_vector_side(kb: ChunkStore, embeddings) -> None:
    passages = HybridRetriever(kb, embeddings, k=2).retrieve("Customer is moving home, what do we do?")
    assert passages[0].source_id == "address"


def test_where_filter_limits_both_searches(kb: ChunkStore, embeddings, tmp_path: Path) -> None:
    index_source(
        kb, embeddings, "call-1", "Call", "Client asked about the CHAPS fee for a house purchase.", client_id="c-9",
        kind="call_transcript",
    )
    retriever = HybridRetriever(kb, embeddings, k=10)
    only_client = retriever.retrieve("CHAPS fee", where={"client_id": "c-9"})
    assert [p.source_id for p in only_client] == ["call-1"]


def test_keyword_index_rebuilds_after_writes(kb: ChunkStore, embeddings) -> None:
    retriever = HybridRetriever(kb, embeddings, k=3)
    assert all(p.source_id != "new" for p in retriever.retrieve("zephyrine account"))
    index_source(kb, embeddings, "new", "New product", "The Zephyrine account pays no interest.")
    assert retriever.retrieve("zephyrine account")[0].source_id == "new"
    kb.delete_source("new")
    assert all(p.source_id != "new" for p in retriever.retrieve("zephyrine account"))


def test_empty_question_returns_nothing(kb: ChunkStore, embeddings) -> None:
    assert HybridRetriever(kb, embeddings).retrieve("   ") == []


def test_empty_store_returns_nothing(tmp_path: Path, embeddings) -> None:
    store = ChunkStore.from_settings(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    assert HybridRetriever(store, embeddings).retrieve("anything") == []


def test_keyword_mode_ranks_by_bm25_alone(kb: ChunkStore, embeddings) -> None:
    passages = HybridRetriever(kb, embeddings, k=10).retrieve("CHAPS", mode="keyword")
    assert passages and all("CHAPS" in p.text for p in passages)


def test_vector_mode_returns_vector_hits_without_keyword_only_ones(kb: ChunkStore, embeddings) -> None:
    retriever = HybridRetriever(kb, embeddings, k=3, candidates=2)
    vector = retriever.retrieve("zzqx CHAPS", mode="vector")
    assert len(vector) == 2 and vector == sorted(vector, key=lambda p: -p.score)


def test_fusion_weights_decide_which_list_leads(kb: ChunkStore, embeddings) -> None:
    question = "statements older than 12 months"
    vector = HybridRetriever(kb, embeddings, k=6, keyword_weight=0.0).retrieve(question)
    keyword = HybridRetriever(kb, embeddings, k=6, vector_weight=0.0).retrieve(question)
    assert [p.chunk_id for p in vector] == [p.chunk_id for p in HybridRetriever(kb, embeddings, k=6).retrieve(
        question, mode="vector")]
    only_keyword = HybridRetriever(kb, embeddings, k=6).retrieve(question, mode="keyword")
    assert [p.chunk_id for p in keyword][: len(only_keyword)] == [p.chunk_id for p in only_keyword]


def test_fused_score_weighs_each_list_by_its_weight(kb: ChunkStore, embeddings) -> None:
    retriever = HybridRetriever(kb, embeddings, k=1, rrf_k=10, vector_weight=1.0, keyword_weight=0.5)
    top = retriever.retrieve("What is the fee for a CHAPS payment?")[0]
    # First in both lists: 1.0 / (10 + 1) + 0.5 / (10 + 1).
    assert top.score == pytest.approx(1.5 / 11)


def test_each_ask_of_a_two_part_question_is_retrieved_on_its_own(kb: ChunkStore, embeddings) -> None:
    retriever = HybridRetriever(kb, embeddings, k=3)
    question = "A customer is moving house. What is the CHAPS fee, and how much notice before the rate is cut?"
    asks = retriever.retrieve_asks(question, k=2)
    assert list(asks) == ["What is the CHAPS fee", "how much notice before the rate is cut"]
    assert asks["What is the CHAPS fee"][0].source_id == "fees"
    assert asks["how much notice before the rate is cut"][0].source_id == "savings"
    assert retriever.retrieve_asks("What is the CHAPS fee?") == {}
