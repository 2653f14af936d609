"""Searching one client's released history: the records a reviewer approved, never drafts.

Only `InteractionRecord` rows are searched: what passed the review gate. A match is
scored by how many of the query's content words the record's summary and its source
hold (stopwords dropped); each hit carries the sentence it matched in, the source file and
the date, so an assistant can cite it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from clients.lookup import readable_client
from pipeline.text import STOPWORDS, sentence_spans
from records.errors import InvalidQuestion
from records.tables import Source, User
from review.models import InteractionRecord

_WORD = re.compile(r"[\w£$€%.,-]+")


@dataclass(frozen=True)
class HistoryHit:
    """One released interaction that matches, with the sentence that matched best."""

    record_id: str
    source_id: str
    filename: str
    occurred_at: str | None
    purpose: str | None
    score: float
    quote: str


def _terms(text: str) -> set[str]:
    return {w.strip(".,-").casefold() for w in _WORD.findall(text)} - STOPWORDS - {""}


def _best_sentence(text: str, terms: set[str]) -> tuple[int, str]:
    best = (0, "")
    for span in sentence_spans(text):
        sentence = text[span.start:span.end]
        hits = len(terms & _terms(sentence))
        if hits > best[0]:
            best = (hits, sentence.strip())
    return best


def _score(record: InteractionRecord, source: Source | None, terms: set[str]) -> HistoryHit | None:
    content: dict[str, Any] = json.loads(record.content_json)
    summary = json.dumps(content.get("summary") or {}, ensure_ascii=False)
    text = (source.text if source else "") or ""
    found = terms & (_terms(summary) | _terms(text))
    if not found:
        return None
    _hits, quote = _best_sentence(text, terms)
    return HistoryHit(
        record_id=record.id, source_id=record.source_id, filename=source.filename if source else "",
        occurred_at=source.occurred_at.isoformat() if source and source.occurred_at else None,
        purpose=(content.get("summary") or {}).get("purpose"), score=round(len(found) / len(terms), 3),
        quote=quote[:400],
    )


def search_history(session: Session, client_ref: str, query: str, user: User, *, limit: int = 10) -> list[HistoryHit]:
    """Released interactions of one client (in the user's book) matching `query`, best first.

    Raises:
        Forbidden / UnknownClient: as `readable_client`.
        InvalidQuestion: the query has no content words.
    """
    client = readable_client(session, client_ref, user)
    terms = _terms(query)
    if not terms:
        raise InvalidQuestion("the search needs at least one word that is not a stopword")
    rows = session.exec(select(InteractionRecord, Source).join(Source, col(Source.id) == InteractionRecord.source_id)
                        .where(InteractionRecord.client_id == client.id)
                        .order_by(col(InteractionRecord.created_at).desc())).all()
    hits = [h for record, source in rows if (h := _score(record, source, terms)) is not None]
    hits.sort(key=lambda h: h.occurred_at or "", reverse=True)
    hits.sort(key=lambda h: -h.score)  # stable: the best match first, the most recent among equals
    return hits[:limit]
