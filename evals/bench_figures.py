"""The bench table: each section's raw measurements as rows of a value beside its baseline."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from evals.bench_corpus import LLM_TRANSCRIPTS

Raw = dict[str, Any]
"""What one section measured: figure name to number (or a short string)."""


@dataclass(frozen=True)
class Figure:
    """One row of the bench table: a measured value beside its baseline."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline, when both are finite numbers and the baseline is not zero."""
        if not finite(self.value) or not finite(self.baseline) or self.baseline == 0:
            return None
        return float(self.value) / float(self.baseline)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        return {**{k: json_number(v) for k, v in asdict(self).items()}, "ratio": json_number(self.ratio)}


def finite(x: object) -> bool:
    """A real number (not a bool), neither NaN nor infinite."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def json_number(x: Any) -> Any:
    """NaN and infinities become None so the JSON is strict."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def format_value(value: float | None, unit: str = "") -> str:
    """A number for the table: thousands separators, 3 significant figures below 100, the unit after it."""
    if not finite(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    if v == int(v) and abs(v) >= 1 and unit in ("", "calls", "tokens", "chunks", "requests", "docs", "words"):
        text = f"{int(v):,}"
    elif abs(v) >= 100:
        text = f"{v:,.0f}"
    elif abs(v) >= 10:
        text = f"{v:.1f}"
    else:
        text = f"{v:.3g}"
    return f"{text} {unit}".strip()


def table_rows(figures: Sequence[Figure]) -> list[tuple[str, str, str, str, str]]:
    """(section, figure, value, baseline, ratio) strings, the section named once per block."""
    rows = []
    previous = None
    for f in figures:
        baseline = "—" if f.baseline is None else f"{format_value(f.baseline, f.unit)} ({f.baseline_name})"
        if f.baseline is None and f.baseline_name:
            baseline = f.baseline_name
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        section = f.section if f.section != previous else ""
        rows.append((section, f.name, format_value(f.value, f.unit), baseline, ratio))
        previous = f.section
    return rows


def report_figures(report: dict[str, Any]) -> list[Figure]:
    """The `Figure`s of a `run_bench` report (JSON form) again."""
    names = {f.name for f in Figure.__dataclass_fields__.values()}
    return [Figure(**{k: v for k, v in row.items() if k in names}) for row in report["figures"]]


# --- one function per section ------------------------------------------------------------------


def _g(raw: Raw, key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) and finite(value) else None


def _help(section: str, raw: Raw) -> list[Figure]:
    return [Figure(section, "clientloop --help p50", _g(raw, "help_p50_s"), "s", _g(raw, "python_floor_p50_s"),
                   "python -c pass"),
            Figure(section, "clientloop --help max", _g(raw, "help_max_s"), "s", _g(raw, "python_floor_max_s"),
                   "python -c pass")]


def _ingest(section: str, raw: Raw) -> list[Figure]:
    out = [Figure(section, f"ingest ({int(raw.get('documents', 0))} docs, {int(raw.get('chunks', 0))} chunks)",
                  _g(raw, "chunks_per_s"), "chunks/s", _g(raw, "ceiling_chunks_per_s"), "raw embedding model")]
    if "langchain_chunks_per_s" in raw:
        out.append(Figure(section, "ingest vs LangChain", _g(raw, "chunks_per_s"), "chunks/s",
                          _g(raw, "langchain_chunks_per_s"), "Chroma.from_documents"))
    if "tuned_tokens_per_s" in raw:
        sample = f"{int(raw.get('session_sample_chunks', 0)):,} chunks"
        out += [Figure(section, f"model tokens/s, tuned session ({sample})", _g(raw, "tuned_tokens_per_s"), "tokens/s",
                       _g(raw, "plain_tokens_per_s"), "unoptimised session"),
                Figure(section, f"model chunks/s, tuned session ({sample})", _g(raw, "tuned_chunks_per_s"), "chunks/s",
                       _g(raw, "plain_chunks_per_s"), "unoptimised session")]
    # Older runs kept only the section's peak (ingest and the baselines after it).
    peak = _g(raw, "ingest_peak_rss_mb") or _g(raw, "peak_rss_mb")
    out.append(Figure(section, "peak RSS during ingest", peak, "MB", _g(raw, "rss_before_mb"),
                      "model loaded, before ingest"))
    return out


def _ask(section: str, raw: Raw) -> list[Figure]:
    n = int(raw.get("chunks", 0))
    warm = _g(raw, "ask_p50_ms")
    warm = None if warm is None else warm / 1000
    out = [Figure(section, f"ask p{q} ({n:,} chunks)", _g(raw, f"ask_p{q}_ms"), "ms", _g(raw, f"retrieval_p{q}_ms"),
                  "retrieval only") for q in (50, 95, 99)]
    return out + [
        Figure(section, "retrieval p50", _g(raw, "retrieval_p50_ms"), "ms", _g(raw, "vector_p50_ms"),
               "embed + vector query only"),
        Figure(section, "first ask", _g(raw, "first_ask_s"), "s", warm, "a warm ask (p50)"),
        Figure(section, "retrieval p95", _g(raw, "retrieval_p95_ms"), "ms", _g(raw, "old_retrieval_p95_ms"),
               "old index (BM25 rebuilt in memory)"),
        Figure(section, "first retrieval, old index", _g(raw, "old_first_retrieval_s"), "s", None,
               "builds BM25 from the vector store"),
        *[Figure(section, f"vector query alone p{q}", _g(raw, f"vector_only_p{q}_ms"), "ms",
                 _g(raw, f"filtered_vector_p{q}_ms"), "old layout: one collection, kind filter") for q in (50, 95)],
        Figure(section, "first ask, new process", _g(raw, "fresh_first_ask_s"), "s", _g(raw, "fresh_imports_s"),
               "its imports (not included)"),
        Figure(section, "ask p95, new process", _g(raw, "fresh_ask_p95_ms"), "ms", _g(raw, "retrieval_p95_ms"),
               "retrieval only, build process"),
        Figure(section, "clientloop ask wall (median of 3)", _g(raw, "cli_ask_wall_s"), "s", _g(raw, "python_floor_s"),
               "python -c pass"),
        Figure(section, "store build", _g(raw, "build_s"), "s", None, str(raw.get("vectors", ""))),
        Figure(section, "peak RSS", _g(raw, "peak_rss_mb"), "MB", _g(raw, "rss_model_mb"),
               "model loaded, demo KB only"),
    ]


def _draft_rules(section: str, raw: Raw) -> list[Figure]:
    return [Figure(section, f"draft p{q} per 1,000 words", _g(raw, f"draft_ms_per_1k_words_p{q}"), "ms",
                   _g(raw, "regex_floor_ms_per_1k_words"), "regex pass") for q in (50, 95)]


def _brief(section: str, raw: Raw) -> list[Figure]:
    label = f"brief p{{}} ({int(raw.get('clients', 0)):,} clients, {int(raw.get('interactions', 0)):,} records)"
    return [Figure(section, label.format(q), _g(raw, f"p{q}_ms"), "ms", _g(raw, f"rows_p{q}_ms"),
                   "the client's rows, read only") for q in (50, 95)]


def _review_api(section: str, raw: Raw) -> list[Figure]:
    c = int(raw.get("concurrency", 32))
    where = f"{raw.get('database', 'sqlite')}, {int(raw.get('processes', 1))} process(es)"
    same = "/healthz, same clients"
    chain = "audit chain " + ("ok" if raw.get("audit_chain_ok") else "BROKEN")
    out = [Figure(section, f"req/s, {c} clients", _g(raw, "req_per_s"), "req/s", _g(raw, "healthz_req_per_s"), same),
           Figure(section, "p99", _g(raw, "p99_ms"), "ms", _g(raw, "healthz_p99_ms"), same),
           Figure(section, "p50", _g(raw, "p50_ms"), "ms", _g(raw, "healthz_p50_ms"), same),
           Figure(section, "errors", _g(raw, "errors"), "", None, chain)]
    for key, label in (("list_only", "list queue"), ("read_only", "read item")):
        if key + "_req_per_s" in raw:
            out += [Figure(section, f"{label} req/s, {c} clients ({where})", _g(raw, f"{key}_req_per_s"), "req/s",
                           _g(raw, "healthz_req_per_s"), same),
                    Figure(section, f"{label} p99 ({where})", _g(raw, f"{key}_p99_ms"), "ms",
                           _g(raw, "healthz_p99_ms"), same)]
        if key + "_cpu_ms" in raw:
            out.append(Figure(section, f"{label} server CPU per request ({where})", _g(raw, f"{key}_cpu_ms"), "ms",
                              _g(raw, "healthz_cpu_ms"), "/healthz, same run"))
        if f"wrk_{key}_req_per_s" in raw:  # wrk, which leaves the cores to the server
            out += [Figure(section, f"{label} req/s, wrk, {c} connections ({where})",
                           _g(raw, f"wrk_{key}_req_per_s"), "req/s", _g(raw, "wrk_healthz_req_per_s"),
                           "/healthz, wrk, same run"),
                    Figure(section, f"{label} p99, wrk ({where})", _g(raw, f"wrk_{key}_p99_ms"), "ms",
                           _g(raw, "wrk_healthz_p99_ms"), "/healthz, wrk, same run")]
    return out


def _llm(section: str, raw: Raw) -> list[Figure]:
    out = []
    for name in LLM_TRANSCRIPTS:
        stem = name.split("-")[1]
        fell_back = " (fell back to rules; failed calls' usage not reported)" if raw.get(f"{stem}_fallback") else ""
        out += [Figure(section, f"{stem}: calls{fell_back}", _g(raw, f"{stem}_calls"), "calls",
                       _g(raw, f"{stem}_windows"), "windows planned"),
                Figure(section, f"{stem}: prompt tokens (server)", _g(raw, f"{stem}_prompt_tokens"), "tokens",
                       _g(raw, f"{stem}_tokenizer_tokens"), "tokenizer, rendered messages")]
    return out


def _demo(section: str, raw: Raw) -> list[Figure]:
    return [Figure(section, "clientloop demo peak RSS", _g(raw, "peak_rss_mb"), "MB", _g(raw, "model_peak_rss_mb"),
                   "embedding model alone"),
            Figure(section, "clientloop demo wall", _g(raw, "wall_s"), "s", _g(raw, "model_wall_s"),
                   "embedding model alone")]


_SECTIONS: dict[str, Callable[[str, Raw], list[Figure]]] = {
    "help": _help, "draft_rules": _draft_rules, "brief": _brief, "review_api": _review_api, "llm": _llm,
    "demo": _demo,
}
"""Section name to its rows."""
_FAMILIES: dict[str, Callable[[str, Raw], list[Figure]]] = {"ingest_": _ingest, "ask_": _ask}
"""Sections run once per corpus or size (`ingest_demo`, `ask_10000`), by name prefix."""


def scaling_figures(sections: dict[str, Raw]) -> list[Figure]:
    """The vector query at the largest ask size beside the smallest, as shipped and in the old layout.

    Sublinear search shows as a ratio far below the ratio of the sizes (10 for 10k and 100k).
    """
    sizes = sorted((int(raw["chunks"]), raw) for name, raw in sections.items()
                   if name.startswith("ask_") and "error" not in raw and finite(raw.get("chunks")))
    if len(sizes) < 2:
        return []
    (small, low), (big, high) = sizes[0], sizes[-1]
    return [Figure("ask_scaling", f"vector query alone p50, {big:,} chunks", _g(high, f"{key}_p50_ms"), "ms",
                   _g(low, f"{key}_p50_ms"), f"{label}, {small:,} chunks")
            for key, label in (("vector_only", "shipped"), ("filtered_vector", "old layout (kind filter)"))]


def figures_for(section: str, raw: Raw) -> list[Figure]:
    """The table rows of one section, built from what it measured."""
    if "error" in raw:
        return [Figure(section, "error", None, baseline_name=str(raw["error"])[:120])]
    rows = _SECTIONS.get(section) or next((f for p, f in _FAMILIES.items() if section.startswith(p)), None)
    if rows is None:
        return [Figure(section, k, _g(raw, k)) for k in raw]
    return rows(section, raw)
