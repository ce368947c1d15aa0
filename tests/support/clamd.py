"""Start a real clamd (Debian's clamav-daemon) for tests, with a local EICAR signature.

No signature databases ship with the package and none can be downloaded in CI, so the daemon
gets a temporary DatabaseDirectory holding one ``.ndb`` line that matches the EICAR test string.
clamd reports it as ``Test.EICAR.UNOFFICIAL`` (it marks signatures from non-official files).

    with ClamdServer(tmp_dir) as clamd:
        scan_file(clamd.url, path)       # tcp://127.0.0.1:<port>
        scan_file(clamd.unix_url, path)  # unix://<tmp_dir>/clamd.sock
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

# Split so that no file in the repository carries the whole test string (virus scanners flag it).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Test.EICAR"
EICAR_REPORTED_AS = f"{EICAR_SIGNATURE}.UNOFFICIAL"


def clamd_binary() -> str | None:
    if os.access("/usr/sbin/clamd", os.X_OK):
        return "/usr/sbin/clamd"
    return shutil.which("clamd")


SKIP_REASON = (
    "clamd is not installed (Debian package clamav-daemon; CI installs it with "
    ".ci/install-system-packages)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ClamdServer:
    def __init__(self, directory: Path, *, stream_max_length: str = "60M") -> None:
        binary = clamd_binary()
        if binary is None:
            raise RuntimeError(SKIP_REASON)
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.socket_path = directory / "clamd.sock"
        self.log_path = directory / "clamd.log"
        self.config_path = directory / "clamd.conf"
        self.stream_max_length = stream_max_length
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket_path}"

    def _write_config(self) -> None:
        database = self.directory / "db"
        database.mkdir(parents=True, exist_ok=True)
        (database / "plenary-test.ndb").write_text(f"{EICAR_SIGNATURE}:0:*:{EICAR.hex()}\n")
        self.config_path.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    f"LocalSocket {self.socket_path}",
                    f"DatabaseDirectory {database}",
                    f"LogFile {self.log_path}",
                    f"PidFile {self.directory / 'clamd.pid'}",
                    f"StreamMaxLength {self.stream_max_length}",
                    "MaxThreads 4",
                    "SelfCheck 3600",
                    "",
                ]
            )
        )

    def start(self, timeout: float = 30.0) -> None:
        self._write_config()
        self._process = subprocess.Popen(
            [self.binary, "--config-file", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not self._pong():
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"clamd exited with {self._process.returncode}; log:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"clamd did not answer PING within {timeout} s; log:\n{self.log()}"
                )
            time.sleep(0.05)

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"zPING\0")
                return sock.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log written)"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def started_clamd(
    tmp_path_factory: pytest.TempPathFactory, name: str = "clamd", **options: str
) -> Iterator[ClamdServer]:
    """For a fixture (`yield from started_clamd(tmp_path_factory)`): a running clamd, or the
    test skipped with the reason when the machine has none."""
    if clamd_binary() is None:
        pytest.skip(SKIP_REASON)
    with ClamdServer(tmp_path_factory.mktemp(name), **options) as server:
        yield server
