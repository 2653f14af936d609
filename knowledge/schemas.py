"""Result shapes of knowledge questions: passages, citations, answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk_id: str = Field(description="Chunk id in the vector store and database.")
    source_id: str = Field(description="Source the chunk belongs to.")
    source_title: str = Field(description="Title of the source document.")
    heading: str | None = Field(default=None, description="Heading path of the chunk's section.")
    text: str = Field(description="Chunk text.")
    start: int = Field(description="Chunk start offset in the source text.")
    end: int = Field(description="Chunk end offset in the source text.")
    score: float = Field(description="Fused retrieval score (higher is better).")
    vector_score: float | None = Field(default=None, description="Cosine similarity, if retrieved by vector.")
    keyword_score: float | None = Field(default=None, description="BM25 score, if retrieved by keyword.")


class Citation(BaseModel):
    """A numbered citation: the exact quoted span of a source that supports the answer."""

    id: int = Field(description="Citation number as written in the answer, e.g. [1].")
    source_id: str = Field(description="Cited source.")
    source_title: str = Field(description="Title of the cited source.")
    heading: str | None = Field(default=None, description="Heading of the cited section.")
    quote: str = Field(description="Verbatim text of the source at `span`.")
    span: tuple[int, int] = Field(description="`[start, end)` offsets of the quote in the source text.")


class Answer(BaseModel):
    """A cited answer, or an abstention."""

    question: str = Field(description="The question as asked.")
    answer: str = Field(description="Answer text with [n] markers, or the abstention message.")
    abstained: bool = Field(description="True when the knowledge base did not support an answer.")
    citations: list[Citation] = Field(default_factory=list, description="Citations referenced by [n].")
    documents: list[str] = Field(default_factory=list, description="Titles of the sources used.")
    engine: str = Field(description="`rules` or `llm`.")
    unsupported: list[str] = Field(
        default_factory=list, description="Sentences removed because they lacked a valid citation."
    )
    fallback: bool = Field(default=False, description="True when the LLM failed and the rules engine answered.")
    fallback_reason: str | None = Field(default=None, description="Why the fallback was used.")
    answerability: float | None = Field(
        default=None, description="Estimated probability that the knowledge base answers the question (0-1)."
    )
    near_miss: str | None = Field(
        default=None,
        description="When the knowledge base covers a neighbouring product instead of the one asked about, what it "
        "covers (e.g. 'describes the Harbour Classic Credit Card, not a travel card'). The answer then quotes and "
        "cites it but does not answer the question: `abstained` is True.",
    )


NOT_FOUND = "Not found in the knowledge base."
