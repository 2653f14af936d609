from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from clientloop.ingest import ingest_bytes, ingest_paths
from pipeline.errors import DocumentTooLarge, EmptyDocument, UndecodableDocument, UnsupportedFormat
from records.errors import UnknownClient
from records.tables import Chunk, Source

GUIDE_V1 = b"# Savings guide\n\n## Withdrawals\n\nEasy Saver allows unlimited withdrawals with no notice.\n"
GUIDE_V2 = (
    b"# Savings guide\n\n## Withdrawals\n\nEasy Saver allows three withdrawals a year.\n\n"
    b"## Rates\n\nRates are variable.\n"
)


def _chroma_ids(container, source_id: str) -> list[str]:
    return [c.id for c in container.store.get_all(where={"source_id": source_id})]


def test_ingest_stores_upload_before_indexing(container) -> None:
    result = ingest_bytes(container, GUIDE_V1, "savings.md")
    assert result.outcome == "created" and result.chunks >= 1
    with Session(container.engine) as s:
        row = s.get(Source, result.source_id)
        assert row is not None and row.status == "ready"
        assert Path(row.stored_path).read_bytes() == GUIDE_V1
        assert row.content_hash.startswith("sha256:")


def test_ingest_same_content_changes_nothing(container) -> None:
    first = ingest_bytes(container, GUIDE_V1, "savings.md")
    ids_before = sorted(_chroma_ids(container, first.source_id))
    again = ingest_bytes(container, GUIDE_V1, "savings.md")
    assert again.outcome == "unchanged" and again.source_id == first.source_id
    assert sorted(_chroma_ids(container, first.source_id)) == ids_before
    with Session(container.engine) as s:
        assert s.get(Source, first.source_id).version == 1  # type: ignore[union-attr]


def test_ingest_changed_source_replaces_all_old_chunks(container) -> None:
    first = ingest_bytes(container, GUIDE_V1, "savings.md")
    second = ingest_bytes(container, GUIDE_V2, "savings.md")
    assert second.outcome == "replaced" and second.source_id == first.source_id
    stored = container.store.get_all(where={"source_id": first.source_id})
    texts = " ".join(c.text for c in stored)
    assert "three withdrawals" in texts and "unlimited" not in texts
    hashes = {c.metadata["content_hash"] for c in stored}
    assert len(hashes) == 1
    with Session(container.engine) as s:
        rows = s.exec(select(Chunk).where(Chunk.source_id == first.source_id)).all()
        assert {r.id for r in rows} == {c.id for c in stored}
        assert s.get(Source, first.source_id).version == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"", "empty.md", EmptyDocument),
        (b"   \n\t ", "blank.txt", EmptyDocument),
        (b"\x00\x01\x02binary\x00" * 20, "looks.txt", UndecodableDocument),
        (b"MZ\x90\x00", "tool.exe", UnsupportedFormat),
    ],
)
def test_ingest_bad_file_is_rejected_with_named_error(container, data: bytes, name: str, error: type) -> None:
    with pytest.raises(error) as info:
        ingest_bytes(container, data, name)
    assert name in str(info.value)


def test_ingest_over_limit_is_refused_before_storing(container) -> None:
    container.settings.max_upload_bytes = 100
    with pytest.raises(DocumentTooLarge):
        ingest_bytes(container, b"x" * 101, "big.txt")
    assert not container.settings.uploads_dir.exists() or not any(container.settings.uploads_dir.rglob("*"))


def test_ingest_rejected_upload_is_kept_with_its_error(container) -> None:
    with pytest.raises(UndecodableDocument):
        ingest_bytes(container, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "scan.txt")
    with Session(container.engine) as s:
        row = s.exec(select(Source).where(Source.filename == "scan.txt")).one()
        assert row.status == "rejected" and "scan.txt" in (row.error or "")
        assert Path(row.stored_path).exists()


def test_ingest_batch_with_one_bad_file_ingests_the_rest(container, tmp_path: Path) -> None:
    folder = tmp_path / "docs"  # not tmp_path itself: the audit key lives beside the data directory there
    folder.mkdir()
    (folder / "good.md").write_bytes(GUIDE_V1)
    (folder / "empty.txt").write_bytes(b"")
    report = ingest_paths(container, [folder])
    assert [r.filename for r in report.results] == ["good.md"]
    assert len(report.errors) == 1 and "empty.txt" in report.errors[0][0]


def test_ingest_unknown_client_is_refused(container) -> None:
    with pytest.raises(UnknownClient):
        ingest_bytes(container, GUIDE_V1, "notes.md", client="Nobody Known")
    made = ingest_bytes(container, GUIDE_V1, "notes.md", client="Ada Lovelace", create_client=True)
    meta = container.store.get_all(where={"source_id": made.source_id})[0].metadata
    assert meta["client_id"]


def test_ingest_same_bytes_under_another_name_is_not_indexed_twice(container) -> None:
    first = ingest_bytes(container, GUIDE_V1, "savings.md")
    copy = ingest_bytes(container, GUIDE_V1, "savings-copy.md")
    assert copy.outcome == "unchanged" and copy.source_id == first.source_id
    assert container.store.count() == first.chunks
