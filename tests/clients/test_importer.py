from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from clients.demo_book import load_demo_book
from clients.importer import ImportFileError, decode, import_bytes
from clients.mapping import MappingError, parse_mapping
from clients.models import Holding, ImportKey
from records.session import session_scope
from records.tables import Client
from review.audit import verify_chain
from review.models import AuditEvent, InteractionRecord, RecordAction

MAPPING = parse_mapping("""
version: 1
files:
  clients.csv:
    entity: client
    columns: {external_id: ID, name: Name, relationship_owner: RM, client_since: Since}
  holdings.csv:
    entity: holding
    columns: {external_id: HID, client_external_id: ID, product_type: Product, name: Name, renewal_on: Renewal,
              balance: Balance}
""")

CLIENTS = "ID,Name,RM,Since\nC1,Ada Byrne,priya,2020-01-01\nC2,Ben Ortiz,priya,31/02/2020\nC1,Ada Again,priya,\n" \
          "C3,,priya,2021-01-01\nC4,Cleo Dunne,tom,2019-05-05\n"


def _import(container, data: bytes, name: str = "clients.csv", mapping=MAPPING):
    with session_scope(container.engine) as session:
        return import_bytes(session, data, name, mapping)


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(container):
    report = _import(container, CLIENTS.encode())
    assert (report.rows, report.created) == (5, 2)
    reasons = {e.line: e.reason for e in report.errors}
    assert "not a date (expected YYYY-MM-DD)" in reasons[3]
    assert "duplicate id 'C1' (first on line 2)" in reasons[4]
    assert "is empty; name is required" in reasons[5]
    with Session(container.engine) as session:
        assert sorted(c.name for c in session.exec(select(Client)).all()) == ["Ada Byrne", "Cleo Dunne"]


def test_reimport_updates_rather_than_duplicates(container):
    _import(container, b"ID,Name,RM,Since\nC1,Ada Byrne,priya,2020-01-01\n")
    again = _import(container, b"ID,Name,RM,Since\nC1,Ada Byrne,priya,2020-01-01\n")
    assert (again.created, again.unchanged) == (0, 1)
    changed = _import(container, b"ID,Name,RM,Since\nC1,Ada Byrne-Shaw,tom,2020-01-01\n")
    assert (changed.created, changed.updated) == (0, 1)
    with Session(container.engine) as session:
        rows = session.exec(select(Client)).all()
        assert [(c.name, c.relationship_owner) for c in rows] == [("Ada Byrne-Shaw", "tom")]


def test_missing_required_column_rejects_the_file(container):
    with pytest.raises(ImportFileError, match="missing column.*'Name'"):
        _import(container, b"ID,RM\nC1,priya\n")


def test_unknown_parent_reference_is_a_row_error(container):
    _import(container, b"ID,Name,RM,Since\nC1,Ada Byrne,priya,\n")
    report = _import(container, b"HID,ID,Product,Name,Renewal,Balance\nH1,C1,mortgage,Home loan,2027-01-01,"
                                b"\"150,000.50\"\nH2,C9,isa,ISA,,10\n", "holdings.csv")
    assert report.created == 1 and "unknown client 'C9'" in report.errors[0].reason
    with Session(container.engine) as session:
        assert session.exec(select(Holding)).one().balance_minor == 15_000_050


@pytest.mark.parametrize("encoding,expected", [("cp1252", "cp1252"), ("utf-16", "utf-16"),
                                               ("utf-16-le", "utf-16-le"), ("utf-8-sig", "utf-8-sig")])
def test_encodings_are_detected(container, encoding, expected):
    data = "ID,Name,RM,Since\nC1,Zoë Müller-Lefèvre,priya,2020-01-01\n".encode(encoding)
    assert decode(data)[1] == expected
    report = _import(container, data)
    assert report.created == 1 and report.encoding == expected
    with Session(container.engine) as session:
        assert session.exec(select(Client)).one().name == "Zoë Müller-Lefèvre"


def test_json_export_reports_record_numbers(container):
    mapping = parse_mapping("files:\n  c.json:\n    entity: client\n    columns: {external_id: id, name: name}\n")
    data = json.dumps([{"id": "C1", "name": "Ada"}, {"id": "C2"}]).encode()
    report = _import(container, data, "c.json", mapping)
    assert report.created == 1 and report.errors[0].line == 2


def test_bad_mapping_is_refused():
    with pytest.raises(MappingError, match="unknown field"):
        parse_mapping("files:\n  a.csv:\n    entity: client\n    columns: {external_id: a, name: b, nmae: c}\n")
    with pytest.raises(MappingError, match="needs a column for: name"):
        parse_mapping("files:\n  a.csv:\n    entity: client\n    columns: {external_id: a}\n")


def test_demo_book_imports_cleanly_with_one_audit_event_per_record(container):
    with session_scope(container.engine) as session:
        reports = load_demo_book(session)
    assert all(not r.errors for r in reports), [r.as_dict() for r in reports if r.errors]
    with Session(container.engine) as session:
        records = session.exec(select(InteractionRecord)).all()
        assert 150 <= len(records) <= 300
        assert len(session.exec(select(Client)).all()) == 30
        events = session.exec(select(AuditEvent).where(AuditEvent.actor == "import:interactions.json",
                                                       AuditEvent.event_type == "import")).all()
        per_record = [e for e in events if json.loads(e.payload_json).get("entity") == "interaction"
                      and "record_id" in json.loads(e.payload_json)]
        assert len(per_record) == len(records)
        assert verify_chain(session).ok
        actions = session.exec(select(RecordAction)).all()
        assert any(a.status == "open" for a in actions) and any(a.status == "done" for a in actions)
    with session_scope(container.engine) as session:
        again = load_demo_book(session)
    assert all(r.created == 0 and not r.errors for r in again)
    with Session(container.engine) as session:
        assert len(session.exec(select(InteractionRecord)).all()) == len(records)
        assert session.exec(select(ImportKey).where(ImportKey.entity == "interaction")).all()


def test_imported_interaction_channel_uses_the_engines_spelling(container):
    mapping = parse_mapping("""
files:
  clients.csv:
    entity: client
    columns: {external_id: ID, name: Name, relationship_owner: RM}
  interactions.csv:
    entity: interaction
    columns: {external_id: IID, client_external_id: ID, occurred_at: At, kind: Kind, text: Text, channel: Channel}
""")
    _import(container, b"ID,Name,RM\nC1,Ada Byrne,priya\n", mapping=mapping)
    report = _import(container, b"IID,ID,At,Kind,Text,Channel\n"
                                b"I1,C1,2026-03-04T10:00:00Z,meeting_notes,Met Ada at the branch.,\n"
                                b"I2,C1,2026-03-05T10:00:00Z,meeting_notes,Met Ada again.,In person\n"
                                b"I3,C1,2026-03-06T10:00:00Z,call_transcript,Ada: hello.,carrier pigeon\n",
                     "interactions.csv", mapping)
    assert report.created == 3 and not report.errors
    with Session(container.engine) as session:
        records = session.exec(select(InteractionRecord)).all()
        channels = sorted(json.loads(r.content_json)["summary"]["channel"] for r in records)
    assert channels == ["meeting", "meeting", "other"]


def test_semicolon_separated_excel_export_imports_with_decimal_commas(container):
    _import(container, b"ID;Name;RM;Since\nC1;Ada Byrne;priya;2020-01-01\n")
    report = _import(container, "HID;ID;Product;Name;Renewal;Balance\nH1;C1;mortgage;Home loan;;1.234,56\n"
                                "H2;C1;isa;ISA;;£10\n".encode("cp1252"), "holdings.csv")
    assert (report.created, report.errors) == (2, [])
    with Session(container.engine) as session:
        assert sorted(h.balance_minor for h in session.exec(select(Holding)).all()) == [1_000, 123_456]


def test_tab_separated_export_imports(container):
    report = _import(container, b"ID\tName\tRM\tSince\nC1\tAda Byrne\tpriya\t2020-01-01\n")
    assert (report.created, report.errors) == (1, [])


def test_amount_that_is_not_a_number_is_a_row_error(container):
    _import(container, b"ID,Name,RM,Since\nC1,Ada Byrne,priya,\n")
    report = _import(container, b"HID,ID,Product,Name,Renewal,Balance\nH1,C1,isa,ISA,,ten pounds\n", "holdings.csv")
    assert report.created == 0 and "'ten pounds' is not an amount" in report.errors[0].reason
