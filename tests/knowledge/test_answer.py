from __future__ import annotations

from pathlib import Path

import pytest

from clientloop.settings import Settings
from knowledge.answer import answer_with_rules
from knowledge.retrieval import HybridRetriever
from knowledge.schemas import NOT_FOUND, Passage
from pipeline.vectorstore import ChunkStore
from tests.knowledge.test_retrieval import SOURCES, index_source


@pytest.fixture
def retriever(tmp_path: Path, embeddings) -> HybridRetriever:
    store = ChunkStore.from_settings(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    for sid, (title, text) in SOURCES.items():
        index_source(store, embeddings, sid, title, text)
    return HybridRetriever(store, embeddings, k=4)


def passage(text: str, *, start: int = 0, source_id: str = "s", vector_score: float = 0.8) -> Passage:
    return Passage(
        chunk_id=f"{source_id}:0",
        source_id=source_id,
        source_title=source_id.title(),
        text=text,
        start=start,
        end=start + len(text),
        score=0.03,
        vector_score=vector_score,
        keyword_score=1.0,
    )


def test_answer_quotes_exact_spans_of_the_source(retriever: HybridRetriever, embeddings) -> None:
    question = "How much is a CHAPS payment?"
    answer = answer_with_rules(question, retriever.retrieve(question), embeddings=embeddings)
    assert not answer.abstained
    assert answer.engine == "rules"
    assert "£25" in answer.answer
    assert "[1]" in answer.answer
    assert 1 <= len(answer.citations) <= 3
    for c in answer.citations:
        source_text = SOURCES[c.source_id][1]
        assert source_text[c.span[0] : c.span[1]] == c.quote
        assert f"[{c.id}]" in answer.answer
    assert answer.documents[0] == "Fee schedule"


def test_answer_without_embeddings_still_cites(retriever: HybridRetriever) -> None:
    question = "How much notice before the savings interest rate is reduced?"
    answer = answer_with_rules(question, retriever.retrieve(question))
    assert "14 days" in answer.answer
    assert answer.citations[0].source_id == "savings"


def test_unrelated_question_abstains(retriever: HybridRetriever) -> None:
    question = "Which football team won the league in 1998?"
    answer = answer_with_rules(question, retriever.retrieve(question))
    assert answer.abstained
    assert answer.answer == NOT_FOUND
    assert answer.citations == []


def test_no_passages_abstains() -> None:
    assert answer_with_rules("What is the CHAPS fee?", []).abstained


def test_citation_span_is_offset_by_the_passage_start() -> None:
    source = "# Fees\n\nIntro line here. The CHAPS fee is £25 per payment. Other text follows."
    start = source.index("Intro")
    answer = answer_with_rules("What is the CHAPS fee?", [passage(source[start:], start=start)])
    quote = answer.citations[0]
    # The unrelated lead-in is skipped; the run starts at the answer and reads on.
    assert quote.quote.startswith("The CHAPS fee is £25 per payment.")
    assert source[quote.span[0] : quote.span[1]] == quote.quote


def test_answer_prefers_the_sentence_with_the_amount_when_asked_how_much() -> None:
    text = (
        "Customers can ask for a copy of an old statement in branch or by phone. "
        "A duplicate statement costs £5 per statement. "
        "Copies are posted to the address on file."
    )
    answer = answer_with_rules("How much do we charge for a copy of an old statement?", [passage(text)])
    assert "£5" in answer.answer


def test_answer_skips_inline_heading_and_brings_list_items() -> None:
    text = (
        "Warning signs\n\nStop and refer to Fraud Operations if any of these apply:\n- Urgent requests.\n- New payee."
    )
    p = passage(text).model_copy(update={"heading": "Procedure > Warning signs"})
    answer = answer_with_rules("What warning signs mean I refer to Fraud Operations?", [p])
    assert [c.quote for c in answer.citations] == [
        "Stop and refer to Fraud Operations if any of these apply:\n- Urgent requests.\n- New payee."
    ]
    assert answer.answer == "Stop and refer to Fraud Operations if any of these apply: Urgent requests. New payee. [1]"


def test_answer_text_drops_emphasis_and_newlines_but_quotes_stay_exact() -> None:
    text = "Goodwill refunds: agents may refund up to **£25**\nper customer each year."
    answer = answer_with_rules("How much goodwill can agents refund?", [passage(text)])
    assert answer.answer == "Goodwill refunds: agents may refund up to £25 per customer each year. [1]"
    assert answer.citations[0].quote == text


def _section(text: str, heading: str, *, source_id: str, n: int, start: int, score: float, cos: float) -> Passage:
    return Passage(
        chunk_id=f"{source_id}:{n}",
        source_id=source_id,
        source_title=source_id.title(),
        heading=heading,
        text=text,
        start=start,
        end=start + len(text),
        score=score,
        vector_score=cos,
        keyword_score=1.0,
    )


def test_answer_quotes_one_section_in_document_order() -> None:
    callback = (
        "Call-back verification\n\nEvery request to change payee bank details must be confirmed by a call-back. "
        "Call the customer on a number already on file. Never use a number given in the request. "
        "Read back the new payee details and ask the customer to confirm them."
    )
    other = "Fees\n\nA payee change costs nothing. Bank details are kept for six years."
    passages = [
        _section(other, "Fee guide > Fees", source_id="fees", n=0, start=0, score=0.033, cos=0.46),
        _section(
            callback, "Payee changes > Call-back verification", source_id="payee", n=1, start=40, score=0.032, cos=0.7
        ),
    ]
    answer = answer_with_rules("How do we verify a change to payee bank details?", passages)
    assert [c.source_id for c in answer.citations] == ["payee"]
    quote = answer.citations[0].quote
    # One contiguous run of the section, in document order, starting at the most relevant sentence.
    assert quote == callback[callback.index("Every request") :]
    assert answer.citations[0].span == (40 + callback.index("Every request"), 40 + len(callback))
    assert answer.answer.endswith("ask the customer to confirm them. [1]")
    assert answer.answer.index("Call the customer") < answer.answer.index("Read back")


def test_answer_skips_a_scope_sentence_when_a_specific_one_scores_higher() -> None:
    text = (
        "This procedure applies to every complaint from personal and business customers. "
        "Keep complaint records for at least 3 years. "
        "Send a final response to a complaint within 8 weeks of receipt."
    )
    answer = answer_with_rules("How long do we have to send a final response to a complaint?", [passage(text)])
    assert "applies to every complaint" not in answer.answer
    assert "within 8 weeks" in answer.answer


def test_second_section_only_from_the_same_source() -> None:
    first = "Standard complaints\n\nSend a final response within 8 weeks of receipt."
    second = "Payment services complaints\n\nFor payment services, send a final response within 15 business days."
    elsewhere = "Deadlines\n\nSend a final response to a lending appeal within 30 days."
    passages = [
        _section(first, "Complaints > Standard complaints", source_id="c", n=0, start=0, score=0.033, cos=0.6),
        _section(elsewhere, "Lending > Deadlines", source_id="l", n=1, start=0, score=0.032, cos=0.6),
        _section(
            second, "Complaints > Payment services complaints", source_id="c", n=2, start=80, score=0.032, cos=0.58
        ),
    ]
    answer = answer_with_rules("How long do we have to send a final response?", passages)
    assert [c.source_id for c in answer.citations] == ["c", "c"]
    assert "8 weeks" in answer.answer and "15 business days" in answer.answer
    assert "lending" not in answer.answer


def test_question_asking_two_things_is_answered_from_both_documents_each_cited() -> None:
    fees = passage("A CHAPS payment costs £25. A Faster Payment is free.", source_id="fees", vector_score=0.7)
    waivers = passage(
        "Service agents may waive a fee up to £25. Team leaders approve waivers up to £100.",
        source_id="waivers",
        vector_score=0.5,
    )
    answer = answer_with_rules("How much is a CHAPS payment, and who can approve a waiver?", [fees, waivers])
    assert not answer.abstained
    assert [c.source_id for c in answer.citations] == ["fees", "waivers"]
    assert answer.answer.startswith("A CHAPS payment costs £25.")
    assert answer.answer.endswith("Team leaders approve waivers up to £100. [2]")


def _sipp_at_a_glance() -> Passage:
    """A SIPP section that answers eligibility and also mentions tax, so it outranks others on both asks."""
    return _section(
        "A SIPP can be opened by customers aged 18 to 74. We collect tax relief on SIPP contributions for them.",
        "SIPP guide > SIPP at a glance",
        source_id="sipp",
        n=0,
        start=0,
        score=0.033,
        cos=0.8,
    )


def test_second_ask_whose_best_section_is_already_quoted_falls_back_to_another_document() -> None:
    sipp = _sipp_at_a_glance()
    # About the same case (a customer of that age), so it covers the whole question nearly as well.
    onboarding = _section(
        "For customers aged 16 or over, collect the National Insurance number for the tax forms.",
        "Onboarding > Tax forms",
        source_id="onboarding",
        n=1,
        start=0,
        score=0.032,
        cos=0.7,
    )
    # The second ask ("what tax detail must we collect") ranks the SIPP section first, by its
    # cosine, but that section is already quoted for the first ask.
    answer = answer_with_rules(
        "Is a customer aged 70 eligible for a SIPP, and what tax detail must we collect?", [sipp, onboarding]
    )
    assert [c.source_id for c in answer.citations] == ["sipp", "onboarding"]
    assert answer.answer.endswith("National Insurance number for the tax forms. [2]")
    for citation, source in zip(answer.citations, [sipp, onboarding], strict=True):
        assert citation.quote == source.text[citation.span[0] : citation.span[1]]


def test_second_ask_falls_back_to_no_document_holding_the_ask_but_not_the_case() -> None:
    sipp = _sipp_at_a_glance()
    # It scores as close for "what tax detail must we collect" as the one above, but says nothing of
    # the customer, the age or the SIPP: the ask's words met by chance in another case.
    business = _section(
        "Collect the company tax reference for the tax forms.",
        "Business onboarding > Tax forms",
        source_id="business",
        n=1,
        start=0,
        score=0.032,
        cos=0.7,
    )
    answer = answer_with_rules(
        "Is a customer aged 70 eligible for a SIPP, and what tax detail must we collect?", [sipp, business]
    )
    assert [c.source_id for c in answer.citations] == ["sipp"]


def test_second_ask_falls_back_to_no_document_that_scores_far_below_the_quoted_section() -> None:
    sipp = _sipp_at_a_glance()
    weak = _section(
        "Collect the customer's National Insurance number for the tax forms.",
        "Onboarding > Tax forms",
        source_id="onboarding",
        n=1,
        start=0,
        score=0.032,
        cos=0.2,
    )
    answer = answer_with_rules(
        "Is a customer aged 70 eligible for a SIPP, and what tax detail must we collect?", [sipp, weak]
    )
    assert [c.source_id for c in answer.citations] == ["sipp"]


def test_split_asks_finds_each_ask_of_the_asking_sentence() -> None:
    from knowledge.near_miss import split_asks

    question = "She paid a day late. How much was the fee, and can I refund it myself as a service agent?"
    assert split_asks(question) == ["How much was the fee", "can I refund it myself as a service agent"]
    assert split_asks("What is the CHAPS fee?") == []


def test_a_procedure_step_below_the_quoted_run_that_answers_is_quoted_too() -> None:
    text = (
        "Every written request to change bank details must be confirmed by a call-back.\n\n"
        "1. Call the customer on a telephone number already on file for at least 30 days.\n"
        "2. Never use a number given in the request itself, even if it looks genuine.\n"
        "3. Complete full telephone security on the call.\n"
        "4. Read back the payee name, sort code and account number from the request.\n"
        "5. Ask how the customer received the new details and whether they checked them.\n"
        "6. Tell the customer to confirm new details with the payee on a number they know.\n"
        "7. Record the outcome of the call on the change request in the workflow tool.\n"
        "8. If the customer cannot be reached after two attempts on different days, do not make the change.\n"
    )
    answer = answer_with_rules(
        "What should I do if I cannot reach the customer for the call-back on a written bank detail change?",
        [passage(text, vector_score=0.75)],
    )
    assert "two attempts on different days" in answer.answer
    assert all(text[c.span[0] : c.span[1]] == c.quote for c in answer.citations)


def test_split_asks_reads_an_ask_after_if_not() -> None:
    from knowledge.near_miss import ask_queries, split_asks

    assert split_asks("Can we waive the fee, and if not what are his options?") == [
        "Can we waive the fee",
        "what are his options",
    ]
    question = "A company wants a £40,000 overdraft. What is the arrangement fee, and who has to approve it?"
    assert ask_queries(question) == {
        "What is the arrangement fee": "A company wants a £40,000 overdraft. What is the arrangement fee?",
        "who has to approve it": "A company wants a £40,000 overdraft. who has to approve it?",
    }
    assert ask_queries("What is the CHAPS fee?") == {}


def test_second_ask_is_answered_from_a_document_only_its_own_retrieval_found() -> None:
    sipp = _sipp_at_a_glance().model_copy(update={"text": "A SIPP can be opened by customers aged 18 to 74."})
    # Not among the whole question's passages: the ask's own retrieval found it.
    onboarding = _section(
        "For every customer aged 18 or over, collect the National Insurance number for the tax forms.",
        "Onboarding > Tax forms",
        source_id="onboarding",
        n=1,
        start=0,
        score=0.032,
        cos=0.7,
    )
    question = "Is a customer aged 70 eligible for a SIPP, and what tax detail must we collect?"
    assert [c.source_id for c in answer_with_rules(question, [sipp]).citations] == ["sipp"]
    answer = answer_with_rules(question, [sipp], ask_passages={"what tax detail must we collect": [onboarding]})
    assert [c.source_id for c in answer.citations] == ["sipp", "onboarding"]
    assert answer.documents == ["Sipp", "Onboarding"]


def test_an_ask_the_quote_already_answers_adds_no_other_document() -> None:
    card = _section(
        "Section 75 covers items over £100. Chargeback covers any value. Disputes are raised within 120 days.",
        "Card guide > Purchase protection",
        source_id="card",
        n=0,
        start=0,
        score=0.033,
        cos=0.8,
    )
    limits = _section(
        "Credit limits run from £500 to £15,000. Purchases are interest-free for up to 56 days.",
        "Card guide > Key features",
        source_id="features",
        n=1,
        start=0,
        score=0.03,
        cos=0.6,
    )
    answer = answer_with_rules("Is this a section 75 claim or a chargeback, and what's the time limit?", [card, limits])
    assert [c.source_id for c in answer.citations] == ["card"]
