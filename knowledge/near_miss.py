"""The honest near miss: say what the knowledge base covers instead of what was asked, and cite it.

When the answerer abstains because the question names a product the passages do not (see
`knowledge.answerability`) but a passage describes a product of the same kind ("travel card"
asked, "Harbour Classic card" there), the abstention says so: "Not found in the knowledge base:
it describes the Harbour Classic Credit Card, not a travel card." and quotes the passage
sentence that names it, cited like any answer. When the question asks for a property of a thing
the passages name without it, it says "it mentions the Business Reserve Account but not its
interest rate." and quotes the mention. Title and heading lines are never quoted. The answer
stays an abstention (`abstained` is True): it does not answer the question; `Answer.near_miss`
carries what is covered instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.abstention import DEFAULT_ABSTAIN_THRESHOLD, abstain
from knowledge.answerability import PRODUCT_STEMS, Answerability
from knowledge.asked import asked_part, asked_property
from knowledge.bm25 import tokenize
from knowledge.relevance import holds, sentence_scores, term_weights
from knowledge.schemas import NOT_FOUND, Answer, Citation, Passage
from knowledge.sentences import Sentence, quotable_sentences
from pipeline.text import STOPWORDS

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def _covered_names(sentence: str, head: str, asked: str) -> list[str]:
    """The sentence's proper names for products of kind `head` ("Harbour Classic credit card").

    The words right before the noun (up to three, no stopword or punctuation between) from the
    first capitalised one: a name needs a capitalised word that does not start the sentence or a
    table cell, or two of them ("Monthly account fee" and "term loans" name no product). Names
    equal to what was asked are left out.
    """
    text = sentence.replace("**", "")
    words = list(_WORD.finditer(text))
    names: list[str] = []
    for i, m in enumerate(words):
        if tokenize(m.group()) != [head]:
            continue
        start = i
        while start > 0 and i - start < 3 and words[start - 1].group().lower() not in STOPWORDS:
            if text[words[start - 1].end() : words[start].start()].strip():
                break
            start -= 1
        while start < i and not words[start].group()[:1].isupper():
            start += 1
        capitals = [w for w in words[start:i] if w.group()[:1].isupper()]
        opens = not text[: words[start].start()].strip(" |\n") if start < i else True
        if not capitals or (len(capitals) == 1 and opens and capitals[0] is words[start]):
            continue
        name = " ".join(w.group() for w in words[start : i + 1])
        if tokenize(name) != tokenize(asked) and name not in names:
            names.append(name)
    return names


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
    found = (
        _covered_product(passages, decision)
        or _doing_to_another(question, passages, decision)
        or _named_without_property(passages, decision)
        or _closest_section(question, passages, decision)
    )
    if found is None:
        return plain
    said, p, s = found
    citation = Citation(
        id=1,
        source_id=p.source_id,
        source_title=p.source_title,
        heading=p.heading,
        quote=s.text,
        span=(p.start + s.start, p.start + s.end),
    )
    text = f"{NOT_FOUND.rstrip('.')}: it {said}. {_shown(s.text)} [1]"
    return plain.model_copy(
        update={"answer": text, "citations": [citation], "near_miss": said, "documents": [p.source_title]}
    )


def _shown(text: str) -> str:
    """A quoted sentence on one line, without Markdown emphasis; a table row as its cells."""
    text = text.replace("**", "")
    if text.lstrip().startswith("|"):
        text = " | ".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
    return " ".join(text.split())


def _quotable(p: Passage) -> list[Sentence]:
    """A passage's sentences less its title and heading lines (never quoted as a near miss)."""
    lines = {" ".join(x.split()).casefold() for x in [p.source_title, *(p.heading or "").split(">")]}
    return [
        s
        for s in quotable_sentences(p.text)
        if " ".join(s.text.replace("**", "").split()).rstrip(":").casefold() not in lines
    ]


def _covered_product(passages: Sequence[Passage], decision: Answerability) -> tuple[str, Passage, Sentence] | None:
    """What covers a missing product: "describes the Harbour Classic Credit Card, not a travel card"."""
    for asked in decision.missing_names:
        terms = tokenize(asked)
        if len(terms) < 2 or terms[-1] not in PRODUCT_STEMS:
            continue
        for p in passages:
            for s in _quotable(p):
                covered = _covered_names(s.text, terms[-1], asked)
                if covered:
                    listed = ", ".join(covered[:-1]) + " and " + covered[-1] if len(covered) > 1 else covered[0]
                    return f"describes the {listed}, not {_article(asked)}", p, s
    return None


def _doing_to_another(
    question: str, passages: Sequence[Passage], decision: Answerability
) -> tuple[str, Passage, Sentence] | None:
    """How to do something to a thing no passage names, and what the best passage covers instead.

    "it covers “Making the change” in Procedure: Change of Address, not how to update a surname",
    quoting the section's first sentence.
    """
    asked = asked_property(question)
    if decision.missing_property is None or asked is None or asked.kind != "object" or not _on_topic(passages):
        return None
    for p in passages:
        sentences = _quotable(p)
        if sentences:
            parts = [x.strip() for x in (p.heading or p.source_title).split(">")]
            where = f"“{parts[-1]}” in {parts[0]}" if len(parts) > 1 else parts[0]
            return f"covers {where}, not how to {asked.prop.lower()} {_article(asked.thing)}", p, sentences[0]
    return None


CLOSEST_MIN_COSINE = DEFAULT_ABSTAIN_THRESHOLD
"""A question the passages do not answer is told where the knowledge base comes closest only when the best passage
is this close to it, the cosine that answers on semantic evidence alone (a question on another subject, "How do I
book annual leave in the HR system?", cosine 0.27, is told nothing)."""


def _on_topic(passages: Sequence[Passage]) -> bool:
    """Whether the best passage is close enough to the question to be worth naming (`CLOSEST_MIN_COSINE`)."""
    return bool(passages) and (passages[0].vector_score or 0.0) >= CLOSEST_MIN_COSINE


def _closest_section(
    question: str, passages: Sequence[Passage], decision: Answerability
) -> tuple[str, Passage, Sentence] | None:
    """Where the knowledge base comes closest to a near miss no other rule names, quoting its most relevant sentence.

    "it comes closest in “Product range” of Product Guide: Residential Mortgages"; never for a question naming
    something the knowledge base never mentions (`Answerability.unknown_names`).
    """
    if decision.unknown_names or not _on_topic(passages):
        return None
    p = passages[0]
    sentences = _quotable(p)
    if not sentences:
        return None
    scores = sentence_scores(question, sentences, term_weights(question, passages), None)
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    parts = [x.strip() for x in (p.heading or p.source_title).split(">")]
    where = f"“{parts[-1]}” of {parts[0]}" if len(parts) > 1 else parts[0]
    return f"comes closest in {where}", p, sentences[best]


def _named_without_property(
    passages: Sequence[Passage], decision: Answerability
) -> tuple[str, Passage, Sentence] | None:
    """A mention without the property: "mentions the Business Reserve Account but not its interest rate"."""
    if decision.missing_property is None:
        return None
    prop, thing = decision.missing_property
    naming = tokenize(thing)
    for p in passages:
        for s in _quotable(p):
            if all(holds(set(tokenize(s.text)), t) for t in naming):
                return f"mentions the {thing} but not its {prop}", p, s
    return None


_ASK_SPLIT = re.compile(
    r"[;?]\s*|,?\s+(?:and|or|but)\s+(?:if not,?\s+|if so,?\s+|then\s+)?(?=(?:what|who|how|when|which|where|why"
    r"|can|could|do|does|is|are|will|would|should|must|may)\b)",
    re.IGNORECASE,
)


def split_asks(question: str) -> list[str]:
    """The separate asks of a question that asks more than one thing, else [].

    "How much was the fee, and can I refund it myself?" -> ["How much was the fee", "can I refund
    it myself"]; "Can we do that, and if not what are his options?" -> ["Can we do that", "what are his
    options"]. Only the asking sentences count (`asked_part`), and an ask needs a content word.
    """
    asks = [a.strip() for a in _ASK_SPLIT.split(asked_part(question)) if tokenize(a)]
    return asks if len(asks) > 1 else []


def ask_queries(question: str) -> dict[str, str]:
    """Each ask of a question that asks more than one thing, with the search query for it, else {}.

    The query is the situation told before the asking sentences plus the ask alone ("A limited company
    wants a new business overdraft. who has to approve it?"), so the ask's own documents are found:
    the whole question's query is led by its first ask.
    """
    asks = split_asks(question)
    asking = asked_part(question)
    situation = question.replace(asking, " ").strip() if asking != question else ""
    return {ask: f"{situation} {ask.rstrip('?')}?".strip() for ask in asks}


def _article(name: str) -> str:
    """'a travel card', 'an ISA', 'the Harbour Premier current account' (a capitalised name)."""
    if name[:1].isupper():
        return f"the {name}"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
