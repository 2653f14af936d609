"""A property-based state machine over upload, draft, claim, edit, approve, reject and release.

Hypothesis drives random sequences (derandomized: the same sequences every run, so CI never
sees a run that happens to release nothing) of operations by random users (authors, other RMs,
reviewers, an admin, a service user), with current or stale versions. After every step
the invariant must hold: every record and every outbox message has an approving
decision, on the exact version released, by someone allowed to give it; nothing is
released twice; and the audit chain verifies.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, ClassVar

from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import Session, select

from clientloop.container import Container
from records.errors import Forbidden, NotFound
from records.session import session_scope
from records.tables import Draft, User
from review.audit import verify_chain
from review.claims import claim
from review.decisions import Approve, Edit, Reject, decide, makers, may_approve
from review.errors import GateError
from review.models import Decision, InteractionRecord, OutboxMessage, ReviewItem
from review.release import release
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, make_client, make_draft, make_user, truncate_all

USERS = [("priya", "rm"), ("omar", "rm"), ("rita", "reviewer"), ("rex", "reviewer"), ("ada", "admin"),
         ("sam", "service")]
STEPS: list[int] = []
RELEASED: list[int] = []


def _fresh_container(base_settings, n: int) -> Container:
    s = base_settings.model_copy(update={"data_dir": base_settings.data_dir / f"sm{n}"})
    c = Container(s)
    if s.database_url:
        truncate_all(c)
    return c


class Gate(RuleBasedStateMachine):
    """Random operations by random users; `base` is the test's settings, set before each run."""

    base: ClassVar[Any] = None
    examples: ClassVar[count[int]] = count()
    when: ClassVar[count[int]] = count()

    def __init__(self) -> None:
        super().__init__()
        self.c = _fresh_container(self.base, next(self.examples))
        make_client(self.c, "Daniel Okafor", owner="priya")
        make_client(self.c, "Other Client", owner="omar")
        self.users = {n: make_user(self.c, n, r)[0] for n, r in USERS}
        self.steps = 0

    def _items(self) -> list[ReviewItem]:
        with Session(self.c.engine) as s:
            return list(s.exec(select(ReviewItem).order_by(ReviewItem.created_at)).all())

    def _pick(self, i: int) -> ReviewItem | None:
        items = self._items()
        return items[i % len(items)] if items else None

    def _try(self, fn) -> None:
        self.steps += 1
        try:
            with session_scope(self.c.engine) as s:
                fn(s)
        except (GateError, NotFound, Forbidden):
            pass  # refused: the invariant must still hold

    @rule(flagged=st.booleans(), author=st.sampled_from(["priya", "rita", "ada"]),
          client=st.sampled_from(["Daniel Okafor", "Other Client"]))
    def upload(self, flagged: bool, author: str, client: str) -> None:
        self.steps += 1
        at = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=next(self.when))).isoformat()
        make_draft(self.c, COMPLAINT_CALL if flagged else PLAIN_CALL, author=author, client=client,
                   occurred_at=at)

    @rule(i=st.integers(0, 50), who=st.sampled_from([u for u, _ in USERS]), stale=st.booleans())
    def approve(self, i: int, who: str, stale: bool) -> None:
        item = self._pick(i)
        if item is not None:
            self._try(lambda s: decide(session=s, review_id=item.id, decision=Approve(), user=self.users[who],
                                       expected_version=item.version - (1 if stale else 0)))

    @rule(i=st.integers(0, 50))
    def approve_and_release_by_someone_allowed(self, i: int) -> None:
        # Steers runs towards releases so the invariant is tested on real records and outbox rows.
        item = self._pick(i)
        if item is None:
            return
        with Session(self.c.engine) as s:
            allowed = [u for u in self.users.values() if u.role != "service"
                       and may_approve(item, u, makers(s, item)) is None]
        if allowed:
            who = allowed[0]
            self._try(lambda s: decide(session=s, review_id=item.id, decision=Approve(), user=who,
                                       expected_version=item.version))
            self._try(lambda s: release(session=s, review_id=item.id, user=who))

    @rule(i=st.integers(0, 50), who=st.sampled_from([u for u, _ in USERS]), sensitive=st.booleans())
    def edit(self, i: int, who: str, sensitive: bool) -> None:
        item = self._pick(i)
        if item is None:
            return
        with Session(self.c.engine) as s:
            content = json.loads(s.get(Draft, item.current_draft_id).content_json)
        if item.kind == "client_message":
            content["body"] += "\nKind regards." if not sensitive else "\nWe will waive the fee."
        else:
            content["summary"]["key_facts"] = content["summary"]["key_facts"] + [
                "Client raised a formal complaint" if sensitive else f"Note {self.steps}"]
        self._try(lambda s: decide(session=s, review_id=item.id, decision=Edit(content=content),
                                   user=self.users[who], expected_version=item.version))

    @rule(i=st.integers(0, 50), who=st.sampled_from([u for u, _ in USERS]))
    def reject(self, i: int, who: str) -> None:
        item = self._pick(i)
        if item is not None:
            self._try(lambda s: decide(session=s, review_id=item.id, decision=Reject(reason="not right"),
                                       user=self.users[who], expected_version=item.version))

    @rule(i=st.integers(0, 50), who=st.sampled_from([u for u, _ in USERS]))
    def claim_it(self, i: int, who: str) -> None:
        item = self._pick(i)
        if item is not None:
            self._try(lambda s: claim(session=s, review_id=item.id, user=self.users[who]))

    @rule(i=st.integers(0, 50), who=st.sampled_from([u for u, _ in USERS]))
    def release_it(self, i: int, who: str) -> None:
        item = self._pick(i)
        if item is not None:
            self._try(lambda s: release(session=s, review_id=item.id, user=self.users[who]))

    @invariant()
    def released_only_with_allowed_approval(self) -> None:
        with Session(self.c.engine) as s:
            users = {u.name: u for u in s.exec(select(User)).all()}
            outputs = [(r.review_id, r.draft_id, r.decision_id) for r in s.exec(select(InteractionRecord))]
            outputs += [(m.review_id, m.draft_id, m.decision_id) for m in s.exec(select(OutboxMessage))]
            assert len({o[0] for o in outputs}) == len(outputs), "released twice"
            for review_id, draft_id, decision_id in outputs:
                item = s.get(ReviewItem, review_id)
                decision = s.get(Decision, decision_id)
                assert item.status == "released"
                assert decision.kind == "approve" and decision.review_id == review_id
                assert decision.draft_id == draft_id == item.current_draft_id
                approver = users[decision.actor]
                assert may_approve(item, approver, makers(s, item)) is None, (item, approver)
                if item.requires_checker:
                    assert approver.name != item.author and approver.role in ("reviewer", "admin")
            for item in s.exec(select(ReviewItem).where(ReviewItem.status.in_(["approved", "released"]))):
                assert s.exec(select(Decision).where(Decision.review_id == item.id,
                                                     Decision.kind == "approve")).first() is not None

    def teardown(self) -> None:
        with Session(self.c.engine) as s:
            assert verify_chain(s).ok
        STEPS.append(self.steps)
        with Session(self.c.engine) as s:
            RELEASED.append(len(s.exec(select(InteractionRecord)).all()) + len(s.exec(select(OutboxMessage)).all()))
        self.c.engine.dispose()


def test_every_release_has_an_allowed_approval(settings) -> None:
    Gate.base, Gate.examples, Gate.when = settings, count(), count()
    run_state_machine_as_test(Gate, settings=hsettings(
        max_examples=40, stateful_step_count=25, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
    print(f"\nstate machine: {len(STEPS)} examples, {sum(STEPS)} steps, {sum(RELEASED)} releases")  # noqa: T201
    assert sum(RELEASED) > 0
