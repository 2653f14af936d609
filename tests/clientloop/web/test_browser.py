"""The review loop in a real browser: Debian's chromium driven by Playwright against uvicorn on loopback.

Needs `pip install playwright` (its bundled driver only; never `playwright install`) and
the `chromium` Debian package. Without them the test skips, unless
`CLIENTLOOP_REQUIRE_BROWSER=1`, when it fails. Screenshots go to /tmp/clientloop-ui/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clientloop.api import create_app
from tests.factories import COMPLAINT_CALL, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.once]  # slow: the SQLite pass only

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path("/tmp/clientloop-ui")


def _unavailable(reason: str) -> None:
    if os.environ.get("CLIENTLOOP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CLIENTLOOP_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> Iterator[object]:
    """A headless Debian chromium under Playwright (skips when either is missing)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright; the browser comes from apt: chromium)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"chromium did not start: {str(exc).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(app) -> Iterator[str]:
    """An app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(container) -> Iterator[str]:
    """The app as `clientloop serve` runs it: one drafting worker in the process, nothing else."""
    with serving(create_app(container, drafting_workers=1)) as base:
        yield base


def sign_in(browser, base: str, key: str, width: int = 1366, height: int = 768, **context):
    """A new browser context signed in with `key`, at a laptop's 1366x768 unless told."""
    page = browser.new_context(viewport={"width": width, "height": height}, **context).new_page()
    page.goto(f"{base}/ui/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/ui/")
    return page


def test_upload_draft_review_and_approve_in_a_browser(container, server, chromium) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    make_client(container, "Daniel Okafor", owner="priya")
    _, rm_key = make_user(container, "priya", "rm")
    _, reviewer_key = make_user(container, "rita", "reviewer")

    # The RM uploads a transcript (it holds markup, which must show as text).
    rm = sign_in(chromium, server, rm_key)
    rm.screenshot(path=str(SHOTS / "01-home-rm.png"), full_page=True)
    rm.get_by_role("link", name="Upload", exact=True).click()
    rm.get_by_label("Client").fill("Daniel Okafor")
    rm.get_by_label("Kind").select_option("call_transcript")
    rm.get_by_label("When it happened (UTC)").fill("2026-11-16T10:00")
    rm.get_by_label("Participant 1 name").fill("Priya Shah")
    rm.get_by_label("Participant 2 name").fill("Daniel Okafor")
    rm.get_by_label("…or paste the text").fill(COMPLAINT_CALL + "Daniel Okafor: <script>alert(1)</script>\n")
    rm.screenshot(path=str(SHOTS / "02-upload.png"), full_page=True)
    rm.get_by_role("button", name="Upload and draft").click()
    rm.wait_for_url("**/ui/jobs/*")
    rm.screenshot(path=str(SHOTS / "03-job-queued.png"), full_page=True)
    # Under `serve` alone the in-process worker drafts it (the page refreshes itself; the test reloads sooner).
    deadline = time.monotonic() + 60
    while not rm.locator("#draft-h").count():
        assert time.monotonic() < deadline, "the upload was not drafted under serve alone: " + rm.inner_text("main")
        time.sleep(0.5)
        rm.reload()
    expect(rm.locator("table.actions tbody tr").first).to_be_visible()
    rm.screenshot(path=str(SHOTS / "04-job-done.png"), full_page=True)

    # The reviewer works the queue.
    rev = sign_in(chromium, server, reviewer_key)
    rev.get_by_role("link", name="Reviews").click()
    expect(rev.get_by_role("cell", name="Daniel Okafor", exact=True)).to_be_visible()
    rev.screenshot(path=str(SHOTS / "05-queue.png"), full_page=True)
    rev.get_by_role("link", name="Open").first.click()
    rev.wait_for_url("**/ui/reviews/*")
    evidence = rev.locator("pre.source mark.evidence").first
    expect(evidence).to_be_visible()
    expect(rev.locator("pre.source mark.flag").first).to_be_visible()
    expect(rev.locator("pre.source")).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    rev.screenshot(path=str(SHOTS / "06-review.png"), full_page=True)
    narrow = rev.context.new_page()
    narrow.set_viewport_size({"width": 420, "height": 900})
    narrow.goto(rev.url)
    narrow.screenshot(path=str(SHOTS / "07-review-narrow.png"), full_page=True)

    rev.get_by_role("button", name="Approve draft v1").click()
    expect(rev.get_by_text("Approved by rita")).to_be_visible()
    expect(rev.get_by_text("Released to the record")).to_be_visible()
    rev.screenshot(path=str(SHOTS / "08-approved.png"), full_page=True)

    # The other pages render and read well (screenshots only; tests/clientloop/web/test_pages.py checks their content).
    from clientloop.ingest import ingest_bytes

    ingest_bytes(container, b"# Payments\n\n## CHAPS\n\nA CHAPS payment costs 25 GBP and arrives the same working "
                            b"day when sent before the 3pm cut-off.\n", "payments.md", kind="kb")
    rev.get_by_role("link", name="Ask").click()
    rev.get_by_label("Question").fill("How much does a CHAPS payment cost?")
    rev.get_by_role("button", name="Ask").click()
    expect(rev.locator("#answer-h")).to_be_visible()
    rev.screenshot(path=str(SHOTS / "09-ask.png"), full_page=True)
    rev.get_by_role("link", name="Briefs").click()
    rev.get_by_role("link", name="Daniel Okafor", exact=True).click()
    expect(rev.get_by_role("heading", name="Brief: Daniel Okafor")).to_be_visible()
    rev.screenshot(path=str(SHOTS / "10-brief.png"), full_page=True)
    rev.get_by_role("link", name="Weekly review").click()
    expect(rev.get_by_role("heading", name="Weekly review")).to_be_visible()
    rev.screenshot(path=str(SHOTS / "11-weekly.png"), full_page=True)
    rev.goto(f"{server}/ui/reviews/no-such-item")
    expect(rev.get_by_role("heading", name="Not found")).to_be_visible()
    rev.get_by_role("button", name="Sign out").click()
    rev.wait_for_url("**/ui/login")
    rev.screenshot(path=str(SHOTS / "12-login.png"), full_page=True)
