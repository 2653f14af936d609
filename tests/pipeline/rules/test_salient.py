"""The decision / client-ask clause classifier and how the summary uses it (invented interactions)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.rules import draft_with_rules, salient
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Tomasz Nowak", role="service_agent", side="firm"),
          Participant(name="Evelyn Marsh", role="client", side="client")]
CALL = """Tomasz Nowak: Good morning, you're through to Tomasz.
Evelyn Marsh: Hello. I'm ringing about the savings account that matures next week.
Tomasz Nowak: Of course. What would you like to happen to the money when it matures?
Evelyn Marsh: I'd like the whole balance rolled into another one-year fixed bond, if the rate is decent.
Tomasz Nowak: The one-year bond is paying 4.1% at the moment.
Evelyn Marsh: That's fine, put it all in the one-year bond then.
Tomasz Nowak: Okay, the maturing balance goes into the one-year bond at 4.1% on the 14th.
Evelyn Marsh: And is there a penalty if I need some of it early?
Tomasz Nowak: There is, ninety days' interest. Anything else today?
Evelyn Marsh: No, thank you.
"""


def _summary(text: str = CALL):
    return draft_with_rules(text, kind="call_transcript", occurred_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                            participants=PEOPLE, client="Evelyn Marsh").summary


def test_the_shipped_weights_match_the_features() -> None:
    model = salient.shipped_model()
    assert model is not None
    for weights in model.fields.values():
        assert weights.coef.shape == (len(salient.FEATURES),)
        assert 0 < weights.threshold < 1


def test_the_classifier_picks_an_agreed_outcome_the_cues_miss() -> None:
    from pipeline.rules.engine import _clauses
    from pipeline.rules.owners import OwnerResolver

    clauses, _ = _clauses(CALL, "call_transcript", PEOPLE)
    resolver = OwnerResolver(PEOPLE)
    listed = salient.add_picks({"decisions": [], "client_asks": []}, clauses, resolver, "call_transcript", CALL,
                               lambda field, i: clauses[i].text, {"decisions": 10, "client_asks": 8})
    assert any("goes into the one-year bond at 4.1%" in d for d in listed["decisions"])


def test_the_summary_lists_only_the_cue_rules_phrases(monkeypatch: pytest.MonkeyPatch) -> None:
    # The classifier is not on the drafting path (its picks were mostly facts and remarks).
    shipped = _summary()
    monkeypatch.setattr(salient, "shipped_model", lambda: None)
    assert _summary() == shipped
    assert "The maturing balance goes into the one-year bond at 4.1% on the 14th" not in shipped.decisions


def test_a_near_copy_of_a_listed_phrase_is_not_added_and_picks_are_capped() -> None:
    listed = ["Claim opened during the call"]
    chosen = ["The firm has opened the claim", "Excess stays at £350", "Roofer booked for Friday", "Third"]
    assert salient.merge(listed, chosen, limit=10, picks=2) == [
        "Claim opened during the call", "Excess stays at £350", "Roofer booked for Friday"]
    assert salient.merge(listed, chosen, limit=2, picks=3) == ["Claim opened during the call", "Excess stays at £350"]


def test_work_told_as_done_before_the_interaction_is_no_decision() -> None:
    notes = "DF in branch. CB.\n- DF cancelled the standing order himself last week.\n"
    decisions = draft_with_rules(notes, kind="meeting_notes", occurred_at=datetime(2026, 7, 29, 9, tzinfo=UTC),
                                 participants=[Participant(name="Carys Bevan", role="relationship_manager",
                                                           side="firm"),
                                               Participant(name="Douglas Ferguson", role="client", side="client")],
                                 client="Douglas Ferguson").summary.decisions
    assert not any("standing order" in d for d in decisions)


def test_a_weights_file_for_other_features_is_refused(tmp_path) -> None:
    path = tmp_path / "salient.json"
    path.write_text(json.dumps({"features": ["side_firm"], "fields": {}, "max_picks": {}, "version": "x"}))
    with pytest.raises(ValueError, match="other features"):
        salient.load_model(path)
    assert salient.load_model(tmp_path / "missing.json") is None
