from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from clients.actions import close_action
from clients.brief import BriefNarrative, generate_brief, resolve_link
from clients.demo_book import load_demo_book
from clients.importer import import_bytes
from clients.mapping import parse_mapping
from clients.models import Brief
from records.errors import UnknownClient
from records.session import session_scope
from records.tables import Client
from review.models import RecordAction
from tests.fakes import FakeChatModel, tool_reply

TODAY = date(2026, 11, 23)

MAPPING = parse_mapping("""
files:
  clients.csv:
    entity: client
    columns: {external_id: ID, name: Name, relationship_owner: RM, contact_cadence_days: Cadence}
  holdings.csv:
    entity: holding
    columns: {external_id: HID, client_external_id: ID, product_type: Product, name: Name, renewal_on: Renewal,
              rate_fixed_until: Fixed}
""")


def _small_book(container) -> None:
    with session_scope(container.engine) as session:
        import_bytes(session, b"ID,Name,RM,Cadence\nC1,Ada Byrne,priya,\nC2,Ben Ortiz,tom,60\n", "clients.csv",
                     MAPPING)
        import_bytes(session, (
            "HID,ID,Product,Name,Renewal,Fixed\n"
            f"H1,C1,home_insurance,Home cover,{TODAY - timedelta(days=10)},\n"
            f"H2,C1,mortgage,Home loan,,{TODAY + timedelta(days=20)}\n"
            f"H3,C1,home_insurance,Contents cover,{TODAY + timedelta(days=45)},\n").encode(), "holdings.csv", MAPPING)


@pytest.fixture
def demo(container):
    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    return container


def test_every_line_of_every_demo_brief_has_a_working_source_link(demo):
    with Session(demo.engine) as session:
        ids = session.exec(select(Client.id)).all()
    total = 0
    for cid in ids:
        with session_scope(demo.engine) as session:
            brief = generate_brief(session=session, client_ref=cid, as_of=TODAY)
            assert [s.key for s in brief.sections] == ["snapshot", "recent_activity", "open_items",
                                                       "account_context", "watch_items", "next_actions"]
            assert 8 <= len(brief.sections[0].lines) <= 12
            for line in brief.lines():
                total += 1
                assert resolve_link(session, line.source) is None, (line.text, line.source)
    assert total > 500


def test_interaction_lines_quote_the_source_span(demo):
    with session_scope(demo.engine) as session:
        brief = generate_brief(session=session, client_ref="CRM-1001", as_of=TODAY)
    recent = brief.sections[1].lines
    assert recent and all(line.source.kind == "record" and line.source.quote and line.source.span for line in recent)


def test_unknown_client_is_a_clear_error(container):
    with session_scope(container.engine) as session, pytest.raises(UnknownClient, match="nobody"):
        generate_brief(session=session, client_ref="nobody")


def test_rm_cannot_brief_a_client_outside_their_book(container):
    from tests.factories import make_user

    _small_book(container)
    tom, _ = make_user(container, "tom", "rm")
    with session_scope(container.engine) as session, pytest.raises(UnknownClient):
        generate_brief(session=session, client_ref="C1", user=tom)


def test_client_without_history_says_so(container):
    _small_book(container)
    with session_scope(container.engine) as session:
        brief = generate_brief(session=session, client_ref="Ben Ortiz", as_of=TODAY)
    assert brief.sections[1].lines == [] and "No interactions on record" in (brief.sections[1].empty or "")
    snapshot = {line.label: line.text for line in brief.sections[0].lines}
    assert snapshot["Last contact"].startswith("No interactions on record; usual cadence 60 days")
    assert any(line.rule == "no_recent_contact" for line in brief.sections[5].lines)


def test_past_renewal_is_lapsed_not_within_90_days(container):
    _small_book(container)
    with session_scope(container.engine) as session:
        brief = generate_brief(session=session, client_ref="C1", as_of=TODAY)
    nexts = {line.rule: line for line in brief.sections[5].lines if line.rule}
    assert nexts["renewal_lapsed"].reason == f"renewal date {TODAY - timedelta(days=10)} passed 10 days ago (lapsed)"
    within = [line for line in brief.sections[5].lines if line.rule == "date_within_90_days"]
    assert all("Home cover" not in line.text for line in within)
    assert any("Contents cover" in line.text for line in within)
    accounts = " ".join(line.text for line in brief.sections[3].lines)
    assert "lapsed (10 days ago)" in accounts


def test_brief_is_stored_and_next_brief_shows_changes_since(demo):
    with session_scope(demo.engine) as session:
        first = generate_brief(session=session, client_ref="CRM-1001", as_of=TODAY)
        action = session.exec(select(RecordAction).where(RecordAction.client_id == first.client_id,
                                                         RecordAction.status == "open")).first()
        assert action is not None
    with session_scope(demo.engine) as session:
        close_action(session=session, action_id=action.id, reason="report sent by email", actor="priya")
    with session_scope(demo.engine) as session:
        second = generate_brief(session=session, client_ref="CRM-1001", as_of=TODAY)
        stored = session.exec(select(Brief).where(Brief.client_id == first.client_id)).all()
    assert len(stored) == 2 and second.previous_brief_id == first.brief_id
    assert second.since_last_brief is not None
    texts = [line.text for line in second.since_last_brief.lines]
    assert any("Closed (done) by priya" in t and "report sent by email" in t for t in texts)
    assert second.since_last_interaction is not None and second.since_last_interaction.lines
    # The headings say when and what in words, not ids.
    assert re.fullmatch(r"since the last brief \(\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC, by \w+\)",
                        second.since_last_brief.label), second.since_last_brief.label
    assert re.fullmatch(r"since the last interaction \((call|email|meeting notes) on \d{1,2} [A-Z][a-z]{2} \d{4}"
                        r"( · [a-z ]+)?\)", second.since_last_interaction.label), second.since_last_interaction.label
    assert first.brief_id not in second.since_last_brief.label
    # The first snapshot is unchanged: plan and conversation never mix.
    snapshot = next(b for b in stored if b.id == first.brief_id)
    assert "report sent by email" not in snapshot.content_json


def test_narrative_keeps_only_sentences_with_valid_citations(demo):
    model = FakeChatModel(responses=[tool_reply(BriefNarrative, {"sentences": [
        {"text": "A follow-up is overdue.", "cites": ["L6"]},
        {"text": "The client won the lottery.", "cites": ["L999"]},
        {"text": "No citation here.", "cites": []},
    ]})])
    with session_scope(demo.engine) as session:
        brief = generate_brief(session=session, client_ref="CRM-1001", as_of=TODAY, model=model,
                               settings=demo.settings)
    assert [s.text for s in brief.narrative] == ["A follow-up is overdue."]
    assert brief.narrative_dropped == 2 and brief.engine == "llm" and brief.prompt_version
    prompt = model.prompt_text()
    assert "<line>" in prompt and "L6" in prompt
    assert "Esme Achterberg" not in prompt and "<PERSON_1>" in prompt  # the client data is redacted before it leaves
