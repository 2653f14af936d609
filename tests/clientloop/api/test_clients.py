from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from clients.demo_book import BOOK_DIR, load_demo_book
from records.session import session_scope
from records.tables import Client
from review.models import RecordAction
from tests.factories import auth_headers, make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def api(container):
    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    keys = {name: make_user(container, name, role)[1]
            for name, role in [("priya", "rm"), ("tom", "rm"), ("rita", "reviewer"), ("ada", "admin"),
                               ("sam", "service")]}
    client = TestClient(create_app(container))

    def call(method: str, path: str, who: str, **kw):
        return client.request(method, path, headers=auth_headers(keys[who]), **kw)

    return call


def _client_of(container, owner: str) -> Client:
    with Session(container.engine) as session:
        return session.exec(select(Client).where(Client.relationship_owner == owner).order_by(Client.name)).first()


def test_brief_for_own_client_and_404_otherwise(container, api):
    mine, theirs = _client_of(container, "priya"), _client_of(container, "tom")
    r = api("GET", f"/v1/clients/{mine.id}/brief?as_of={TODAY}", "priya")
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["sections"]) == 6 and all("source" in line for s in body["sections"] for line in s["lines"])
    assert api("GET", f"/v1/clients/{theirs.id}/brief", "priya").status_code == 404
    assert api("GET", "/v1/clients/nope/brief", "rita").json()["error"]["code"] == "unknown_client"
    assert api("GET", f"/v1/clients/{theirs.id}/brief", "rita").status_code == 200
    assert api("GET", f"/v1/clients/{theirs.id}/brief", "sam").status_code == 403


def test_client_list_is_paginated_and_scoped(container, api):
    page = api("GET", "/v1/clients?limit=5&offset=0", "priya").json()
    assert page["total"] == 10 and len(page["items"]) == 5
    assert {i["relationship_owner"] for i in page["items"]} == {"priya"}
    assert api("GET", "/v1/clients?limit=100", "ada").json()["total"] == 30


def test_weekly_and_close_action(container, api):
    weekly = api("GET", f"/v1/weekly?as_of={TODAY}", "priya").json()
    assert weekly["owner"] == "priya" and weekly["clients"] == 10
    overdue = [a for rows in weekly["overdue_by_owner"].values() for a in rows]
    assert overdue
    action_id = overdue[0]["action_id"]
    r = api("POST", f"/v1/actions/{action_id}/close", "priya", json={"reason": "done on the call"})
    assert r.status_code == 200 and r.json()["to_status"] == "done" and r.json()["actor"] == "priya"
    again = api("POST", f"/v1/actions/{action_id}/close", "priya", json={"reason": "x"})
    assert again.status_code == 422
    reopened = api("POST", f"/v1/actions/{action_id}/close", "priya", json={"reason": "not done", "status": "open"})
    assert reopened.json()["to_status"] == "open"
    with Session(container.engine) as session:
        theirs = session.exec(select(RecordAction).join(Client, Client.id == RecordAction.client_id)
                              .where(Client.relationship_owner == "tom")).first()
    assert api("POST", f"/v1/actions/{theirs.id}/close", "priya", json={"reason": "x"}).status_code == 404
    assert api("POST", "/v1/actions/nope/close", "ada", json={"reason": "x"}).status_code == 404


def test_import_endpoint_reports_rows_and_is_admin_only(container, api):
    mapping = (BOOK_DIR / "mapping.yaml").read_text()
    data = b"Client ID,Client Name,RM\nCRM-9001,New Client,priya\nCRM-9002,,priya\n"
    files = [("files", ("clients.csv", data, "text/csv"))]
    assert api("POST", "/v1/clients/import", "priya", files=files, data={"mapping": mapping}).status_code == 403
    r = api("POST", "/v1/clients/import", "ada", files=files, data={"mapping": mapping})
    assert r.status_code == 200, r.text
    report = r.json()[0]
    assert report["created"] == 1 and report["errors"][0]["line"] == 3
    bad = api("POST", "/v1/clients/import", "ada", files=[("files", ("clients.csv", b"Nope\n1\n", "text/csv"))],
              data={"mapping": mapping})
    assert bad.status_code == 422 and "missing column" in bad.json()["error"]["message"]
