"""Decide, then release: the one workflow behind the API, the pages and the CLI."""

from __future__ import annotations

import pytest

from review.decisions import Approve, Reject
from review.errors import NotAllowed
from review.workflow import decide_and_release, release_in_own_transaction
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, make_client, make_draft, make_user, review_of


@pytest.fixture
def people(container):
    make_client(container)
    return {n: make_user(container, n, r)[0] for n, r in [("priya", "rm"), ("rita", "reviewer")]}


def test_approval_is_released_in_its_own_step(container, people) -> None:
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    out = decide_and_release(engine=container.engine, review_id=item.id, user=people["priya"], decision=Approve(),
                             expected_version=1)
    assert out.decided.item.status == "approved" and out.released is not None and out.released.created
    assert out.item.status == "released" and review_of(container, item.id).status == "released"
    assert out.release_error is None and out.released.record is not None


def test_a_failed_release_leaves_the_approval_standing(container, people, monkeypatch) -> None:
    import review.workflow

    def broken(**_kw):
        raise RuntimeError("disk full")

    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    monkeypatch.setattr(review.workflow, "release", broken)
    out = decide_and_release(engine=container.engine, review_id=item.id, user=people["priya"], decision=Approve(),
                             expected_version=1)
    assert out.released is None and out.release_error == "RuntimeError: disk full"
    assert review_of(container, item.id).status == "approved"
    monkeypatch.undo()
    assert release_in_own_transaction(engine=container.engine, review_id=item.id, user=people["priya"]).created
    assert review_of(container, item.id).status == "released"


def test_reject_releases_nothing_and_refusals_raise(container, people) -> None:
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    with pytest.raises(NotAllowed):  # the author of a flagged draft cannot approve it
        decide_and_release(engine=container.engine, review_id=item.id, user=people["priya"], decision=Approve(),
                           expected_version=1)
    out = decide_and_release(engine=container.engine, review_id=item.id, user=people["rita"],
                             decision=Reject(reason="wrong client"), expected_version=1)
    assert out.released is None and out.release_error is None and out.item.status == "rejected"
