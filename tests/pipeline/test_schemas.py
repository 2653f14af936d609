from datetime import date

import pytest
from pydantic import ValidationError

from pipeline.schemas import Due


def test_due_range_stored_before_range_kind_still_loads() -> None:
    stored = '{"kind": "range", "date": null, "start": "2025-06-09", "end": "2025-06-13", "phrase": "next week"}'
    due = Due.model_validate_json(stored)
    assert due.range_kind is None and due.deadline == date(2025, 6, 13)


def test_due_date_stored_before_range_kind_still_loads() -> None:
    due = Due.model_validate_json('{"kind": "date", "date": "2025-06-06", "phrase": "by Friday"}')
    assert due.range_kind is None and due.deadline == date(2025, 6, 6)


def test_due_range_kind_only_on_a_range() -> None:
    with pytest.raises(ValidationError):
        Due(kind="date", date=date(2025, 6, 6), range_kind="calendar", phrase="by Friday")


def test_due_every_field_is_described() -> None:
    assert all(field.description for field in Due.model_fields.values())
