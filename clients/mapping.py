"""The column mapping of a CRM export: which of its columns feeds which field of ours.

A mapping file is small YAML, one block per export file::

    version: 1
    dates: iso            # `iso` (strict YYYY-MM-DD) or `parse` (dateparser, see date_order)
    date_order: DMY       # only with `dates: parse`: how to read 03/04/2026
    files:
      clients.csv:
        entity: client
        columns:          # our field: their column heading (or JSON key)
          external_id: Client ID
          name: Client Name

Design decisions:

- The fields of each entity are declared here once (`ENTITIES`), with their type and
  whether a row without them is useless. The importer converts and validates by that
  table, so a new CRM needs a new mapping file, never new code.
- The file is validated by Pydantic with `extra="forbid"`: a typo (`colums:`) or an
  unknown field of ours fails at load time with the file's name, rather than silently
  importing nothing.
- Strict ISO dates are the default. Free-form parsing (dateparser) is opt-in because
  `03/04/2026` is a different day in London and New York; the mapping must say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from clients.errors import MappingError

FieldType = Literal["str", "text", "int", "bool", "date", "datetime", "money"]
Entity = Literal["client", "contact", "holding", "case", "document", "watch", "interaction", "action"]

ENTITY_ORDER: tuple[Entity, ...] = (
    "client", "contact", "holding", "case", "document", "watch", "interaction", "action",
)
"""Import order within one run: parents before the rows that refer to them."""



@dataclass(frozen=True)
class FieldSpec:
    """One field of ours: its type and whether a row needs it."""

    type: FieldType = "str"
    required: bool = False


def _f(type_: FieldType = "str", required: bool = False) -> FieldSpec:
    return FieldSpec(type_, required)


_REF = _f(required=True)

ENTITIES: dict[str, dict[str, FieldSpec]] = {
    "client": {
        "external_id": _REF, "name": _REF, "party_type": _f(), "segment": _f(), "relationship_owner": _f(),
        "service_team": _f(), "client_since": _f("date"), "contact_cadence_days": _f("int"),
        "birth_year": _f("int"), "preferred_channel": _f(), "notes": _f("text"),
    },
    "contact": {
        "external_id": _REF, "client_external_id": _REF, "name": _REF, "role": _f(), "email": _f(),
        "phone": _f(), "is_primary": _f("bool"),
    },
    "holding": {
        "external_id": _REF, "client_external_id": _REF, "product_type": _REF, "name": _REF,
        "category": _f(), "status": _f(), "currency": _f(), "balance": _f("money"),
        "contract_value": _f("money"), "cover": _f("money"), "reference_value": _f("money"),
        "rate_fixed_until": _f("date"), "opened_on": _f("date"), "renewal_on": _f("date"),
        "maturity_on": _f("date"), "review_on": _f("date"), "notice_period_days": _f("int"),
    },
    "case": {
        "external_id": _REF, "client_external_id": _REF, "case_type": _REF, "opened_on": _f("date", True),
        "status": _f(), "is_complaint": _f("bool"), "summary": _f("text"), "closed_on": _f("date"),
        "sla_days": _f("int"), "owner_team": _f(),
    },
    "document": {
        "external_id": _REF, "client_external_id": _REF, "name": _REF, "requested_on": _f("date"),
        "due_on": _f("date"), "status": _f(),
    },
    "watch": {
        "external_id": _REF, "client_external_id": _REF, "text": _f("text", True), "kind": _f(),
        "since": _f("date"), "until": _f("date"), "active": _f("bool"),
    },
    "interaction": {
        "external_id": _REF, "client_external_id": _REF, "occurred_at": _f("datetime", True),
        "kind": _REF, "text": _f("text", True), "channel": _f(), "purpose": _f(), "author": _f(),
        "participants": _f("text"), "sentiment": _f(), "client_asks": _f("text"), "concerns": _f("text"),
    },
    "action": {
        "external_id": _REF, "interaction_external_id": _REF, "description": _f("text", True),
        "owner": _f(), "owner_side": _f(), "type": _f(), "status": _f(), "due_on": _f("date"),
        "due_phrase": _f(), "evidence": _f("text"), "close_reason": _f("text"), "closed_by": _f(),
    },
}
"""Every entity's fields. `*_external_id` fields refer to rows imported earlier (or in the same run)."""


class FileMapping(BaseModel):
    """How one export file maps onto one entity."""

    model_config = ConfigDict(extra="forbid")

    entity: Entity
    columns: dict[str, str] = Field(description="Our field name → the export's column heading or JSON key.")

    @model_validator(mode="after")
    def _known_fields(self) -> FileMapping:
        spec = ENTITIES[self.entity]
        unknown = sorted(set(self.columns) - set(spec))
        if unknown:
            raise ValueError(f"unknown field(s) for entity {self.entity!r}: {', '.join(unknown)}; "
                             f"known: {', '.join(spec)}")
        missing = sorted(name for name, f in spec.items() if f.required and name not in self.columns)
        if missing:
            raise ValueError(f"entity {self.entity!r} needs a column for: {', '.join(missing)}")
        return self


class Mapping(BaseModel):
    """A whole mapping file."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    dates: Literal["iso", "parse"] = "iso"
    date_order: Literal["DMY", "MDY", "YMD"] = "DMY"
    currency: str = "GBP"
    files: dict[str, FileMapping]

    def for_file(self, path: Path) -> FileMapping:
        """The mapping block for an export file, by its name (or its stem, ignoring the extension)."""
        if path.name in self.files:
            return self.files[path.name]
        by_stem = {Path(name).stem: block for name, block in self.files.items()}
        if path.stem in by_stem:
            return by_stem[path.stem]
        if len(self.files) == 1:
            return next(iter(self.files.values()))
        raise MappingError(f"the mapping has no block for {path.name!r}; it maps: {', '.join(self.files)}")


def parse_mapping(text: str, *, name: str = "<mapping>") -> Mapping:
    """Parse and validate mapping YAML.

    Args:
        text: The YAML text.
        name: The file name, for messages.

    Raises:
        MappingError: not YAML, or not a valid mapping.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{name}: a mapping file is a YAML object with `files:`")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise MappingError(f"{name}: invalid mapping: {problems}") from exc


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file.

    Raises:
        MappingError: missing, unreadable or invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping file {path}: {exc.strerror or exc}") from exc
    return parse_mapping(text, name=path.name)
