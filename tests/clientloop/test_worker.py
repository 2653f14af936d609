from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from clientloop.interactions import InvalidInteraction, submit_interaction
from clientloop.worker import claim, claim_next, process_job, run_worker
from pipeline.errors import EmptyDocument
from records.errors import UnknownClient
from records.tables import Draft, Job, Source

TRANSCRIPT = (
    "Priya Shah: Morning Daniel, thanks for making time.\n"
    "Daniel Okafor: No problem. Could you send me the remortgage illustration?\n"
    "Priya Shah: Yes, I'll send you the remortgage illustration by Friday.\n"
    "Daniel Okafor: Great, and I'll email the latest payslips tomorrow.\n"
)
PEOPLE = json.dumps([
    {"name": "Priya Shah", "role": "relationship_manager", "side": "firm"},
    {"name": "Daniel Okafor", "role": "client", "side": "client"},
])


def _submit(container, text: str = TRANSCRIPT, **kw) -> Job:
    kw.setdefault("client", "Daniel Okafor")
    kw.setdefault("create_client", True)
    return submit_interaction(container, data=text.encode(), filename="call.txt", kind="call_transcript",
                              occurred_at="2026-11-16T10:00:00+00:00", participants=PEOPLE, **kw)


def test_submit_stores_source_and_queues_job(container) -> None:
    job = _submit(container)
    with Session(container.engine) as s:
        row = s.get(Job, job.id)
        assert row is not None and row.status == "queued"
        assert s.get(Source, row.source_id).text.startswith("Priya Shah:")  # type: ignore[union-attr]


def test_worker_drafts_queued_job_once(container) -> None:
    job = _submit(container)
    assert run_worker(container, once=True) == 1
    with Session(container.engine) as s:
        row = s.get(Job, job.id)
        assert row is not None and row.status == "done" and row.draft_id
        draft = s.get(Draft, row.draft_id)
        content = json.loads(draft.content_json)  # type: ignore[union-attr]
        owners = {a["owner"] for a in content["actions"]}
        assert "Priya Shah" in owners
    assert run_worker(container, once=True) == 0


def test_killed_worker_job_is_picked_up_and_drafted_once(container) -> None:
    job = _submit(container)
    # Worker A leases the job and "dies" (never finishes); its lease runs out at once.
    assert claim(container, job.id, "worker-a", lease_seconds=-1)
    assert claim_next(container, "worker-b") == job.id
    assert process_job(container, job.id, "worker-b") == "done"
    # Worker A wakes up and finishes too: the unique job_id keeps a single draft.
    assert process_job(container, job.id, "worker-a") == "done"
    with Session(container.engine) as s:
        assert len(s.exec(select(Draft).where(Draft.job_id == job.id)).all()) == 1


def test_live_lease_cannot_be_claimed_twice(container) -> None:
    job = _submit(container)
    assert claim(container, job.id, "worker-a")
    assert not claim(container, job.id, "worker-b")
    assert claim_next(container, "worker-b") is None


def test_same_upload_twice_reuses_the_job(container) -> None:
    assert _submit(container).id == _submit(container).id


def test_submit_whitespace_only_is_refused(container) -> None:
    with pytest.raises(EmptyDocument):
        _submit(container, text="   \n  ")


def test_submit_unknown_client_without_create_is_refused(container) -> None:
    with pytest.raises(UnknownClient):
        _submit(container, client="Nobody", create_client=False)


def test_submit_impossible_date_is_refused(container) -> None:
    with pytest.raises(InvalidInteraction, match="ISO 8601"):
        submit_interaction(container, data=TRANSCRIPT.encode(), filename="c.txt", kind="call_transcript",
                           client="X", create_client=True, occurred_at="the 31st of Smarch")


def test_two_megabyte_transcript_is_accepted_and_stored_whole(container) -> None:
    big = TRANSCRIPT * (2_000_000 // len(TRANSCRIPT))
    job = _submit(container, text=big)
    with Session(container.engine) as s:
        source = s.get(Source, s.get(Job, job.id).source_id)  # type: ignore[union-attr]
        assert source is not None and source.text == big
        assert s.get(Job, job.id).status == "queued"  # type: ignore[union-attr]


def test_transcript_without_speaker_labels_drafts_with_a_reason(container) -> None:
    job = submit_interaction(container, data=b"I will send you the form by Friday. Please sign it.", filename="n.txt",
                             kind="call_transcript", client="X", create_client=True)
    run_worker(container, once=True)
    with Session(container.engine) as s:
        draft = s.get(Draft, s.get(Job, job.id).draft_id)  # type: ignore[union-attr]
        content = json.loads(draft.content_json)  # type: ignore[union-attr]
        assert content["actions"] == [] and content["no_actions_reason"]


def test_email_with_only_quoted_history_keeps_open_quoted_commitment(container) -> None:
    email = (
        "From: Ann Lee <ann@client.example>\nTo: Bo Park <bo@bank.example>\n"
        "Date: Mon, 16 Nov 2026 10:00:00 +0000\nSubject: RE: form\n\n"
        "-----Original Message-----\nFrom: Bo Park\nI'll send you the transfer form on Wednesday.\n"
    )
    job = submit_interaction(container, data=email.encode(), filename="thread.eml", kind="email",
                             client="Ann Lee", create_client=True)
    run_worker(container, once=True)
    with Session(container.engine) as s:
        draft = s.get(Draft, s.get(Job, job.id).draft_id)  # type: ignore[union-attr]
        actions = json.loads(draft.content_json)["actions"]  # type: ignore[union-attr]
        assert [a["owner"] for a in actions] == ["Bo Park"]
        assert actions[0]["due"]["date"] == "2026-11-18"


@pytest.mark.parametrize("engine", ["rules", "llm"])
def test_worker_stores_a_grounded_draft_for_either_engine(container, engine) -> None:
    from pipeline.llm_engine import LLMExtraction
    from tests.fakes import FakeChatModel, tool_reply

    invented = "I'll wire the money to the new account tonight."
    container.settings.engines = ["rules", "llm"]
    reply = {
        "purpose": "product_question", "sentiment": "positive", "client_asks": [], "decisions": [],
        "key_facts": [], "concerns": [],
        "actions": [
            {"evidence_quote": "I'll send you the remortgage illustration by Friday.", "owner": "Priya",
             "owner_side": "firm", "description": "Send the remortgage illustration", "type": "client_response",
             "due_phrase": "by Friday", "due_date": "2026-11-20", "close_condition": "Sent"},
            {"evidence_quote": invented, "owner": "Priya Shah", "owner_side": "firm",
             "description": "Wire the money", "type": "task", "due_phrase": "", "due_date": "",
             "close_condition": "Done"},
        ],
    }
    # The invented quote spends the repair; the same answer again is kept and grounded.
    container._chat_model = FakeChatModel(responses=[tool_reply(LLMExtraction, reply)] * 2)
    job = _submit(container, engine=engine)
    assert claim(container, job.id, "w1")
    process_job(container, job.id, "w1")
    with Session(container.engine) as s:
        row = s.get(Draft, s.get(Job, job.id).draft_id)  # type: ignore[union-attr]
        stored = json.loads(row.content_json)  # type: ignore[union-attr]
    assert stored["grounding"]["checked"] is True
    assert row.engine == engine and row.fallback is False  # type: ignore[union-attr]
    evidence = [a["evidence"]["text"] for a in stored["actions"]]
    assert invented not in evidence
    assert all(e in TRANSCRIPT for e in evidence)
    if engine == "llm":
        assert stored["grounding"]["dropped"].get("evidence_not_in_source") == 1
