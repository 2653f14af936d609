"""Phrase clustering: themes from unit vectors, deterministic, named by their central phrases."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.clustering import cluster_phrases, kmeans_labels, purity

PHRASES = [
    "my card was declined abroad",
    "card declined in Lisbon",
    "card payment declined overseas",
    "the transfer took nine days",
    "my transfer is taking days",
    "transfer still not arrived",
    "cannot log in to the app",
]


@pytest.fixture(scope="module")
def vectors(embeddings) -> np.ndarray:
    return embeddings.embed_array(PHRASES)


def test_cluster_phrases_groups_alike_concerns_and_drops_singletons(vectors) -> None:
    clusters = cluster_phrases(PHRASES, vectors)
    groups = sorted(sorted(PHRASES[i] for i in c.members) for c in clusters)
    assert groups == [sorted(PHRASES[:3]), sorted(PHRASES[3:6])]
    card = next(c for c in clusters if 0 in c.members)
    assert "declined" in card.keywords and card.central[0] in card.members and 0 < card.cohesion <= 1


def test_cluster_phrases_is_deterministic_whatever_the_input_order(vectors) -> None:
    order = [6, 4, 0, 2, 5, 1, 3]
    first = [sorted(PHRASES[i] for i in c.members) for c in cluster_phrases(PHRASES, vectors)]
    shuffled = [PHRASES[i] for i in order]
    again = [sorted(shuffled[i] for i in c.members) for c in cluster_phrases(shuffled, vectors[order])]
    assert first == again


def test_cluster_phrases_refuses_mismatched_inputs(vectors) -> None:
    with pytest.raises(ValueError, match="7 texts but 2 vectors"):
        cluster_phrases(PHRASES, vectors[:2])


def test_kmeans_is_seeded_and_purity_counts_majorities() -> None:
    points = np.array([[0, 0], [0, 0.1], [5, 5], [5, 5.1]], dtype=float)
    assert kmeans_labels(points, 2).tolist() == kmeans_labels(points, 2).tolist()
    assert purity(["a", "a", "b", "c"], [0, 0, 1, 1]) == 0.75
