"""Commitment and request detection (`pipeline.rules.commitments`), through the engine where ownership matters."""

from datetime import date

from pipeline.schemas import Participant
from tests.pipeline.rules.test_engine import _draft, _rows

NOTE_PEOPLE = [Participant(name="Imogen Tate", role="relationship_manager", side="firm"),
               Participant(name="Sam Whitlow", role="client", side="client"),
               Participant(name="Leila Haddad", role="client", side="client")]


def test_notes_action_list_items_name_their_owner_before_a_colon() -> None:
    text = (
        "Branch meeting, new account\n"
        "Mandate: either to sign up to £5k.\n"
        "IT: explained the tariff, no questions.\n\n"
        "Actions:\n"
        "- SW: signed partnership agreement, by Fri\n"
        "- IT: call LH in a fortnight re docs\n"
    )
    draft = _draft(text, "meeting_notes", "2026-05-11T10:00:00+01:00", NOTE_PEOPLE, "Crumb & Co")
    assert _rows(draft) == [
        ("Sam Whitlow", "client", date(2026, 5, 15), "task", "SW: signed partnership agreement, by Fri"),
        ("Imogen Tate", "firm", date(2026, 5, 25), "client_response", "IT: call LH in a fortnight re docs"),
    ]
    assert draft.actions[0].description == "Signed partnership agreement, by Fri"


def test_notes_deliverable_sent_to_a_participant_by_a_date_is_the_authors() -> None:
    text = "Renewal meeting\n- Indicative terms to SW by end of Q1.\n"
    draft = _draft(text, "meeting_notes", "2026-03-03T14:30:00+00:00", NOTE_PEOPLE, "Crumb & Co")
    assert _rows(draft) == [
        ("Imogen Tate", "firm", date(2026, 3, 31), "client_response", "Indicative terms to SW by end of Q1."),
    ]
    assert draft.actions[0].description == "Send indicative terms to Sam Whitlow by end of Q1"


def test_notes_agreed_lead_in_and_shortened_team_name() -> None:
    text = "Call re payees\n- Agreed - payments ops team to switch on dual authorisation within 3 working days.\n"
    draft = _draft(text, "meeting_notes", "2026-09-03T10:20:00+01:00", NOTE_PEOPLE, "Crumb & Co")
    assert [(a.owner, a.due.deadline) for a in draft.actions] == [("Payments operations team", date(2026, 9, 8))]
