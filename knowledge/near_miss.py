"""The honest near miss: say what the knowledge base covers instead of what was asked, and cite it.

When the answerer abstains because the question names a product the passages do not (see
`knowledge.answerability`) but a passage describes a product of the same kind ("travel card"
asked, "Harbour Classic card" there), the abstention says so: "Not found in the knowledge base:
it describes the Harbour Classic Credit Card, not a travel card." and quotes the passage
sentence that names it, cited like any answer. The answer stays an abstention (`abstained` is
True): it does not answer the question; `Answer.near_miss` carries what is covered instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.abstention import abstain
from knowledge.answerability import PRODUCT_STEMS, Answerability, asked_part
from knowledge.bm25 import tokenize
from knowledge.schemas import NOT_FOUND, Answer, Citation, Passage
from knowledge.sentences import quotable_sentences
from pipeline.text import STOPWORDS

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def _covered_name(sentence: str, head: str, asked: str) -> str | None:
    """The sentence's own name for a product of kind `head` ("Harbour Classic Credit Card"), if any.

    The run of words before the noun that are not stopwords, up to three, and it must differ from
    what was asked.
    """
    words = _WORD.findall(sentence.replace("**", ""))
    for i, word in enumerate(words):
        if tokenize(word) != [head]:
            continue
        start = i
        while start > 0 and i - start < 3 and words[start - 1].lower() not in STOPWORDS:
            start -= 1
        if start == i:
            continue
        name = " ".join(words[start : i + 1])
        if tokenize(name) != tokenize(asked):
            return name
    return None


def near_miss_answer(question: str, passages: Sequence[Passage], decision: Answerability) -> Answer:
    """The abstention for a question the passages do not answer, naming what they cover if it is a near miss.

    Args:
        question: The question.
        passages: Retrieved passages, best first.
        decision: The answerability assessment that led to abstaining.

    Returns:
        An abstention (`abstained=True`). For a near miss its text says what the knowledge base
        describes instead, quoting and citing that sentence, and `near_miss` says it in short.
    """
    plain = abstain(question).model_copy(update={"answerability": decision.probability})
    for asked in decision.missing_names:
        terms = tokenize(asked)
        if len(terms) < 2 or terms[-1] not in PRODUCT_STEMS:
            continue
        for p in passages:
            for s in quotable_sentences(p.text):
                covered = _covered_name(s.text, terms[-1], asked)
                if covered is None:
                    continue
                said = f"describes the {covered}, not {_article(asked)}"
                citation = Citation(
                    id=1,
                    source_id=p.source_id,
                    source_title=p.source_title,
                    heading=p.heading,
                    quote=s.text,
                    span=(p.start + s.start, p.start + s.end),
                )
                text = f"{NOT_FOUND.rstrip('.')}: it {said}. {' '.join(s.text.replace('**', '').split())} [1]"
                return plain.model_copy(
                    update={"answer": text, "citations": [citation], "near_miss": said, "documents": [p.source_title]}
                )
    return plain


_ASK_SPLIT = re.compile(
    r"[;?]\s*|,?\s+(?:and|or|but)\s+(?=(?:what|who|how|when|which|where|why|can|could|do|does|is|are|will|would"
    r"|should|must|may)\b)",
    re.IGNORECASE,
)


def split_asks(question: str) -> list[str]:
    """The separate asks of a question that asks more than one thing, else [].

    "How much was the fee, and can I refund it myself?" -> ["How much was the fee", "can I refund
    it myself"]. Only the asking sentences count (`asked_part`), and an ask needs a content word.
    """
    asks = [a.strip() for a in _ASK_SPLIT.split(asked_part(question)) if tokenize(a)]
    return asks if len(asks) > 1 else []


def _article(name: str) -> str:
    """'a travel card', 'an ISA', 'the Harbour Premier current account' (a capitalised name)."""
    if name[:1].isupper():
        return f"the {name}"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
