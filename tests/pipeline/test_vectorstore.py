from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clientloop.settings import Settings
from pipeline.errors import BackendError
from pipeline.vectorstore import ChunkStore, clean_metadata, normalize_where


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, chroma_collection="test-chunks")  # type: ignore[call-arg]


def _unit(*xs: float) -> list[float]:
    v = np.array(xs, dtype=float)
    return list(v / np.linalg.norm(v))


@pytest.fixture
def store(tmp_path: Path) -> ChunkStore:
    return ChunkStore.from_settings(_settings(tmp_path))


def _fill(store: ChunkStore) -> None:
    store.upsert(
        ["a:0", "a:1", "b:0"],
        ["alpha zero", "alpha one", "beta zero"],
        [
            {"source_id": "a", "kind": "kb", "client_id": None, "start": 0, "end": 10},
            {"source_id": "a", "kind": "kb", "heading": None, "start": 10, "end": 19},
            {"source_id": "b", "kind": "transcript", "client_id": "c-1", "start": 0, "end": 9},
        ],
        [_unit(1, 0, 0), _unit(1, 1, 0), _unit(0, 0, 1)],
    )


def test_query_returns_nearest_first_with_cosine_similarity(store: ChunkStore) -> None:
    _fill(store)
    hits = store.query(_unit(1, 0, 0), k=3)
    assert [h.id for h in hits] == ["a:0", "a:1", "b:0"]
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert hits[1].similarity == pytest.approx(np.sqrt(0.5), abs=1e-4)
    assert hits[0].text == "alpha zero"
    assert hits[0].metadata["source_id"] == "a"


def test_query_filters_by_metadata(store: ChunkStore) -> None:
    _fill(store)
    assert [h.id for h in store.query(_unit(1, 0, 0), k=5, where={"kind": "transcript"})] == ["b:0"]
    assert [h.id for h in store.query(_unit(1, 0, 0), k=5, where={"kind": "kb", "source_id": "a"})] == [
        "a:0",
        "a:1",
    ]


def test_none_metadata_values_are_dropped(store: ChunkStore) -> None:
    _fill(store)
    meta = {c.id: c.metadata for c in store.get_all()}
    assert "client_id" not in meta["a:0"]
    assert "heading" not in meta["a:1"]
    assert meta["b:0"]["client_id"] == "c-1"


def test_delete_source_leaves_nothing_of_that_source(store: ChunkStore) -> None:
    _fill(store)
    version = store.version
    store.delete_source("a")
    assert store.count() == 1
    assert store.get_all(where={"source_id": "a"}) == []
    assert [h.id for h in store.query(_unit(1, 0, 0), k=5)] == ["b:0"]
    assert store.version != version


def test_delete_source_keep_hash_removes_only_old_versions(store: ChunkStore) -> None:
    store.upsert(
        ["s:old:0", "s:new:0"],
        ["old", "new"],
        [{"source_id": "s", "content_hash": "h1"}, {"source_id": "s", "content_hash": "h2"}],
        [_unit(1, 0), _unit(0, 1)],
    )
    store.delete_source("s", keep_hash="h2")
    assert [c.id for c in store.get_all()] == ["s:new:0"]


def test_upsert_replaces_existing_ids(store: ChunkStore) -> None:
    _fill(store)
    store.upsert(["a:0"], ["alpha zero v2"], [{"source_id": "a"}], [_unit(1, 0, 0)])
    assert store.count() == 3
    assert {c.id: c.text for c in store.get_all()}["a:0"] == "alpha zero v2"


def test_get_all_pages_through_everything(store: ChunkStore) -> None:
    n = 25
    store.upsert(
        [f"id{i}" for i in range(n)],
        [f"text {i}" for i in range(n)],
        [{"source_id": "p", "ordinal": i} for i in range(n)],
        [_unit(1, i + 1) for i in range(n)],
    )
    chunks = list(store.iter_all(page_size=10))
    assert sorted(c.id for c in chunks) == sorted(f"id{i}" for i in range(n))


def test_get_embeddings_returns_stored_vectors(store: ChunkStore) -> None:
    _fill(store)
    got = store.get_embeddings(["b:0", "missing"])
    assert list(got) == ["b:0"]
    np.testing.assert_allclose(got["b:0"], [0, 0, 1], atol=1e-6)


def test_upsert_mismatched_lengths_is_rejected(store: ChunkStore) -> None:
    with pytest.raises(ValueError):
        store.upsert(["x"], ["a", "b"], [{}], [[1.0]])


def test_wrong_dimension_is_a_backend_error(store: ChunkStore) -> None:
    _fill(store)
    with pytest.raises(BackendError):
        store.query([1.0, 0.0], k=1)


def test_store_persists_across_clients(tmp_path: Path) -> None:
    _fill(ChunkStore.from_settings(_settings(tmp_path)))
    assert ChunkStore.from_settings(_settings(tmp_path)).count() == 3


def test_clean_metadata_rejects_non_scalars() -> None:
    assert clean_metadata({"a": 1, "b": None, "c": True}) == {"a": 1, "c": True}
    with pytest.raises(TypeError):
        clean_metadata({"a": [1, 2]})


def test_normalize_where_combines_equalities_with_and() -> None:
    assert normalize_where(None) is None
    assert normalize_where({"kind": "kb"}) == {"kind": "kb"}
    assert normalize_where({"kind": "kb", "client_id": "c"}) == {"$and": [{"kind": "kb"}, {"client_id": "c"}]}


def test_unreachable_server_is_a_backend_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=port
    )
    with pytest.raises(BackendError):
        ChunkStore.from_settings(settings)


def test_kb_and_history_live_in_separate_collections(store: ChunkStore) -> None:
    _fill(store)
    kb = store.client.get_collection("test-chunks-kb")
    history = store.client.get_collection("test-chunks-history")
    assert sorted(kb.get()["ids"]) == ["a:0", "a:1"] and history.get()["ids"] == ["b:0"]
    assert [h.id for h in store.query(_unit(0, 1, 0), 3, where={"kind": "kb"})] == ["a:1", "a:0"]
    assert [h.id for h in store.query(_unit(1, 0, 0), 3, where={"client_id": "c-1"})] == ["b:0"]
    assert [h.id for h in store.query(_unit(0, 0, 1), 3)][0] == "b:0"  # no filter: both, merged by similarity
    assert store.count() == 3 and len(store.get_all()) == 3
    assert {c.id for c in store.get_all({"source_id": "a"})} == {"a:0", "a:1"}
    assert set(store.get_embeddings(["a:0", "b:0"])) == {"a:0", "b:0"}


def test_an_old_single_collection_is_split_on_open(tmp_path: Path) -> None:
    first = ChunkStore.from_settings(_settings(tmp_path))
    legacy = first.client.get_or_create_collection(
        "test-chunks", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    legacy.upsert(
        ids=["a:0", "b:0"],
        documents=["alpha zero", "beta zero"],
        metadatas=[{"source_id": "a", "kind": "kb"}, {"source_id": "b", "kind": "email", "client_id": "c-1"}],
        embeddings=[_unit(1, 0, 0), _unit(0, 0, 1)],
    )
    reopened = ChunkStore(_settings(tmp_path), client=first.client)
    assert "test-chunks" not in {c.name for c in reopened.client.list_collections()}
    assert [h.id for h in reopened.query(_unit(1, 0, 0), 2, where={"kind": "kb"})] == ["a:0"]
    assert reopened.query(_unit(1, 0, 0), 2, where={"kind": "kb"})[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert [h.id for h in reopened.query(_unit(1, 0, 0), 2, where={"client_id": "c-1"})] == ["b:0"]
