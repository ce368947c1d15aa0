"""Where uploaded and generated files live: a small Storage interface and a local-folder backend.

An upload is streamed into a temporary file beside its final place, hashed and counted as it
goes, and refused the moment it passes its limit; only a complete, fsynced file is renamed to
its key, so a key never names a half-written file. Keys are random ("ab/cd/<32 hex>"), not
content addresses: two uploads of the same bytes are two files, and deleting one never touches
the other (no reference counting). The SHA-256 is returned for the caller to record.

Everything here blocks (disk, hashing): call it from a worker thread, never on the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol, runtime_checkable

from app.config import Settings
from app.errors import AppError
from app.i18n import N_, gettext

log = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
STALE_UPLOAD_AGE = timedelta(hours=1)
TEMP_DIR = "tmp"

_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")
_TEMP_NAME = re.compile(r"upload-[A-Za-z0-9_]{1,64}\.part")


class FileTooLarge(AppError):
    status = 413
    code = "file_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            gettext("The file is larger than the limit of %(size)s.") % {"size": human_size(limit)}
        )
        self.limit = limit


class EmptyFile(AppError):
    status = 422
    code = "empty_file"

    def __init__(self, message: str = N_("The file is empty.")) -> None:
        super().__init__(message)


class InvalidKey(ValueError):
    """A key that we could not have generated (a bug or tampering, never user input to show)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    size: int
    sha256: str


@runtime_checkable
class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@runtime_checkable
class Storage(Protocol):
    """What the rest of the application may ask of a file store (local folder, later S3)."""

    def put_stream(self, source: Iterable[bytes] | Readable, *, max_bytes: int) -> StoredFile:
        """Store the bytes under a new key; FileTooLarge / EmptyFile, and nothing is left.

        `source`: byte chunks, or a binary file read in 1 MiB pieces (for an UploadFile pass
        `upload.file`, its synchronous file, from a worker thread).
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """The file for reading; FileNotFoundError if there is none under this key."""
        ...

    def local_path(self, key: str) -> contextlib.AbstractContextManager[Path]:
        """A path on this machine for tools that need one (a remote backend downloads it)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> bool:
        """Remove the file; False if there was none. Also takes names from `iter_stale_uploads`."""
        ...

    def iter_keys(self) -> Iterator[str]: ...

    def iter_stale_uploads(self, older_than: timedelta = STALE_UPLOAD_AGE) -> Iterator[str]:
        """Names of temporary files that an upload left behind (a crashed process)."""
        ...


def human_size(size: int) -> str:
    """'20 MB', '512 KB', '300 bytes' (binary multiples, as file managers on Windows show)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


def new_key() -> str:
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name[2:4]}/{name}"


def _chunks(source: Iterable[bytes] | Readable) -> Iterator[bytes]:
    if isinstance(source, Readable):  # a file: read() in chunks; iterating it splits on b"\n"
        while chunk := source.read(CHUNK_SIZE):
            yield chunk
    else:
        yield from source


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    """Files under one folder: <root>/ab/cd/<key hex>, uploads in progress under <root>/tmp/."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def put_stream(self, source: Iterable[bytes] | Readable, *, max_bytes: int) -> StoredFile:
        temp_dir = self.root / TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=temp_dir)
        temp = Path(temp_name)
        target: Path | None = None
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(source):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                if size == 0:
                    raise EmptyFile()
                out.flush()
                os.fsync(out.fileno())
            key = new_key()
            final = self._file(key)
            self._make_parents(final.parent)
            os.replace(temp, final)
            target = final
            _fsync_dir(final.parent)
        except BaseException:
            temp.unlink(missing_ok=True)
            if target is not None:  # renamed, but the folder could not be synced: not stored
                target.unlink(missing_ok=True)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return self._file(key).open("rb")

    def path(self, key: str) -> Path:
        """The file's path (local backend only); FileNotFoundError if it does not exist."""
        target = self._file(key)
        if not target.is_file():
            raise FileNotFoundError(key)
        return target

    @contextlib.contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        yield self.path(key)

    def exists(self, key: str) -> bool:
        return self._file(key).is_file()

    def delete(self, key: str) -> bool:
        target = self._temp_file(key) if key.startswith(f"{TEMP_DIR}/") else self._file(key)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        return True

    def iter_keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if first.name == TEMP_DIR or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for file in sorted(second.iterdir()):
                    key = f"{first.name}/{second.name}/{file.name}"
                    if _KEY.fullmatch(key) and file.is_file():
                        yield key
                    else:
                        log.warning("unexpected entry in file storage: %s", file)

    def iter_stale_uploads(self, older_than: timedelta = STALE_UPLOAD_AGE) -> Iterator[str]:
        temp_dir = self.root / TEMP_DIR
        if not temp_dir.is_dir():
            return
        cutoff = time.time() - older_than.total_seconds()
        for file in sorted(temp_dir.iterdir()):
            if _TEMP_NAME.fullmatch(file.name) and file.stat().st_mtime < cutoff:
                yield f"{TEMP_DIR}/{file.name}"

    def _file(self, key: str) -> Path:
        target = self.root / check_key(key)
        if not target.resolve().is_relative_to(self.root):  # a symlinked folder, say
            raise InvalidKey(f"key {key!r} leads outside the storage folder")
        return target

    def _temp_file(self, name: str) -> Path:
        if not _TEMP_NAME.fullmatch(name.removeprefix(f"{TEMP_DIR}/")):
            raise InvalidKey(f"not a temporary upload: {name!r}")
        return self.root / name

    def _make_parents(self, folder: Path) -> None:
        """Create ab/ and ab/cd/ if needed, fsyncing the folder that gained an entry."""
        for directory in (folder.parent, folder):
            if not directory.is_dir():
                directory.mkdir(exist_ok=True)
                _fsync_dir(directory.parent)


def get_storage(settings: Settings) -> Storage:
    return LocalStorage(settings.data_dir / "files")


class StorageCheck(NamedTuple):
    orphan_files: list[str]
    """Stored files no database row refers to, and temporary files older than an hour."""
    missing_files: list[str]
    """Keys the database refers to that have no file."""


def storage_check(
    storage: Storage, referenced_keys: set[str], *, stale_after: timedelta = STALE_UPLOAD_AGE
) -> StorageCheck:
    """Compare the store with the keys the database holds (for `plenary storage check`).

    Read the referenced keys before listing the store: a file uploaded in between is then at
    worst reported as an orphan, never wrongly as missing. An orphan younger than a moment may
    belong to an upload whose transaction has not committed yet; clean-up should wait.
    """
    stored = set(storage.iter_keys())
    orphans = sorted(stored - referenced_keys)
    orphans.extend(storage.iter_stale_uploads(stale_after))
    missing = sorted(referenced_keys - stored)
    return StorageCheck(orphan_files=orphans, missing_files=missing)
