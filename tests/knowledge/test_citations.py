from __future__ import annotations

from knowledge.citations import answer_from_validated, validate_citations
from knowledge.schemas import NOT_FOUND, Citation
from tests.knowledge.test_answer import passage


def _cite(n: int, quote: str, source_id: str = "s") -> Citation:
    return Citation(id=n, source_id=source_id, source_title="S", quote=quote, span=(0, 0))


def test_validate_citations_drops_bogus_ids_and_renumbers() -> None:
    text = "The fee is £25 per payment."
    p = passage(f"Intro. {text}", start=100)
    validated = validate_citations(
        "The CHAPS fee is £25 [2]. It is waived for premier clients [7]. Cut-off is 3:30pm [3].",
        [_cite(2, "fee is £25"), _cite(3, "not in any passage"), _cite(5, "fee is £25", source_id="other")],
        [p],
    )
    assert validated.text == "The CHAPS fee is £25 [1]."
    assert [c.id for c in validated.citations] == [1]
    c = validated.citations[0]
    at = 100 + p.text.index("fee is £25")
    assert c.quote == "fee is £25" and c.span == (at, at + 10)
    assert validated.unsupported == ["It is waived for premier clients.", "Cut-off is 3:30pm."]


def test_validate_citations_accepts_reflowed_whitespace_and_multi_markers() -> None:
    p = passage("Payments after\n  3:30pm go the next business day.", start=10)
    validated = validate_citations("Late payments go next day [4, 9].", [_cite(4, "after 3:30pm go the next")], [p])
    assert validated.text == "Late payments go next day [1]."
    assert validated.citations[0].quote == "after\n  3:30pm go the next"
    assert validated.unsupported == []


def test_answer_from_validated_abstains_when_nothing_survives() -> None:
    validated = validate_citations("Made up claim.", [], [passage("x")])
    answer = answer_from_validated("q?", validated)
    assert answer.abstained and answer.answer == NOT_FOUND
    assert answer.unsupported == ["Made up claim."]


def test_validate_citations_accepts_a_quote_in_another_case_and_quote_style() -> None:
    p = passage("Cards lost abroad: call us on the number on the back. We’ll block it at once.")
    validated = validate_citations("Call us [1].", [_cite(1, "we'll BLOCK it at once")], [p])
    assert validated.citations[0].quote == "We’ll block it at once"
