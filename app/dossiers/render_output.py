"""Writing a dossier file so that its final name never holds a half-written file.

The file is written under a temporary name in the destination folder, fsynced, hashed, and
renamed over the final name (atomic on POSIX), then the folder is fsynced. On any error the
temporary file is removed and the final name is untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

CHUNK_SIZE = 1024 * 1024


@contextlib.contextmanager
def atomic_output(out_path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on a clean exit it replaces `out_path`."""
    folder = out_path.parent
    temp = folder / f".{out_path.name}.{secrets.token_hex(8)}.part"
    try:
        yield temp
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, out_path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
