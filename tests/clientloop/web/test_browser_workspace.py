"""A reviewer's day in a real browser: claim, hand over, unclaim, a form edit with its diff, approve and
release, close an action from the brief; then every page checked with axe-core at 1366x768.

axe-core is vendored as `vendor/axe.min.js` (MPL-2.0, its licence header kept; `vendor/axe-core.LICENSE`),
so the check needs no network and no npm at test time. The pages forbid every script (CSP), so the
checking context bypasses the CSP to inject axe; the pages themselves run none. Screenshots go to
/tmp/clientloop-ui/.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.clientloop.web.test_browser import SHOTS, chromium, server, sign_in  # noqa: F401  (fixtures)
from tests.factories import COMPLAINT_CALL, make_client, make_draft, make_user, review_of

pytestmark = [pytest.mark.browser, pytest.mark.once]  # slow: the SQLite pass only

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page, one line each: impact, rule, help and the first targets."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']}: {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]]


def blocking(violations: list[str]) -> list[str]:
    return [v for v in violations if v.startswith(BLOCKING)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_claim_hand_over_edit_with_diff_approve_release_and_close_from_the_brief(container, server,  # noqa: F811
                                                                                  chromium) -> None:  # noqa: F811
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    make_client(container, "Daniel Okafor", owner="priya")
    make_user(container, "priya", "rm")
    _, rita_key = make_user(container, "rita", "reviewer")
    _, rex_key = make_user(container, "rex", "reviewer")
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    url = f"{server}/ui/reviews/{item.id}"

    rita = sign_in(chromium, server, rita_key, bypass_csp=True)
    rita.goto(url)
    rita.get_by_role("button", name="Claim this item").click()
    expect(rita.get_by_text("Claimed: other reviewers")).to_be_visible()
    rita.get_by_label("Hand over to").select_option("rex")
    rita.get_by_role("button", name="Hand over").click()
    expect(rita.get_by_text("Handed over")).to_be_visible()
    expect(rita.get_by_text("claimed by rex")).to_be_visible()
    rex = sign_in(chromium, server, rex_key, bypass_csp=True)
    rex.goto(url)
    rex.get_by_role("button", name="Give the claim back").click()
    expect(rex.get_by_text("Claim given back")).to_be_visible()
    expect(rex.get_by_text("unclaimed")).to_be_visible()

    # Rita edits through the form with the keyboard alone: open the editor, change a description.
    rita.goto(url)
    rita.locator("details.card > summary").focus()
    rita.keyboard.press("Enter")
    description = rita.get_by_label("Description").first
    description.fill("Log Daniel's complaint about the transfer today")
    rita.get_by_label("Purpose").select_option("service_issue")
    rita.get_by_label("Client sentiment").select_option("positive")  # the complaint call drafts as negative
    rita.get_by_role("button", name="Add a participant").click()  # the form comes back with every value kept
    expect(rita.get_by_label("Description").first).to_have_value("Log Daniel's complaint about the transfer today")
    expect(rita.get_by_label("Purpose")).to_have_value("service_issue")
    rita.get_by_label("Participant 3 name").fill("Sam Lee")
    rita.locator("#p2-role").select_option("operations")
    rita.locator("#p2-side").select_option("firm")
    rita.get_by_label("Why (optional)").fill("plainer wording")
    rita.screenshot(path=str(SHOTS / "20-edit-form.png"), full_page=True)
    rita.get_by_role("button", name="Save as draft v2").click()
    expect(rita.get_by_text("Saved as a new version")).to_be_visible()
    diff = rita.locator("table.diff")
    expect(diff).to_contain_text("Action 1 · description")
    expect(diff.locator("tr", has_text="Action 1 · description").locator("ins")).to_have_text(
        "Log Daniel's complaint about the transfer today")
    expect(diff.locator("tr", has_text="Purpose").locator("ins")).to_have_text("service issue")
    expect(diff.locator("tr", has_text="Sentiment").locator("del")).to_have_text("negative")
    expect(diff.locator("tr", has_text="Sentiment").locator("ins")).to_have_text("positive")
    expect(diff.locator("tr", has_text="Participant").locator("ins")).to_have_text("Sam Lee (operations, firm)")
    expect(rita.get_by_role("button", name="Approve draft v2")).to_be_disabled()  # maker-checker
    rita.screenshot(path=str(SHOTS / "21-edit-diff.png"), full_page=True)
    assert no_horizontal_scroll(rita) and not blocking(axe_violations(rita))

    # Rex approves with the keyboard alone: the skip link comes first, then Tab reaches the button.
    rex.goto(url)
    rex.keyboard.press("Tab")
    assert rex.evaluate("() => document.activeElement.textContent") == "Skip to content"
    rex.keyboard.press("Enter")
    for _ in range(200):
        rex.keyboard.press("Tab")
        if rex.evaluate("() => document.activeElement.textContent.trim()") == "Approve draft v2":
            break
    else:
        pytest.fail("Tab never reached the approve button")
    rex.keyboard.press("Enter")
    expect(rex.get_by_text("Approved by rex")).to_be_visible()
    expect(rex.get_by_text("Released to the record")).to_be_visible()

    # The released action shows in the brief and closes from there, with a reason.
    rex.get_by_role("link", name="Briefs").click()
    rex.get_by_role("link", name="Daniel Okafor", exact=True).click()
    form = rex.locator("form.action-form").first
    form.get_by_label("Close with a reason").fill("acknowledgement sent")
    form.get_by_role("button", name="Close action").click()
    expect(rex.get_by_text("Action closed (done)")).to_be_visible()
    # The change heads its list in words: when the last brief was made and by whom, not its id.
    since = rex.get_by_role("heading", name=re.compile("^Changed since the last brief"))
    words = r"^Changed since the last brief \(\d{1,2} \w{3} \d{4} \d\d:\d\d UTC, by rex\)$"
    expect(since).to_have_text(re.compile(words))
    expect(rex.locator("section.changes").first).to_contain_text("Closed (done) by rex")
    expect(rex.get_by_role("heading", name="Changed since the last interaction (call on 16 Nov 2026 · service issue)")
           ).to_be_visible()  # the purpose as the edit set it
    rex.screenshot(path=str(SHOTS / "22-brief-closed.png"), full_page=True)
    assert not blocking(axe_violations(rex))
    rex.get_by_role("link", name="the interaction").first.click()  # the released record, its span marked
    rex.wait_for_url("**/records/**")
    rex.screenshot(path=str(SHOTS / "23-record.png"), full_page=True)
    assert no_horizontal_scroll(rex) and not blocking(axe_violations(rex))
    with container.engine.connect() as conn:
        statuses = [row[0] for row in conn.exec_driver_sql("select status from recordaction order by ordinal")]
    assert "done" in statuses


def test_every_page_has_no_serious_axe_violation_and_no_sideways_scroll(container, server,  # noqa: F811
                                                                         chromium) -> None:  # noqa: F811
    from clientloop.ingest import ingest_bytes

    SHOTS.mkdir(exist_ok=True)
    client = make_client(container, "Daniel Okafor", owner="priya")
    _, admin_key = make_user(container, "ada", "admin")
    _, rita_key = make_user(container, "rita", "reviewer")
    draft = make_draft(container, COMPLAINT_CALL)
    item = review_of(container, draft.id)
    ingest_bytes(container, b"# Payments\n\n## CHAPS\n\nA CHAPS payment costs 25 GBP.\n", "payments.md", kind="kb")
    from clientloop.kb_changes import propose

    kate, _ = make_user(container, "kate", "knowledge")
    kb_change = propose(container, b"# Payments\n\n## CHAPS\n\nA CHAPS payment costs 30 GBP.\n", "payments.md",
                        kate).change
    from clients.onboarding import open_onboarding
    from records.session import session_scope

    with session_scope(container.engine) as session:  # one phase done, one overdue, the rest open
        open_onboarding(session=session, client_ref=client.id, user=None, mandate="Advisory",
                        signed_at=datetime.now(UTC) - timedelta(days=3))
    with container.engine.connect() as conn:
        job_id = conn.exec_driver_sql("select id from job limit 1").scalar()

    signed_out = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True).new_page()
    page = sign_in(chromium, server, admin_key, bypass_csp=True)
    pages = {
        "login": (signed_out, "/ui/login"), "home": (page, "/ui/"), "ask": (page, "/ui/ask"),
        "upload": (page, "/ui/upload"), "job": (page, f"/ui/jobs/{job_id}"), "queue": (page, "/ui/reviews"),
        "review": (page, f"/ui/reviews/{item.id}"), "clients": (page, "/ui/clients"),
        "brief": (page, f"/ui/clients/{client.id}/brief"), "weekly": (page, "/ui/weekly"),
        "handover": (page, f"/ui/clients/{client.id}/handover"), "themes": (page, "/ui/themes"),
        "onboarding": (page, "/ui/onboarding"), "brief-again": (page, f"/ui/clients/{client.id}/brief"),
        "kb": (page, "/ui/kb"), "kb-change": (page, f"/ui/kb/{kb_change.id}"),
        "not-found": (page, "/ui/reviews/no-such-item"), "logout": (page, "/ui/logout"),
    }
    found: dict[str, list[str]] = {}
    for name, (tab, path) in pages.items():
        tab.goto(server + path)
        if name == "review":
            tab.locator("details.card > summary").click()  # the editor is checked open
        tab.screenshot(path=str(SHOTS / f"30-axe-{name}.png"), full_page=True)
        found[name] = axe_violations(tab)
        if not no_horizontal_scroll(tab):
            found[name].append("serious: scrolls sideways at 1366x768")
    # A page that came back with errors: the asked answer and the editor's field errors.
    page.goto(f"{server}/ui/ask")
    page.get_by_label("Question").fill("How much does a CHAPS payment cost?")
    page.get_by_role("button", name="Ask").click()
    found["ask-answer"] = axe_violations(page)
    rita = sign_in(chromium, server, rita_key, bypass_csp=True)
    rita.goto(f"{server}/ui/reviews/{item.id}")
    rita.locator("details.card > summary").click()
    rita.get_by_label("Evidence (exact words from the source)").first.fill("words nobody said")
    rita.get_by_role("button", name="Save as draft v2").click()
    rita.screenshot(path=str(SHOTS / "31-axe-edit-errors.png"), full_page=True)
    found["edit-errors"] = axe_violations(rita) + ([] if no_horizontal_scroll(rita) else ["serious: scrolls sideways"])
    (SHOTS / "axe.json").write_text(json.dumps(found, indent=2))
    assert not {name: blocking(p) for name, p in found.items() if blocking(p)}, json.dumps(found, indent=2)
    # The check itself can fail: a page with an unlabelled field and an image without text does.
    signed_out.set_content('<html lang="en"><body><main><img src="x.png"><input></main></body></html>')
    assert len(blocking(axe_violations(signed_out))) >= 2
