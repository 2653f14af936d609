"""The handover over HTTP: the one-read view by role, and the change of owner with an admin's approval."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from clients.demo_book import load_demo_book
from records.session import session_scope
from records.tables import Client
from tests.factories import auth_headers, make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def api(container):
    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    keys = {name: make_user(container, name, role)[1]
            for name, role in [("priya", "rm"), ("tom", "rm"), ("rita", "reviewer"), ("ada", "admin"),
                               ("zed", "admin"), ("sam", "service")]}
    client = TestClient(create_app(container))

    def call(method: str, path: str, who: str, **kw):
        return client.request(method, path, headers=auth_headers(keys[who]), **kw)

    return call


def _priyas_client(container) -> Client:
    with Session(container.engine) as session:
        return session.exec(select(Client).where(Client.relationship_owner == "priya").order_by(Client.name)).first()


def test_handover_is_read_by_the_owner_and_reviewers_but_not_other_rms_or_service(container, api):
    client = _priyas_client(container)
    path = f"/v1/clients/{client.id}/handover?as_of={TODAY}"
    r = api("GET", path, "priya")
    assert r.status_code == 200, r.text
    assert len(r.json()["sections"]) == 9 and r.json()["owner"] == "priya"
    assert api("GET", path, "rita").status_code == 200
    assert api("GET", path, "tom").status_code == 404  # outside tom's book: as if it did not exist
    assert api("GET", path, "sam").status_code == 403


def test_a_change_of_owner_waits_for_a_second_admin(container, api):
    client = _priyas_client(container)
    r = api("POST", f"/v1/clients/{client.id}/handover", "priya", json={"to": "tom", "reason": "leaving"})
    assert r.status_code == 201, r.text
    change = r.json()
    assert change["status"] == "pending" and change["to_owner"] == "tom"
    assert api("POST", f"/v1/handovers/{change['id']}/approve", "priya", json={}).status_code == 403
    r = api("POST", f"/v1/handovers/{change['id']}/approve", "ada", json={"reason": "ok"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert api("GET", f"/v1/clients/{client.id}/handover", "tom").status_code == 200  # now in tom's book
    assert api("GET", f"/v1/clients/{client.id}/handover", "priya").status_code == 404
    assert api("POST", f"/v1/handovers/{change['id']}/reject", "zed", json={}).status_code == 422


def test_an_admin_cannot_approve_their_own_proposal(container, api):
    client = _priyas_client(container)
    change = api("POST", f"/v1/clients/{client.id}/handover", "ada", json={"to": "tom"}).json()
    r = api("POST", f"/v1/handovers/{change['id']}/approve", "ada", json={})
    assert r.status_code == 403 and "another admin" in r.text
