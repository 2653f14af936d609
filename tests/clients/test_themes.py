"""Service themes over the demo book: scoped by the one access rule, deterministic, linked to their sources."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from clients.demo_book import load_demo_book
from clients.importer import import_bytes
from clients.mapping import parse_mapping
from clients.themes import service_themes, theme_name
from clients.weekly import weekly_review
from records.errors import Forbidden
from records.session import session_scope
from records.tables import Client, Source
from review.users import get_user
from tests.factories import BOOK_TODAY, make_user

TODAY = date.fromisoformat(BOOK_TODAY)


@pytest.fixture(scope="module")
def book(module_container):
    with session_scope(module_container.engine) as session:
        load_demo_book(session, today=TODAY)
    for name, role in (("priya", "rm"), ("tom", "rm"), ("rita", "reviewer"), ("sam", "service")):
        make_user(module_container, name, role)
    return module_container


def _themes(book, who: str | None = None, **kw):
    with Session(book.engine) as session:
        user = get_user(session=session, name=who) if who else None
        return service_themes(session=session, user=user, **kw), session


def _owners(book) -> dict[str, str | None]:
    with Session(book.engine) as session:
        return {c.id: c.relationship_owner for c in session.exec(select(Client)).all()}


def test_demo_book_shows_repeated_concerns_with_counts_clients_and_months(book) -> None:
    report, _ = _themes(book)
    names = " ".join(t.name for t in report.themes).lower()
    assert report.clients == 30 and len(report.themes) >= 3
    assert "declined" in names and "direct debit" in names and "transfer" in names
    for t in report.themes:
        assert t.mentions >= 2 and sum(t.by_month.values()) == t.mentions and t.clients == len(t.client_names)
        assert list(t.by_month) == sorted(t.by_month) and t.first_seen <= t.last_seen and 1 <= len(t.examples) <= 3


def test_every_record_example_is_the_exact_span_of_its_source(book) -> None:
    report, _ = _themes(book)
    with Session(book.engine) as session:
        checked = 0
        for example in (e for t in report.themes for e in t.examples if e.source.kind == "record"):
            source = session.get(Source, example.source.source_id)
            assert source is not None and example.source.span is not None
            start, end = example.source.span
            assert source.text[start:end] == example.source.quote == example.text
            checked += 1
    assert checked


def test_an_rm_sees_their_own_book_whatever_owner_they_ask_for(book) -> None:
    owners = _owners(book)
    mine, _ = _themes(book, "priya", owner="tom")
    assert mine.owner == "priya" and mine.clients < 30 and mine.themes
    assert {owners[e.client_id] for t in mine.themes for e in t.examples} == {"priya"}
    every, _ = _themes(book)
    assert mine.phrases < every.phrases


def test_a_reviewer_sees_every_book_and_service_staff_none(book) -> None:
    assert _themes(book, "rita")[0].clients == 30
    assert _themes(book, "rita", owner="tom")[0].owner == "tom"
    with pytest.raises(Forbidden):
        _themes(book, "sam")


def test_same_records_give_the_same_themes(book) -> None:
    first, _ = _themes(book)
    again, _ = _themes(book)
    assert first.model_dump() == again.model_dump()


def test_since_counts_only_later_interactions_and_cases(book) -> None:
    since = date(TODAY.year, TODAY.month, 1)
    report, _ = _themes(book, since=since)
    assert report.themes and report.phrases < _themes(book)[0].phrases
    assert all(month >= f"{since:%Y-%m}" for t in report.themes for month in t.by_month)


def test_weekly_review_lists_the_top_themes_of_the_book(book) -> None:
    with Session(book.engine) as session:
        priya = get_user(session=session, name="priya")
        week = weekly_review(session=session, user=priya, as_of=TODAY)
    assert 1 <= len(week.themes) <= 5 and all(t["mentions"] >= 2 for t in week.themes)
    assert week.themes[0]["example"]["source"]["id"]


def test_import_refuses_client_words_that_are_not_in_the_text(container) -> None:
    mapping = parse_mapping("""
files:
  clients.csv: {entity: client, columns: {external_id: ID, name: Name}}
  notes.csv:
    entity: interaction
    columns: {external_id: NID, client_external_id: ID, occurred_at: When, kind: Kind, text: Text, concerns: Worries}
""")
    with session_scope(container.engine) as session:
        import_bytes(session, b"ID,Name\nC1,Ada Byrne\n", "clients.csv", mapping)
        report = import_bytes(
            session,
            (
                b"NID,ID,When,Kind,Text,Worries\n"
                b"N1,C1,2026-11-01T10:00:00Z,email,My card was declined abroad.,My card was declined abroad.\n"
                b"N2,C1,2026-11-02T10:00:00Z,email,The app will not let me log in.,slow transfers\n"
            ),
            "notes.csv",
            mapping,
        )
    assert report.created == 1 and len(report.errors) == 1 and "not a span" in report.errors[0].reason


def test_a_theme_is_named_by_its_central_phrase_with_figures_generalised() -> None:
    assert (
        theme_name("A direct debit of £166 went out twice this month.")
        == "A direct debit of £… went out twice this month"
    )
    assert theme_name("my card was declined in Lisbon") == "My card was declined in Lisbon"
    assert theme_name("moving $1,500.50 and €2k") == "Moving $… and €…"
