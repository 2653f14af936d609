"""The client's sentiment (`pipeline.rules.sentiment`), from invented snippets."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.rules import draft_with_rules
from pipeline.rules.sentiment import client_sentiment
from pipeline.schemas import Participant

NOTE_PEOPLE = [Participant(name="Dominic Ward", role="relationship_manager", side="firm"),
               Participant(name="Grace Whitfield", role="client", side="client")]


def _noted(text: str) -> str:
    return draft_with_rules(text, kind="meeting_notes", occurred_at=datetime(2026, 11, 10, 14, tzinfo=UTC),
                            participants=NOTE_PEOPLE, client="Grace Whitfield").summary.sentiment


def test_a_note_reporting_the_client_unhappy_reads_negative() -> None:
    assert _noted("Annual review, GW and DW.\n- GW unhappy that the Sept statement arrived 3 weeks late.\n") == (
        "negative")


def test_a_note_reporting_the_author_unhappy_says_nothing_of_the_client() -> None:
    assert _noted("Annual review, GW and DW.\n- DW unhappy with the printer.\n- GW to return the form.\n") == (
        "unknown")


def test_being_annoyed_or_let_down_is_negative() -> None:
    assert client_sentiment("This is the part that annoys me. I feel let down.") == "negative"
