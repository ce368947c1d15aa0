"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives for assertions."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._collector.lock:
            self._collector.messages.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return list(self._collector.messages)

    def wait_for(self, count: int = 1, timeout: float = 10.0, **match: Any) -> list[EmailMessage]:
        """Wait until `count` messages (matching header values, e.g. to=...) have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages if all(str(m[k]) == v for k, v in match.items())]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()  # type: ignore[attr-defined]
    return content
