"""Outgoing e-mail over SMTP, configured by PLENARY_SMTP_URL.

smtp://user:pass@host:587?starttls=1, smtps://host:465, or smtp://127.0.0.1:1025 for a local relay.
Without a URL, messages are logged instead of sent (a fresh demo machine has no mail server).
Mail is queued as a job in the sender's transaction and delivered by a worker, with retries.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.orm import Session

from app import jobs
from app.config import Settings

log = logging.getLogger(__name__)
MAIL_JOB = "mail.send"


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
        raise jobs.PermanentFailure(
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


def deliver(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send one message now; raises on failure. Returns False when no server is configured."""
    message = build_message(settings, to, subject, body)
    if not settings.smtp_url:
        log.info("mail not sent (no PLENARY_SMTP_URL): to=%s subject=%s", to, subject)
        return False
    try:
        _deliver(settings.smtp_url, message, timeout=10)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send mail to {to}: {exc}") from exc
    return True


def queue_mail(session: Session, to: str, subject: str, body: str) -> None:
    """Send after the transaction commits, retried with back-off; never blocks the request."""
    jobs.enqueue(session, MAIL_JOB, {"to": to, "subject": subject, "body": body}, max_attempts=8)


@jobs.handler(MAIL_JOB)
def _send_queued(context: jobs.JobContext) -> None:
    payload = context.payload
    deliver(context.settings, payload["to"], payload["subject"], payload["body"])
