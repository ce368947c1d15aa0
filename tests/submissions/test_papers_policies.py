"""Who may do what with a paper (pure policies), and crash safety of the upload path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.storage import LocalStorage
from app.submissions import policies, receipt
from app.submissions.models import PaperStatus
from app.submissions.policies import NOBODY, PaperAccess
from tests.submissions.conftest import World, a_pdf, assert_nothing_stored, upload
from tests.support.web import sign_in

MEMBER = PaperAccess(member=True)
COSIGNER = PaperAccess(cosigner_member=True)
ORGANISER = PaperAccess(organiser=True, moderator=True)
MODERATOR = PaperAccess(moderator=True)


def test_viewing() -> None:
    assert not policies.can_view(NOBODY)
    assert all(policies.can_view(a) for a in (MEMBER, COSIGNER, ORGANISER, MODERATOR))
    assert policies.can_view_receipt(MEMBER) and policies.can_view_receipt(ORGANISER)
    assert not policies.can_view_receipt(COSIGNER) and not policies.can_view_receipt(MODERATOR)


@pytest.mark.parametrize("check", [policies.can_revise, policies.can_withdraw])
def test_members_change_papers_until_the_deadline_organisers_always(check) -> None:  # type: ignore[no-untyped-def]
    submitted = PaperStatus.submitted
    assert check(MEMBER, submitted, before_deadline=True)
    assert not check(MEMBER, submitted, before_deadline=False)
    assert check(ORGANISER, submitted, before_deadline=False)
    for access in (NOBODY, COSIGNER, MODERATOR):
        assert not check(access, submitted, before_deadline=True)
    assert not check(ORGANISER, PaperStatus.withdrawn, before_deadline=True)


def test_which_states_a_member_may_change() -> None:
    assert policies.can_revise(MEMBER, PaperStatus.revision_requested, before_deadline=True)
    assert not policies.can_revise(MEMBER, PaperStatus.accepted, before_deadline=True)
    assert policies.can_withdraw(MEMBER, PaperStatus.in_review, before_deadline=True)
    assert not policies.can_withdraw(MEMBER, PaperStatus.rejected, before_deadline=True)


def test_only_owners_answer_cosigning() -> None:
    assert policies.can_answer_cosigning(True)
    assert not policies.can_answer_cosigning(False)


def test_a_crash_after_the_file_is_stored_leaves_neither_file_nor_row(
    client: TestClient,
    db: Session,
    world: World,
    storage: LocalStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(*_args: object, **_kw: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(receipt, "queue_receipt_mail", crash)
    sign_in(client, world.member)
    with pytest.raises(RuntimeError, match="caught fire"):
        upload(client, world.submit_url, world.fields(), a_pdf())
    db.expire_all()
    assert_nothing_stored(db, storage)
