"""Reminders of reporting rounds, delivered through the real SMTP test server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.impact import reminders
from app.impact.models import ReportingRound
from app.jobs import PERIODIC
from app.jobs.worker import run_periodic
from tests.conftest import _session_on
from tests.impact.factories import ImpactWorld, impact_world
from tests.support.smtp import SmtpServer

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(db: Session) -> ImpactWorld:
    return impact_world(db)


def _round(db: Session, world: ImpactWorld, opens: datetime, closes: datetime) -> ReportingRound:
    reporting_round = ReportingRound(
        process_id=world.process.id,
        title="2026 follow-up",
        opens_at=opens,
        closes_at=closes,
        reminder_days=7,
    )
    db.add(reporting_round)
    db.flush()
    return reporting_round


def _recipients(mailbox: SmtpServer) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages)


def test_opening_and_closing_reminders_are_sent_once(
    db: Session, world: ImpactWorld, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    rnd = _round(db, world, NOW - timedelta(hours=1), NOW + timedelta(days=30))
    expected = sorted(u.email for u in (world.focal_kg, world.focal_kz, world.org_owner))

    assert reminders.send_due_reminders(db, NOW) == [(rnd.id, "opening")]
    assert reminders.send_due_reminders(db, NOW) == []  # idempotent
    db.flush()
    run_jobs()
    assert _recipients(mailbox) == expected
    subjects = {m["Subject"] for m in mailbox.messages}
    assert subjects == {"Reporting round open: 2026 follow-up"}
    focal_mail = next(m for m in mailbox.messages if m["To"] == world.focal_kg.email)
    assert "focal point for KG" in focal_mail.get_content()
    assert f"/processes/{world.process.slug}/recommendations" in focal_mail.get_content()

    mailbox.clear()
    assert reminders.send_due_reminders(db, NOW + timedelta(days=22)) == []  # 8 days left
    assert reminders.send_due_reminders(db, NOW + timedelta(days=23)) == [(rnd.id, "closing")]
    assert reminders.send_due_reminders(db, NOW + timedelta(days=24)) == []
    db.flush()
    run_jobs()
    assert _recipients(mailbox) == expected
    assert {m["Subject"] for m in mailbox.messages} == {
        "Reporting round closes soon: 2026 follow-up"
    }


def test_each_recipient_reads_the_reminder_in_their_language(
    db: Session, world: ImpactWorld, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    world.focal_kg.locale = "fr"
    world.focal_kz.locale = "es"
    _round(db, world, NOW - timedelta(hours=1), NOW + timedelta(days=30))
    assert reminders.send_due_reminders(db, NOW)
    db.flush()
    run_jobs()
    by_recipient = {m["To"]: m for m in mailbox.messages}
    french = by_recipient[world.focal_kg.email]
    spanish = by_recipient[world.focal_kz.email]
    english = by_recipient[world.org_owner.email]
    assert english["Subject"] == "Reporting round open: 2026 follow-up"
    assert french["Subject"] != english["Subject"] != spanish["Subject"] != french["Subject"]
    for message in (french, spanish):
        assert "2026 follow-up" in message["Subject"]
        assert "focal point for" not in message.get_content()


def test_rounds_not_open_send_nothing(
    db: Session, world: ImpactWorld, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    _round(db, world, NOW + timedelta(days=1), NOW + timedelta(days=30))  # not yet open
    _round(db, world, NOW - timedelta(days=30), NOW - timedelta(days=1))  # closed
    assert reminders.send_due_reminders(db, NOW) == []
    db.flush()
    run_jobs()
    assert mailbox.messages == []


def test_the_worker_loop_sends_them(
    db: Session,
    world: ImpactWorld,
    connection: Connection,
    mailbox: SmtpServer,
    run_jobs: Callable[[], int],
) -> None:
    now = datetime.now(UTC)
    rnd = _round(db, world, now - timedelta(minutes=5), now + timedelta(days=30))
    db.flush()
    assert "impact.reminders" in PERIODIC
    run_periodic(lambda: _session_on(connection))
    run_jobs()
    assert len(mailbox.messages) == 3
    db.refresh(rnd)
    assert rnd.opening_sent_at is not None and rnd.closing_reminder_sent_at is None
