from __future__ import annotations

import numpy as np
import pytest

from clientloop.settings import Settings
from pipeline.embeddings import (
    EMBEDDING_DIM,
    GuardedEmbeddings,
    OnnxMiniLMEmbeddings,
    SentenceTransformerEmbeddings,
    make_embeddings,
)
from pipeline.errors import BackendError


@pytest.fixture(scope="module")
def model() -> OnnxMiniLMEmbeddings:
    return OnnxMiniLMEmbeddings(batch_size=4)


def test_embed_query_returns_unit_vector_of_384(model: OnnxMiniLMEmbeddings) -> None:
    vector = model.embed_query("How do I change my address?")
    assert len(vector) == EMBEDDING_DIM == 384
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_similar_meaning_scores_higher_than_unrelated(model: OnnxMiniLMEmbeddings) -> None:
    q, near, far = model.embed_array(
        ["How do I change my address?", "Updating a customer's postal address", "Credit card interest rates"]
    )
    assert q @ near > q @ far + 0.2


def test_batching_gives_same_vectors_as_one_at_a_time(model: OnnxMiniLMEmbeddings) -> None:
    texts = [
        "Short.",
        "A much longer text about CHAPS payments, their £25 fee and the 3:30pm cut-off time.",
        "Medium length text about savings.",
        "",
        "Another one, to make more than one batch of four texts.",
        "Six.",
    ]
    batched = np.array(model.embed_documents(texts))
    single = np.array([model.embed_query(t) for t in texts])
    assert batched.shape == (6, 384)
    np.testing.assert_allclose(batched, single, atol=1e-4)


def test_embed_documents_empty_list_returns_empty(model: OnnxMiniLMEmbeddings) -> None:
    assert model.embed_documents([]) == []


def test_long_text_is_truncated_not_rejected(model: OnnxMiniLMEmbeddings) -> None:
    vector = model.embed_query("word " * 2000)
    assert len(vector) == 384


def test_missing_model_file_raises_backend_error(tmp_path) -> None:
    broken = OnnxMiniLMEmbeddings(model_path=tmp_path / "missing.onnx")
    with pytest.raises(BackendError, match="loading the ONNX embedding model"):
        broken.embed_query("hello")


def test_make_embeddings_onnx_uses_batch_size() -> None:
    emb = make_embeddings(Settings(_env_file=None, embedding_batch_size=7))  # type: ignore[call-arg]
    assert isinstance(emb, OnnxMiniLMEmbeddings)
    assert emb.batch_size == 7


def test_make_embeddings_openai_is_guarded_and_needs_no_tiktoken() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, embedding_provider="openai", llm_base_url="http://127.0.0.1:9/v1"
    )
    emb = make_embeddings(settings)
    assert isinstance(emb, GuardedEmbeddings)
    assert emb.inner.check_embedding_ctx_length is False  # type: ignore[attr-defined]


def test_guarded_embeddings_wrap_failures_in_backend_error() -> None:
    class Boom(OnnxMiniLMEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            raise ConnectionError("refused")

    with pytest.raises(BackendError, match="ConnectionError"):
        GuardedEmbeddings(Boom(), name="test").embed_query("x")


def test_sentence_transformers_missing_package_says_how_to_install(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sentence_transformers":
            raise ImportError("no module")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(BackendError, match="pip install sentence-transformers"):
        SentenceTransformerEmbeddings("all-MiniLM-L6-v2").embed_query("x")


def test_tuned_session_gives_the_unoptimised_sessions_vectors() -> None:
    texts = ["", "Short.", "CHAPS payments cost £25 and leave before 3:30pm.", "word " * 400,
             " ".join(f"Sentence {i} about a mortgage rate switch and its early repayment charge." for i in range(12)),
             "Überweisung an einen Zahlungsempfänger", "ISA allowance"] * 3
    plain = OnnxMiniLMEmbeddings(batch_size=4, intra_op_threads=2, graph_optimization="disable",
                                 bucket_by_tokens=False)
    tuned = OnnxMiniLMEmbeddings(batch_size=4)
    cosine = (plain.embed_array(texts) * tuned.embed_array(texts)).sum(axis=1)
    assert cosine.min() >= 0.9999


def test_token_ids_are_truncated_to_the_models_256_and_unpadded(model: OnnxMiniLMEmbeddings) -> None:
    long, short = model.token_ids(["word " * 2000, "Short."])
    assert len(long) == 256 and long[-1] == 102  # [SEP] kept last
    assert len(short) == 4 and 0 not in short  # [CLS] short . [SEP], no padding


def test_session_threads_default_to_the_usable_cores() -> None:
    from pipeline.embeddings import usable_cores

    assert OnnxMiniLMEmbeddings()._threads == usable_cores() >= 1
    assert OnnxMiniLMEmbeddings(intra_op_threads=1)._threads == 1
