from __future__ import annotations

import copy
import json

import jsonpatch
import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from records.errors import Forbidden, NotFound
from records.session import session_scope
from records.tables import Draft
from review.claims import claim
from review.decisions import Approve, Edit, Reject, decide, parse_decision
from review.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    InvalidDecision,
    NotAllowed,
    PreconditionRequired,
    StaleVersion,
)
from review.models import AuditEvent, Decision, ReviewItem
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, content_of, make_client, make_draft, make_user, review_of


@pytest.fixture
def people(container):
    make_client(container)
    make_client(container, "Other Client", owner="omar")
    return {name: make_user(container, name, role)[0] for name, role in
            [("priya", "rm"), ("omar", "rm"), ("rita", "reviewer"), ("rex", "reviewer"), ("ada", "admin"),
             ("sam", "service")]}


def _decide(container, item_id, decision, user, version):
    with session_scope(container.engine) as s:
        out = decide(session=s, review_id=item_id, decision=decision, user=user, expected_version=version)
        return out.item, out.decision, out.draft


def _counts(container):
    with Session(container.engine) as s:
        return (len(s.exec(select(Decision)).all()), len(s.exec(select(AuditEvent)).all()))


def test_decision_without_version_is_428(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    with pytest.raises(PreconditionRequired):
        _decide(container, item.id, Approve(), people["priya"], None)


def test_stale_decision_is_412_and_changes_nothing(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with session_scope(container.engine) as s:
        claim(session=s, review_id=item.id, user=people["rita"])  # version 1 -> 2
    before = _counts(container)
    with pytest.raises(StaleVersion) as exc:
        _decide(container, item.id, Approve(), people["rita"], 1)
    assert exc.value.current == 2
    assert _counts(container) == before
    after = review_of(container, item.id)
    assert after.status == "in_review" and after.version == 2


def test_decided_item_cannot_be_decided_again(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    got, _, _ = _decide(container, item.id, Approve(), people["priya"], 1)
    with pytest.raises(AlreadyDecided):
        _decide(container, item.id, Reject(reason="changed my mind"), people["rita"], got.version)
    with pytest.raises(AlreadyDecided):
        _decide(container, item.id, Approve(), people["rita"], 1)


def test_author_confirms_unflagged_draft(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    got, row, _ = _decide(container, item.id, Approve(), people["priya"], 1)
    assert got.status == "approved" and got.decided_by == "priya" and row.actor_role == "rm"


def test_maker_cannot_approve_flagged_draft(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with pytest.raises(NotAllowed, match="reviewer"):
        _decide(container, item.id, Approve(), people["priya"], 1)
    got, _, _ = _decide(container, item.id, Approve(), people["rita"], 1)
    assert got.status == "approved" and got.decided_by == "rita"


def test_reviewer_who_authored_cannot_approve_own_flagged_draft(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL, author="rita").id)
    with pytest.raises(NotAllowed, match="maker-checker"):
        _decide(container, item.id, Approve(), people["rita"], 1)
    assert _decide(container, item.id, Approve(), people["ada"], 1)[0].status == "approved"


def test_editor_of_flagged_draft_cannot_approve_it(container, people) -> None:
    draft = make_draft(container, COMPLAINT_CALL)
    item = review_of(container, draft.id)
    edited = content_of(draft)
    edited["summary"]["key_facts"] = ["Complaint about a transfer"]
    got, _, _ = _decide(container, item.id, Edit(content=edited), people["rita"], 1)
    with pytest.raises(NotAllowed, match="maker-checker"):
        _decide(container, item.id, Approve(), people["rita"], got.version)
    assert _decide(container, item.id, Approve(), people["rex"], got.version)[0].status == "approved"


def test_rm_outside_the_book_gets_not_found_and_service_is_refused(container, people) -> None:
    item = review_of(container, make_draft(container).id)
    with pytest.raises(NotFound):
        _decide(container, item.id, Approve(), people["omar"], 1)
    with pytest.raises(Forbidden):  # a wrong role is refused as such; another book looks like nothing
        _decide(container, item.id, Approve(), people["sam"], 1)


def test_claim_blocks_other_reviewers(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with session_scope(container.engine) as s:
        claimed = claim(session=s, review_id=item.id, user=people["rita"])
    assert claimed.assignee == "rita" and claimed.version == 2
    with pytest.raises(AlreadyClaimed), session_scope(container.engine) as s:
        claim(session=s, review_id=item.id, user=people["rex"])
    with pytest.raises(NotAllowed, match="claimed by rita"):
        _decide(container, item.id, Approve(), people["rex"], 2)
    with pytest.raises(NotAllowed), session_scope(container.engine) as s:
        claim(session=s, review_id=item.id, user=people["priya"])


def test_reject_needs_a_reason(container, people) -> None:
    with pytest.raises(ValidationError):
        Reject(reason="")
    with pytest.raises(ValidationError):
        Reject(reason="   ")
    with pytest.raises(InvalidDecision):
        parse_decision({"kind": "reject"})
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    got, row, _ = _decide(container, item.id, Reject(reason="wrong client"), people["rita"], 1)
    assert got.status == "rejected" and row.reason == "wrong client"


def test_status_in_a_decision_body_is_refused(container, people) -> None:
    for body in ({"kind": "approve", "status": "approved"}, {"kind": "edit", "content": {}, "approved_by": "x"},
                 {"status": "approved"}, {"kind": "release"}):
        with pytest.raises(InvalidDecision):
            parse_decision(body)


def test_edit_creates_new_version_with_diff_and_keeps_the_original(container, people) -> None:
    draft = make_draft(container)
    original = content_of(draft)
    edited = copy.deepcopy(original)
    edited["summary"]["key_facts"] = ["Illustration promised for Friday"]
    edited["actions"][0]["description"] = "Send the remortgage illustration to Daniel"
    item = review_of(container, draft.id)
    got, row, new = _decide(container, item.id, Edit(content=edited, reason="clearer"), people["priya"], 1)
    assert new.version == 2 and new.parent_id == draft.id and new.lineage_id == draft.lineage_id
    assert got.current_draft_id == new.id and got.version == 2 and got.status == "awaiting_author"
    diff = json.loads(row.diff_json)
    paths = {d["path"] for d in diff}
    assert "/actions/0/description" in paths and any(p.startswith("/summary/key_facts") for p in paths)
    assert jsonpatch.apply_patch(original, diff) == content_of(new)  # the diff is a patch from v1 to v2
    with Session(container.engine) as s:
        assert json.loads(s.get(Draft, draft.id).content_json) == original  # drafts are immutable
    assert content_of(new)["actions"][0]["description"] == "Send the remortgage illustration to Daniel"


def test_edit_failing_schema_is_refused(container, people) -> None:
    draft = make_draft(container)
    bad = content_of(draft)
    bad["summary"]["purpose"] = "get_rich_quick"
    item = review_of(container, draft.id)
    with pytest.raises(InvalidDecision, match="schema"):
        _decide(container, item.id, Edit(content=bad), people["priya"], 1)
    assert review_of(container, item.id).version == 1


def test_edit_failing_grounding_is_refused(container, people) -> None:
    draft = make_draft(container)
    bad = content_of(draft)
    bad["actions"][0]["evidence"] = {"text": "Daniel agreed to wire 50,000 to an overseas account."}
    item = review_of(container, draft.id)
    with pytest.raises(InvalidDecision, match="grounding"):
        _decide(container, item.id, Edit(content=bad), people["priya"], 1)
    ghost = content_of(draft)
    ghost["actions"][0]["owner"] = "Mallory Attacker"
    with pytest.raises(InvalidDecision, match="grounding"):
        _decide(container, item.id, Edit(content=ghost), people["priya"], 1)


def test_edit_adding_sensitive_content_needs_a_checker(container, people) -> None:
    draft = make_draft(container, PLAIN_CALL)
    edited = content_of(draft)
    edited["summary"]["concerns"] = ["Daniel wants to make a formal complaint about fees"]
    item = review_of(container, draft.id)
    got, _, _ = _decide(container, item.id, Edit(content=edited), people["priya"], 1)
    assert got.status == "in_review" and got.requires_checker and "complaint" in json.loads(got.flags_json)
    with pytest.raises(NotAllowed):
        _decide(container, item.id, Approve(), people["priya"], got.version)


def test_edit_cannot_remove_a_flag(container, people) -> None:
    draft = make_draft(container, COMPLAINT_CALL)
    item = review_of(container, draft.id)
    flags_before = json.loads(item.flags_json)
    scrubbed = content_of(draft)
    for key in ("concerns", "sensitive_points", "key_facts", "client_asks", "decisions"):
        scrubbed["summary"][key] = []
    scrubbed["summary"]["purpose"] = "general_check_in"
    scrubbed["actions"] = []
    scrubbed["no_actions_reason"] = "nothing"
    got, _, _ = _decide(container, item.id, Edit(content=scrubbed), people["priya"], 1)
    assert json.loads(got.flags_json) == flags_before and got.requires_checker and got.status == "in_review"


def test_edit_that_changes_nothing_is_refused(container, people) -> None:
    draft = make_draft(container)
    item = review_of(container, draft.id)
    with pytest.raises(InvalidDecision, match="changes nothing"):
        _decide(container, item.id, Edit(content=content_of(draft)), people["priya"], 1)


def test_concurrent_decisions_have_one_winner(container, people) -> None:
    from concurrent.futures import ThreadPoolExecutor

    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)

    def attempt(user):
        try:
            _decide(container, item.id, Approve(), user, 1)
            return "won"
        except (StaleVersion, AlreadyDecided):
            return "lost"

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, [people["rita"], people["rex"], people["ada"], people["rita"]]))
    assert results.count("won") == 1
    with Session(container.engine) as s:
        assert len(s.exec(select(Decision).where(Decision.review_id == item.id)).all()) == 1
        assert s.get(ReviewItem, item.id).version == 2
