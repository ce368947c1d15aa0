"""Who may compile and who may view a dossier; which builds have files; consent."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.consultations.models import ProcessRole
from app.dossiers import policies
from app.dossiers.models import BuildState
from app.submissions.models import Consent

ORGANISER = {ProcessRole.organiser}
MODERATOR = {ProcessRole.moderator}


def _user(admin: bool = False) -> User:
    return User(id=1, issuer="i", subject="s", name="U", is_admin=admin)


@pytest.mark.parametrize(
    ("admin", "roles", "compile", "view"),
    [
        (False, set(), False, False),
        (False, MODERATOR, False, True),
        (False, ORGANISER, True, True),
        (False, ORGANISER | MODERATOR, True, True),
        (True, set(), True, True),
    ],
)
def test_roles(admin: bool, roles: set[ProcessRole], compile: bool, view: bool) -> None:
    assert policies.can_compile(_user(admin), roles) is compile
    assert policies.can_view(_user(admin), roles) is view


def test_nobody_anonymous() -> None:
    assert not policies.can_compile(None, ORGANISER)
    assert not policies.can_view(None, ORGANISER)


def test_only_succeeded_builds_are_downloadable() -> None:
    assert [s for s in BuildState if policies.is_downloadable(s)] == [BuildState.succeeded]
    assert [s for s in BuildState if policies.is_finished(s)] == [
        BuildState.succeeded,
        BuildState.failed,
    ]


def test_consent() -> None:
    assert policies.may_include(Consent.public_named)
    assert policies.may_include(Consent.public_anonymous)
    assert not policies.may_include(Consent.restricted)
    assert policies.shows_organisation(Consent.public_named)
    assert not policies.shows_organisation(Consent.public_anonymous)
