"""storage_check: files nobody refers to, references with no file, stale partial uploads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.storage import LocalStorage, storage_check


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


def leftover_upload(store: LocalStorage, name: str, age_s: float) -> Path:
    path = store.root / "tmp" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half an upload")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_an_empty_store_is_consistent(store: LocalStorage) -> None:
    assert storage_check(store, set()) == ([], [])


def test_orphans_and_missing_files_are_reported(store: LocalStorage) -> None:
    kept = store.put_stream([b"kept"], max_bytes=100).key
    orphan = store.put_stream([b"orphan"], max_bytes=100).key
    gone = "ab/cd/" + "f" * 32
    leftover_upload(store, "upload-old12345.part", age_s=2 * 3600)
    leftover_upload(store, "upload-new12345.part", age_s=60)

    orphans, missing = storage_check(store, {kept, gone})

    assert orphans == [orphan, "tmp/upload-old12345.part"]
    assert missing == [gone]


def test_reported_orphans_can_be_deleted(store: LocalStorage) -> None:
    store.put_stream([b"orphan"], max_bytes=100)
    leftover_upload(store, "upload-old12345.part", age_s=2 * 3600)
    report = storage_check(store, set())
    for name in report.orphan_files:
        assert store.delete(name)
    assert storage_check(store, set()) == ([], [])


def test_stray_entries_are_not_taken_for_keys(store: LocalStorage) -> None:
    kept = store.put_stream([b"kept"], max_bytes=100).key
    (store.root / "README").write_text("hello")
    (store.root / kept).with_name("not-a-key").write_text("x")
    assert list(store.iter_keys()) == [kept]
