"""Virus scanning through a clamd daemon, over its INSTREAM protocol (TCP or a Unix socket).

The daemon is named by a URL (the PLENARY_CLAMD_URL setting): ``tcp://127.0.0.1:3310`` or
``unix:///run/clamav/clamd.ctl``. The file is streamed in chunks, never held in memory whole.
The scanner only reports: clean, infected (with the signature) or error (with a message);
whether an unscanned file may go on is the caller's decision.
"""

from __future__ import annotations

import selectors
import socket
import struct
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT_S = 60.0
CHUNK_SIZE = 256 * 1024
_MAX_REPLY = 4096
_SIZE_LIMIT_REPLY = "INSTREAM size limit exceeded"


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    signature: str | None = None  # set when infected
    message: str | None = None  # set when error

    @classmethod
    def clean(cls) -> ScanResult:
        return cls(ScanStatus.CLEAN)

    @classmethod
    def infected(cls, signature: str) -> ScanResult:
        return cls(ScanStatus.INFECTED, signature=signature)

    @classmethod
    def error(cls, message: str) -> ScanResult:
        return cls(ScanStatus.ERROR, message=message)

    @property
    def is_clean(self) -> bool:
        return self.status is ScanStatus.CLEAN

    @property
    def is_infected(self) -> bool:
        return self.status is ScanStatus.INFECTED


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: a (host, port) pair, or the path of a Unix socket."""

    host: str | None = None
    port: int = DEFAULT_PORT
    socket_path: str | None = None

    def __str__(self) -> str:
        if self.socket_path is not None:
            return f"unix://{self.socket_path}"
        return f"tcp://{self.host}:{self.port}"


def parse_clamd_url(url: str) -> ClamdAddress:
    """``tcp://host[:port]`` (port 3310 by default) or ``unix:///abs/path``; else ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"clamd URL {url!r} has no host (expected tcp://host:port)")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise ValueError(f"clamd URL {url!r} has an invalid port") from exc
        return ClamdAddress(host=parts.hostname, port=port)
    if parts.scheme == "unix":
        path = unquote(parts.netloc + parts.path)
        if not path.startswith("/"):
            raise ValueError(f"clamd URL {url!r} needs an absolute socket path (unix:///path)")
        return ClamdAddress(socket_path=path)
    raise ValueError(
        f"clamd URL {url!r} must start with tcp:// or unix:// "
        "(e.g. tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl)"
    )


def ping(clamd_url: str, *, timeout_s: float = 5.0) -> bool:
    """True when clamd answers PING with PONG."""
    try:
        address = parse_clamd_url(clamd_url)
        with _connect(address, timeout_s) as sock:
            sock.sendall(b"zPING\0")
            return _read_reply(sock) == "PONG"
    except (OSError, ValueError):
        return False


def scan_file(
    clamd_url: str,
    path: Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    chunk_size: int = CHUNK_SIZE,
) -> ScanResult:
    """Scan a file; OSError if the file itself cannot be opened or read."""
    with path.open("rb") as stream:
        return scan_stream(clamd_url, stream, timeout_s=timeout_s, chunk_size=chunk_size)


def scan_stream(
    clamd_url: str,
    stream: BinaryIO,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    chunk_size: int = CHUNK_SIZE,
) -> ScanResult:
    """Scan everything left in a binary stream.

    ``timeout_s`` bounds each socket operation (connecting, each chunk, waiting for the verdict),
    not the scan as a whole, so a large file on a slow link still gets through.
    """
    try:
        address = parse_clamd_url(clamd_url)
    except ValueError as exc:
        return ScanResult.error(str(exc))
    try:
        with _connect(address, timeout_s) as sock:
            reply = _instream(sock, stream, chunk_size)
    except _SourceReadError as exc:
        raise exc.original from None
    except TimeoutError:
        return ScanResult.error(f"clamd at {address} did not answer within {timeout_s:g} s")
    except ConnectionRefusedError:
        return ScanResult.error(f"clamd at {address} refused the connection (is it running?)")
    except FileNotFoundError:
        return ScanResult.error(f"no clamd socket at {address} (is clamd running?)")
    except OSError as exc:
        return ScanResult.error(f"could not talk to clamd at {address}: {exc}")
    return _verdict(reply, address)


class _SourceReadError(Exception):
    """Reading the file failed: the caller's problem, not clamd's, so it is re-raised."""

    def __init__(self, original: OSError):
        super().__init__(str(original))
        self.original = original


def _connect(address: ClamdAddress, timeout_s: float) -> socket.socket:
    if address.socket_path is not None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout_s)
        try:
            sock.connect(address.socket_path)
        except BaseException:
            sock.close()
            raise
        return sock
    assert address.host is not None
    return socket.create_connection((address.host, address.port), timeout=timeout_s)


def _instream(sock: socket.socket, stream: BinaryIO, chunk_size: int) -> str:
    """Send the stream; clamd may answer early (size limit) and close, so watch for that."""
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        sock.sendall(b"zINSTREAM\0")
        while True:
            if selector.select(timeout=0):
                return _read_reply(sock)  # an early answer, e.g. the size limit
            try:
                chunk = stream.read(chunk_size)
            except OSError as exc:
                raise _SourceReadError(exc) from exc
            if not chunk:
                break
            if (stopped := _send(sock, struct.pack("!I", len(chunk)) + chunk)) is not None:
                return stopped
        if (stopped := _send(sock, struct.pack("!I", 0))) is not None:
            return stopped
        return _read_reply(sock)


def _send(sock: socket.socket, data: bytes) -> str | None:
    """Send; None when sent. When clamd has stopped listening (it closes as soon as a stream
    passes its size limit), its reply instead: usually the reason, waiting to be read; empty
    when the reset reached us first and took the unread reply with it ("no verdict")."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return _read_reply(sock)
    return None


def _read_reply(sock: socket.socket) -> str:
    """Read one NUL-terminated reply (or whatever arrives before the connection closes or is
    reset: a reset takes any unread reply with it, which leaves "no verdict")."""
    data = b""
    while b"\0" not in data and len(data) < _MAX_REPLY:
        try:
            piece = sock.recv(_MAX_REPLY)
        except ConnectionResetError:
            break
        if not piece:
            break
        data += piece
    return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(reply: str, address: ClamdAddress) -> ScanResult:
    if not reply:
        return ScanResult.error(f"clamd at {address} closed the connection without a verdict")
    if reply.startswith(_SIZE_LIMIT_REPLY):
        return ScanResult.error(
            f"the file is larger than clamd at {address} accepts (its StreamMaxLength); "
            f"clamd said: {reply}"
        )
    # "stream: OK", "stream: <signature> FOUND", "<reason> ERROR"
    body = reply.removeprefix("stream:").strip()
    if body == "OK":
        return ScanResult.clean()
    if body.endswith(" FOUND"):
        return ScanResult.infected(body.removesuffix(" FOUND").strip())
    if body.endswith("ERROR"):
        return ScanResult.error(f"clamd at {address} could not scan the file: {reply}")
    return ScanResult.error(f"unexpected reply from clamd at {address}: {reply!r}")
