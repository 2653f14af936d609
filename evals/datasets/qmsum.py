"""QMSum (AMI product-design meetings): cited answers over a transcript, and summary overlap.

**Cited answers.** Each meeting's turns are written as a plain `Speaker: utterance`
transcript (one line per turn) and ingested through the product's own path
(`clientloop.ingest.ingest_bytes`, kind `transcript`) into a temporary container. Each
specific query is answered by the rules answerer (`knowledge.answer.answer_with_rules`)
over passages retrieved from that meeting only (`where={"source_id": ...}`). A citation's
character span maps back to the turns it touches; a citation is correct when every turn it
touches lies inside the query's gold evidence (`relevant_text_span`, inclusive turn
ranges). Scores:

- `citation_precision`: correct citations / all citations;
- `citation_query_recall`: answered queries with at least one correct citation / all queries;
- `evidence_span_recall`: gold evidence ranges touched by some citation / all gold ranges;
- `abstention_rate`: queries the answerer declined (every query here has an answer);
- `citation_precision_chance`: the precision a citation of a uniformly random turn would
  get (gold-evidence turns / meeting turns, averaged over queries), so the figure above has
  something to be read against.

**Summaries.** There is no prose meeting summariser in the product (the interaction
summary is a set of typed fields), so a plain extractive baseline is scored: sentences
ranked by the average corpus frequency of their content words (SumBasic-style), taken in
transcript order until 120 words. The budget is fixed, not read from each reference.
ROUGE-1 and ROUGE-L F1 are computed here (lower-cased word tokens, no stemming, no
stop-word removal): the `rouge-score` package is not installed and is not needed for two
formulas. Disfluency tags such as `{vocalsound}` are removed before summarising.

This data is the QMSum *test* split; nothing was tuned on it. The answerer and retriever
were tuned on the project's knowledge question set.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from bisect import bisect_right
from collections import Counter
from pathlib import Path
from typing import Any

from evals.datasets import DatasetReport, Progress, dataset_dir, ratio
from pipeline.text import FILLERS, STOPWORDS, sentence_spans

NAME = "qmsum-ami"
SUMMARY_WORDS = 120
_STOP = STOPWORDS | FILLERS
_TAG = re.compile(r"\{[a-z_]+\}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def read_meetings(data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Read the 20 AMI meetings of the QMSum test split, each with its `meeting` id.

    Args:
        data_dir: The `eval-data` folder; default the shared one.

    Returns:
        The meeting JSON objects, sorted by id.
    """
    folder = dataset_dir(NAME, data_dir) / "test"
    return [{**json.loads(p.read_text("utf-8")), "meeting": p.stem} for p in sorted(folder.glob("*.json"))]


def transcript_text(turns: list[dict[str, str]]) -> str:
    """One `Speaker: utterance` line per turn, whitespace inside a turn collapsed."""
    return "\n".join(f"{t['speaker'].strip()}: {' '.join(t['content'].split()) or '...'}" for t in turns)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens for ROUGE."""
    return _TOKEN.findall(text.lower())


def rouge_n_f(candidate: str, reference: str, n: int = 1) -> float | None:
    """ROUGE-N F1 between two texts (None when either has no n-grams)."""
    c, r = tokens(candidate), tokens(reference)
    cg = Counter(tuple(c[i : i + n]) for i in range(len(c) - n + 1))
    rg = Counter(tuple(r[i : i + n]) for i in range(len(r) - n + 1))
    if not cg or not rg:
        return None
    overlap = sum((cg & rg).values())
    p, rec = overlap / sum(cg.values()), overlap / sum(rg.values())
    return 0.0 if overlap == 0 else 2 * p * rec / (p + rec)


def rouge_l_f(candidate: str, reference: str) -> float | None:
    """ROUGE-L F1 (longest common subsequence of tokens); None when either text is empty."""
    c, r = tokens(candidate), tokens(reference)
    if not c or not r:
        return None
    previous = [0] * (len(r) + 1)
    for cw in c:
        current = [0]
        for j, rw in enumerate(r, 1):
            current.append(previous[j - 1] + 1 if cw == rw else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    p, rec = lcs / len(c), lcs / len(r)
    return 2 * p * rec / (p + rec)


def extractive_summary(turns: list[dict[str, str]], *, words: int = SUMMARY_WORDS) -> str:
    """Top sentences by average content-word frequency, in transcript order, up to `words` words."""
    sentences: list[tuple[int, str]] = []
    for t in turns:
        clean = " ".join(_TAG.sub(" ", t["content"]).split())
        for s in sentence_spans(clean):
            sentences.append((len(sentences), s.text))
    content = [[w for w in tokens(s) if w not in _STOP and len(w) > 2] for _, s in sentences]
    freq = Counter(w for ws in content for w in ws)
    total = sum(freq.values()) or 1
    scored = sorted(
        ((sum(freq[w] for w in ws) / total / len(ws), i) for i, ws in enumerate(content) if len(ws) >= 4),
        reverse=True,
    )
    chosen: list[int] = []
    used = 0
    for _, i in scored:
        n = len(sentences[i][1].split())
        if used + n > words and chosen:
            continue
        chosen.append(i)
        used += n
        if used >= words * 0.9:
            break
    return " ".join(sentences[i][1] for i in sorted(chosen))


def _gold_turns(spans: list[list[str]]) -> list[tuple[int, int]]:
    ranges = []
    for span in spans:
        if len(span) >= 2 and str(span[0]).isdigit() and str(span[1]).isdigit():
            ranges.append((int(span[0]), int(span[1])))
    return ranges


def _turns_of(span: tuple[int, int], line_starts: list[int]) -> set[int]:
    first = bisect_right(line_starts, span[0]) - 1
    last = bisect_right(line_starts, max(span[0], span[1] - 1)) - 1
    return set(range(max(first, 0), last + 1))


def _temporary_container(tmp: Path, embeddings: Any = None) -> Any:
    from clientloop.container import Container
    from clientloop.settings import get_settings

    settings = get_settings().model_copy(update={"data_dir": tmp, "database_url": None, "chroma_mode": "embedded",
                                                 "chroma_path": None})
    container = Container(settings)
    if embeddings is not None:
        container.__dict__["embeddings"] = embeddings
    return container


def evaluate(
    split: str = "test",
    *,
    data_dir: Path | None = None,
    engine: str = "rules",
    meetings: int | None = None,
    embeddings: Any = None,
    on_progress: Progress | None = None,
) -> DatasetReport:
    """Cited-answer and summary scores over the AMI meetings.

    Args:
        split: Only `test` exists in this copy.
        data_dir: The `eval-data` folder; default the shared one.
        engine: Only `rules` (the LLM answerer needs a configured model server).
        meetings: Score only the first N meetings (for fast checks).
        embeddings: An embedding model to reuse (tests share one); default the container's.
        on_progress: Called with (done, total) over meetings.

    Returns:
        The report; misses are queries with a wrong or no citation, showing the cited turns.
    """
    from sqlmodel import Session

    from clientloop.ingest import ingest_bytes
    from knowledge.answer import answer_with_rules
    from records.tables import Source

    if engine != "rules":
        raise ValueError(f"{NAME} runs the rules answerer; the {engine!r} answerer is not scored offline")
    if split != "test":
        raise ValueError("this copy of QMSum holds only the test split")
    started = time.perf_counter()
    data = read_meetings(data_dir)[: meetings or None]
    n_cites = n_cites_ok = n_queries = n_query_hits = n_abstained = 0
    n_gold_ranges = n_ranges_hit = 0
    chance: list[float] = []
    r1: list[float] = []
    rl: list[float] = []
    misses: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        container = _temporary_container(Path(tmp), embeddings)
        threshold = container.settings.abstain_threshold
        for done, meeting in enumerate(data, 1):
            turns = meeting["meeting_transcripts"]
            result = ingest_bytes(container, transcript_text(turns).encode("utf-8"), f"{meeting['meeting']}.txt",
                                  kind="transcript")
            with Session(container.engine) as s:
                row = s.get(Source, result.source_id)
                stored = (row.text if row else "") or ""
            line_starts = [0] + [m.end() for m in re.finditer("\n", stored)]
            if len(line_starts) != len(turns):
                raise RuntimeError(f"{meeting['meeting']}: stored transcript has {len(line_starts)} lines for "
                                   f"{len(turns)} turns; cannot map citations to turns")
            for q in meeting.get("specific_query_list", []):
                gold_ranges = _gold_turns(q.get("relevant_text_span", []))
                gold = {t for a, b in gold_ranges for t in range(a, b + 1)}
                n_queries += 1
                n_gold_ranges += len(gold_ranges)
                chance.append(len(gold) / len(turns))
                passages = container.retriever.retrieve(q["query"], where={"source_id": result.source_id}, k=5)
                answer = answer_with_rules(q["query"], passages, abstain_threshold=threshold,
                                           answerability_cutoff=None)
                if answer.abstained:
                    n_abstained += 1
                cited = [_turns_of(c.span, line_starts) for c in answer.citations]
                ok = [bool(c) and c <= gold for c in cited]
                n_cites += len(cited)
                n_cites_ok += sum(ok)
                n_query_hits += any(ok)
                n_ranges_hit += sum(1 for a, b in gold_ranges if any(c & set(range(a, b + 1)) for c in cited))
                if not any(ok):
                    misses.append({
                        "kind": "abstained" if answer.abstained else "citation_outside_evidence",
                        "meeting": meeting["meeting"], "text": q["query"],
                        "expected": ", ".join(f"turns {a}-{b}" for a, b in gold_ranges),
                        "predicted": "; ".join(f"turns {sorted(c)}: {cit.quote[:160]}"
                                               for c, cit in zip(cited, answer.citations, strict=True)) or None,
                    })
            summary = extractive_summary(turns)
            for g in meeting.get("general_query_list", []):
                one, ell = rouge_n_f(summary, g["answer"]), rouge_l_f(summary, g["answer"])
                if one is not None and ell is not None:
                    r1.append(one)
                    rl.append(ell)
            if on_progress:
                on_progress(done, len(data))
        container.engine.dispose()

    metrics: dict[str, float | None] = {
        "citation_precision": ratio(n_cites_ok, n_cites),
        "citation_query_recall": ratio(n_query_hits, n_queries),
        "evidence_span_recall": ratio(n_ranges_hit, n_gold_ranges),
        "abstention_rate": ratio(n_abstained, n_queries),
        "citation_precision_chance": sum(chance) / len(chance) if chance else None,
        "summary_rouge1_f": sum(r1) / len(r1) if r1 else None,
        "summary_rougeL_f": sum(rl) / len(rl) if rl else None,
    }
    notes = {
        "citation_precision_chance": "expected precision of citing a random turn of the meeting",
        "summary_rouge1_f": f"extractive baseline ({SUMMARY_WORDS} words) vs whole-meeting reference summaries",
    }
    if not n_cites:
        notes["citation_precision"] = "no citations were made (every query abstained)"
    if not r1:
        notes["summary_rouge1_f"] = notes["summary_rougeL_f"] = "no reference summaries"
    return DatasetReport(
        dataset=NAME, split=split if not meetings else f"{split} (first {len(data)} meetings)", engine=engine,
        metrics=metrics, notes=notes,
        counts={"meetings": len(data), "queries": n_queries, "citations": n_cites, "reference_summaries": len(r1)},
        misses=misses, seconds=time.perf_counter() - started,
    )
