"""Claims never lock an item: they lapse, can be given back or handed over, and an editor loses theirs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from records.ids import utcnow
from records.session import session_scope
from review.claims import claim, claim_blocked, hand_over, unclaim
from review.decisions import Approve, Edit, decide
from review.errors import AlreadyClaimed, InvalidDecision, NotAllowed
from review.models import AuditEvent, ReviewItem, claim_holder
from tests.factories import COMPLAINT_CALL, content_of, make_client, make_draft, make_user, review_of


@pytest.fixture
def people(container):
    make_client(container)
    return {name: make_user(container, name, role)[0] for name, role in
            [("priya", "rm"), ("rita", "reviewer"), ("rex", "reviewer"), ("ada", "admin"), ("sam", "service")]}


@pytest.fixture
def held(container, people):
    """A flagged draft claimed by rita."""
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with session_scope(container.engine) as s:
        claim(session=s, review_id=item.id, user=people["rita"], hold_minutes=60)
    return review_of(container, item.id)


def _run(container, fn, **kw):
    with session_scope(container.engine) as s:
        return fn(session=s, **kw)


def test_a_lapsed_claim_frees_the_item_for_another_reviewer(container, people, held) -> None:
    assert claim_holder(held) == "rita"
    assert claim_blocked(Session(container.engine), held, people["rex"]).startswith("rita holds the claim")
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE reviewitem SET claim_expires_at = :t WHERE id = :i"),
                     {"t": utcnow() - timedelta(minutes=1), "i": held.id})
    lapsed = review_of(container, held.id)
    assert claim_holder(lapsed) is None
    out = _run(container, decide, review_id=held.id, decision=Approve(), user=people["rex"],
               expected_version=lapsed.version)
    assert out.item.status == "approved" and out.item.decided_by == "rex"


def test_claims_last_the_hold_given(container, people, held) -> None:
    expires = held.claim_expires_at.replace(tzinfo=None) if held.claim_expires_at.tzinfo else held.claim_expires_at
    claimed = held.claimed_at.replace(tzinfo=None) if held.claimed_at.tzinfo else held.claimed_at
    assert abs((expires - claimed).total_seconds() - 3600) < 1


def test_only_the_holder_or_an_admin_gives_a_claim_back(container, people, held) -> None:
    with pytest.raises(NotAllowed, match="only rita"):
        _run(container, unclaim, review_id=held.id, user=people["rex"])
    item = _run(container, unclaim, review_id=held.id, user=people["rita"])
    assert claim_holder(item) is None
    with pytest.raises(InvalidDecision, match="not claimed"):
        _run(container, unclaim, review_id=held.id, user=people["rita"])
    _run(container, claim, review_id=held.id, user=people["rex"])
    assert claim_holder(_run(container, unclaim, review_id=held.id, user=people["ada"])) is None


def test_hand_over_goes_only_to_a_reviewer_who_could_approve(container, people, held) -> None:
    with pytest.raises(InvalidDecision, match="not a reviewer"):
        _run(container, hand_over, review_id=held.id, user=people["rita"], to="sam")
    with pytest.raises(InvalidDecision, match="not a reviewer"):
        _run(container, hand_over, review_id=held.id, user=people["rita"], to="priya")  # an RM, the author
    with pytest.raises(NotAllowed):
        _run(container, hand_over, review_id=held.id, user=people["rex"], to="rex")
    item = _run(container, hand_over, review_id=held.id, user=people["rita"], to="rex")
    assert claim_holder(item) == "rex"
    with pytest.raises(AlreadyClaimed):
        _run(container, claim, review_id=held.id, user=people["rita"])
    with Session(container.engine) as s:
        kinds = [e.event_type for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
        last = json.loads(s.exec(select(AuditEvent).where(AuditEvent.event_type == "handover")).one().payload_json)
    assert kinds[-2:] == ["claim", "handover"] and last["previous_assignee"] == "rita" and last["assignee"] == "rex"


def test_an_editor_who_may_not_approve_loses_the_claim(container, people, held) -> None:
    content = content_of(held_draft(container, held))
    content["actions"][0]["description"] += " (checked by rita)"
    out = _run(container, decide, review_id=held.id, decision=Edit(content=content), user=people["rita"],
               expected_version=held.version)
    assert claim_holder(out.item) is None  # rita edited a held draft: she cannot approve it, so she no longer blocks
    with pytest.raises(NotAllowed, match="maker-checker"):
        _run(container, decide, review_id=held.id, decision=Approve(), user=people["rita"],
             expected_version=out.item.version)
    rex = _run(container, claim, review_id=held.id, user=people["rex"], expected_version=out.item.version)
    with pytest.raises(InvalidDecision, match="rita could not approve it: maker-checker"):
        _run(container, hand_over, review_id=held.id, user=people["rex"], to="rita")
    done = _run(container, decide, review_id=held.id, decision=Approve(), user=people["rex"],
                expected_version=rex.version)
    assert done.item.decided_by == "rex"


def held_draft(container, item: ReviewItem):
    from records.tables import Draft

    with Session(container.engine) as s:
        return s.get(Draft, item.current_draft_id)
