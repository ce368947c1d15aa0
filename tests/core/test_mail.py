import socket

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.jobs import JobState
from app.jobs.models import Job
from app.mail import MailError, deliver, queue_mail
from tests.support.smtp import SmtpServer, body_text


def _dead_smtp_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"smtp://127.0.0.1:{sock.getsockname()[1]}"


def test_deliver_to_a_real_smtp_server(mailbox: SmtpServer, settings: Settings) -> None:
    assert deliver(settings, "amina@example.org", "Receipt PLN-1", "Thank you.\nPLN-1")
    [message] = mailbox.wait_for(1, to="amina@example.org")
    assert message["Subject"] == "Receipt PLN-1"
    assert "PLN-1" in body_text(message)
    assert message["From"] == settings.mail_from


def test_deliver_raises_when_the_server_is_down(settings: Settings) -> None:
    settings.smtp_url = _dead_smtp_url()
    with pytest.raises(MailError):
        deliver(settings, "a@example.org", "s", "b")


def test_deliver_without_configuration_logs_instead(settings: Settings) -> None:
    settings.smtp_url = ""
    assert deliver(settings, "a@example.org", "s", "b") is False


def test_queued_mail_is_sent_by_the_worker(
    db: Session, mailbox: SmtpServer, run_jobs: object
) -> None:
    queue_mail(db, "lucia@example.org", "Your receipt", "PLN-2026-000001")
    db.flush()
    assert mailbox.messages == []  # nothing leaves before the worker runs
    assert run_jobs() == 1  # type: ignore[operator]
    [message] = mailbox.wait_for(1, to="lucia@example.org")
    assert "PLN-2026-000001" in body_text(message)


def test_failed_mail_is_retried_later_and_not_lost(
    db: Session, settings: Settings, run_jobs: object, smtp_server: SmtpServer
) -> None:
    settings.smtp_url = _dead_smtp_url()
    queue_mail(db, "kwame@example.org", "Receipt", "body")
    db.flush()
    run_jobs()  # type: ignore[operator]
    job = db.scalars(select(Job).where(Job.kind == "mail.send")).one()
    db.refresh(job)
    assert job.state == JobState.queued
    assert job.attempts == 1
    assert "could not send mail" in job.last_error
    assert job.run_after > job.created_at

    # The server comes back: once the retry is due, the message goes out.
    smtp_server.clear()
    settings.smtp_url = smtp_server.url
    job.run_after = job.created_at
    db.flush()
    run_jobs()  # type: ignore[operator]
    db.refresh(job)
    assert job.state == JobState.succeeded
    assert smtp_server.wait_for(1, to="kwame@example.org")


def test_bad_smtp_url_fails_the_job_without_retrying(
    db: Session, settings: Settings, run_jobs: object
) -> None:
    settings.smtp_url = "http://127.0.0.1:25"
    queue_mail(db, "a@example.org", "s", "b")
    db.flush()
    run_jobs()  # type: ignore[operator]
    job = db.scalars(select(Job).where(Job.kind == "mail.send")).one()
    db.refresh(job)
    assert job.state == JobState.failed
    assert "smtp://" in job.last_error
