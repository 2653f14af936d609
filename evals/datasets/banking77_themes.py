"""Banking77 as a clustering check: do unlabelled themes recover the 77 intents?

The service themes (`pipeline.clustering.cluster_phrases`, the same agglomerative
clustering of local MiniLM vectors the product runs) are scored against the intents the
queries were labelled with, which the clustering never sees. Two figures:

- **purity**: the share of queries whose cluster's most common intent is their own (it
  rises with the number of clusters, so the count is reported beside it);
- **adjusted mutual information** (AMI): agreement with the intents corrected for
  chance, 0 for random clusters and 1 for the intents exactly.

In the same run, on the same queries: k-means with k = 77 on the same vectors (the
number of intents given away), and the baseline, TF-IDF vectors with k-means at k = 77.
The distance threshold was chosen on train (AMI over a grid); test is reported.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from evals.datasets import DatasetReport, Progress
from evals.datasets.banking77 import read_split

NAME = "banking77-themes"
INTENTS = 77


def evaluate(
    split: str = "test",
    *,
    data_dir: Path | None = None,
    engine: str = "rules",
    limit: int | None = None,
    on_progress: Progress | None = None,
    embed: object = None,
) -> DatasetReport:
    """Purity and AMI of the themes clustering and its baselines against the Banking77 intents.

    Args:
        split: `train` (where the threshold was chosen) or `test` (reported).
        data_dir: The `eval-data` folder; default the shared one.
        engine: Only `rules` (the clustering runs no drafting engine).
        limit: Score only every n-th query so that about this many remain (for fast checks).
        on_progress: Called with (done, total) as the steps finish.
        embed: An `Embeddings` with `embed_array` (default the local ONNX MiniLM).

    Returns:
        The report; `per_label` holds each method's figures, `misses` the mixed clusters.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_mutual_info_score

    from pipeline.clustering import DISTANCE_THRESHOLD, agglomerative_labels, kmeans_labels, purity
    from pipeline.embeddings import OnnxMiniLMEmbeddings

    if engine != "rules":
        raise ValueError(f"{NAME} scores unlabelled clustering; there is no {engine!r} path")
    started = time.perf_counter()
    rows = read_split(split, data_dir)
    if limit and len(rows) > limit:
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    texts, gold = [r[0] for r in rows], [r[1] for r in rows]
    vectors = (embed or OnnxMiniLMEmbeddings()).embed_array(texts)  # type: ignore[attr-defined]
    if on_progress:
        on_progress(1, 4)
    k = min(INTENTS, len(rows))
    methods = {
        "themes": agglomerative_labels(vectors, DISTANCE_THRESHOLD),
        "minilm_kmeans77": kmeans_labels(vectors, k),
        "tfidf_kmeans77": kmeans_labels(TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts), k),
    }
    per_label: dict[str, dict[str, float | int | None]] = {}
    for step_no, (name, labels) in enumerate(methods.items(), 2):
        per_label[name] = {
            "purity": round(purity(gold, labels.tolist()), 4),
            "ami": round(float(adjusted_mutual_info_score(gold, labels)), 4),
            "clusters": len(set(labels.tolist())),
        }
        if on_progress:
            on_progress(step_no, 4)
    metrics: dict[str, float | None] = {
        f"{m}_{k_}": v for m, figures in per_label.items() for k_, v in figures.items() if k_ != "clusters"
    }
    notes = {
        "themes_purity": f"agglomerative, average linkage, cosine distance < {DISTANCE_THRESHOLD} on local MiniLM "
        "vectors (the product's clustering); purity grows with the cluster count",
        "tfidf_kmeans77_ami": "baseline: TF-IDF (sublinear tf, min_df 2) + k-means, k = 77, seed fixed",
        "minilm_kmeans77_ami": "the same MiniLM vectors with k-means at k = 77 (the intent count given away)",
    }
    return DatasetReport(
        dataset=NAME,
        split=split if not limit else f"{split} (sample of {len(rows)})",
        engine=engine,
        metrics=metrics,
        notes=notes,
        counts={
            "queries": len(rows),
            "intents": len(set(gold)),
            **{f"{m}_clusters": int(f["clusters"] or 0) for m, f in per_label.items()},
        },
        per_label=per_label,
        misses=_mixed_clusters(texts, gold, methods["themes"]),
        seconds=time.perf_counter() - started,
    )


def _mixed_clusters(texts: list[str], gold: list[str], labels: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The largest theme clusters that mix intents, with a few of their queries."""
    from collections import Counter

    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(int(label), []).append(i)
    mixed = []
    for idx in sorted(members.values(), key=len, reverse=True):
        intents = Counter(gold[i] for i in idx)
        top, count = intents.most_common(1)[0]
        if count < len(idx):
            mixed.append(
                {
                    "kind": "mixed_cluster",
                    "expected": top,
                    "predicted": dict(intents.most_common(4)),
                    "text": " | ".join(texts[i] for i in idx[:5]),
                }
            )
        if len(mixed) >= limit:
            break
    return mixed
