"""Service themes: the concerns that keep coming back across a book, found without labels.

`service_themes` gathers what clients said (the concerns and asks of released interaction
records) and the descriptions of service cases, embeds them with the local MiniLM model,
clusters them (`pipeline.clustering.cluster_phrases`, the clustering that
`clientloop eval banking77-themes` scores) and reports each theme with its counts by
month, the clients affected and example spans linked to their source.

Design decisions:

- **Scoped like the weekly review.** The caller needs the `clients` permission; an RM
  always gets their own book whatever `owner` says (`records.access.book_owner`), a
  reviewer or admin every book or the one asked for. Only released records count: a
  draft awaiting review is nobody's record yet.
- **Always the local model.** Themes are computed where the records are and never
  leave the machine, whatever embedding provider the knowledge base uses; a test can
  pass its own `embed`.
- **Every example is linked.** A record's phrase carries the record id, the source id
  and the character span where it occurs in the source (engines copy client words
  verbatim; a paraphrase that is not found keeps its link without a span). A case links
  to the case.
- **A theme needs a repeat**: at least two mentions. Themes are ordered by clients
  affected, then mentions, then name, so the same records always give the same list.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from clients.brief_models import SourceLink
from clients.models import ServiceCase
from pipeline.clustering import DISTANCE_THRESHOLD, cluster_phrases
from records.access import book_owner, require_permission
from records.tables import Client, Source, User
from review.models import InteractionRecord

MIN_MENTIONS = 2
EXAMPLES = 3
PhraseKind = Literal["concern", "client_ask", "case"]

_model_lock = threading.Lock()
_model: Any = None
_cache: dict[str, np.ndarray] = {}
CACHE_SIZE = 50_000
"""Phrases whose local vectors are kept between calls (a book's concerns repeat week to week)."""


def local_embeddings() -> Any:
    """The process's one local MiniLM model for themes (created on first use)."""
    global _model
    with _model_lock:
        if _model is None:
            from pipeline.embeddings import OnnxMiniLMEmbeddings

            _model = OnnxMiniLMEmbeddings()
    return _model


class ThemeExample(BaseModel):
    """One mention of a theme, linked to where it was said or recorded."""

    text: str
    kind: PhraseKind = Field(description="A client's concern, a client's ask, or a service case's description.")
    client: str
    client_id: str
    date: date
    source: SourceLink


class Theme(BaseModel):
    """A repeated concern: its name, how often and for whom it came up, and examples."""

    id: str = Field(description="`T1`, `T2`, ... within this report.")
    name: str = Field(description="The most central phrase of the theme.")
    central_phrases: list[str] = Field(description="The phrases nearest the theme's centre, most central first.")
    keywords: list[str] = Field(description="Words that set the theme apart from the others.")
    mentions: int
    clients: int = Field(description="How many clients raised it.")
    client_names: list[str]
    by_month: dict[str, int] = Field(description="Mentions per month (`YYYY-MM`), oldest first.")
    by_kind: dict[str, int]
    first_seen: date
    last_seen: date
    cohesion: float = Field(description="Mean cosine similarity of the mentions to the theme's centre.")
    examples: list[ThemeExample]


class ThemesReport(BaseModel):
    """The service themes of one book."""

    owner: str | None = Field(default=None, description="The RM whose book this is (None: every book).")
    since: date | None = None
    clients: int = Field(description="Clients in the book.")
    phrases: int = Field(description="Concerns, asks and case descriptions considered.")
    themes: list[Theme]
    method: str


@dataclass(frozen=True)
class _Phrase:
    text: str
    kind: PhraseKind
    client_id: str
    day: date
    link: SourceLink


_AMOUNT = re.compile(r"(?<![\w£$€])([£$€])\s?\d[\d,]*(?:\.\d+)?(?:k|m|bn)?\b", re.IGNORECASE)


def theme_name(phrase: str) -> str:
    """A theme's name: its most central phrase with figures generalised (one client's £166 is not the theme)."""
    name = _AMOUNT.sub(lambda m: f"{m.group(1)}…", phrase.strip()).rstrip(".")
    return name[:1].upper() + name[1:]


def _span(text: str, phrase: str) -> tuple[int, int] | None:
    start = text.find(phrase)
    if start < 0:
        start = text.lower().find(phrase.lower())
    return (start, start + len(phrase)) if start >= 0 else None


def _record_phrases(session: Session, ids: list[str], since: date | None) -> list[_Phrase]:
    query = (
        select(  # type: ignore[call-overload]
            InteractionRecord.id,
            InteractionRecord.client_id,
            InteractionRecord.content_json,
            Source.id,
            Source.text,
            Source.occurred_at,
        )
        .join(Source, col(Source.id) == col(InteractionRecord.source_id))
        .where(col(InteractionRecord.client_id).in_(ids))
    )
    if since:
        query = query.where(col(Source.occurred_at) >= datetime.combine(since, time.min))
    out = []
    for record_id, client_id, content, source_id, text, occurred in session.exec(query).all():
        summary = json.loads(content).get("summary") or {}
        day = occurred.date() if occurred else date.min
        fields: tuple[tuple[str, PhraseKind], ...] = (("concerns", "concern"), ("client_asks", "client_ask"))
        for field, kind in fields:
            for phrase in summary.get(field) or []:
                span = _span(text or "", phrase)
                quote = text[span[0] : span[1]] if span else None
                out.append(
                    _Phrase(
                        phrase,
                        kind,
                        client_id,
                        day,
                        SourceLink(kind="record", id=record_id, source_id=source_id, span=span, quote=quote),
                    )
                )
    return out


def _case_phrases(session: Session, ids: list[str], since: date | None) -> list[_Phrase]:
    query = select(ServiceCase).where(col(ServiceCase.client_id).in_(ids), col(ServiceCase.summary) != "")
    if since:
        query = query.where(col(ServiceCase.opened_on) >= since)
    return [
        _Phrase(c.summary, "case", c.client_id, c.opened_on, SourceLink(kind="case", id=c.id, quote=c.summary))
        for c in session.exec(query).all()
    ]


def service_themes(
    *,
    session: Session,
    user: User | None = None,
    owner: str | None = None,
    since: date | None = None,
    embed: Any = None,
) -> ThemesReport:
    """The repeated concerns across a book's released interactions and service cases.

    Args:
        session: The session (read only).
        user: Who asks (None: the operator); needs the `clients` permission, an RM sees their own book.
        owner: Restrict to one RM's book.
        since: Count only interactions from, and cases opened on, this day or later.
        embed: An embeddings object with `embed_array` (default the local MiniLM model).

    Raises:
        Forbidden: the user's role may not read client records.
    """
    require_permission(user, "clients")
    owner = book_owner(user, owner)
    query = select(Client)
    if owner:
        query = query.where(Client.relationship_owner == owner)
    clients = {c.id: c.name for c in session.exec(query).all()}
    ids = list(clients)
    phrases = (_record_phrases(session, ids, since) + _case_phrases(session, ids, since)) if ids else []
    phrases.sort(key=lambda p: (p.text, p.day, p.client_id, p.link.id))  # the same records, the same themes
    method = (
        f"local MiniLM vectors, agglomerative clustering (average linkage, cosine distance < "
        f"{DISTANCE_THRESHOLD}), themes of {MIN_MENTIONS} or more mentions"
    )
    themes = _themes(phrases, clients, embed) if len(phrases) >= MIN_MENTIONS else []
    return ThemesReport(
        owner=owner, since=since, clients=len(clients), phrases=len(phrases), themes=themes, method=method
    )


def _vectors(texts: list[str], embed: Any) -> np.ndarray:
    """One unit vector per text; each distinct text is embedded once (with the local model, once per process)."""
    model = embed or local_embeddings()
    cache = _cache if embed is None else {}
    with _model_lock:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
    if missing:
        fresh = model.embed_array(missing)
        with _model_lock:
            if len(cache) + len(missing) > CACHE_SIZE:
                cache.clear()
            cache.update(zip(missing, fresh, strict=True))
    with _model_lock:
        return np.stack([cache[t] for t in texts])


def _themes(phrases: list[_Phrase], clients: dict[str, str], embed: Any) -> list[Theme]:
    texts = [p.text for p in phrases]
    vectors = _vectors(texts, embed)
    themes = []
    for cluster in cluster_phrases(texts, vectors, min_size=MIN_MENTIONS):
        members = [phrases[i] for i in cluster.members]
        affected = sorted({clients[p.client_id] for p in members})
        months = Counter(f"{p.day:%Y-%m}" for p in members)
        central = list(dict.fromkeys(texts[i] for i in cluster.central))
        examples = [phrases[i] for i in cluster.central]
        examples += [p for p in sorted(members, key=lambda p: (p.day, p.text), reverse=True) if p not in examples]
        themes.append(
            Theme(
                id="",
                name=theme_name(central[0]),
                central_phrases=central,
                keywords=cluster.keywords,
                mentions=len(members),
                clients=len(affected),
                client_names=affected,
                by_month=dict(sorted(months.items())),
                by_kind=dict(sorted(Counter(p.kind for p in members).items())),
                first_seen=min(p.day for p in members),
                last_seen=max(p.day for p in members),
                cohesion=cluster.cohesion,
                examples=[
                    ThemeExample(
                        text=p.text,
                        kind=p.kind,
                        client=clients[p.client_id],
                        client_id=p.client_id,
                        date=p.day,
                        source=p.link,
                    )
                    for p in _distinct_clients(examples)[:EXAMPLES]
                ],
            )
        )
    themes.sort(key=lambda t: (-t.clients, -t.mentions, t.name))
    return [t.model_copy(update={"id": f"T{n}"}) for n, t in enumerate(themes, 1)]


def _distinct_clients(examples: list[_Phrase]) -> list[_Phrase]:
    """Examples from different clients first, so three examples show three voices where there are three."""
    seen: set[str] = set()
    first: list[_Phrase] = []
    rest: list[_Phrase] = []
    for p in examples:
        (rest if p.client_id in seen else first).append(p)
        seen.add(p.client_id)
    return first + rest


def theme_lines(report: ThemesReport, limit: int = 5) -> list[dict[str, Any]]:
    """The top themes as rows for the weekly review."""
    return [
        {
            "theme_id": t.id,
            "name": t.name,
            "keywords": t.keywords,
            "mentions": t.mentions,
            "clients": t.clients,
            "by_month": t.by_month,
            "last_seen": t.last_seen.isoformat(),
            "example": t.examples[0].model_dump(mode="json") if t.examples else None,
        }
        for t in report.themes[:limit]
    ]
