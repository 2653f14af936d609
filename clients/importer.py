"""Import CRM exports (CSV or JSON) into the client record.

Design decisions:

- **Good rows are kept, bad rows are reported** with their line (CSV) or record number
  (JSON) and the reason. Each row runs in a savepoint, so one bad row never undoes the
  others. Only a file-level problem (undecodable bytes, a missing column the mapping
  needs, no header) rejects the whole file, because then every row would be wrong.
- **Re-import updates, never duplicates.** Every row is keyed on its external id in
  `ImportKey`, with the digest of what was imported: the same row again is `unchanged`,
  a changed row updates the one it made. Interaction records are the exception: a record
  is immutable once it exists, so changed interaction text is reported and not applied.
  An action's status does follow the export (closed in the CRM → closed here), through
  the same audited close path a person uses.
- **Encodings are detected, not assumed.** A BOM decides UTF-8/UTF-16; then strict
  UTF-8; NUL bytes in alternate positions mean BOM-less UTF-16; otherwise cp1252 (what
  Excel on Windows writes). The report names the encoding used.
- **Interactions become the record through an import path, not the review gate.** They
  were already the record in the CRM; routing them through reviewers would be theatre.
  Each one still gets the full chain of rows the gate would have made (source with its
  text, draft, review item in `released`, a decision of kind `import`, the record), and an
  audit event with actor `import:<file>`, so every line of a brief can point at a span
  of real text and the trail says where it came from.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clients.mapping import ENTITIES, ENTITY_ORDER, FieldSpec, FileMapping, Mapping
from clients.models import (
    ClientProfile,
    Contact,
    Holding,
    ImportKey,
    OutstandingDocument,
    ServiceCase,
    WatchItem,
)
from pipeline.errors import InputError
from records.ids import canonical_json, utcnow
from records.tables import Client, Draft, Source
from records.vocabulary import KIND_CHANNEL, Channel, canonical_channel
from review.audit import append_event
from review.models import Decision, InteractionRecord, RecordAction, ReviewItem

_SOURCE_KIND = {"call_transcript": "transcript", "meeting_notes": "note", "email": "email"}
_ROLES = {"relationship_manager", "client", "service_agent", "operations", "compliance",
          "investment_specialist", "assistant", "other"}
_PURPOSES = {"review", "service_issue", "onboarding", "renewal", "portfolio_update", "complaint",
             "product_question", "payment_issue", "general_check_in"}
_ACTION_TYPES = {"task", "case", "approval", "internal_request", "client_response"}
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class ImportFileError(InputError):
    """A whole export file cannot be imported: undecodable, no header, or missing columns."""


class RowProblem(ValueError):
    """One row cannot be imported; the message says why."""


@dataclass
class RowError:
    """A rejected row: where it is and why."""

    line: int
    reason: str
    external_id: str | None = None


@dataclass
class FileReport:
    """What importing one file did."""

    file: str
    entity: str
    encoding: str = "utf-8"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "file": self.file, "entity": self.entity, "encoding": self.encoding, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": [{"line": e.line, "reason": e.reason, "external_id": e.external_id} for e in self.errors],
            "warnings": self.warnings,
        }


# --- Reading: encodings, CSV and JSON ---------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes, detecting the encoding.

    Returns:
        The text and the name of the encoding used.

    Raises:
        ImportFileError: the bytes are not text in any supported encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file starts with a UTF-16 mark but is not UTF-16: {exc.reason}") from exc
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        # BOM-less UTF-16: ASCII text leaves every other byte zero.
        even_zero = sample[0::2].count(0) > sample[1::2].count(0)
        encoding = "utf-16-be" if even_zero else "utf-16-le"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportFileError("the file looks binary, not a CSV or JSON export") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is neither UTF-8, UTF-16 nor Windows-1252 text") from exc


def read_records(data: bytes, filename: str) -> tuple[str, list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Decode and parse an export into (line, row) pairs.

    Returns:
        The encoding, the column names, and the rows: CSV rows carry their physical line
        number (the header is line 1), JSON records their 1-based position.

    Raises:
        ImportFileError: undecodable, empty, no header, or JSON that is not a list of objects.
    """
    text, encoding = decode(data)
    if not text.strip():
        raise ImportFileError(f"{filename} is empty")
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{filename}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        items = doc.get("records", doc.get("rows")) if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportFileError(f"{filename}: JSON must be a list of objects (or {{\"records\": [...]}})")
        columns = sorted({k for item in items for k in item})
        return encoding, columns, iter([(i + 1, item) for i, item in enumerate(items)])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ImportFileError(f"{filename}: no header row")
    columns = [c.strip() for c in reader.fieldnames]
    reader.fieldnames = columns

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for row in reader:
            yield reader.line_num, row

    return encoding, columns, rows()


# --- Converting values ------------------------------------------------------------------------


@dataclass
class _Context:
    mapping: Mapping
    file: str
    actor: str
    shift: timedelta
    ids: dict[tuple[str, str], str] = field(default_factory=dict)


def _parse_date(raw: str, ctx: _Context) -> date:
    if ctx.mapping.dates == "iso":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise RowProblem(f"{raw!r} is not a date (expected YYYY-MM-DD)") from None
    import dateparser

    parsed: datetime | None = dateparser.parse(
        raw, settings={"DATE_ORDER": ctx.mapping.date_order, "STRICT_PARSING": True})
    if parsed is None:
        raise RowProblem(f"{raw!r} is not a date (read as {ctx.mapping.date_order})")
    return parsed.date()


def _parse_datetime(raw: str, ctx: _Context) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        if ctx.mapping.dates == "iso":
            raise RowProblem(f"{raw!r} is not a date-time (expected ISO 8601, e.g. 2026-03-04T10:00:00Z)") from None
        import dateparser

        parsed = dateparser.parse(raw, settings={"DATE_ORDER": ctx.mapping.date_order})
        if parsed is None:
            raise RowProblem(f"{raw!r} is not a date-time") from None
        value = parsed
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _convert(raw: Any, spec: FieldSpec, ctx: _Context) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.type in ("str", "text"):
        return str(raw).strip() if spec.type == "str" else str(raw)
    text = str(raw).strip()
    if spec.type == "int":
        try:
            return int(text)
        except ValueError:
            raise RowProblem(f"{text!r} is not a whole number") from None
    if spec.type == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise RowProblem(f"{text!r} is not yes/no")
    if spec.type == "money":
        try:
            amount = Decimal(text.replace(",", "").lstrip("£$€"))
        except InvalidOperation:
            raise RowProblem(f"{text!r} is not an amount") from None
        return int((amount * 100).to_integral_value())
    if spec.type == "date":
        return _parse_date(text, ctx) + ctx.shift
    return _parse_datetime(text, ctx) + ctx.shift


def convert_row(row: dict[str, Any], block: FileMapping, ctx: _Context) -> dict[str, Any]:
    """Map and convert one export row into our fields.

    Raises:
        RowProblem: a required value is missing or a value does not convert.
    """
    spec = ENTITIES[block.entity]
    out: dict[str, Any] = {}
    for ours, theirs in block.columns.items():
        if theirs not in row:
            if spec[ours].required:
                raise RowProblem(f"no {theirs!r} value; {ours} is required")
            continue
        try:
            out[ours] = _convert(row[theirs], spec[ours], ctx)
        except RowProblem as exc:
            raise RowProblem(f"column {theirs!r}: {exc}") from None
        if out[ours] is None and spec[ours].required:
            raise RowProblem(f"column {theirs!r} is empty; {ours} is required")
    return out


# --- Writing ---------------------------------------------------------------------------------


def _digest(values: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


def _key(session: Session, entity: str, external_id: str) -> ImportKey | None:
    return session.exec(
        select(ImportKey).where(ImportKey.entity == entity, ImportKey.external_id == external_id)
    ).first()


def _ref(session: Session, ctx: _Context, entity: str, external_id: str) -> str:
    cached = ctx.ids.get((entity, external_id))
    if cached:
        return cached
    key = _key(session, entity, external_id)
    if key is None:
        raise RowProblem(f"unknown {entity} {external_id!r} (import the {entity} file first)")
    ctx.ids[(entity, external_id)] = key.target_id
    return key.target_id


def _apply(row: Any, values: dict[str, Any], names: dict[str, str] | None = None) -> None:
    for ours, value in values.items():
        setattr(row, (names or {}).get(ours, ours), value)


_MONEY = {"balance": "balance_minor", "contract_value": "contract_value_minor", "cover": "cover_minor",
          "reference_value": "reference_value_minor"}


def _upsert_client(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: _Context) -> str:
    client = session.get(Client, key.target_id) if key else None
    if client is None:
        # A client first seen through an upload (by name) is adopted, not duplicated.
        client = session.exec(select(Client).where(Client.name == values["name"])).first()
        if client is not None and session.get(ClientProfile, client.id) is not None:
            other = session.get(ClientProfile, client.id)
            if other is not None and other.external_id not in (None, values["external_id"]):
                raise RowProblem(f"another client ({other.external_id}) already has the name {values['name']!r}")
    if client is None:
        client = Client(name=values["name"])
    client.name = values["name"]
    client.segment = values.get("segment", client.segment)
    client.relationship_owner = values.get("relationship_owner", client.relationship_owner)
    session.add(client)
    session.flush()
    profile = session.get(ClientProfile, client.id) or ClientProfile(client_id=client.id)
    for name in ("external_id", "party_type", "service_team", "client_since", "contact_cadence_days",
                 "birth_year", "preferred_channel", "notes"):
        if name in values:
            setattr(profile, name, values[name] if values[name] is not None or name != "party_type" else "person")
    profile.updated_at = utcnow()
    session.add(profile)
    return client.id


def _simple(model: type[Any], names: dict[str, str] | None = None, defaults: dict[str, Any] | None = None
            ) -> Callable[[Session, dict[str, Any], ImportKey | None, _Context], str]:
    def upsert(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: _Context) -> str:
        client_id = _ref(session, ctx, "client", values.pop("client_external_id"))
        values.pop("external_id")
        row = session.get(model, key.target_id) if key else None
        if row is None:
            row = model(client_id=client_id, **dict(defaults or {}))
        row.client_id = client_id
        _apply(row, {k: v for k, v in values.items() if v is not None or k not in (defaults or {})}, names)
        session.add(row)
        session.flush()
        return str(row.id)

    return upsert


def _participants(raw: str | None, client_name: str) -> list[dict[str, str]]:
    people = []
    for part in (raw or "").split(";"):
        bits = [b.strip() for b in part.split("|")]
        if not bits[0]:
            continue
        role = bits[1] if len(bits) > 1 and bits[1] in _ROLES else "other"
        default_side = "client" if role == "client" else "firm"
        side = bits[2] if len(bits) > 2 and bits[2] in ("firm", "client") else default_side
        people.append({"name": bits[0], "role": role, "side": side})
    if not any(p["side"] == "client" for p in people):
        people.append({"name": client_name, "role": "client", "side": "client"})
    return people


def _import_interaction(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: _Context) -> str:
    from pipeline.schemas import InteractionDraft, InteractionSummary

    if key is not None:
        raise RowProblem(f"interaction {values['external_id']!r} is already the record and records are "
                         "immutable; its changed content was not imported")
    client_id = _ref(session, ctx, "client", values["client_external_id"])
    client = session.get(Client, client_id)
    assert client is not None
    kind = values["kind"]
    if kind not in _SOURCE_KIND:
        raise RowProblem(f"kind {kind!r} is not call_transcript, meeting_notes or email")
    purpose = values.get("purpose") or "general_check_in"
    if purpose not in _PURPOSES:
        raise RowProblem(f"purpose {purpose!r} is not one of {', '.join(sorted(_PURPOSES))}")
    text, when = values["text"], values["occurred_at"]
    author = values.get("author") or client.relationship_owner
    data = text.encode("utf-8")
    source = Source(
        key=f"import:interaction:{values['external_id']}", filename=ctx.file, kind=_SOURCE_KIND[kind],
        media_type="text/plain", title=f"{purpose.replace('_', ' ')} ({when:%Y-%m-%d})", client_id=client_id,
        content_hash="sha256:" + hashlib.sha256(data).hexdigest(), size_bytes=len(data),
        stored_path=f"import:{ctx.file}", status="ready", text=text,
        meta_json=canonical_json({"external_id": values["external_id"], "imported_from": ctx.file}),
        occurred_at=when,
    )
    session.add(source)
    session.flush()
    summary = InteractionSummary(
        client=client.name, kind=kind, occurred_at=when, channel=_channel(values.get("channel"), kind),
        participants=_participants(values.get("participants"), client.name),  # type: ignore[arg-type]
        purpose=purpose, sentiment=values.get("sentiment") if values.get("sentiment") in  # type: ignore[arg-type]
        ("positive", "neutral", "mixed", "negative") else "neutral",
    )
    content = InteractionDraft(summary=summary, actions=[], engine="import",
                               no_actions_reason="imported from a CRM export; its actions are imported as rows")
    content_json = content.model_dump_json()
    draft = Draft(source_id=source.id, client_id=client_id, author=author, engine="import",
                  content_json=content_json, lineage_id="")
    draft.lineage_id = draft.id
    session.add(draft)
    session.flush()
    now = utcnow()
    item = ReviewItem(lineage_id=draft.lineage_id, source_id=source.id, client_id=client_id, author=author,
                      status="released", current_draft_id=draft.id, decided_by=ctx.actor, decided_at=now,
                      flags_json="[]")
    session.add(item)
    session.flush()
    decision = Decision(review_id=item.id, draft_id=draft.id, kind="import", actor=ctx.actor, actor_role="system",
                        reason=f"imported from {ctx.file}", seen_version=1, created_at=now)
    session.add(decision)
    session.flush()
    record = InteractionRecord(review_id=item.id, lineage_id=item.lineage_id, draft_id=draft.id,
                               decision_id=decision.id, source_id=source.id, client_id=client_id,
                               approved_by=ctx.actor, content_json=content_json, created_at=now)
    session.add(record)
    session.flush()
    append_event(session, event_type="import", actor=ctx.actor, payload={
        "entity": "interaction", "external_id": values["external_id"], "record_id": record.id,
        "source_id": source.id, "review_id": item.id, "draft_id": draft.id, "client_id": client_id,
        "content_hash": source.content_hash,
    })
    return record.id


def _channel(raw: str | None, kind: str) -> Channel:
    # The export's spelling ("In person", "telephone") becomes the engines' one; like sentiment,
    # an unknown channel is not worth rejecting the interaction over, so it reads "other".
    if not raw:
        return KIND_CHANNEL[kind]  # type: ignore[index]
    return canonical_channel(raw) or "other"


def _import_action(session: Session, values: dict[str, Any], key: ImportKey | None, ctx: _Context) -> str:
    from clients.actions import set_status

    status = (values.get("status") or "open").lower()
    if status not in ("open", "done", "cancelled"):
        raise RowProblem(f"status {status!r} is not open, done or cancelled")
    if key is not None:
        action = session.get(RecordAction, key.target_id)
        if action is None:
            raise RowProblem(f"action {values['external_id']!r} was imported but its row is gone")
        if action.status != status:
            # The CRM closed (or reopened) it: follow, through the audited path.
            set_status(session=session, action_id=action.id, to_status=status, actor=values.get("closed_by") or
                       ctx.actor, reason=values.get("close_reason") or f"status {status} in {ctx.file}")
        return action.id
    record_id = _ref(session, ctx, "interaction", values["interaction_external_id"])
    record = session.get(InteractionRecord, record_id)
    assert record is not None
    source = session.get(Source, record.source_id)
    text = (source.text if source else "") or ""
    evidence = values.get("evidence") or ""
    start = text.find(evidence) if evidence else -1
    if evidence and start < 0:
        raise RowProblem("the evidence is not a span of the interaction's text")
    a_type = values.get("type") or "task"
    if a_type not in _ACTION_TYPES:
        raise RowProblem(f"type {a_type!r} is not one of {', '.join(sorted(_ACTION_TYPES))}")
    ordinal = len(session.exec(select(RecordAction.id).where(RecordAction.record_id == record_id)).all())
    due = values.get("due_on")
    # An action that arrives already closed was never open here: it is imported closed, and the
    # import event records who closed it and why. Only later changes go through `set_status`.
    action = RecordAction(
        record_id=record_id, ordinal=ordinal, client_id=record.client_id, source_id=record.source_id,
        description=values["description"], owner=values.get("owner") or "",
        owner_side=values.get("owner_side") or "firm", type=a_type, status=status,
        due_kind="date" if due else "none", due_date=due, due_phrase=values.get("due_phrase") or "",
        evidence_text=evidence, evidence_start=start if start >= 0 else None,
        evidence_end=start + len(evidence) if start >= 0 else None,
    )
    session.add(action)
    session.flush()
    append_event(session, event_type="import", actor=ctx.actor, payload={
        "entity": "action", "external_id": values["external_id"], "action_id": action.id,
        "record_id": record_id, "client_id": record.client_id, "status": status,
        "closed_by": values.get("closed_by") if status != "open" else None,
        "close_reason": values.get("close_reason") if status != "open" else None,
    })
    return action.id


_WRITERS: dict[str, Callable[[Session, dict[str, Any], ImportKey | None, _Context], str]] = {
    "client": _upsert_client,
    "contact": _simple(Contact, defaults={"is_primary": False}),
    "holding": _simple(Holding, names=_MONEY, defaults={"category": "account", "status": "active",
                                                         "currency": "GBP"}),
    "case": _simple(ServiceCase, defaults={"status": "open", "is_complaint": False, "summary": ""}),
    "document": _simple(OutstandingDocument, defaults={"status": "outstanding"}),
    "watch": _simple(WatchItem, defaults={"kind": "watch", "active": True}),
    "interaction": _import_interaction,
    "action": _import_action,
}


def import_bytes(session: Session, data: bytes, filename: str, mapping: Mapping, *,
                 shift_days: int = 0) -> FileReport:
    """Import one export file in the caller's transaction.

    Args:
        session: The session; the caller commits.
        data: The file's bytes.
        filename: Its name (chooses the mapping block; recorded as `import:<filename>`).
        mapping: The validated mapping.
        shift_days: Days added to every date (the demo book uses it to stay current).

    Returns:
        Counts of created, updated and unchanged rows, and every rejected row with its reason.

    Raises:
        ImportFileError: the file as a whole cannot be read or lacks a needed column.
        MappingError: the mapping has no block for this file.
    """
    block = mapping.for_file(Path(filename))
    name = Path(filename).name
    encoding, columns, rows = read_records(data, name)
    report = FileReport(file=name, entity=block.entity, encoding=encoding)
    spec = ENTITIES[block.entity]
    missing_required = [f"{theirs!r} (for {ours})" for ours, theirs in block.columns.items()
                        if theirs not in columns and spec[ours].required]
    if missing_required:
        raise ImportFileError(f"{name}: missing column(s) {', '.join(missing_required)}; "
                              f"the file has: {', '.join(columns) or 'none'}")
    absent = [theirs for ours, theirs in block.columns.items() if theirs not in columns]
    if absent:
        report.warnings.append(f"optional column(s) not in the file, left unchanged: {', '.join(absent)}")
    ctx = _Context(mapping=mapping, file=name, actor=f"import:{name}", shift=timedelta(days=shift_days))
    seen: dict[str, int] = {}
    for line, raw in rows:
        report.rows += 1
        ext = str(raw.get(block.columns["external_id"]) or "").strip() or None
        try:
            values = convert_row(raw, block, ctx)
            ext = values["external_id"]
            if ext in seen:
                raise RowProblem(f"duplicate id {ext!r} (first on line {seen[ext]})")
            seen[ext] = line
            digest = _digest(values)
            key = _key(session, block.entity, ext)
            if key is not None and key.digest == digest:
                report.unchanged += 1
                continue
            with session.begin_nested():
                target = _WRITERS[block.entity](session, dict(values), key, ctx)
                if key is None:
                    session.add(ImportKey(entity=block.entity, external_id=ext, target_id=target, digest=digest))
                    ctx.ids[(block.entity, ext)] = target
                else:
                    key.digest, key.updated_at = digest, utcnow()
                    session.add(key)
                session.flush()
            if key is None:
                report.created += 1
            else:
                report.updated += 1
        except RowProblem as exc:
            report.errors.append(RowError(line, str(exc), ext))
        except IntegrityError as exc:
            report.errors.append(RowError(line, f"conflicts with an existing row: {exc.orig}", ext))
    append_event(session, event_type="import", actor=ctx.actor, payload={
        "entity": block.entity, "file": name, "encoding": encoding, "rows": report.rows,
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "rejected": len(report.errors), "file_hash": "sha256:" + hashlib.sha256(data).hexdigest(),
    })
    return report


def import_files(session: Session, paths: list[Path], mapping: Mapping, *, shift_days: int = 0) -> list[FileReport]:
    """Import several export files, parents first (clients before their holdings, and so on).

    Raises:
        ImportFileError: a file cannot be read; files before it stay imported in the session.
    """
    def order(path: Path) -> int:
        return ENTITY_ORDER.index(mapping.for_file(path).entity)

    reports = []
    for path in sorted(paths, key=order):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
        reports.append(import_bytes(session, data, path.name, mapping, shift_days=shift_days))
    return reports

