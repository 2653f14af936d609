"""Knowledge questions: retrieve from the knowledge base, answer with citations or abstain.

The LLM engine is optional; when the model is unavailable or its output cannot be
used, the rules engine's extractive answer is returned and marked as a fallback so a
service agent never gets an empty screen because a model server is down.
"""

from __future__ import annotations

from clientloop.container import Container
from knowledge.schemas import Answer
from pipeline.errors import ModelError
from records.errors import InvalidQuestion

MAX_QUESTION_CHARS = 2000


def ask(container: Container, question: str, *, engine: str | None = None) -> Answer:
    """Answer a knowledge question from the knowledge base."""
    from knowledge.answer import answer_with_rules

    question = question.strip()
    if not question:
        raise InvalidQuestion("the question is empty; ask something like 'What is the CHAPS fee?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"the question is over {MAX_QUESTION_CHARS} characters; shorten it")
    settings = container.settings
    engine = settings.engine_for(engine)
    passages = container.retriever.retrieve(question, where={"kind": "kb"})
    # A question asking two things often needs two documents: each ask is retrieved on its own too.
    ask_passages = container.retriever.retrieve_asks(question, where={"kind": "kb"})
    # The whole knowledge base's words: a thing no document names cannot be answered from it.
    vocabulary = container.retriever.vocabulary({"kind": "kb"}, question=question)
    if engine == "llm":
        from knowledge.llm_answer import answer_with_llm

        try:
            return answer_with_llm(
                question, passages, model=container.chat_model, settings=settings, vocabulary=vocabulary
            )
        except ModelError as exc:
            fallback = answer_with_rules(
                question,
                passages,
                abstain_threshold=settings.abstain_threshold,
                vocabulary=vocabulary,
                ask_passages=ask_passages,
            )
            return fallback.model_copy(update={"fallback": True, "fallback_reason": str(exc)})
    return answer_with_rules(
        question,
        passages,
        abstain_threshold=settings.abstain_threshold,
        vocabulary=vocabulary,
        ask_passages=ask_passages,
    )
