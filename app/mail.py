"""Outgoing e-mail over SMTP, configured by PLENARY_SMTP_URL.

smtp://user:pass@host:587?starttls=1, smtps://host:465, or smtp://127.0.0.1:1025 for a local relay.
Without a URL, messages are logged instead of sent (a fresh demo machine has no mail server).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from app.config import Settings

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    pass


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="plenary")
    message.set_content(body)
    return message


def _deliver(smtp_url: str, message: EmailMessage, timeout: float) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailError(
            f"PLENARY_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme!r}"
        )
    host = parts.hostname or "127.0.0.1"
    options = parse_qs(parts.query)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def send_mail(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    *,
    attempts: int = 3,
    backoff_s: float = 1.0,
) -> bool:
    """Send one message, retrying transient failures; returns whether it was delivered.

    Never raises for delivery problems: the caller's work (a submission, an invitation) is
    already committed and must not be lost because a mail server is down.
    """
    message = build_message(settings, to, subject, body)
    if not settings.smtp_url:
        log.info("mail not sent (no PLENARY_SMTP_URL): to=%s subject=%s", to, subject)
        return False
    for attempt in range(1, attempts + 1):
        try:
            _deliver(settings.smtp_url, message, timeout=10)
            return True
        except (OSError, smtplib.SMTPException, MailError) as exc:
            log.warning("mail to %s failed (attempt %d/%d): %s", to, attempt, attempts, exc)
            if isinstance(exc, MailError) or attempt == attempts:
                break
            time.sleep(backoff_s * attempt)
    return False
