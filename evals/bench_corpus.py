"""What the bench measures on: the demo data's paths and deterministic synthetic corpora and stores.

Every synthetic text is a function of its index and seed only, so a store of 100k chunks can
be generated in batches and still be the same store.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "clientloop" / "demo_data"
DEMO_KB = DEMO / "kb"
INTERACTIONS = DEMO / "interactions"
LLM_TRANSCRIPTS = ("call-okafor-2026-11-16.txt", "call-brennan-2026-11-18.vtt", "call-lindgren-2026-11-19.srt")
"""The three demo call transcripts the LLM section drafts."""

_WORDS = (
    "account payment transfer savings mortgage rate fee charge customer client adviser review complaint "
    "deadline verification payee bank details address statement interest card limit credit overdraft "
    "pension isa allowance tax identity document proof signature branch online app business lending "
    "security fraud scam refund goodwill notice period maturity renewal product switch valuation"
).split()


def synthetic_docs(n: int, *, seed: int = 7) -> list[tuple[str, bytes]]:
    """`n` Markdown documents of a few headed sections each (deterministic)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        parts = [f"# Procedure {i}: {' '.join(rng.sample(_WORDS, 3)).title()}\n"]
        for s in range(rng.randint(2, 4)):
            parts.append(f"\n## Step {s + 1} {rng.choice(_WORDS).title()}\n")
            for _ in range(rng.randint(1, 3)):
                sentence = " ".join(rng.choices(_WORDS, k=rng.randint(12, 24))).capitalize()
                days, fee = rng.randint(1, 30), rng.randint(1, 90)
                parts.append(f"\n{sentence}. Call within {days} business days; fee £{fee}.\n")
        docs.append((f"synthetic-{i:05d}.md", "".join(parts).encode()))
    return docs


def demo_vocabulary() -> list[str]:
    """Distinct lowercase words (3+ letters) of the demo knowledge base's Markdown files and `_WORDS`, sorted."""
    words = set(_WORDS)
    for path in sorted(DEMO_KB.glob("*.md")):
        words.update(re.findall(r"[a-z]{3,}", path.read_text("utf-8").lower()))
    return sorted(words)


@dataclass(frozen=True)
class Vocabulary:
    """Words with Zipf weights (rank r has weight 1/r), in a seeded random rank order."""

    words: tuple[str, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def zipf(cls, words: Sequence[str], *, seed: int = 7) -> Vocabulary:
        ranked = sorted(set(words))
        random.Random(seed).shuffle(ranked)
        total, cum = 0.0, []
        for rank in range(1, len(ranked) + 1):
            total += 1.0 / rank
            cum.append(total)
        return cls(tuple(ranked), tuple(cum))


def synthetic_chunk(i: int, vocab: Vocabulary, *, seed: int = 7) -> tuple[str, str, dict[str, Any]]:
    """Chunk number `i` of the synthetic store: `(id, text, metadata)`, a function of `(i, vocab, seed)` only.

    A heading and 3-6 sentences of Zipf-distributed words (~100-150 words), with the amounts
    and periods knowledge articles carry. Metadata has the keys ingest writes.
    """
    rng = random.Random(f"{seed}:{i}")
    heading = " ".join(rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=3)).title()
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=rng.randint(12, 28))
        extra = rng.choice(("", f" within {rng.randint(1, 30)} business days", f" for a fee of £{rng.randint(1, 90)}",
                            f" at {rng.randint(1, 9)}.{rng.randint(0, 99):02d}%"))
        sentences.append(" ".join(words).capitalize() + extra + ".")
    text = f"{heading}\n\n" + " ".join(sentences)
    doc = i // 6
    meta = {"source_id": f"synthetic-{doc:06d}", "source_title": f"Synthetic procedure {doc}", "kind": "kb",
            "heading": heading, "start": 0, "end": len(text), "ordinal": i % 6, "content_hash": f"sha256:syn{doc}"}
    return f"synthetic-{i:07d}", text, meta


def synthetic_chunks(n: int, vocab: Vocabulary, *, start: int = 0,
                     seed: int = 7) -> list[tuple[str, str, dict[str, Any]]]:
    """Chunks `start` .. `start + n - 1` of the synthetic store (see `synthetic_chunk`)."""
    return [synthetic_chunk(i, vocab, seed=seed) for i in range(start, start + n)]


def perturbed_vectors(base: Any, indices: Sequence[int], *, sigma: float, seed: int) -> Any:
    """Unit vectors `base[i % len(base)] + N(0, sigma)` for each index (float32 numpy array)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    picked = base[np.asarray(indices, dtype=np.int64) % len(base)]
    vectors = picked + rng.normal(0.0, sigma, size=picked.shape).astype(np.float32)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
