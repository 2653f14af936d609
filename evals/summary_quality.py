"""Scoring the summary and the action wording: client-asks and decisions recall, description quality.

**Recall by similarity.** The gold `client_asks` and `decisions` are short free-text phrases,
so exact matching would measure wording, not content. A gold phrase counts as found when
some phrase the draft lists in the same field (`summary.client_asks`, `summary.decisions`)
has a cosine similarity of at least `SIMILARITY_THRESHOLD` to it under the project's own
local embedding model (all-MiniLM-L6-v2, `pipeline.embeddings.OnnxMiniLMEmbeddings`, unit
vectors, so cosine is a dot product). Recall is micro: found gold phrases over all gold
phrases of the set; a set without gold phrases gives None.

**How the threshold was calibrated** (`calibrate_threshold`, on the fs-interactions dev
split only): every gold ask and decision is compared with the sentences of its own
interaction (its best match there is a positive: the interaction says it) and with the
sentences of the next interaction in the file (its best match there is a negative: a
different conversation). The threshold is the cut that classifies those pairs best
(highest balanced accuracy), rounded to 0.05. Re-run it when the embedding model changes;
`tests/evals/test_summary_quality.py` checks the constant still sits within 0.05 of it.

**Description quality.** An action description is usable as written when it reads as a task
in a list: no first- or second-person pronouns (`I`, `we`, `you`, `my`...: the speaker's
voice, not a task), at least three words (not a fragment), no dangling last word ("…wealth
planner by", "Set up the") and no ellipsis (cut off), and not a bare pronoun object ("Send
it", "Forward that") with nothing it could refer to. The rate is the share of predicted
descriptions with none of these faults; `description_faults` names the faults found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

SIMILARITY_THRESHOLD = 0.45
"""Cosine similarity at or above which a drafted phrase finds a gold phrase (calibrated on dev)."""

Embed = Callable[[list[str]], list[list[float]]]

_PRONOUNS = re.compile(r"\b(i|i'm|i'll|i've|i'd|me|my|mine|myself|we|we'll|we're|we've|us|our|ours|ourselves|you|"
                       r"you'll|you're|you've|your|yours|yourself)\b", re.IGNORECASE)
_DANGLING = {"a", "an", "the", "to", "by", "for", "and", "or", "of", "with", "at", "on", "in", "from", "into",
             "that", "this", "his", "her", "their", "its", "be", "is", "are", "as", "if", "but", "so", "about", "up"}
_BARE_OBJECT = re.compile(r"^\s*\w+( \w+)? (it|that|them|this|those|these)( (over|back|across|through|on))?"
                          r"( (today|tomorrow|now|later|asap))?\W*$", re.IGNORECASE)


def description_faults(description: str) -> list[str]:
    """What keeps a description from being usable as written: `pronoun`, `fragment`, `truncated`, `bare_object`."""
    text = description.strip()
    words = re.findall(r"[\w'£$€.,%-]+", text)
    faults = []
    if _PRONOUNS.search(text):
        faults.append("pronoun")
    if len(words) < 3:
        faults.append("fragment")
    last = words[-1].lower().strip(".,") if words else ""
    if text.endswith(("…", "...")) or last in _DANGLING:
        faults.append("truncated")
    if _BARE_OBJECT.match(text):
        faults.append("bare_object")
    return faults


def description_quality(descriptions: Iterable[str]) -> tuple[float | None, Counter[str]]:
    """The share of descriptions with no fault (None for none), and how often each fault occurred."""
    faults: Counter[str] = Counter()
    total = good = 0
    for d in descriptions:
        total += 1
        found = description_faults(d)
        faults.update(found)
        good += not found
    return (good / total if total else None), faults


def _unit(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    m = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def best_similarities(gold: list[str], candidates: list[str], embed: Embed) -> list[float]:
    """For each gold phrase, its highest cosine similarity to any candidate (0.0 when there are none)."""
    if not gold:
        return []
    if not candidates:
        return [0.0] * len(gold)
    vectors = _unit(embed(gold + candidates))
    sims = vectors[: len(gold)] @ vectors[len(gold):].T
    return [float(x) for x in sims.max(axis=1)]


def phrase_recall(pairs: Iterable[tuple[list[str], list[str]]], embed: Embed,
                  threshold: float = SIMILARITY_THRESHOLD) -> tuple[float | None, int, int]:
    """Micro recall of gold phrases over (gold, drafted) pairs: (recall or None, found, gold total)."""
    found = total = 0
    for gold, drafted in pairs:
        sims = best_similarities([g for g in gold if g.strip()], [d for d in drafted if d.strip()], embed)
        total += len(sims)
        found += sum(s >= threshold for s in sims)
    return (found / total if total else None), found, total


def calibrate_threshold(records: list[dict[str, Any]], embed: Embed) -> float:
    """The similarity cut that best separates a gold phrase's own interaction from another one (see module doc)."""
    from pipeline.text import sentence_spans

    sentences = [[s.text for s in sentence_spans(r["text"])] for r in records]
    positives: list[float] = []
    negatives: list[float] = []
    for i, record in enumerate(records):
        gold = [p for f in ("client_asks", "decisions") for p in record["gold"].get(f) or [] if p.strip()]
        positives += best_similarities(gold, sentences[i], embed)
        negatives += best_similarities(gold, sentences[(i + 1) % len(records)], embed)
    pos, neg = np.asarray(positives), np.asarray(negatives)
    cuts = np.arange(0.20, 0.90, 0.01)
    balanced = [((pos >= c).mean() + (neg < c).mean()) / 2 for c in cuts]
    return round(float(cuts[int(np.argmax(balanced))]) * 20) / 20


def default_embed() -> Embed:
    """The project's local embedding model (loaded once, on first use)."""
    from pipeline.embeddings import OnnxMiniLMEmbeddings

    model = OnnxMiniLMEmbeddings()
    return model.embed_documents
