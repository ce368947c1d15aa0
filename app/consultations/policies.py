"""Who may do what in a consultation process. Pure functions: a user and their roles in ONE process.

- Platform administrators may do everything, in every process.
- Organisers run their process: edit it, its meetings and agendas, and grant or revoke the
  moderator role in it. They may also moderate their own process — the people answerable for a
  process must never be locked out of its submissions; a separate moderator role exists so that
  triage can be delegated without handing over the process itself.
- Moderators triage submissions and comments in their process; they cannot edit it.
- Only administrators create processes and grant or revoke the organiser role.
"""

from __future__ import annotations

from collections.abc import Set

from app.accounts.models import User
from app.consultations.models import ProcessRole

Roles = Set[ProcessRole]


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_admin


def can_create_process(user: User | None) -> bool:
    return is_admin(user)


def can_organise(user: User | None, roles_in_process: Roles) -> bool:
    """Edit the process, its meetings and its agenda."""
    return is_admin(user) or (user is not None and ProcessRole.organiser in roles_in_process)


def can_moderate(user: User | None, roles_in_process: Roles) -> bool:
    if is_admin(user):
        return True
    return user is not None and bool(
        {ProcessRole.organiser, ProcessRole.moderator} & set(roles_in_process)
    )


def can_manage_roles(user: User | None, roles_in_process: Roles) -> bool:
    """See the process's role grants and change at least some of them."""
    return can_organise(user, roles_in_process)


def can_grant(user: User | None, roles_in_process: Roles, role: ProcessRole) -> bool:
    """Grant or revoke `role` in the process: admins any role, organisers the moderator role."""
    if is_admin(user):
        return True
    return role is ProcessRole.moderator and can_organise(user, roles_in_process)
