"""Approved and edited drafts export as fs-interactions cases, through the real submit/work/decide path."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from clientloop.interactions import submit_interaction
from clientloop.worker import run_worker
from evals.export_reviewed import export_cases
from evals.fs_interactions import evaluate_records
from records.session import session_scope
from records.tables import Draft
from review.decisions import Approve, Edit, decide
from review.models import ReviewItem
from tests.factories import make_client, make_user

CALL = (
    "Priya Shah: Good morning Daniel, thanks for calling about the ISA transfer.\n"
    "Daniel Okafor: Morning. Can you send me the transfer form today?\n"
    "Priya Shah: I'll send you the transfer form today, and I'll call you back on Friday with the valuation.\n"
    "Daniel Okafor: Great, I'll return the signed form by Thursday.\n"
)
PARTICIPANTS = [
    {"name": "Priya Shah", "role": "relationship_manager", "side": "firm"},
    {"name": "Daniel Okafor", "role": "client", "side": "client"},
]


def _submit(container, text: str = CALL, when: str = "2026-11-16T10:00:00+00:00") -> ReviewItem:
    submit_interaction(container, data=text.encode(), filename="call.txt", client="Daniel Okafor",
                       kind="call_transcript", occurred_at=when, participants=PARTICIPANTS, requested_by="priya")
    run_worker(container, once=True)
    with Session(container.engine) as s:
        item = s.exec(select(ReviewItem).order_by(ReviewItem.created_at.desc())).first()  # type: ignore[attr-defined]
        assert item is not None
        s.expunge(item)
    return item


def _decide(container, item: ReviewItem, decision, who: str = "rita") -> None:
    with session_scope(container.engine) as s:
        from review.users import get_user

        decide(session=s, review_id=item.id, decision=decision, user=get_user(session=s, name=who),
               expected_version=item.version)


def test_export_writes_approved_and_edited_drafts_as_fs_cases(container) -> None:
    make_client(container)
    make_user(container, "priya", "rm")
    make_user(container, "rita", "reviewer")
    approved = _submit(container)
    _decide(container, approved, Approve())

    edited = _submit(container, when="2026-11-17T10:00:00+00:00")
    with Session(container.engine) as s:
        content = json.loads(s.get(Draft, edited.current_draft_id).content_json)
    content["actions"] = content["actions"][:1]
    _decide(container, edited, Edit(content=content, reason="only the form was agreed"), who="priya")
    with Session(container.engine) as s:
        edited = s.get(ReviewItem, edited.id)
        s.expunge(edited)
    _decide(container, edited, Approve())

    pending = _submit(container, when="2026-11-18T10:00:00+00:00")  # left undecided: not exported

    cases = export_cases(container)
    assert [c["provenance"]["review_id"] for c in cases] == [approved.id, edited.id]
    assert pending.id not in {c["provenance"]["review_id"] for c in cases}
    first, second = cases
    assert first["text"] == CALL and first["kind"] == "call_transcript"
    assert first["participants"] == PARTICIPANTS and first["client"]["name"] == "Daniel Okafor"
    assert first["provenance"]["edited"] is False and second["provenance"]["edited"] is True
    assert len(second["gold"]["actions"]) == 1
    for case in cases:
        for action in case["gold"]["actions"]:
            assert action["evidence"] in case["text"]
            assert action["due"] is None or len(action["due"]) == 10
    # The cases score with the fs scorer as they are.
    report = evaluate_records(cases, engine="rules")
    assert report.metrics["action_recall"] is not None
