from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from records.session import session_scope
from review.decisions import Approve, Reject, decide
from review.errors import NotApproved
from review.models import InteractionRecord, OutboxMessage, RecordAction, ReviewItem
from review.release import release
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, content_of, make_client, make_draft, make_user, review_of


@pytest.fixture
def people(container):
    make_client(container)
    return {n: make_user(container, n, r)[0] for n, r in [("priya", "rm"), ("rita", "reviewer"), ("ada", "admin")]}


def _approve(container, item_id, user):
    item = review_of(container, item_id)
    with session_scope(container.engine) as s:
        decide(session=s, review_id=item.id, decision=Approve(), user=user, expected_version=item.version)


def _release(container, item_id, user):
    with session_scope(container.engine) as s:
        return release(session=s, review_id=item_id, user=user)


def test_approved_summary_becomes_record_with_open_linked_actions(container, people) -> None:
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    _approve(container, item.id, people["priya"])
    out = _release(container, item.id, people["priya"])
    assert out.created and out.item.status == "released" and out.record is not None
    assert out.record.source_id == draft.source_id and out.record.approved_by == "priya"
    drafted = content_of(draft)["actions"]
    assert len(out.actions) == len(drafted) >= 1
    for row, action in zip(out.actions, drafted, strict=True):
        assert row.status == "open" and row.owner == action["owner"] and row.type == action["type"]
        assert row.due_phrase == action["due"]["phrase"] and row.source_id == draft.source_id
        assert PLAIN_CALL[row.evidence_start:row.evidence_end] == row.evidence_text == action["evidence"]["text"]
    friday = [a for a in out.actions if "illustration" in a.description.lower()]
    assert friday and friday[0].due_date is not None


def test_release_is_idempotent(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    _approve(container, item.id, people["priya"])
    first = _release(container, item.id, people["priya"])
    second = _release(container, item.id, people["rita"])
    assert first.created and not second.created and second.record.id == first.record.id
    with Session(container.engine) as s:
        assert len(s.exec(select(InteractionRecord)).all()) == 1
        assert len(s.exec(select(RecordAction)).all()) == len(first.actions)
        assert len(s.exec(select(ReviewItem).where(ReviewItem.kind == "client_message")).all()) == 1


def test_concurrent_releases_make_one_record(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    _approve(container, item.id, people["priya"])
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: _release(container, item.id, people["rita"]), range(4)))
    assert sum(o.created for o in outs) == 1
    with Session(container.engine) as s:
        assert len(s.exec(select(InteractionRecord)).all()) == 1


def test_unapproved_or_rejected_items_release_nothing(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with pytest.raises(NotApproved):
        _release(container, item.id, people["rita"])
    with session_scope(container.engine) as s:
        decide(session=s, review_id=item.id, decision=Reject(reason="duplicate"), user=people["rita"],
               expected_version=1)
    with pytest.raises(NotApproved):
        _release(container, item.id, people["rita"])
    with Session(container.engine) as s:
        assert not s.exec(select(InteractionRecord)).all()


def test_status_set_behind_the_gate_releases_nothing(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with session_scope(container.engine) as s:
        row = s.get(ReviewItem, item.id)
        row.status = "approved"  # forged: no approving decision exists
        s.add(row)
    with pytest.raises(NotApproved, match="allowed"):
        _release(container, item.id, people["rita"])


def test_recap_is_held_then_approval_puts_it_in_the_outbox_unsent(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    _approve(container, item.id, people["priya"])
    out = _release(container, item.id, people["priya"])
    recap = out.recap
    assert recap is not None and recap.kind == "client_message" and recap.status == "awaiting_author"
    with Session(container.engine) as s:
        assert not s.exec(select(OutboxMessage)).all()  # nothing reaches the outbox before approval
        body = json.loads(s.get(__import__("records.tables", fromlist=["Draft"]).Draft,
                                recap.current_draft_id).content_json)["body"]
    assert "Dear Daniel Okafor" in body and "illustration" in body.lower()
    _approve(container, recap.id, people["priya"])
    sent = _release(container, recap.id, people["priya"])
    assert sent.outbox is not None and sent.outbox.sent is False and sent.outbox.approved_by == "priya"
    assert sent.recap is None
    again = _release(container, recap.id, people["priya"])
    assert not again.created and again.outbox.id == sent.outbox.id


def test_recap_of_flagged_summary_needs_a_checker(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    _approve(container, item.id, people["rita"])
    recap = _release(container, item.id, people["rita"]).recap
    assert recap.requires_checker and recap.status == "in_review"
    assert set(json.loads(item.flags_json)) <= set(json.loads(recap.flags_json))
