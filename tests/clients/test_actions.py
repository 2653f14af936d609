from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from clients.actions import InvalidTransition, close_action, reopen_action
from clients.advisory import evaluate, refresh_alerts
from clients.importer import import_bytes
from clients.mapping import parse_mapping
from clients.models import ActionStatusChange, Alert
from clients.note_quality import assess_action, assess_draft, assess_note
from clients.weekly import weekly_review
from records.errors import NotFound
from records.session import session_scope
from review.audit import verify_chain
from review.models import AuditEvent, RecordAction
from tests.factories import make_user

TODAY = date(2026, 11, 23)
MAPPING = parse_mapping("""
files:
  clients.csv:
    entity: client
    columns: {external_id: ID, name: Name, relationship_owner: RM, birth_year: Born, party_type: Type}
  holdings.csv:
    entity: holding
    columns: {external_id: HID, client_external_id: ID, product_type: Product, name: Name, renewal_on: Renewal,
              rate_fixed_until: Fixed, cover: Cover, reference_value: Rebuild}
  interactions.csv:
    entity: interaction
    columns: {external_id: IID, client_external_id: ID, occurred_at: When, kind: Kind, text: Text}
  actions.csv:
    entity: action
    columns: {external_id: AID, interaction_external_id: IID, description: What, owner: Owner, due_on: Due,
              evidence: Evidence, type: Type}
""")


def _book(container) -> None:
    d = TODAY
    files = {
        "clients.csv": "ID,Name,RM,Born,Type\nC1,Ada Byrne,priya,1995,person\nC2,Ben Ortiz,tom,1960,person\n",
        "holdings.csv": "HID,ID,Product,Name,Renewal,Fixed,Cover,Rebuild\n"
                        f"H1,C1,mortgage,Home loan,,{d + timedelta(days=20)},,\n"
                        f"H2,C1,mortgage,Buy to let,,{d + timedelta(days=50)},,\n"
                        f"H3,C2,home_insurance,Home cover,{d + timedelta(days=200)},,200000,300000\n",
        "interactions.csv": "IID,ID,When,Kind,Text\n"
                            f"I1,C1,{d - timedelta(days=20)}T10:00:00Z,meeting_notes,"
                            "Ada asked for the remortgage rates. Priya will send the rate sheet by Friday.\n"
                            f"I2,C2,{d - timedelta(days=3)}T10:00:00Z,meeting_notes,\"Spoke to client, all good.\"\n",
        "actions.csv": "AID,IID,What,Owner,Due,Evidence,Type\n"
                       f"A1,I1,Send the rate sheet,Priya Shah,{d - timedelta(days=5)},"
                       "Priya will send the rate sheet by Friday.,client_response\n"
                       "A2,I1,Ask credit about the limit,Credit team,,,internal_request\n",
    }
    with session_scope(container.engine) as session:
        for name, text in files.items():
            report = import_bytes(session, text.encode(), name, MAPPING)
            assert not report.errors, report.as_dict()


def _action(container, description: str) -> RecordAction:
    with Session(container.engine) as session:
        return session.exec(select(RecordAction).where(RecordAction.description == description)).one()


def test_close_and_reopen_are_audited(container):
    _book(container)
    a1 = _action(container, "Send the rate sheet")
    with session_scope(container.engine) as session:
        change = close_action(session=session, action_id=a1.id, reason="sent by email", actor="priya")
    assert (change.from_status, change.to_status) == ("open", "done")
    with session_scope(container.engine) as session, pytest.raises(InvalidTransition, match="already done"):
        close_action(session=session, action_id=a1.id, reason="again", actor="priya")
    with session_scope(container.engine) as session, pytest.raises(InvalidTransition, match="reason"):
        reopen_action(session=session, action_id=a1.id, reason=" ", actor="priya")
    with session_scope(container.engine) as session:
        reopen_action(session=session, action_id=a1.id, reason="client never got it", actor="priya")
    with Session(container.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.event_type.in_(["action_close", "action_reopen"]))
                              ).all()
        assert [e.event_type for e in events] == ["action_close", "action_reopen"]
        assert "sent by email" in events[0].payload_json
        assert len(session.exec(select(ActionStatusChange)).all()) == 2
        assert session.get(RecordAction, a1.id).status == "open"
        assert verify_chain(session).ok
    with session_scope(container.engine) as session:
        review = weekly_review(session=session, as_of=TODAY)
    assert review.measures["actions_reopened"] == 1


def test_rm_cannot_close_another_books_action(container):
    _book(container)
    tom, _ = make_user(container, "tom", "rm")
    a1 = _action(container, "Send the rate sheet")
    with session_scope(container.engine) as session, pytest.raises(NotFound):
        close_action(session=session, action_id=a1.id, reason="x", actor="tom", user=tom)


def test_advisory_canvas_decides_the_follow_up(container):
    _book(container)
    with session_scope(container.engine) as session:
        from records.tables import Client

        ids = list(session.exec(select(Client.id)).all())
        alerts = {a.rule_id + ":" + a.subject_id[-4:]: a for a in refresh_alerts(session, ids, TODAY)}
        again = refresh_alerts(session, ids, TODAY)
        assert len(again) == len(alerts)  # refreshed, not duplicated
    by_rule: dict[str, list[Alert]] = {}
    for a in alerts.values():
        by_rule.setdefault(a.rule_id, []).append(a)
    fixed = sorted(by_rule["fixed_rate_ending"], key=lambda a: not a.urgent)
    assert [a.quadrant for a in fixed] == ["urgent_advice", "advice"]  # 20 days urgent; 50 days not
    assert fixed[0].follow_up == "owned_action" and fixed[0].owner == "priya" and fixed[0].due_on
    assert fixed[1].follow_up == "adviser_meeting"
    cover = by_rule["cover_below_rebuild"][0]
    assert (cover.quadrant, cover.follow_up) == ("routine", "next_contact") and "67%" in cover.reason
    assert by_rule["young_without_pension"][0].follow_up == "adviser_meeting"
    # The urgent alert is an owned action: it closes like one.
    with session_scope(container.engine) as session:
        close_action(session=session, action_id=fixed[0].id, reason="rate switch booked", actor="priya")
    with session_scope(container.engine) as session:
        assert session.get(Alert, fixed[0].id).status == "done"
        refresh_alerts(session, ids, TODAY)
        assert session.get(Alert, fixed[0].id).status == "done"  # a person closed it; the rule does not reopen
        assert evaluate(session, ids, TODAY + timedelta(days=400)) is not None


def test_weekly_review_lists_what_needs_attention(container):
    _book(container)
    with session_scope(container.engine) as session:
        review = weekly_review(session=session, as_of=TODAY)
    assert review.clients == 2
    assert [r["description"] for r in review.overdue_by_owner["Priya Shah"]] == ["Send the rate sheet"]
    assert {r["client"] for r in review.renewals_60} == {"Ada Byrne"}
    assert review.silent_clients == []  # 20 and 3 days: inside the assumed 30-day cadence
    assert review.other_teams[0]["owner"] == "Credit team"
    assert review.note_quality["vague_notes"][0]["client"] == "Ben Ortiz"
    assert review.note_quality["actions_missing_owner_or_date"][0]["issues"] == ["no due date"]
    assert review.measures["usable_note_share"] == 0.5
    assert review.measures["follow_ups_per_interaction"] == 1.0
    assert review.alerts_by_quadrant["urgent_advice"]
    with session_scope(container.engine) as session:
        tom_view = weekly_review(session=session, as_of=TODAY, owner="tom")
    assert tom_view.clients == 1 and not tom_view.overdue_by_owner
    with session_scope(container.engine) as session:
        later = weekly_review(session=session, as_of=TODAY + timedelta(days=15))
    assert [(r["client"], r["days_silent"]) for r in later.silent_clients] == [("Ada Byrne", 35)]


@pytest.mark.parametrize("text,usable", [
    ("Spoke to client, all good.", False),
    ("Quick catch up. No issues. Will follow up.", False),
    ("", False),
    ("Sent the ISA transfer form, due back 14 March.", True),
    ("Annual review: pension value £210,000, agreed to raise contributions to £400 a month from April.", True),
])
def test_note_quality(text, usable):
    assert assess_note(text).usable is usable


def test_action_and_draft_checks():
    assert assess_action(owner="", due_kind="none", due_date=None) == ["no owner", "no due date"]
    late = assess_action(owner="Priya", due_kind="date", due_date=TODAY - timedelta(days=3), as_of=TODAY)
    assert late == ["open 3 days past its due date"]
    found = assess_draft({"actions": [{"description": "Follow up", "owner": "", "due": {"kind": "none"}}]},
                         "All good.", as_of=TODAY)
    assert not found["ok"] and found["actions"][0]["issues"] == ["no owner", "no due date"]
