"""Invitations arrive by e-mail through a real SMTP server, and only after the commit."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_organisation, make_user
from tests.support.smtp import SmtpServer, body_text
from tests.support.web import post_form, sign_in


def test_invitation_is_mailed_with_a_working_link(
    client: TestClient, db: Session, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    owner = make_user(db, name="Nadia Owner")
    org = make_organisation(db, owner=owner, name="Migrant Workers Support Centre")
    sign_in(client, owner)
    response = post_form(
        client, f"/organisations/{org.id}/invitations", {"email": "New@Example.org"}
    )
    assert response.status_code == 200
    assert run_jobs() == 1

    [message] = mailbox.wait_for(1, to="new@example.org")
    assert "Migrant Workers Support Centre" in message["Subject"]
    body = body_text(message)
    link = re.search(r"http://127\.0\.0\.1:8000(/invitations/\S+)", body)
    assert link is not None, body
    assert link.group(1) in response.text  # the same link is shown to the owner

    invitee = make_user(db, email="new@example.org")
    sign_in(client, invitee)
    assert "Migrant Workers Support Centre" in client.get(link.group(1)).text
    accepted = post_form(client, link.group(1))
    assert accepted.status_code == 303
    assert client.get(f"/organisations/{org.id}/members").status_code == 200


def test_no_mail_when_the_invitation_is_refused(
    client: TestClient, db: Session, mailbox: SmtpServer, run_jobs: Callable[[], int]
) -> None:
    owner = make_user(db, email="owner@example.org")
    org = make_organisation(db, owner=owner)
    sign_in(client, owner)
    response = post_form(
        client, f"/organisations/{org.id}/invitations", {"email": "owner@example.org"}
    )
    assert response.status_code == 409
    assert run_jobs() == 0
    assert mailbox.wait_for(1, timeout=1) == []
