"""LocalStorage: streamed, size-limited, atomic writes; strict keys; nothing half-written."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import storage as storage_module
from app.config import Settings
from app.storage import (
    CHUNK_SIZE,
    EmptyFile,
    FileTooLarge,
    InvalidKey,
    LocalStorage,
    Storage,
    StoredFile,
    get_storage,
    human_size,
)

MB = 1024 * 1024


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def chunks(total: int, size: int = 64 * 1024, byte: int = 0x61) -> Iterator[bytes]:
    """`total` bytes in freshly allocated chunks, like a request body arriving."""
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield bytes([byte]) * n
        sent += n


def test_local_storage_satisfies_the_protocol(store: LocalStorage) -> None:
    assert isinstance(store, Storage)


def test_get_storage_uses_the_files_folder_of_the_data_dir(settings: Settings) -> None:
    store = get_storage(settings)
    assert isinstance(store, LocalStorage)
    assert store.root == (settings.data_dir / "files").resolve()


def test_put_stream_stores_the_bytes_under_a_new_key(store: LocalStorage) -> None:
    data = b"position paper\n" * 1000
    stored = store.put_stream([data[:100], data[100:5000], data[5000:]], max_bytes=MB)

    assert stored == StoredFile(stored.key, len(data), hashlib.sha256(data).hexdigest())
    first, second, name = stored.key.split("/")
    assert (first, second) == (name[:2], name[2:4])
    assert len(name) == 32
    with store.open(stored.key) as f:
        assert f.read() == data
    assert store.exists(stored.key)
    assert store.path(stored.key).read_bytes() == data
    assert list(store.iter_keys()) == [stored.key]
    assert not list((store.root / "tmp").iterdir())


def test_same_content_twice_gives_two_independent_files(store: LocalStorage) -> None:
    a = store.put_stream([b"same"], max_bytes=10)
    b = store.put_stream([b"same"], max_bytes=10)
    assert a.key != b.key
    assert a.sha256 == b.sha256
    store.delete(a.key)
    assert store.open(b.key).read() == b"same"


def test_file_objects_are_read_in_chunks_not_lines(
    store: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 17) + b"\n" * 10
    reads: list[int] = []

    class Upload(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            reads.append(-1 if size is None else size)
            return super().read(size)

    stored = store.put_stream(Upload(data), max_bytes=10 * MB)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.open(stored.key).read() == data
    assert set(reads) == {CHUNK_SIZE}


def test_a_file_of_exactly_the_limit_is_accepted(store: LocalStorage) -> None:
    stored = store.put_stream(chunks(MB), max_bytes=MB)
    assert stored.size == MB
    assert stored.sha256 == hashlib.sha256(b"a" * MB).hexdigest()


def test_one_byte_over_the_limit_is_refused_and_leaves_nothing(store: LocalStorage) -> None:
    with pytest.raises(FileTooLarge) as caught:
        store.put_stream(chunks(MB + 1), max_bytes=MB)
    assert caught.value.status == 413
    assert caught.value.limit == MB
    assert caught.value.message == "The file is larger than the limit of 1 MB."
    assert all_files(store.root) == []


def test_the_upload_stops_as_soon_as_the_limit_is_passed(store: LocalStorage) -> None:
    consumed = 0

    def endless() -> Iterator[bytes]:
        nonlocal consumed
        while True:
            consumed += 1
            yield b"x" * 1000

    with pytest.raises(FileTooLarge):
        store.put_stream(endless(), max_bytes=10_500)
    assert consumed == 11  # the chunk that crossed 10 500 bytes was the last one read
    assert all_files(store.root) == []


@pytest.mark.parametrize("source", [[], [b"", b""], io.BytesIO(b"")], ids=["none", "empty", "file"])
def test_an_empty_upload_is_refused(store: LocalStorage, source: object) -> None:
    with pytest.raises(EmptyFile) as caught:
        store.put_stream(source, max_bytes=MB)  # type: ignore[arg-type]
    assert caught.value.status == 422
    assert all_files(store.root) == []


def test_a_crash_halfway_through_the_stream_leaves_no_file(store: LocalStorage) -> None:
    def broken_connection() -> Iterator[bytes]:
        yield from chunks(2 * MB)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(broken_connection(), max_bytes=10 * MB)
    assert all_files(store.root) == []
    assert list(store.iter_keys()) == []


def test_a_failing_rename_leaves_no_file(
    store: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError, match="No space"):
        store.put_stream([b"data"], max_bytes=MB)
    assert all_files(store.root) == []


def test_a_failing_directory_sync_unstores_the_renamed_file(
    store: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(path: Path) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(storage_module, "_fsync_dir", fail)
    with pytest.raises(OSError, match="I/O error"):
        store.put_stream([b"data"], max_bytes=MB)
    assert all_files(store.root) == []


def test_stored_files_are_private_to_the_service_user(store: LocalStorage) -> None:
    stored = store.put_stream([b"secret draft"], max_bytes=MB)
    assert store.path(stored.key).stat().st_mode & 0o077 == 0


def test_streaming_50_mb_keeps_memory_flat(store: LocalStorage) -> None:
    tracemalloc.start()
    try:
        stored = store.put_stream(chunks(50 * MB, size=CHUNK_SIZE), max_bytes=60 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == 50 * MB
    assert peak < 4 * MB, f"peak Python allocations {peak / MB:.1f} MB"


def test_streaming_a_50_mb_file_object_keeps_memory_flat(
    store: LocalStorage, tmp_path: Path
) -> None:
    upload = tmp_path / "upload.bin"
    with upload.open("wb") as f:
        for chunk in chunks(50 * MB, size=CHUNK_SIZE):
            f.write(chunk)
    tracemalloc.start()
    try:
        with upload.open("rb") as f:
            stored = store.put_stream(f, max_bytes=60 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == 50 * MB
    assert peak < 4 * MB, f"peak Python allocations {peak / MB:.1f} MB"


def test_missing_files(store: LocalStorage) -> None:
    key = "ab/cd/" + "0" * 32
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(FileNotFoundError):
        store.path(key)
    with pytest.raises(FileNotFoundError), store.local_path(key):
        pass
    assert store.delete(key) is False


def test_delete_removes_the_file(store: LocalStorage) -> None:
    stored = store.put_stream([b"x"], max_bytes=10)
    assert store.delete(stored.key) is True
    assert not store.exists(stored.key)
    assert store.delete(stored.key) is False


def test_local_path_gives_the_file(store: LocalStorage) -> None:
    stored = store.put_stream([b"x"], max_bytes=10)
    with store.local_path(stored.key) as path:
        assert path.read_bytes() == b"x"


BAD_KEYS = [
    "../../etc/passwd",
    "/etc/passwd",
    "ab/cd/../../../etc/passwd",
    "ab/cd/" + "0" * 31 + "/",
    "ab/cd/" + "A" * 32,
    "ab\\cd\\" + "0" * 32,
    "ab/cd/" + "0" * 32 + "\n",
    "ab/cd/" + "0" * 33,
    "tmp/upload-abc.part",
    "",
    "ab/cd/" + "0" * 32 + "/../../x",
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_we_could_not_have_made_are_refused(store: LocalStorage, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.open(key)
    with pytest.raises(InvalidKey):
        store.path(key)
    with pytest.raises(InvalidKey):
        store.exists(key)
    if not key.startswith("tmp/"):
        with pytest.raises(InvalidKey):
            store.delete(key)


@pytest.mark.parametrize("name", ["tmp/../../x", "tmp/upload-x.part/../../y", "tmp/other.txt"])
def test_delete_takes_only_well_formed_upload_names(store: LocalStorage, name: str) -> None:
    with pytest.raises(InvalidKey):
        store.delete(name)


def test_a_symlinked_folder_cannot_lead_outside_the_store(
    store: LocalStorage, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "cd"
    outside.mkdir(parents=True)
    (outside / ("0" * 32)).write_bytes(b"not yours")
    store.root.mkdir(parents=True)
    (store.root / "ab").symlink_to(outside.parent)
    with pytest.raises(InvalidKey):
        store.open("ab/cd/" + "0" * 32)


@pytest.mark.parametrize(
    ("size", "text"),
    [(300, "300 bytes"), (2048, "2 KB"), (20 * MB, "20 MB"), (int(1.5 * MB), "1.5 MB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text
