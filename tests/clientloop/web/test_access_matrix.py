"""Every page, opened or posted by each role: the status the one access rule (records/access.py) gives.

The same cases as the API's matrix (tests/clientloop/api/test_access_matrix.py): priya
owns CRM-1001, tom is an RM of another book, then a reviewer, a service agent and an
admin. A successful POST answers 303 (post/redirect/get).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clientloop.api import create_app
from tests.factories import COMPLAINT_CALL, PLAIN_CALL, make_book_world, make_draft, next_moment, review_of

WHO = ("priya", "tom", "rita", "sam", "ada")
"""Own-book RM, other-book RM, reviewer, service, admin: the order of every row below."""


@pytest.fixture(scope="module")
def world(module_container):
    return make_book_world(module_container)


@pytest.fixture(scope="module")
def browsers(world):
    """One signed-in browser per user."""
    app = create_app(world.container)
    out = {}
    for who in WHO:
        client = TestClient(app, follow_redirects=False)
        client.get("/ui/login")
        r = client.post("/ui/login", data={"key": world.keys[who], "csrf_token": _csrf(client), "next": "/ui/"})
        assert r.status_code == 303, r.text
        out[who] = client
    return out


def _csrf(client: TestClient) -> str:
    return client.cookies.get("clientloop_csrf") or ""


def _post(client: TestClient, url: str, data: dict, **kw):
    return client.post(url, data={"csrf_token": _csrf(client), **data}, **kw)


def _cases(rows: dict[str, tuple[int, ...]]) -> list:
    return [pytest.param(route, who, status, id=f"{route}-{who}")
            for route, statuses in rows.items() for who, status in zip(WHO, statuses, strict=True)]


PAGES = {
    "/ui/": (200, 200, 200, 200, 200),
    "/ui/ask": (200, 200, 200, 200, 200),
    "/ui/upload": (200, 200, 403, 200, 200),
    "/ui/jobs/{job}": (200, 404, 200, 404, 200),
    "/ui/reviews": (200, 200, 200, 403, 200),
    "/ui/reviews/{review}": (200, 404, 200, 403, 200),
    "/ui/clients": (200, 200, 200, 403, 200),
    "/ui/clients/{client}/brief": (200, 404, 200, 403, 200),
    "/ui/clients/CRM-1001/brief": (200, 404, 200, 403, 200),
    "/ui/weekly": (200, 200, 200, 403, 200),
    "/ui/themes": (200, 200, 200, 403, 200),
    "/ui/onboarding": (200, 200, 200, 403, 200),
    "/ui/clients/{client}/handover": (200, 404, 200, 403, 200),
}


@pytest.mark.parametrize(("page", "who", "status"), _cases(PAGES))
def test_page_answers_by_role(world, browsers, page: str, who: str, status: int) -> None:
    r = browsers[who].get(page.format(job=world.job_id, review=world.review_id, client=world.client_id))
    assert r.status_code == status, r.text


def test_job_page_shows_the_flagged_draft_only_to_those_who_may_read_drafts(world, browsers) -> None:
    assert "formal complaint" in browsers["priya"].get(f"/ui/jobs/{world.job_id}").text
    r = browsers["sam"].get(f"/ui/jobs/{world.job_id}")
    assert r.status_code == 404 and "formal complaint" not in r.text


def test_service_sees_its_own_upload_but_never_the_draft(world, browsers) -> None:
    from clientloop.worker import run_worker

    r = _post(browsers["sam"], "/ui/upload", {"client": "CRM-1001", "kind": "call_transcript",
                                             "text": COMPLAINT_CALL, "occurred_at": next_moment()[:16]})
    assert r.status_code == 303, r.text
    run_worker(world.container, once=True)
    page = browsers["sam"].get(r.headers["location"])
    assert page.status_code == 200 and "held for review" in page.text
    assert "formal complaint" not in page.text and "/ui/reviews/" not in page.text
    assert "formal complaint" in browsers["rita"].get(r.headers["location"]).text


POSTS = {
    "/ui/upload": (303, 404, 403, 303, 303),
    "/ui/ask": (200, 200, 200, 200, 200),
    "/ui/reviews/{fresh}/claim": (403, 404, 303, 403, 303),
    "/ui/reviews/{fresh}/decide": (403, 404, 303, 403, 303),  # approve a flagged draft priya made
}


@pytest.mark.parametrize(("form", "who", "status"), _cases(POSTS))
def test_form_answers_by_role(world, browsers, form: str, who: str, status: int) -> None:
    browser = browsers[who]
    if form == "/ui/upload":
        r = _post(browser, form, {"client": "CRM-1001", "kind": "call_transcript", "text": PLAIN_CALL,
                                  "occurred_at": next_moment()[:16]})
    elif form == "/ui/ask":
        r = _post(browser, form, {"question": "What does a CHAPS payment cost?"})
    else:
        fresh = review_of(world.container, make_draft(world.container, COMPLAINT_CALL, author="priya",
                                                      client="CRM-1001", occurred_at=next_moment()).id)
        data = {"version": "1", "kind": "approve"} if form.endswith("/decide") else {"version": "1"}
        r = _post(browser, form.format(fresh=fresh.id), data)
    assert r.status_code == status, r.text


def test_themes_page_links_examples_to_their_interactions_and_the_nav_links_it(world, browsers) -> None:
    page = browsers["priya"].get("/ui/themes").text
    assert 'href="/ui/themes"' in page and "Mentions by month" in page
    assert "/records/" in page and "?start=" in page
    assert browsers["priya"].get("/ui/themes?since=soon").status_code == 422
    assert "Service themes" in browsers["priya"].get("/ui/weekly").text


def test_handover_page_shows_every_section_and_links_from_the_brief(world, browsers) -> None:
    page = browsers["priya"].get(f"/ui/clients/{world.client_id}/handover").text
    for title in ("How the relationship started", "Key decisions", "Our promises still open",
                  "Restrictions and sensitivities", "What should happen next"):
        assert title in page
    assert f'href="/ui/clients/{world.client_id}/handover"' in browsers["priya"].get(
        f"/ui/clients/{world.client_id}/brief").text
