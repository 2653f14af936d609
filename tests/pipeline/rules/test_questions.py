"""Client questions the plain "Whether ..." cues miss: bare nouns, claims put to the firm, topics, dropped "do"."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.rules.questions import elliptical, reported_claim, third_person, with_topic
from pipeline.schemas import Participant


def test_a_bare_noun_question_asks_about_the_noun() -> None:
    assert elliptical("And the margin?") == "the margin"
    assert elliptical("And the margin is too high?") is None


def test_a_claim_the_client_then_checks_is_a_whether_phrase() -> None:
    said = "My son said the accounts will all be frozen and I won't be able to pay for anything."
    assert reported_claim(said, "Is that right?") == "whether the accounts will all be frozen"
    assert reported_claim("my husband reckons it's covered, and I'm not so sure") == "whether it's covered"


def test_a_claim_nobody_doubts_is_no_ask() -> None:
    assert reported_claim("My son said he would drive me to the branch.", "That's kind of him.") is None


def test_a_plural_topic_said_just_before_replaces_those() -> None:
    assert with_topic("Are you changing those?", "Covenants.") == "Are you changing the covenants?"
    assert with_topic("Will there be those salmon things again?", "Lovely.") == (
        "Will there be those salmon things again?")


def test_the_verb_after_a_dropped_do_takes_the_third_person() -> None:
    assert third_person("count for the claim") == "counts for the claim"
    assert third_person("need probate") == "need probate"


def test_the_call_gives_each_kind_of_question_as_an_ask() -> None:
    people = [Participant(name="Hen Lowe", role="relationship_manager", side="firm"),
              Participant(name="Dec Farr", role="client", side="client")]
    call = ("Hen Lowe: The facility is up for renewal.\n"
            "Dec Farr: And the margin? It's on the rich side.\n"
            "Hen Lowe: I'll put it to pricing.\n"
            "Dec Farr: Covenants. Are you changing those?\n"
            "Hen Lowe: No.\n"
            "Dec Farr: My accountant said the fee will double. Is that right?\n")
    asks = draft_with_rules(call, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                            participants=people, client="Dec Farr").summary.client_asks
    assert "The margin" in asks
    assert any(a.startswith("Whether the firm") and a.endswith("changing the covenants") for a in asks)
    assert "Whether the fee will double" in asks


def test_indirect_puts_the_subject_before_the_verb() -> None:
    from pipeline.rules.questions import indirect

    assert indirect(" would you do") == " you would do"
    assert indirect(" long does the transfer take") == " long the transfer takes"
    assert indirect(" much am I paying") == " much I is paying"
    assert indirect(" happens next") == " happens next"


def test_an_adverb_before_a_dropped_do_keeps_the_verb_whole() -> None:
    from pipeline.rules.questions import third_person

    assert third_person("just send it by transfer") == "just sends it by transfer"
