"""The read routes that do their database work in one thread-pool hop answer exactly what they did.

Each body is compared, field for field, with what the route built from the domain calls
before it was an `async def` route (the same calls, made here in a session of the test's
own), so moving the work into `Database.run` cannot change a response unnoticed. The
statuses by role are in `test_access_matrix.py`.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session

from clientloop.api import create_app
from tests.factories import BOOK_TODAY, auth_headers, make_book_world, user_named


@pytest.fixture(scope="module")
def world(module_container):
    from clientloop.kb_changes import propose

    world = make_book_world(module_container)
    # A knowledge document people changed twice, so its versions are not an empty list.
    ada, settings = user_named(world.container, "ada"), world.container.settings
    settings.kb_requires_approval = False
    try:
        propose(world.container, b"# Cards\n\nA lost card is blocked at once.\n", "cards.md", ada)
        second = propose(world.container, b"# Cards\n\nA lost card is blocked within a minute.\n", "cards.md", ada)
    finally:
        settings.kb_requires_approval = True
    assert second.ingested is not None
    world.kb_changed_id = second.ingested.source_id  # type: ignore[attr-defined]
    return world


@pytest.fixture(scope="module")
def api(world):
    client = TestClient(create_app(world.container))
    return lambda path, who: client.get(path, headers=auth_headers(world.keys[who]))


def _json(type_: object, value: object) -> object:
    """A value as FastAPI writes a route's return annotation on the wire."""
    return TypeAdapter(type_).dump_python(value, mode="json")


@pytest.mark.parametrize("who", ["priya", "rita", "ada"])
def test_draft_body_and_etag_are_unchanged(world, api, who: str) -> None:
    from clientloop.api.drafts import DraftPublic
    from clientloop.api.drafts import _visible_draft as visible_draft

    with Session(world.container.engine) as s:
        draft, item = visible_draft(s, world.draft_id, user_named(world.container, who))
        expected = DraftPublic(
            id=draft.id, lineage_id=draft.lineage_id, version=draft.version, parent_id=draft.parent_id,
            kind=draft.kind, source_id=draft.source_id, client_id=draft.client_id, author=draft.author,
            engine=draft.engine, fallback=draft.fallback, created_at=draft.created_at, review_id=item.id,
            review_status=item.status, content=json.loads(draft.content_json))
        etag = f'"{item.version}"'
    r = api(f"/v1/drafts/{world.draft_id}", who)
    assert r.status_code == 200 and r.json() == _json(DraftPublic, expected) and r.headers["etag"] == etag


def test_draft_versions_body_is_unchanged(world, api) -> None:
    from clientloop.api.drafts import DraftVersion
    from records.tables import Draft
    from review.audit import reconstruct_versions

    with Session(world.container.engine) as s:
        expected = [DraftVersion(**v) for v in reconstruct_versions(s, s.get(Draft, world.draft_id).lineage_id)]
    r = api(f"/v1/drafts/{world.draft_id}/versions", "rita")
    assert r.status_code == 200 and r.json() == _json(list[DraftVersion], expected) and r.json()


@pytest.mark.parametrize(("doc", "who"), [("client_doc_id", "priya"), ("kb_doc_id", "sam"),
                                          ("kb_changed_id", "tom")])
def test_document_body_is_unchanged(world, api, doc: str, who: str) -> None:
    from clientloop.api.documents import DocumentPublic, to_public
    from records.tables import Source

    doc_id = getattr(world, doc)
    with Session(world.container.engine) as s:
        expected = to_public(s.get(Source, doc_id))
    r = api(f"/v1/documents/{doc_id}", who)
    assert r.status_code == 200 and r.json() == _json(DocumentPublic, expected)


def test_document_versions_body_is_unchanged(world, api) -> None:
    from clientloop.api.documents import KBChangeView, change_view
    from clientloop.kb_changes import change_text, changes
    from records.tables import Source

    with Session(world.container.engine) as s:
        row = s.get(Source, world.kb_changed_id)
        expected = [change_view(c, change_text(world.container, c)) for c in changes(s, filename=row.filename)
                    if c.status in ("approved", "superseded")]
    r = api(f"/v1/documents/{world.kb_changed_id}/versions", "sam")
    assert r.status_code == 200 and r.json() == _json(list[KBChangeView], expected) and r.json()
    assert api(f"/v1/documents/{world.client_doc_id}/versions", "sam").status_code == 404


@pytest.mark.parametrize("who", ["priya", "rita", "sam"])
def test_job_body_is_unchanged(world, api, who: str) -> None:
    from clientloop.api.interactions import DraftView, JobView
    from clientloop.interactions import readable_job
    from review.explain import review_state

    with Session(world.container.engine) as s:
        seen = readable_job(s, world.job_id, user_named(world.container, who)) if who != "sam" else None
        if seen is None:
            assert api(f"/v1/jobs/{world.job_id}", who).status_code == 404
            return
        job, draft = seen.job, seen.draft
        view = DraftView(id=draft.id, version=draft.version, engine=draft.engine, model=draft.model,
                         prompt_version=draft.prompt_version, fallback=draft.fallback, source_id=draft.source_id,
                         created_at=draft.created_at, content=json.loads(draft.content_json))
        expected = JobView(id=job.id, status=job.status, attempts=job.attempts, error=job.error,
                           source_id=job.source_id, created_at=job.created_at, updated_at=job.updated_at, draft=view,
                           review=review_state(s, lineage_id=draft.lineage_id))
    r = api(f"/v1/jobs/{world.job_id}", who)
    assert r.status_code == 200 and r.json() == _json(JobView, expected)


@pytest.mark.parametrize(("who", "query"), [("priya", ""), ("ada", ""), ("ada", "?offset=2&limit=3"),
                                            ("rita", "?q=a&limit=5"), ("tom", "?q=zzz-nobody")])
def test_client_list_body_is_unchanged(world, api, who: str, query: str) -> None:
    from sqlalchemy import func
    from sqlmodel import col, select

    from clientloop.api.clients import ClientListItem, ClientPage
    from clients.models import ClientProfile
    from records.access import book_filter
    from records.tables import Client

    params = dict(p.split("=") for p in query.lstrip("?").split("&") if p)
    offset, limit, q = int(params.get("offset", 0)), int(params.get("limit", 50)), params.get("q")
    user = user_named(world.container, who)
    with Session(world.container.engine) as s:
        in_book = book_filter(user, Client.id)
        rows = s.exec(select(Client, ClientProfile.external_id)
                      .join(ClientProfile, col(ClientProfile.client_id) == col(Client.id), isouter=True)
                      .where(in_book, col(Client.name).contains(q) if q else True)
                      .order_by(col(Client.name)).offset(offset).limit(limit)).all()
        total = s.exec(select(func.count()).select_from(Client)
                       .where(in_book, col(Client.name).contains(q) if q else True)).one()
    expected = ClientPage(items=[ClientListItem(id=c.id, name=c.name, external_id=ext, segment=c.segment,
                                                relationship_owner=c.relationship_owner) for c, ext in rows],
                          total=total, offset=offset, limit=limit)
    r = api(f"/v1/clients{query}", who)
    assert r.status_code == 200 and r.json() == _json(ClientPage, expected)
    assert r.json()["items"] or q == "zzz-nobody"


@pytest.mark.parametrize(("who", "query"), [("priya", ""), ("ada", "?owner=priya&period_days=7"), ("rita", "")])
def test_weekly_body_is_unchanged(world, api, who: str, query: str) -> None:
    from clients.weekly import WeeklyReview, weekly_review

    params = dict(p.split("=") for p in query.lstrip("?").split("&") if p)
    with Session(world.container.engine) as s:
        expected = weekly_review(session=s, owner=params.get("owner"), user=user_named(world.container, who),
                                 as_of=date.fromisoformat(BOOK_TODAY),
                                 period_days=int(params.get("period_days", 30)))
    sep = "&" if query else "?"
    r = api(f"/v1/weekly{query}{sep}as_of={BOOK_TODAY}", who)
    assert r.status_code == 200 and _without_ids(r.json()) == _without_ids(_json(WeeklyReview, expected))


def _without_ids(value: object) -> object:
    """A weekly review without its alert ids: each run of the alert rules names its alerts afresh."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "alert_id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_note_quality_body_is_unchanged(world, api) -> None:
    from clients.note_quality import assess_draft
    from records.ids import utcnow
    from records.tables import Draft, Source

    with Session(world.container.engine) as s:
        draft = s.get(Draft, world.draft_id)
        expected = assess_draft(json.loads(draft.content_json), s.get(Source, draft.source_id).text,
                                as_of=utcnow().date())
    r = api(f"/v1/drafts/{world.draft_id}/note-quality", "priya")
    assert r.status_code == 200 and r.json() == json.loads(json.dumps(expected, default=str))
    assert api(f"/v1/drafts/{world.draft_id}/note-quality", "tom").status_code == 404
