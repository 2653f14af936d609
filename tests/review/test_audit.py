from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from records.ids import canonical_json, sha256_tag
from review.audit import GENESIS, append_event, reconstruct_versions, verify_chain
from review.models import AuditEvent
from tests.factories import content_of, make_client, make_draft, make_user


def _append(container, n: int = 5) -> None:
    with Session(container.engine) as s:
        for i in range(n):
            append_event(s, event_type="claim", actor=f"user{i}", payload={"i": i, "note": "café ✓"})
        s.commit()


def _is_pg(container) -> bool:
    return container.engine.dialect.name == "postgresql"


def _tamper(container, sql: str, **params) -> None:
    """Change audit rows behind the application's back (on PostgreSQL, with the trigger disabled)."""
    with container.engine.begin() as conn:
        if _is_pg(container):
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        conn.execute(text(sql), params)
        if _is_pg(container):
            conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only"))


def _verify(container):
    with Session(container.engine) as s:
        return verify_chain(s)


def test_canonical_json_is_sorted_compact_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": ["é", 2]}) == '{"a":["é",2],"b":1}'
    assert sha256_tag("x").startswith("sha256:") and len(sha256_tag("x")) == 71


def test_chain_links_each_event_to_the_previous(container) -> None:
    _append(container, 3)
    with Session(container.engine) as s:
        rows = s.query(AuditEvent).order_by(AuditEvent.id).all()
    assert [r.id for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    assert len({r.event_id for r in rows}) == 3 and rows[0].event_id < rows[2].event_id  # monotonic ULIDs
    result = _verify(container)
    assert result.ok and result.checked == 3 and result.head_hash == rows[2].hash


def test_verify_catches_modified_payload(container) -> None:
    _append(container)
    _tamper(container, "UPDATE auditevent SET payload_json = :p WHERE id = 3", p='{"i":99}')
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 3 and "payload" in result.reason


def test_verify_catches_modified_actor(container) -> None:
    _append(container)
    _tamper(container, "UPDATE auditevent SET actor = 'mallory' WHERE id = 2")
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 2 and "modified" in result.reason


def test_verify_catches_modified_payload_with_recomputed_digest(container) -> None:
    _append(container)
    forged = canonical_json({"i": 1, "note": "forged"})
    _tamper(container, "UPDATE auditevent SET payload_json = :p, payload_digest = :d WHERE id = 2",
            p=forged, d=sha256_tag(forged))
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 2


def test_verify_catches_deleted_row(container) -> None:
    _append(container)
    _tamper(container, "DELETE FROM auditevent WHERE id = 3")
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 3 and "deleted" in result.reason


def test_verify_catches_deleted_first_row(container) -> None:
    _append(container)
    _tamper(container, "DELETE FROM auditevent WHERE id = 1")
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 1


def test_verify_catches_inserted_row(container) -> None:
    _append(container)
    # Make room after event 2 and slip a well-formed event in, chained to event 2.
    with Session(container.engine) as s:
        second = s.get(AuditEvent, 2)
        prev = second.hash
    _tamper(container, "UPDATE auditevent SET id = id + 100 WHERE id > 2")
    _tamper(container, "UPDATE auditevent SET id = id - 99 WHERE id > 100")
    from review.audit import event_hash

    payload = canonical_json({"forged": True})
    digest = sha256_tag(payload)
    with Session(container.engine) as s:
        when = s.get(AuditEvent, 1).occurred_at
    h = event_hash(seq=3, event_id="01FORGED", event_type="decision", actor="mallory", occurred_at=when,
                   payload_digest=digest, prev_hash=prev)
    _tamper(container, "INSERT INTO auditevent (id, event_id, event_type, actor, occurred_at, payload_json, "
            "payload_digest, prev_hash, hash) VALUES (3, '01FORGED', 'decision', 'mallory', :w, :p, :d, :prev, :h)",
            w=when, p=payload, d=digest, prev=prev, h=h)
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 4 and "prev_hash" in result.reason


def test_verify_catches_reordered_rows(container) -> None:
    _append(container)
    _tamper(container, "UPDATE auditevent SET id = 100 WHERE id = 2")
    _tamper(container, "UPDATE auditevent SET id = 2 WHERE id = 4")
    _tamper(container, "UPDATE auditevent SET id = 4 WHERE id = 100")
    result = _verify(container)
    assert not result.ok and result.first_broken_seq == 2


def test_verify_catches_rewritten_chain_with_recorded_head(container) -> None:
    _append(container, 3)
    head = _verify(container).head_hash
    _tamper(container, "DELETE FROM auditevent WHERE id = 3")
    with Session(container.engine) as s:
        assert verify_chain(s).ok  # a truncated tail looks whole on its own ...
        result = verify_chain(s, expected_head=head)  # ... but not against a head recorded elsewhere
    assert not result.ok and "head" in result.reason


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_audit_rows(container) -> None:
    if not _is_pg(container):
        pytest.skip("the append-only trigger exists only on PostgreSQL")
    _append(container, 2)
    for sql in ("UPDATE auditevent SET actor = 'mallory' WHERE id = 1", "DELETE FROM auditevent WHERE id = 2"):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(sql))
    assert _verify(container).ok


def test_concurrent_appends_keep_one_chain(container) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from records.session import session_scope

    def work(i: int) -> None:
        with session_scope(container.engine) as s:
            append_event(s, event_type="claim", actor=f"t{i}", payload={"i": i})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(40)))
    result = _verify(container)
    assert result.ok and result.checked == 40


def test_versions_are_recreated_from_the_trail_alone(container) -> None:
    from records.session import session_scope
    from records.tables import Draft
    from review.decisions import Edit, decide
    from tests.factories import review_of

    make_client(container)
    reviewer, _ = make_user(container, "rita", "reviewer")
    draft = make_draft(container)
    original = content_of(draft)
    edited = json.loads(json.dumps(original))
    edited["summary"]["key_facts"] = ["Edited once"]
    item = review_of(container, draft.id)
    with session_scope(container.engine) as s:
        decide(session=s, review_id=item.id, decision=Edit(content=edited), user=reviewer, expected_version=1)
    twice = json.loads(json.dumps(edited))
    twice["summary"]["key_facts"] = ["Edited twice"]
    with session_scope(container.engine) as s:
        decide(session=s, review_id=item.id, decision=Edit(content=twice), user=reviewer, expected_version=2)
    with Session(container.engine) as s:
        versions = reconstruct_versions(s, draft.lineage_id)
        rows = s.query(Draft).filter(Draft.lineage_id == draft.lineage_id).order_by(Draft.version).all()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["content"] == original and versions[0]["actor"].startswith("engine:")
    assert versions[1]["content"]["summary"]["key_facts"] == ["Edited once"] and versions[1]["actor"] == "rita"
    assert versions[2]["content"]["summary"]["key_facts"] == ["Edited twice"]
    assert [v["draft_id"] for v in versions] == [r.id for r in rows]
    assert [v["content"] for v in versions] == [json.loads(r.content_json) for r in rows]


@pytest.fixture
def app_role_container(settings, embeddings, container):
    """A second container on the same (clean) database whose connections run as `clientloop_app`."""
    from clientloop.container import Container

    if not _is_pg(container):
        pytest.skip("database roles exist only on PostgreSQL")
    c = Container(settings.model_copy(update={"database_app_role": "clientloop_app"}))
    c.__dict__["embeddings"] = embeddings
    yield c
    c.engine.dispose()


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_audit_rows_even_for_the_owner(container) -> None:
    if not _is_pg(container):
        pytest.skip("the truncate trigger exists only on PostgreSQL")
    _append(container, 2)
    with pytest.raises(DBAPIError, match="TRUNCATE refused"), container.engine.begin() as conn:
        conn.execute(text("TRUNCATE auditevent"))
    with pytest.raises(DBAPIError, match="TRUNCATE refused"), container.engine.begin() as conn:
        conn.execute(text("TRUNCATE auditevent, reviewitem CASCADE"))
    assert _verify(container).checked == 2


@pytest.mark.postgres
def test_app_role_may_only_insert_and_select_audit_rows(app_role_container) -> None:
    c = app_role_container
    with c.engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == "clientloop_app"
    _append(c, 3)  # INSERT works under the app role
    assert _verify(c).ok and _verify(c).checked == 3  # and so does SELECT
    refused = {
        "UPDATE auditevent SET actor = 'mallory' WHERE id = 1": "permission denied",
        "DELETE FROM auditevent WHERE id = 3": "permission denied",
        "TRUNCATE auditevent": "permission denied",
        "ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only": "must be owner",
        "ALTER TABLE auditevent DISABLE TRIGGER auditevent_no_truncate": "must be owner",
        "DROP TRIGGER auditevent_append_only ON auditevent": "must be owner",
        "DROP TABLE auditevent": "must be owner",
        "ALTER TABLE auditevent OWNER TO clientloop_app": "must be owner",
    }
    for sql, message in refused.items():
        with pytest.raises(DBAPIError, match=message), c.engine.begin() as conn:
            conn.execute(text(sql))
    assert _verify(c).ok and _verify(c).checked == 3


@pytest.mark.postgres
def test_app_role_runs_the_whole_review_flow(app_role_container) -> None:
    from records.session import session_scope
    from review.decisions import Approve, decide
    from review.release import release
    from tests.factories import review_of

    c = app_role_container
    make_client(c)
    make_user(c, "rex", "reviewer")
    draft = make_draft(c)
    item = review_of(c, draft.id)
    from review.users import get_user

    with session_scope(c.engine) as s:
        rex = get_user(session=s, name="rex")
        out = decide(session=s, review_id=item.id, decision=Approve(), user=rex, expected_version=item.version)
    with session_scope(c.engine) as s:
        assert release(session=s, review_id=out.item.id, user=rex).created
    assert _verify(c).ok


@pytest.mark.postgres
def test_audit_table_is_owned_by_the_owner_role_not_the_app(container) -> None:
    if not _is_pg(container):
        pytest.skip("database roles exist only on PostgreSQL")
    with container.engine.connect() as conn:
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'auditevent'")).scalar()
        grants = set(conn.execute(text(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'auditevent' AND grantee = 'clientloop_app'")).scalars())
        other = set(conn.execute(text(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'reviewitem' AND grantee = 'clientloop_app'")).scalars())
    assert owner == "clientloop_owner"
    assert grants == {"SELECT", "INSERT"}
    assert other == {"SELECT", "INSERT", "UPDATE", "DELETE"}
