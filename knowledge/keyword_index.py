"""The persistent keyword index: SQLite FTS5 or PostgreSQL full-text search, in the records database.

Decisions:

- **In the database, written with the chunks.** The indexer adds a chunk's keyword row in the
  same transaction as its `chunk` row (`index_chunks`, `unindex_sources`), so the keyword index
  holds exactly the committed versions: no process rebuilds it from the vector store, and a
  pending (unapproved) knowledge-base version is never in it because only the indexer writes.
- **Our tokenizer, the database's index.** Rows store the terms of `knowledge.bm25.tokenize`
  (stems, whole amounts such as `£25` and `3.5%`, hyphenated compounds), so both backends
  match the same terms the in-memory BM25 did. SQLite gets them space-separated in an FTS5
  table whose tokenizer keeps `£ . , % -` inside tokens; PostgreSQL gets a `tsvector` literal
  (quoted lexemes, no dictionary), with a GIN index.
- **Filtered by the same metadata**: `kind`, `client_id` and `source_id` are columns of the
  keyword row; any other filter key is a caller error.
- **Scores.** SQLite ranks by FTS5's `bm25()` (negated, so higher is better). PostgreSQL ranks
  by `sum(idf(term) * ts_rank(row, term))`, the IDF taken from the index's own document
  counts, so rare terms weigh more on both backends.
- **Query-term weighting.** A long situational question carries narrative words ("customer",
  "called", "yesterday") that match much of the corpus; terms found in more than
  `max_df_ratio` of the rows are left out of the keyword query (unless nothing would remain),
  and only the `max_terms` rarest terms are kept, so the specific words carry the keyword half.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from knowledge.bm25 import tokenize

FILTER_COLUMNS = ("kind", "client_id", "source_id")
"""Metadata keys a keyword search can filter on."""

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_keyword USING fts5("
    "terms, chunk_id UNINDEXED, source_id UNINDEXED, kind UNINDEXED, client_id UNINDEXED, "
    "tokenize = \"unicode61 remove_diacritics 0 tokenchars '£.,%-'\")",
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_keyword_vocab USING fts5vocab(chunk_keyword, 'row')",
)
POSTGRES_DDL = (
    "CREATE TABLE IF NOT EXISTS chunk_keyword (chunk_id VARCHAR PRIMARY KEY, source_id VARCHAR NOT NULL, "
    "kind VARCHAR, client_id VARCHAR, terms TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_chunk_keyword_terms ON chunk_keyword USING GIN (terms)",
    "CREATE INDEX IF NOT EXISTS ix_chunk_keyword_source ON chunk_keyword (source_id)",
)
DROP_DDL = {
    "sqlite": ("DROP TABLE IF EXISTS chunk_keyword_vocab", "DROP TABLE IF EXISTS chunk_keyword"),
    "postgresql": ("DROP TABLE IF EXISTS chunk_keyword",),
}


@dataclass(frozen=True)
class KeywordRow:
    """One chunk as the keyword index holds it."""

    chunk_id: str
    source_id: str
    text: str
    kind: str | None = None
    client_id: str | None = None


def create_schema(conn: Connection) -> None:
    """Create the keyword table (and its indexes) for the connection's dialect."""
    for ddl in SQLITE_DDL if conn.dialect.name == "sqlite" else POSTGRES_DDL:
        conn.execute(text(ddl))


def _tsvector(terms: list[str]) -> str:
    positions: dict[str, list[int]] = {}
    for pos, term in enumerate(terms, start=1):
        positions.setdefault(term[:200], []).append(min(pos, 16383))
    # Quoted lexemes keep `£25` and `same-day` whole; PostgreSQL keeps at most 256 positions each.
    return " ".join(
        "'{}':{}".format(t.replace("\\", "\\\\").replace("'", "''"), ",".join(map(str, p[:256])))
        for t, p in positions.items()
    )


def _quote_sqlite(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _quote_pg(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def index_chunks(conn: Connection, rows: Iterable[KeywordRow]) -> None:
    """Add chunks to the keyword index (inside the caller's transaction).

    Args:
        conn: The connection of the transaction that writes the chunk rows.
        rows: The chunks.
    """
    sqlite = conn.dialect.name == "sqlite"
    params = []
    for row in rows:
        terms = tokenize(row.text)
        params.append(
            {
                "chunk_id": row.chunk_id,
                "source_id": row.source_id,
                "kind": row.kind,
                "client_id": row.client_id,
                "terms": " ".join(terms) if sqlite else _tsvector(terms),
            }
        )
    if not params:
        return
    value = ":terms" if sqlite else "CAST(:terms AS tsvector)"
    conn.execute(
        text(
            "INSERT INTO chunk_keyword (chunk_id, source_id, kind, client_id, terms) "
            f"VALUES (:chunk_id, :source_id, :kind, :client_id, {value})"
        ),
        params,
    )


def unindex_sources(conn: Connection, source_ids: Sequence[str]) -> None:
    """Remove every keyword row of some sources (inside the caller's transaction)."""
    for source_id in source_ids:
        conn.execute(text("DELETE FROM chunk_keyword WHERE source_id = :s"), {"s": source_id})


def _filters(where: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for key, value in (where or {}).items():
        if value is None:
            continue
        if key not in FILTER_COLUMNS or isinstance(value, Mapping | list):
            raise ValueError(f"keyword search filters on equality of {FILTER_COLUMNS}, not {key!r}={value!r}")
        clauses.append(f"{key} = :f_{key}")
        params[f"f_{key}"] = value
    return "".join(f" AND {c}" for c in clauses), params


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class KeywordIndex:
    """Keyword search over the `chunk_keyword` table of a records database."""

    def __init__(self, engine: Engine, *, max_df_ratio: float = 1.0, max_terms: int = 64) -> None:
        """Use the keyword table of `engine`'s database.

        Args:
            engine: The records database (SQLite or PostgreSQL), migrated.
            max_df_ratio: Query terms found in more than this share of rows are dropped.
            max_terms: At most this many (the rarest) query terms are searched.
        """
        self.engine = engine
        self.max_df_ratio = max_df_ratio
        self.max_terms = max_terms
        self._sqlite = engine.dialect.name == "sqlite"

    def _stats(self, conn: Connection, terms: list[str]) -> tuple[int, dict[str, int]]:
        """The row count and each term's document frequency."""
        if self._sqlite:
            n = conn.execute(text("SELECT count(*) FROM chunk_keyword")).scalar_one()
            marks = ", ".join(f":t{i}" for i in range(len(terms)))
            found = conn.execute(
                text(f"SELECT term, doc FROM chunk_keyword_vocab WHERE term IN ({marks})"),
                {f"t{i}": t for i, t in enumerate(terms)},
            ).all()
            return int(n), {str(t): int(d) for t, d in found}
        parts = ["(SELECT count(*) FROM chunk_keyword)"] + [
            f"(SELECT count(*) FROM chunk_keyword WHERE terms @@ CAST(:t{i} AS tsquery))" for i in range(len(terms))
        ]
        counts = conn.execute(
            text("SELECT " + ", ".join(parts)), {f"t{i}": _quote_pg(t) for i, t in enumerate(terms)}
        ).one()
        return int(counts[0]), {t: int(c) for t, c in zip(terms, counts[1:], strict=True) if c}

    def query_terms(self, conn: Connection, question: str) -> tuple[int, dict[str, float]]:
        """The weighted terms the keyword query searches: term to IDF, rare terms only."""
        terms = list(dict.fromkeys(tokenize(question)))
        if not terms:
            return 0, {}
        n, df = self._stats(conn, terms)
        present = sorted((t for t in terms if t in df), key=lambda t: (df[t], terms.index(t)))
        kept = [t for t in present if df[t] <= self.max_df_ratio * n] or present[:1]
        return n, {t: _idf(n, df[t]) for t in kept[: self.max_terms]}

    def search(
        self, question: str, *, where: Mapping[str, Any] | None = None, k: int = 20, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The chunks that best match the question's terms.

        Args:
            question: The question as asked (tokenized like the chunks).
            where: Equality filter on `kind`, `client_id`, `source_id`.
            k: How many hits at most.
            ids: Score only these chunks (to give vector hits their keyword score).

        Returns:
            `(chunk id, score > 0)` pairs, best first.

        Raises:
            ValueError: The filter uses another key or an operator.
        """
        clause, params = _filters(where)
        if ids is not None:
            if not ids:
                return []
            clause += " AND chunk_id IN (" + ", ".join(f":id{i}" for i in range(len(ids))) + ")"
            params.update({f"id{i}": cid for i, cid in enumerate(ids)})
        with self.engine.connect() as conn:
            _, weights = self.query_terms(conn, question)
            if not weights:
                return []
            if self._sqlite:
                params["q"] = " OR ".join(_quote_sqlite(t) for t in weights)
                sql = (
                    "SELECT chunk_id, -bm25(chunk_keyword) AS score FROM chunk_keyword "
                    f"WHERE chunk_keyword MATCH :q{clause} ORDER BY score DESC, chunk_id LIMIT :k"
                )
            else:
                terms = list(weights)
                params.update({f"q{i}": _quote_pg(t) for i, t in enumerate(terms)})
                params.update({f"w{i}": weights[t] for i, t in enumerate(terms)})
                params["q"] = " | ".join(_quote_pg(t) for t in terms)
                score = " + ".join(
                    f"CAST(:w{i} AS float) * ts_rank(terms, CAST(:q{i} AS tsquery), 1)" for i in range(len(terms))
                )
                sql = (
                    f"SELECT chunk_id, ({score}) AS score FROM chunk_keyword "
                    f"WHERE terms @@ CAST(:q AS tsquery){clause} ORDER BY score DESC, chunk_id LIMIT :k"
                )
            params["k"] = k if ids is None else len(ids)
            return [(str(cid), float(s)) for cid, s in conn.execute(text(sql), params).all()]

    def held_words(
        self, words: Iterable[str], *, where: Mapping[str, Any] | None = None, min_prefix: int = 5
    ) -> frozenset[str]:
        """The words some row matching `where` holds: as a term, or prefix-related to one.

        A word is held when a row has it as a term, a term that begins with it, or a term it
        begins with, both at least `min_prefix` letters (the rule of `knowledge.relevance.holds`;
        words starting with a digit or `£` match whole only). One indexed lookup per word, so a
        question is checked against the whole filtered corpus without reading it.

        Args:
            words: Terms as `knowledge.bm25.tokenize` writes them.
            where: Equality filter on `kind`, `client_id`, `source_id`.
            min_prefix: Letters a word and a term need before a prefix relation counts.

        Returns:
            The held words.

        Raises:
            ValueError: The filter uses another key or an operator.
        """
        clause, params = _filters(where)
        held = set()
        with self.engine.connect() as conn:
            for word in dict.fromkeys(w for w in words if w):
                exact = [word]
                prefix = len(word) >= min_prefix and not (word[0].isdigit() or word[0] == "£")
                if prefix:
                    exact += [word[:i] for i in range(min_prefix, len(word))]
                if self._sqlite:
                    starts = [_quote_sqlite(word) + " *"] if prefix else []
                    q = " OR ".join([_quote_sqlite(t) for t in exact] + starts)
                    sql = f"SELECT 1 FROM chunk_keyword WHERE chunk_keyword MATCH :q{clause} LIMIT 1"
                else:
                    starts = [_quote_pg(word) + ":*"] if prefix else []
                    q = " | ".join([_quote_pg(t) for t in exact] + starts)
                    sql = f"SELECT 1 FROM chunk_keyword WHERE terms @@ CAST(:q AS tsquery){clause} LIMIT 1"
                if conn.execute(text(sql), {**params, "q": q}).first() is not None:
                    held.add(word)
        return frozenset(held)

    def scores(self, question: str, ids: Sequence[str]) -> dict[str, float]:
        """The keyword score of some chunks (absent: no query term in it)."""
        return dict(self.search(question, ids=ids))
