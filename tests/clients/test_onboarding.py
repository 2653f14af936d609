"""Onboarding phases: due from the signature, done with who and when, overdue in the brief and weekly review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from clients.brief import generate_brief, resolve_link
from clients.errors import InvalidOnboarding
from clients.onboarding import (
    PHASES,
    advance,
    onboarding_cases,
    onboarding_of,
    open_onboarding,
    seed_demo_onboarding,
)
from clients.weekly import weekly_review
from records.errors import UnknownClient
from records.session import session_scope
from review.audit import verify_chain
from review.models import AuditEvent
from tests.factories import load_book, user_named

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def demo(container):
    return load_book(container, ("priya", "rm"), ("tom", "rm"))


def test_phases_fall_due_from_the_signature_and_are_owned_by_the_rm(demo):
    signed = NOW - timedelta(days=3)
    with session_scope(demo.engine) as session:
        open_onboarding(session=session, client_ref="CRM-1001", signed_at=signed, user=user_named(demo, "priya"))
        view = onboarding_of(session=session, client_ref="CRM-1001", user=None, now=NOW)
    assert [p.key for p in view.phases] == [p.key for p in PHASES]
    due = {p.key: p.due_at for p in view.phases}
    assert due["welcome"] == signed + timedelta(hours=2) and due["survey"] == signed + timedelta(days=120)
    owners = {p.key: p.owner for p in view.phases}
    assert owners["welcome"] == "priya" and owners["documents"] == "Operations team"
    states = {p.key: p.status for p in view.phases}
    assert states["welcome"] == "overdue" and states["intake"] == "overdue" and states["kickoff"] == "open"


def test_advancing_records_who_and_when_and_kickoff_days(demo):
    signed = NOW - timedelta(days=10)
    with session_scope(demo.engine) as session:
        open_onboarding(session=session, client_ref="CRM-1001", signed_at=signed, user=None)
        view = advance(
            session=session,
            client_ref="CRM-1001",
            phase="kickoff",
            user=user_named(demo, "priya"),
            note="call held",
            when=signed + timedelta(days=4),
        )
    kickoff = next(p for p in view.phases if p.key == "kickoff")
    assert kickoff.status == "done" and kickoff.done_by == "priya" and view.days_to_kickoff == 4
    with session_scope(demo.engine) as session, pytest.raises(InvalidOnboarding, match="was done on"):
        advance(session=session, client_ref="CRM-1001", phase="kickoff", user=None)
    with session_scope(demo.engine) as session, pytest.raises(InvalidOnboarding, match="phase must be one of"):
        advance(session=session, client_ref="CRM-1001", phase="party", user=None)
    with Session(demo.engine) as session:
        events = [e.event_type for e in session.exec(select(AuditEvent)).all()]
        assert "onboarding_open" in events and "onboarding_done" in events and verify_chain(session).ok


def test_an_rm_sees_only_their_books_cases(demo):
    with session_scope(demo.engine) as session:
        open_onboarding(session=session, client_ref="CRM-1001", signed_at=NOW, user=None)
    with session_scope(demo.engine) as session:
        assert [v.client_name for v in onboarding_cases(session=session, user=user_named(demo, "priya"))]
        assert onboarding_cases(session=session, user=user_named(demo, "tom")) == []
        with pytest.raises(UnknownClient):
            onboarding_of(session=session, client_ref="CRM-1001", user=user_named(demo, "tom"))


def test_overdue_phases_surface_in_the_brief_and_the_weekly_review(demo):
    with session_scope(demo.engine) as session:
        seed_demo_onboarding(session, TODAY)
    with session_scope(demo.engine) as session:
        brief = generate_brief(session=session, client_ref="CRM-1007", as_of=TODAY)
        onboarding_lines = [line for line in brief.lines() if line.source.kind == "onboarding"]
        assert any("Check-in at day 14" in line.text and "overdue" in line.text for line in onboarding_lines)
        assert all(resolve_link(session, line.source) is None for line in onboarding_lines)
        week = weekly_review(session=session, as_of=TODAY)
    overdue = week.onboarding["overdue_phases"]
    assert any(o["phase"] == "Check-in at day 14" for o in overdue)
    measures = week.onboarding["measures"]
    assert measures["cases"] == 3 and measures["median_days_to_kickoff"] == 5.0
    assert measures["active_at_day_90_share"] == 1.0  # the day-100 client had its day-60 check-in
