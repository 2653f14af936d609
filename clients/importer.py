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
  Excel on Windows writes). The report names the encoding used. The CSV delimiter is
  sniffed (`clients.import_read`).
- **Interactions become the record through an import path, not the review gate.** They
  were already the record in the CRM; routing them through reviewers would be theatre.
  Each one still gets the full chain of rows the gate would have made (source with its
  text, draft, review item in `released`, a decision of kind `import`, the record), and an
  audit event with actor `import:<file>`, so every line of a brief can point at a span
  of real text and the trail says where it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from clients.errors import ImportFileError, RowProblem
from clients.import_read import decode, read_records
from clients.import_values import ImportContext, convert_row, digest_of, find_key
from clients.import_writers import WRITERS
from clients.mapping import ENTITIES, ENTITY_ORDER, Mapping
from clients.models import ImportKey
from records.ids import utcnow
from review.audit import append_event

__all__ = ["FileReport", "ImportFileError", "RowError", "decode", "import_bytes", "import_files"]


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
    ctx = ImportContext(mapping=mapping, file=name, actor=f"import:{name}", shift=timedelta(days=shift_days))
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
            digest = digest_of(values)
            key = find_key(session, block.entity, ext)
            if key is not None and key.digest == digest:
                report.unchanged += 1
                continue
            with session.begin_nested():
                target = WRITERS[block.entity](session, dict(values), key, ctx)
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
