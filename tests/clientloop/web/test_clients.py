"""Client pages: a paged list, brief lines that open their source, actions closed and reopened with a reason."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from clientloop.web import clients as client_pages
from clientloop.web.pages import _pretty
from records.session import session_scope
from review.models import AuditEvent, RecordAction
from review.users import rotate_key
from tests.factories import make_client, release_one


@pytest.fixture
def priya(container) -> TestClient:
    """Priya signed in, with one released interaction for Daniel Okafor."""
    release_one(container)
    with session_scope(container.engine) as s:
        key = rotate_key(session=s, name="priya", actor="test")[1]
    client = TestClient(create_app(container), follow_redirects=False)
    client.get("/ui/login")
    r = client.post("/ui/login", data={"key": key, "csrf_token": client.cookies.get("clientloop_csrf"), "next": "/ui/"})
    assert r.status_code == 303
    return client


def _client_id(container) -> str:
    from records.tables import Client

    with Session(container.engine) as s:
        return s.exec(select(Client).where(Client.name == "Daniel Okafor")).one().id


def test_client_list_is_paged(container, priya, monkeypatch) -> None:
    monkeypatch.setattr(client_pages, "CLIENTS_PER_PAGE", 2)
    for n in range(3):
        make_client(container, f"Client {n}", owner="priya")
    first = priya.get("/ui/clients").text
    assert "Page 1 of 2" in first and 'href="/ui/clients?page=2"' in first
    second = priya.get("/ui/clients?page=2").text
    assert "Page 2 of 2" in second and second.count("/brief\"") == 2


def test_a_brief_line_opens_its_interaction_with_the_span_marked(container, priya) -> None:
    cid = _client_id(container)
    brief = priya.get(f"/ui/clients/{cid}/brief").text
    links = re.findall(r'href="(/ui/clients/[^"]+/records/[^"]+)"', brief)
    assert links, "no brief line links to its interaction"
    page = priya.get(links[0].replace("&amp;", "&"))
    assert page.status_code == 200 and '<mark class="evidence"' in page.text and 'id="span"' in page.text


def test_an_action_is_closed_and_reopened_from_the_brief_with_a_reason(container, priya) -> None:
    cid = _client_id(container)
    with Session(container.engine) as s:
        action = s.exec(select(RecordAction).order_by(RecordAction.ordinal)).first()
    brief = priya.get(f"/ui/clients/{cid}/brief").text
    assert f"/actions/{action.id}/close" in brief
    csrf = priya.cookies.get("clientloop_csrf")
    r = priya.post(f"/ui/clients/{cid}/actions/{action.id}/close",
                   data={"csrf_token": csrf, "reason": "illustration sent", "status": "done"})
    assert r.status_code == 303 and "done=done" in r.headers["location"]
    page = priya.get(r.headers["location"]).text
    assert "Action closed (done)" in page and f"/actions/{action.id}/reopen" in page  # undo from the notice
    again = priya.post(f"/ui/clients/{cid}/actions/{action.id}/close",
                       data={"csrf_token": csrf, "reason": "sent twice", "status": "done"})
    assert again.status_code == 422 and "The action was not changed" in again.text
    assert 'value="sent twice"' in again.text and "Brief:" in again.text  # back on the brief, the reason kept
    r = priya.post(f"/ui/clients/{cid}/actions/{action.id}/reopen", data={"csrf_token": csrf, "reason": ""})
    assert r.status_code == 422  # a reason is required
    r = priya.post(f"/ui/clients/{cid}/actions/{action.id}/reopen", data={"csrf_token": csrf, "reason": "bounced"})
    assert r.status_code == 303
    with Session(container.engine) as s:
        assert s.get(RecordAction, action.id).status == "open"
        kinds = [e.event_type for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert kinds[-2:] == ["action_close", "action_reopen"]


def test_stored_codes_read_as_words() -> None:
    assert _pretty("owned_action") == "an owned action" and _pretty("next_contact") == "at the next contact"
    assert _pretty("payment_issue") == "payment issue"


def test_each_open_action_has_one_close_form_and_its_other_lines_link_to_it(container, priya) -> None:
    cid = _client_id(container)
    brief = priya.get(f"/ui/clients/{cid}/brief").text
    with Session(container.engine) as s:
        ids = [a.id for a in s.exec(select(RecordAction).where(RecordAction.status == "open")).all()]
    assert ids
    for action_id in ids:
        assert brief.count(f"/actions/{action_id}/close") == 1, action_id
    links = re.findall(r'href="#(L\d+)">close or reopen it at', brief)
    assert links and all(f'<li id="{line}">' in brief for line in links)  # each link lands on a line with the form
