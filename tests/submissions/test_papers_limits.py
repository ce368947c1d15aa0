"""The papers-per-organisation limit, membership, and one submission per double click."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.organisations.models import Verification
from app.storage import LocalStorage
from app.submissions.models import Paper, PaperStatus, PaperVersion
from tests.submissions.conftest import (
    World,
    a_pdf,
    assert_nothing_stored,
    paper_count,
    stored_files,
    upload,
)
from tests.support.web import api_headers, sign_in


def test_the_limit_of_papers_per_organisation(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    for _ in range(2):  # the world's meeting allows two
        assert upload(client, world.submit_url, world.fields(), a_pdf()).status_code == 303
    files_before = stored_files(storage)
    third = upload(client, world.submit_url, world.fields(), a_pdf())
    assert third.status_code == 409
    assert "has already submitted 2 papers to this meeting, the most it allows" in third.text
    assert paper_count(db) == 2
    assert stored_files(storage) == files_before

    # another organisation is not held to this one's limit
    sign_in(client, world.other_owner)
    other = upload(
        client, world.submit_url, world.fields(organisation_id=str(world.other_org.id)), a_pdf()
    )
    assert other.status_code == 303


def test_a_withdrawn_paper_does_not_count(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, world.member)
    for _ in range(2):
        upload(client, world.submit_url, world.fields(), a_pdf())
    first = db.scalars(select(Paper).order_by(Paper.id)).first()
    assert first is not None
    first.status = PaperStatus.withdrawn
    db.flush()
    assert upload(client, world.submit_url, world.fields(), a_pdf()).status_code == 303
    assert paper_count(db) == 3


def test_a_double_click_creates_one_submission(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    fields = world.fields(idempotency_key="form-key-0123456789")
    first = upload(client, world.submit_url, fields, a_pdf())
    second = upload(client, world.submit_url, fields, a_pdf(2))  # the retry may even differ
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert paper_count(db) == 1
    version = db.scalars(select(PaperVersion)).one()
    assert stored_files(storage) == [version.file_key]  # the repeat's bytes were not kept


def test_the_same_key_from_another_submitter_is_another_submission(
    client: TestClient, db: Session, world: World
) -> None:
    fields = world.fields(idempotency_key="shared-key-0123456789")
    sign_in(client, world.member)
    upload(client, world.submit_url, fields, a_pdf())
    sign_in(client, world.owner)
    upload(client, world.submit_url, fields, a_pdf())
    assert paper_count(db) == 2


def test_api_idempotency_key_header(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    headers = {**api_headers(), "Idempotency-Key": "api-retry-0123456789"}
    fields = world.fields(csrf_token=None)
    first = upload(client, world.api_submit_url, fields, a_pdf(), headers=headers)
    again = upload(client, world.api_submit_url, fields, a_pdf(), headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["tracking_number"] == again.json()["tracking_number"]
    assert paper_count(db) == 1
    assert len(stored_files(storage)) == 1


def test_a_malformed_idempotency_key_is_a_field_error(
    client: TestClient, db: Session, world: World
) -> None:
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(idempotency_key="<x>"), a_pdf())
    assert response.status_code == 422
    assert paper_count(db) == 0


def test_only_members_submit_for_an_organisation(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.other_owner)  # a member of another organisation
    response = upload(client, world.submit_url, world.fields(), a_pdf())
    assert response.status_code == 403
    assert f"You are not a member of {world.org.name}" in response.text
    sign_in(client, world.stranger)  # a member of none
    response = upload(client, world.submit_url, world.fields(), a_pdf())
    assert response.status_code == 403
    assert "Only members of an organisation can submit papers" in response.text
    sign_in(client, world.member)
    forged = upload(client, world.submit_url, world.fields(organisation_id="987654"), a_pdf())
    assert forged.status_code == 404
    assert_nothing_stored(db, storage)


def test_a_rejected_organisation_cannot_submit(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    world.org.verification = Verification.rejected
    db.flush()
    sign_in(client, world.member)
    response = upload(client, world.submit_url, world.fields(), a_pdf())
    assert response.status_code == 403
    assert "could not be verified" in response.text
    assert_nothing_stored(db, storage)


def test_the_summary_word_limit(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    long = " ".join(["word"] * 21)
    response = upload(client, world.submit_url, world.fields(summary=long), a_pdf())
    assert response.status_code == 422
    assert "Shorten the summary to at most 20 words (it has 21)." in response.text
    exact = upload(client, world.submit_url, world.fields(summary=" ".join(["w"] * 20)), a_pdf())
    assert exact.status_code == 303
    assert paper_count(db) == 1


def test_a_csrf_token_is_needed_before_the_file(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    missing = upload(client, world.submit_url, world.fields(csrf_token=None), a_pdf())
    assert missing.status_code == 403
    wrong = upload(client, world.submit_url, world.fields(csrf_token="forged"), a_pdf())
    assert wrong.status_code == 403
    assert "Reload the page" in wrong.text
    assert_nothing_stored(db, storage)


def test_fields_after_the_file_are_refused_and_nothing_is_kept(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    from tests.submissions.conftest import multipart

    sign_in(client, world.member)
    parts: list[tuple[str, object]] = []
    for name, value in world.fields().items():
        parts += [(name, one) for one in (value if isinstance(value, list) else [value])]
    parts += [("file", ("paper.pdf", a_pdf(), "application/pdf")), ("note", "sent after")]
    body, boundary = multipart(parts)
    response = client.post(
        world.submit_url,
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "the last part of the form" in response.text
    assert_nothing_stored(db, storage)


def test_other_multipart_forms_still_have_their_token_checked_for_them(
    client: TestClient, world: World
) -> None:
    """Only endpoints marked checks_csrf_in_body skip verify_csrf's form parsing."""
    sign_in(client, world.member)
    refused = upload(client, "/auth/tokens", {"name": "x"}, b"x", "a.txt")
    assert refused.status_code == 403
    accepted = upload(client, "/auth/tokens", {"name": "x", "csrf_token": "test-csrf-token"},
                      b"x", "a.txt")  # fmt: skip
    assert accepted.status_code == 200
