"""The adapter and hybrid retrieval against a real Chroma server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clientloop.settings import Settings
from knowledge.retrieval import HybridRetriever
from pipeline.vectorstore import ChunkStore

pytestmark = pytest.mark.chroma_server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip(f"no chroma console script next to {sys.executable}")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "db")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma exited with {proc.returncode}: {(tmp_path / 'chroma.log').read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma server did not answer its heartbeat within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_upsert_query_and_retrieve_through_http_client(chroma_server: int, embeddings, tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    store = ChunkStore.from_settings(settings)
    texts = [
        "CHAPS same-day payment: £25 per payment.",
        "The Easy Saver pays a variable interest rate.",
        "Confirm the new address with the lookup tool.",
    ]
    store.upsert(
        [f"kb:{i}" for i in range(3)],
        texts,
        [
            {
                "source_id": f"doc{i}",
                "source_title": f"Doc {i}",
                "kind": "kb",
                "client_id": None,
                "start": 0,
                "end": len(t),
            }
            for i, t in enumerate(texts)
        ],
        embeddings.embed_documents(texts),
    )
    assert store.count() == 3
    hits = store.query(embeddings.embed_query("CHAPS fee"), k=1)
    assert hits[0].id == "kb:0" and 0 < hits[0].similarity <= 1

    passages = HybridRetriever(store, embeddings, k=2).retrieve("How much is a CHAPS payment?", where={"kind": "kb"})
    assert passages[0].source_id == "doc0"

    store.delete_source("doc0")
    assert store.count() == 2
    assert ChunkStore.from_settings(settings).count() == 2
