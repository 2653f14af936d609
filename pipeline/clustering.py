"""Unlabelled phrase clustering: themes out of short texts, with their most central phrases.

One function, `cluster_phrases`, is what the product's service themes and the Banking77
clustering evaluation both call, so what is scored is what ships.

Design decisions:

- **Agglomerative clustering with a distance threshold**, not k-means with a chosen k.
  The number of concerns in a book is unknown and changes week to week; a cosine
  distance cut-off says how alike two phrases must be to share a theme, and the number
  of themes follows from the data. Average linkage over unit vectors (the local MiniLM's)
  keeps one odd phrase from chaining two themes together. The cut-off was chosen on the
  Banking77 *train* queries (adjusted mutual information against the intents) and is
  reported on test (`evals/datasets/banking77_themes.py`).
- **Deterministic.** Agglomerative clustering has no randomness; the input is ordered
  by text first, so the same phrases in any order give the same themes, numbered by
  size then by their name. `kmeans_labels` (the evaluation's fixed-k comparison and the
  TF-IDF baseline) uses a fixed seed.
- **A theme is named from its members**: the phrases nearest the cluster's mean vector
  (the most central ones), and the words that set it apart from the other clusters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

DISTANCE_THRESHOLD = 0.45
"""Average-linkage cosine distance below which clusters merge (chosen on Banking77 train)."""
SEED = 7
"""Seed for every k-means run, so reruns give the same clusters."""
_STOP = frozenset(
    "a an the and or but if of to in on at for with from by as is are was were be been it its this that these those "
    "i me my we our you your he she they them their his her do does did have has had can could would should will "
    "not no so than then there what when where which who why how please just also am any some get got about into "
    "out up over again still yet very much more one two".split()
)


@dataclass(frozen=True)
class PhraseCluster:
    """One cluster: its members (indexes into the input), most central first, and its naming words."""

    members: list[int]
    central: list[int] = field(default_factory=list)
    """Members nearest the cluster's mean vector, most central first (at most three)."""
    keywords: list[str] = field(default_factory=list)
    """Words frequent in this cluster and rarer elsewhere, most distinctive first."""
    cohesion: float = 0.0
    """Mean cosine similarity of the members to their centre (1.0: identical phrases)."""


def agglomerative_labels(vectors: np.ndarray, threshold: float = DISTANCE_THRESHOLD) -> np.ndarray:
    """Cluster unit vectors by average-linkage cosine distance under `threshold`; one label per row."""
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold)
    return np.asarray(model.fit_predict(vectors))


def kmeans_labels(vectors: object, k: int, seed: int = SEED) -> np.ndarray:
    """k-means labels with a fixed seed (dense vectors or a sparse TF-IDF matrix)."""
    from sklearn.cluster import KMeans

    return np.asarray(KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors))


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z']+", text.lower()) if w not in _STOP and len(w) > 2]


def _keywords(texts: Sequence[str], members: list[int], background: Counter[str], total: int) -> list[str]:
    """Words in most of this cluster's phrases, weighted against how common they are overall."""
    inside: Counter[str] = Counter()
    for i in members:
        inside.update(set(_words(texts[i])))
    scored = [
        (count / len(members) * np.log(1 + total / background[w]), w)
        for w, count in inside.items()
        if count >= max(2, len(members) // 3) or len(members) == 1
    ]
    return [w for _, w in sorted(scored, key=lambda s: (-s[0], s[1]))[:3]]


def cluster_phrases(
    texts: Sequence[str], vectors: np.ndarray, *, threshold: float = DISTANCE_THRESHOLD, min_size: int = 2
) -> list[PhraseCluster]:
    """Group phrases into themes and name each from its members.

    Args:
        texts: The phrases.
        vectors: One unit vector per phrase, in the same order.
        threshold: Average-linkage cosine distance cut-off (`DISTANCE_THRESHOLD`).
        min_size: Smallest cluster kept (a concern raised once is not a theme).

    Returns:
        The clusters of at least `min_size` members, largest first (ties by first keyword).
    """
    if len(texts) != len(vectors):
        raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
    order = sorted(range(len(texts)), key=lambda i: (texts[i], i))
    labels = np.empty(len(texts), dtype=int)
    labels[order] = agglomerative_labels(vectors[order], threshold) if order else []
    background: Counter[str] = Counter()
    for text in texts:
        background.update(set(_words(text)))
    clusters = []
    for label in sorted(set(labels.tolist())):
        members = sorted((i for i in order if labels[i] == label), key=lambda i: (texts[i], i))
        if len(members) < min_size:
            continue
        centre = vectors[members].mean(axis=0)
        centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
        sims = vectors[members] @ centre
        ranked = [members[j] for j in sorted(range(len(members)), key=lambda j: (-round(float(sims[j]), 6), j))]
        clusters.append(
            PhraseCluster(
                members=members,
                central=ranked[:3],
                keywords=_keywords(texts, members, background, len(texts)),
                cohesion=round(float(sims.mean()), 3),
            )
        )
    clusters.sort(key=lambda c: (-len(c.members), texts[c.central[0]]))
    return clusters


def purity(gold: Sequence[str], predicted: Sequence[int]) -> float:
    """Share of items whose cluster's most common gold label is their own."""
    by_cluster: dict[int, Counter[str]] = {}
    for g, p in zip(gold, predicted, strict=True):
        by_cluster.setdefault(int(p), Counter())[g] += 1
    return sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(gold) if gold else 0.0
