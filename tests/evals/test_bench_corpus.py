"""The bench's synthetic corpora are deterministic."""

from __future__ import annotations

import numpy as np

from evals.bench_corpus import (
    Vocabulary,
    demo_vocabulary,
    perturbed_vectors,
    synthetic_chunk,
    synthetic_chunks,
    synthetic_docs,
)


def test_synthetic_docs_are_deterministic():
    assert synthetic_docs(5) == synthetic_docs(5)
    assert synthetic_docs(5, seed=1) != synthetic_docs(5, seed=2)


def test_synthetic_chunks_are_deterministic_and_independent_of_batching():
    vocab = Vocabulary.zipf(demo_vocabulary(), seed=7)
    whole = synthetic_chunks(10, vocab)
    parts = synthetic_chunks(4, vocab) + synthetic_chunks(6, vocab, start=4)
    assert whole == parts
    assert whole == synthetic_chunks(10, Vocabulary.zipf(demo_vocabulary(), seed=7))
    assert synthetic_chunk(3, vocab, seed=8) != synthetic_chunk(3, vocab, seed=7)
    ids = [c[0] for c in whole]
    assert len(set(ids)) == 10
    cid, text, meta = whole[0]
    assert meta["kind"] == "kb" and meta["end"] == len(text) and set(meta) >= {"source_id", "source_title", "heading"}
    assert 40 < len(text.split()) < 250


def test_zipf_vocabulary_weights_are_increasing():
    vocab = Vocabulary.zipf(["b", "a", "c", "a"], seed=1)
    assert sorted(vocab.words) == ["a", "b", "c"]
    assert list(vocab.cum_weights) == sorted(vocab.cum_weights)
    assert vocab.cum_weights[0] == 1.0


def test_perturbed_vectors_are_unit_and_deterministic():
    base = np.eye(4, dtype=np.float32)
    a = perturbed_vectors(base, range(10), sigma=0.01, seed=3)
    b = perturbed_vectors(base, range(10), sigma=0.01, seed=3)
    assert a.shape == (10, 4) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)
    assert int(np.argmax(a[5])) == 1  # close to base[5 % 4]
