"""The draft editor form: rows of actions, summary lines, errors beside fields, input kept, versions and diffs."""

from __future__ import annotations

import json
import re

from sqlmodel import Session

from records.tables import Draft
from tests.clientloop.web.test_pages import browser, keys, post  # noqa: F401  (fixtures)
from tests.factories import PLAIN_CALL, make_draft, review_of


def _form(page: str) -> dict[str, str]:
    """The editor's fields as the browser would post them (inputs, selected options, textareas, checked boxes)."""
    form = page[page.index('class="editor"') :]
    form = form[: form.index("</form>")]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)<', options)
        data[name] = (chosen.group(1) if chosen.group(1) is not None else chosen.group(2)) if chosen else ""
    import html

    return {k: html.unescape(v) for k, v in data.items() if k != "csrf_token"}


def test_form_edit_saves_the_next_draft_version_and_the_page_shows_its_diff(browser, container) -> None:  # noqa: F811
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    priya = browser("priya")
    page = priya.get(f"/ui/reviews/{item.id}").text
    assert "Approve draft v1" in page and "Save as draft v2" in page and "draft v1" in page
    data = _form(page)
    assert data["rows"] == "2" and data["a0-owner"] == "Priya Shah" and data["a0-type"]
    data["a0-description"] = "Send Daniel the remortgage illustration"
    data["a1-remove"] = "1"
    data["key_facts"] = "Daniel wants a remortgage illustration"
    data["reason"] = "clearer wording"
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 303, r.text
    after = review_of(container, item.id)
    with Session(container.engine) as session:
        new = session.get(Draft, after.current_draft_id)
        content = json.loads(new.content_json)
    assert new.version == 2 and len(content["actions"]) == 1
    assert content["actions"][0]["description"] == "Send Daniel the remortgage illustration"
    assert content["actions"][0]["evidence"]["start"] is not None  # grounding ran on the edit
    assert content["summary"]["key_facts"] == ["Daniel wants a remortgage illustration"]
    page = priya.get(r.headers["location"]).text
    assert "Saved as a new version" in page and "Draft v2" in page and "Approve draft v2" in page
    assert "Changes from draft v1" in page and "Action 1 · description" in page and "Action 2" in page
    assert "<ins>Send Daniel the remortgage illustration</ins>" in page and "clearer wording" in page
    assert "<strong>edit</strong> of draft v1 into draft v2 by priya" in page  # the history names versions


def test_form_errors_sit_beside_their_field_and_keep_what_was_typed(browser, container) -> None:  # noqa: F811
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    priya = browser("priya")
    data = _form(priya.get(f"/ui/reviews/{item.id}").text)
    data["a0-description"] = "Kept wording"
    data["a1-evidence"] = "words nobody said"
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 422
    assert 'aria-invalid="true" aria-describedby="err-a1-evidence"' in r.text
    assert re.search(r'id="err-a1-evidence">[^<]*not in the source', r.text)
    assert 'value="Kept wording"' in r.text and ">words nobody said</textarea>" in r.text
    assert '<details class="card" open>' in r.text
    data["a1-evidence"] = _form(priya.get(f"/ui/reviews/{item.id}").text)["a1-evidence"]
    data.update({"a0-due_kind": "range", "a0-due_start": "2026-11-30", "a0-due_end": "2026-11-20"})
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 422 and 'id="err-a0-due_kind"' in r.text and "start &lt;= end" in r.text
    assert review_of(container, item.id).version == item.version  # nothing saved


def test_add_row_keeps_the_input_and_a_new_action_needs_source_words(browser, container) -> None:  # noqa: F811
    draft = make_draft(container, PLAIN_CALL)
    item = review_of(container, draft.id)
    priya = browser("priya")
    data = _form(priya.get(f"/ui/reviews/{item.id}").text)
    data["a0-description"] = "Typed before adding"
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "add_row": "1"})
    assert r.status_code == 200 and 'value="Typed before adding"' in r.text and "Action 3" in r.text
    data = _form(r.text)
    assert data["rows"] == "3"
    data.update(
        {
            "a2-description": "Call Daniel about the payslips",
            "a2-owner": "Priya Shah",
            "a2-type": "task",
            "a2-evidence": "I'll email the latest payslips tomorrow",
        }
    )
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 303, r.text
    with Session(container.engine) as session:
        content = json.loads(session.get(Draft, review_of(container, item.id).current_draft_id).content_json)
    assert [a["description"] for a in content["actions"]][-1] == "Call Daniel about the payslips"
    assert content["actions"][0]["description"] == "Typed before adding"


def test_owner_choices_are_participants_and_teams(browser, container) -> None:  # noqa: F811
    item = review_of(container, make_draft(container, PLAIN_CALL + "Priya Shah: The Lending team will call.\n").id)
    page = browser("priya").get(f"/ui/reviews/{item.id}").text
    owners = re.search(r'<select id="a0-owner".*?</select>', page, re.S).group(0)
    assert "Priya Shah (firm)" in owners and "Daniel Okafor (client)" in owners and "Lending team (firm)" in owners


def test_a_rejection_reason_survives_an_error(browser, container) -> None:  # noqa: F811
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    r = post(
        browser("rita"),
        f"/ui/reviews/{item.id}/decide",
        {"kind": "reject", "version": "9", "reason": "the wrong client"},
    )
    assert r.status_code == 412 and ">the wrong client</textarea>" in r.text


def test_a_client_message_is_edited_as_subject_and_body(browser, container) -> None:  # noqa: F811
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    priya = browser("priya")
    r = post(priya, f"/ui/reviews/{item.id}/decide", {"kind": "approve", "version": "1"})
    recap_url = re.search(r'href="(/ui/reviews/[^"]+)">open it', priya.get(r.headers["location"]).text)[1]
    data = _form(priya.get(recap_url).text)
    assert set(data) >= {"subject", "body", "version"} and "rows" not in data
    data["subject"] = "Your call today"
    r = post(priya, recap_url + "/edit", {**data, "body": "", "save": "1"})
    assert r.status_code == 422 and 'value="Your call today"' in r.text  # an empty body is refused, input kept
    r = post(priya, recap_url + "/edit", {**data, "body": data["body"] + "\nKind regards", "save": "1"})
    assert r.status_code == 303, r.text
    page = priya.get(r.headers["location"]).text
    assert "Draft v2" in page and "Subject" in page and "<ins>Your call today</ins>" in page


def test_purpose_sentiment_and_participants_are_edited_in_the_form_and_shown_in_the_diff(browser,  # noqa: F811
                                                                                          container) -> None:
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    priya = browser("priya")
    data = _form(priya.get(f"/ui/reviews/{item.id}").text)
    assert data["people"] == "2" and data["p0-name"] == "Priya Shah" and data["p1-side"] == "client"
    assert data["purpose"] and data["sentiment"]
    data.update({"purpose": "service_issue", "sentiment": "negative", "p0-role": "service_agent"})
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "add_person": "1"})
    assert r.status_code == 200 and "Participant 3 name" in r.text and "Draft v1" in r.text  # nothing saved yet
    data = _form(r.text)
    assert data["purpose"] == "service_issue" and data["p0-role"] == "service_agent"  # kept across the new row
    data.update({"p2-name": "Sam Lee", "p2-role": "operations", "p2-side": "firm", "reason": "Sam joined the call"})
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 303, r.text
    with Session(container.engine) as session:
        summary = json.loads(session.get(Draft, review_of(container, item.id).current_draft_id).content_json)["summary"]
    assert summary["purpose"] == "service_issue" and summary["sentiment"] == "negative"
    assert summary["participants"][0] == {"name": "Priya Shah", "role": "service_agent", "side": "firm"}
    assert summary["participants"][2] == {"name": "Sam Lee", "role": "operations", "side": "firm"}
    page = priya.get(r.headers["location"]).text
    assert "<td>Purpose</td>" in page and "<ins>service issue</ins>" in page and "<ins>negative</ins>" in page
    assert "Participant 1 · role" in page and "<ins>service agent</ins>" in page
    assert "<ins>Sam Lee (operations, firm)</ins>" in page


def test_a_participant_without_a_name_or_an_unknown_purpose_is_refused_beside_its_field(browser,  # noqa: F811
                                                                                         container) -> None:
    item = review_of(container, make_draft(container, PLAIN_CALL).id)
    priya = browser("priya")
    data = _form(priya.get(f"/ui/reviews/{item.id}").text)
    data.update({"p1-name": "  ", "a0-description": "Kept wording", "sentiment": "mixed"})
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 422 and 'aria-describedby="err-p1-name"' in r.text
    assert re.search(r'id="err-p1-name">a participant needs a name', r.text)
    assert 'value="Kept wording"' in r.text and '<option value="mixed" selected>' in r.text
    data.update({"p1-name": "Daniel Okafor", "purpose": "gossip"})  # not a purpose (a forged post)
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "save": "1"})
    assert r.status_code == 422 and 'aria-describedby="err-purpose"' in r.text
    assert '<option value="gossip" selected>' in r.text and 'value="Kept wording"' in r.text
    data.update({"purpose": "review", "p1-remove": "1"})  # a removed row needs no name and leaves the summary
    r = post(priya, f"/ui/reviews/{item.id}/edit", {**data, "p1-name": "", "save": "1"})
    assert r.status_code == 303, r.text
    with Session(container.engine) as session:
        summary = json.loads(session.get(Draft, review_of(container, item.id).current_draft_id).content_json)["summary"]
    assert [p["name"] for p in summary["participants"]] == ["Priya Shah"] and summary["purpose"] == "review"
