"""Virus scanning against a real clamd (started per module with a local EICAR signature)."""

from __future__ import annotations

import io
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfWriter

from app.uploads.scanning import (
    ScanStatus,
    parse_clamd_url,
    ping,
    scan_file,
    scan_stream,
)
from tests.support.clamd import (
    EICAR,
    EICAR_REPORTED_AS,
    SKIP_REASON,
    ClamdServer,
    clamd_binary,
    started_clamd,
)

needs_clamd = pytest.mark.skipif(clamd_binary() is None, reason=SKIP_REASON)


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdServer]:
    yield from started_clamd(tmp_path_factory)


@pytest.fixture(scope="module")
def small_clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdServer]:
    """A clamd that accepts at most 1 MiB per stream."""
    yield from started_clamd(tmp_path_factory, "clamd-small", stream_max_length="1M")


def _pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "A clean paper"})
    with path.open("wb") as out:
        writer.write(out)
    return path


@needs_clamd
def test_ping(clamd: ClamdServer) -> None:
    assert ping(clamd.url)
    assert ping(clamd.unix_url)


@needs_clamd
def test_eicar_is_reported_infected_with_its_signature(clamd: ClamdServer, tmp_path: Path) -> None:
    infected = tmp_path / "paper.txt"
    infected.write_bytes(EICAR)

    result = scan_file(clamd.url, infected)

    assert result.status is ScanStatus.INFECTED
    assert result.is_infected
    assert result.signature == EICAR_REPORTED_AS
    assert result.message is None


@needs_clamd
def test_eicar_over_the_unix_socket(clamd: ClamdServer) -> None:
    result = scan_stream(clamd.unix_url, io.BytesIO(b"some text before " + EICAR))

    assert result.is_infected
    assert result.signature == EICAR_REPORTED_AS


@needs_clamd
@pytest.mark.parametrize("kind", ["pdf", "text"])
def test_clean_files_are_clean(clamd: ClamdServer, tmp_path: Path, kind: str) -> None:
    if kind == "pdf":
        path = _pdf(tmp_path / "paper.pdf")
    else:
        path = tmp_path / "paper.txt"
        path.write_text("Our organisation's input to agenda item 2.a.\n" * 100)

    result = scan_file(clamd.url, path)

    assert result.status is ScanStatus.CLEAN
    assert result.is_clean
    assert result.signature is None
    assert result.message is None


@needs_clamd
def test_a_large_clean_file_streams_through(clamd: ClamdServer, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with big.open("wb") as out:
        for _ in range(30):
            out.write(block)

    assert scan_file(clamd.url, big).is_clean


@needs_clamd
def test_over_the_stream_limit_is_an_error(small_clamd: ClamdServer, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (3 * 1024 * 1024))

    result = scan_file(small_clamd.url, big)

    assert result.status is ScanStatus.ERROR
    assert result.message is not None
    # clamd answers "size limit exceeded" and closes at once. Usually we read that answer; when
    # its reset reaches us while we are still sending, Linux drops the unread answer with it, so
    # the only thing left to say is that no verdict came. Either way the file is not accepted.
    assert (
        "StreamMaxLength" in result.message and "size limit exceeded" in result.message
    ) or "without a verdict" in result.message
    # The daemon is still fine afterwards, and a small file passes.
    assert scan_stream(small_clamd.url, io.BytesIO(b"short")).is_clean


@needs_clamd
def test_clamd_stopped_is_an_error(tmp_path: Path) -> None:
    server = ClamdServer(tmp_path / "clamd")
    with server:
        assert ping(server.url)
    paper = tmp_path / "paper.txt"
    paper.write_text("hello")

    result = scan_file(server.url, paper)

    assert result.status is ScanStatus.ERROR
    assert result.message is not None
    assert "refused the connection" in result.message
    assert server.url in result.message
    assert not ping(server.url)
    unix = scan_file(server.unix_url, paper)
    assert unix.status is ScanStatus.ERROR
    assert not ping(server.unix_url)


def test_nothing_listening_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"tcp://127.0.0.1:{sock.getsockname()[1]}"  # bound, not listening: refused

        result = scan_stream(url, io.BytesIO(b"hello"))

    assert result.status is ScanStatus.ERROR
    assert result.message is not None
    assert "refused the connection" in result.message
    missing_socket = scan_stream(f"unix://{tmp_path}/no.sock", io.BytesIO(b"hello"))
    assert missing_socket.status is ScanStatus.ERROR
    assert "no clamd socket" in (missing_socket.message or "")


def test_a_daemon_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # the kernel completes the handshake; nobody ever reads or answers
        url = f"tcp://127.0.0.1:{listener.getsockname()[1]}"

        result = scan_stream(url, io.BytesIO(b"hello"), timeout_s=0.3)
        pinged = ping(url, timeout_s=0.3)

    assert result.status is ScanStatus.ERROR
    assert result.message is not None
    assert "did not answer within 0.3 s" in result.message
    assert not pinged


def test_an_unreadable_file_raises_rather_than_reporting_clamd(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan_file("tcp://127.0.0.1:9", tmp_path / "missing.pdf")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://127.0.0.1:3310", "tcp://127.0.0.1:3310"),
        ("tcp://clamav", "tcp://clamav:3310"),
        ("unix:///run/clamav/clamd.ctl", "unix:///run/clamav/clamd.ctl"),
    ],
)
def test_parse_clamd_url(url: str, expected: str) -> None:
    assert str(parse_clamd_url(url)) == expected


@pytest.mark.parametrize(
    "url", ["", "http://127.0.0.1:3310", "tcp://", "tcp://host:notaport", "unix://relative"]
)
def test_a_bad_url_is_an_error_not_an_exception(url: str) -> None:
    with pytest.raises(ValueError, match="clamd URL"):
        parse_clamd_url(url)
    result = scan_stream(url, io.BytesIO(b"hello"))
    assert result.status is ScanStatus.ERROR
    assert "clamd URL" in (result.message or "")
    assert not ping(url)


def test_a_peer_that_resets_mid_stream_gives_no_verdict(tmp_path: Path) -> None:
    """What the size limit sometimes looks like: the peer resets while we send, and the reset
    takes any unread answer with it. That is "no verdict" (an error), not a crash."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def reset_after_the_command() -> None:
        conn, _ = listener.accept()
        conn.recv(16)  # the command and a little of the stream
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # RST, no reply

    peer = threading.Thread(target=reset_after_the_command)
    peer.start()
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (8 * 1024 * 1024))
    try:
        result = scan_file(f"tcp://127.0.0.1:{port}", big)
    finally:
        peer.join(timeout=10)
        listener.close()

    assert result.status is ScanStatus.ERROR
    assert result.message is not None and "without a verdict" in result.message
