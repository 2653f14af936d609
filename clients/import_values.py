"""Converting export rows into our fields, and finding rows an earlier import made.

Scalar conversions are Pydantic's (`TypeAdapter`: whole numbers, yes/no, amounts); dates
follow the mapping (`iso`, or `dateparser` with the mapping's day/month order).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, select

from clients.errors import RowProblem
from clients.mapping import ENTITIES, FieldSpec, FileMapping, Mapping
from clients.models import ImportKey
from records.ids import canonical_json

_DECIMAL_COMMA = re.compile(r"-?\d{1,3}(\.\d{3})*,\d{2}|-?\d+,\d{2}")
_ADAPTERS: dict[str, tuple[TypeAdapter[Any], str]] = {
    "int": (TypeAdapter(int), "is not a whole number"),
    "bool": (TypeAdapter(bool), "is not yes/no"),
    "money": (TypeAdapter(Decimal), "is not an amount"),
}


@dataclass
class ImportContext:
    """One import run: the mapping, the file, who imports, the date shift and the ids seen."""

    mapping: Mapping
    file: str
    actor: str
    shift: timedelta
    ids: dict[tuple[str, str], str] = field(default_factory=dict)


def _parse_date(raw: str, ctx: ImportContext) -> date:
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


def _parse_datetime(raw: str, ctx: ImportContext) -> datetime:
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


def convert_value(raw: Any, spec: FieldSpec, ctx: ImportContext) -> Any:
    """One export value as our type (None for a blank cell).

    Raises:
        RowProblem: the value does not convert.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.type in ("str", "text"):
        return str(raw).strip() if spec.type == "str" else str(raw)
    text = str(raw).strip()
    if spec.type == "date":
        return _parse_date(text, ctx) + ctx.shift
    if spec.type == "datetime":
        return _parse_datetime(text, ctx) + ctx.shift
    adapter, problem = _ADAPTERS[spec.type]
    plain = _plain_amount(text) if spec.type == "money" else text
    try:
        value = adapter.validate_python(plain)
    except ValidationError:
        raise RowProblem(f"{text!r} {problem}") from None
    return int((value * 100).to_integral_value()) if spec.type == "money" else value


def _plain_amount(text: str) -> str:
    # "1,234.50" (UK) and "1.234,50" (a semicolon-separated European export) are both
    # amounts: a comma followed by exactly two digits at the end is a decimal comma.
    amount = text.lstrip("£$€").strip()
    if _DECIMAL_COMMA.fullmatch(amount):
        return amount.replace(".", "").replace(",", ".")
    return amount.replace(",", "")


def convert_row(row: dict[str, Any], block: FileMapping, ctx: ImportContext) -> dict[str, Any]:
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
            out[ours] = convert_value(row[theirs], spec[ours], ctx)
        except RowProblem as exc:
            raise RowProblem(f"column {theirs!r}: {exc}") from None
        if out[ours] is None and spec[ours].required:
            raise RowProblem(f"column {theirs!r} is empty; {ours} is required")
    return out


def digest_of(values: dict[str, Any]) -> str:
    """The digest of a converted row: an unchanged row re-imported is skipped."""
    return "sha256:" + hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


def find_key(session: Session, entity: str, external_id: str) -> ImportKey | None:
    """The import key an earlier import left for this external id, if any."""
    return session.exec(
        select(ImportKey).where(ImportKey.entity == entity, ImportKey.external_id == external_id)
    ).first()


def ref_of(session: Session, ctx: ImportContext, entity: str, external_id: str) -> str:
    """Our id for a parent row the export names by its external id.

    Raises:
        RowProblem: the parent was never imported.
    """
    cached = ctx.ids.get((entity, external_id))
    if cached:
        return cached
    key = find_key(session, entity, external_id)
    if key is None:
        raise RowProblem(f"unknown {entity} {external_id!r} (import the {entity} file first)")
    ctx.ids[(entity, external_id)] = key.target_id
    return key.target_id
