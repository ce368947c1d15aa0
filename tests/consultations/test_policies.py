import pytest

from app.accounts.models import User
from app.consultations import policies
from app.consultations.models import ProcessRole

ORGANISER = {ProcessRole.organiser}
MODERATOR = {ProcessRole.moderator}
BOTH = {ProcessRole.organiser, ProcessRole.moderator}
NONE: set[ProcessRole] = set()


def user(admin: bool = False) -> User:
    return User(issuer="https://idp.test", subject="s", is_admin=admin)


def test_only_admins_create_processes() -> None:
    assert policies.can_create_process(user(admin=True))
    assert not policies.can_create_process(user())
    assert not policies.can_create_process(None)


@pytest.mark.parametrize(
    ("admin", "roles", "expected"),
    [
        (True, NONE, True),
        (False, ORGANISER, True),
        (False, BOTH, True),
        (False, MODERATOR, False),
        (False, NONE, False),
    ],
)
def test_can_organise(admin: bool, roles: set[ProcessRole], expected: bool) -> None:
    assert policies.can_organise(user(admin), roles) is expected
    assert policies.can_manage_roles(user(admin), roles) is expected


@pytest.mark.parametrize(
    ("admin", "roles", "expected"),
    [
        (True, NONE, True),
        (False, ORGANISER, True),  # organisers may moderate their own process
        (False, MODERATOR, True),
        (False, NONE, False),
    ],
)
def test_can_moderate(admin: bool, roles: set[ProcessRole], expected: bool) -> None:
    assert policies.can_moderate(user(admin), roles) is expected


def test_anonymous_can_do_nothing_even_with_roles_passed() -> None:
    assert not policies.can_organise(None, BOTH)
    assert not policies.can_moderate(None, BOTH)
    assert not policies.can_grant(None, BOTH, ProcessRole.moderator)


def test_admins_grant_every_role() -> None:
    for role in ProcessRole:
        assert policies.can_grant(user(admin=True), NONE, role)


def test_organisers_grant_only_the_moderator_role() -> None:
    assert policies.can_grant(user(), ORGANISER, ProcessRole.moderator)
    assert not policies.can_grant(user(), ORGANISER, ProcessRole.organiser)


def test_moderators_and_strangers_grant_nothing() -> None:
    for roles in (MODERATOR, NONE):
        for role in ProcessRole:
            assert not policies.can_grant(user(), roles, role)
