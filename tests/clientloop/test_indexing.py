from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from clientloop import indexing
from clientloop.ingest import ingest_paths
from records.tables import Chunk, Source


def _write_docs(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc-{i:03d}.md").write_text(
            f"# Product {i}\n\n## Fees\n\nProduct {i} costs £{i + 1} a month.\n\n## Limits\n\nUp to {i} payments.\n"
        )


class _CountingEmbeddings:
    def __init__(self, inner):
        self.inner, self.calls, self.texts = inner, 0, 0

    def embed_documents(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_ingest_paths_embeds_many_documents_per_call(container, tmp_path) -> None:
    _write_docs(tmp_path / "kb", 30)
    counting = _CountingEmbeddings(container.embeddings)
    container.__dict__["embeddings"] = counting
    seen: list[tuple[int, int]] = []
    report = ingest_paths(container, [tmp_path / "kb"], kind="kb", flush_chunks=40,
                          progress=lambda done, total: seen.append((done, total)))
    chunks = sum(r.chunks for r in report.results)
    assert len(report.results) == 30 and not report.errors
    assert counting.texts == chunks
    assert counting.calls <= chunks // 40 + 1 < 30
    assert seen[-1] == (chunks, chunks)
    with Session(container.engine) as s:
        assert all(r.status == "ready" for r in s.exec(select(Source)).all())
        assert len(s.exec(select(Chunk)).all()) == chunks == container.store.count()


def test_killed_ingest_leaves_no_half_indexed_source_and_resumes(container, tmp_path, monkeypatch) -> None:
    _write_docs(tmp_path / "kb", 6)

    def killed(_container, _batch):
        raise KeyboardInterrupt  # the process dies after the vectors are stored, before the commit

    monkeypatch.setattr(indexing, "_commit", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(container, [tmp_path / "kb"], kind="kb", flush_chunks=10_000)
    assert container.store.count() > 0
    with Session(container.engine) as s:
        assert {r.status for r in s.exec(select(Source)).all()} == {"received"}
    monkeypatch.undo()

    report = ingest_paths(container, [tmp_path / "kb"], kind="kb")
    assert [r.outcome for r in report.results] == ["created"] * 6
    with Session(container.engine) as s:
        rows = s.exec(select(Source)).all()
        assert {r.status for r in rows} == {"ready"} and len(rows) == 6
        assert container.store.count() == len(s.exec(select(Chunk)).all())


def test_interrupted_update_keeps_serving_the_old_version(container, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "fees.md").write_text("# Fees\n\nCHAPS costs £25.\n")
    ingest_paths(container, [folder], kind="kb")
    (folder / "fees.md").write_text("# Fees\n\nCHAPS costs £30 from January.\n")
    monkeypatch.setattr(indexing, "_commit", lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(container, [folder], kind="kb")
    monkeypatch.undo()

    assert indexing.discard_unfinished(container) == 1
    texts = " ".join(c.text for c in container.store.get_all(where={"kind": "kb"}))
    assert "£25" in texts and "£30" not in texts
    again = ingest_paths(container, [folder], kind="kb")
    assert again.results[0].outcome == "replaced"
    texts = " ".join(c.text for c in container.store.get_all(where={"kind": "kb"}))
    assert "£30" in texts and "£25" not in texts


def test_same_bytes_twice_in_one_run_are_one_source(container, tmp_path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.md").write_text("# Fees\n\nCHAPS costs £25.\n")
    (folder / "b.md").write_text("# Fees\n\nCHAPS costs £25.\n")
    report = ingest_paths(container, [folder], kind="kb")
    assert [r.outcome for r in report.results] == ["created", "unchanged"]
    assert report.results[0].source_id == report.results[1].source_id


def test_ingest_killed_after_two_batches_resumes_with_every_source_indexed_once(container, tmp_path,
                                                                               monkeypatch) -> None:
    _write_docs(tmp_path / "kb", 12)
    real_commit, commits = indexing._commit, []

    def dies_on_third(container_, batch):
        if len(commits) == 2:
            raise KeyboardInterrupt  # killed after two batches were committed, mid-way through the third
        commits.append([s.source_id for s in batch])
        real_commit(container_, batch)

    monkeypatch.setattr(indexing, "_commit", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(container, [tmp_path / "kb"], kind="kb", flush_chunks=5)
    monkeypatch.undo()
    done_first = {sid for batch in commits for sid in batch}
    assert 0 < len(done_first) < 12

    report = ingest_paths(container, [tmp_path / "kb"], kind="kb", flush_chunks=5)
    assert not report.errors
    outcomes = {r.source_id: r.outcome for r in report.results}
    assert {sid for sid, o in outcomes.items() if o == "unchanged"} == done_first  # not embedded again
    with Session(container.engine) as s:
        sources = s.exec(select(Source)).all()
        rows = s.exec(select(Chunk)).all()
    assert len(sources) == 12 and {r.status for r in sources} == {"ready"}
    assert sum(r.chunk_count for r in sources) == len(rows)
    stored = [c.id for c in container.store.get_all()]
    assert len(stored) == len(set(stored))  # each chunk once
    assert set(stored) == {r.id for r in rows}  # no orphan vectors, no chunk row without its vector
    assert {c.metadata["source_id"] for c in container.store.get_all()} == {r.id for r in sources}


def test_a_batch_embeds_and_upserts_in_its_own_thread_and_commits_after_its_vectors(container, tmp_path,
                                                                                    monkeypatch) -> None:
    import threading

    _write_docs(tmp_path / "kb", 9)
    events: list[tuple[str, str]] = []
    store, real_upsert, real_commit = container.store, container.store.upsert, indexing._commit

    def upsert(ids, *rest):
        events.append(("upsert " + ids[0].split(":")[0], threading.current_thread().name))
        real_upsert(ids, *rest)

    def commit(container_, batch):
        events.append(("commit " + batch[0].source_id, threading.current_thread().name))
        real_commit(container_, batch)

    embeddings, real_embed = container.embeddings, container.embeddings.embed_array

    def embed(texts):
        events.append(("embed", threading.current_thread().name))
        return real_embed(texts)

    monkeypatch.setattr(store, "upsert", upsert)
    monkeypatch.setattr(indexing, "_commit", commit)
    monkeypatch.setattr(embeddings, "embed_array", embed)
    ingest_paths(container, [tmp_path / "kb"], kind="kb", flush_chunks=6)
    embeds = [e for e in events if e[0] == "embed"]
    upserts = [e for e in events if e[0].startswith("upsert")]
    commits = [e for e in events if e[0].startswith("commit")]
    assert len(embeds) == len(upserts) == len(commits) >= 3
    assert {t for _, t in embeds + upserts} == {"index-batch"} and {t for _, t in commits} == {"MainThread"}
    for what, _ in commits:  # a batch's rows are committed only after its vectors were stored
        first = what.split()[1]
        assert events.index(("upsert " + first, "index-batch")) < events.index((what, "MainThread"))


def test_ingest_paths_claims_source_rows_in_groups(container, tmp_path, monkeypatch) -> None:
    from clientloop import ingest

    _write_docs(tmp_path / "kb", 70)
    groups: list[int] = []
    real = ingest._claim_group
    monkeypatch.setattr(ingest, "_claim_group",
                        lambda c, claims, **kw: groups.append(len(claims)) or real(c, claims, **kw))
    report = ingest_paths(container, [tmp_path / "kb"], kind="kb")
    assert len(report.results) == 70 and groups == [64, 6]
    with Session(container.engine) as s:
        assert {r.status for r in s.exec(select(Source)).all()} == {"ready"}
