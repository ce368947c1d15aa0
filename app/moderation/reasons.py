"""The reason codes an organiser keeps for a process ("off-topic", "duplicate", ...).

Codes are never deleted — past decisions name them — only deactivated, which takes them off the
moderators' lists; an inactive code can be activated again.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.consultations.models import Process
from app.errors import FormError, NotFound
from app.i18n import gettext as _
from app.moderation import repository
from app.moderation.models import ReasonCode
from app.moderation.schemas import ReasonCodeCreate


def list_codes(session: Session, process: Process, *, active_only: bool = True) -> list[ReasonCode]:
    return repository.reason_codes(session, process.id, active_only=active_only)


def add_code(session: Session, actor: User, process: Process, data: ReasonCodeCreate) -> ReasonCode:
    if repository.find_reason_code(session, process.id, data.code) is not None:
        raise FormError({"code": _("This process already has a reason with this code.")})
    reason = ReasonCode(process_id=process.id, code=data.code, label=data.label, active=True)
    session.add(reason)
    session.flush()
    after = {"process_id": process.id, "code": reason.code, "label": reason.label}
    audit.record(session, actor, "reason_code.create", "reason_code", reason.id, None, after)
    return reason


def set_active(
    session: Session, actor: User, process: Process, code_id: int, active: bool
) -> ReasonCode:
    reason = repository.get_reason_code(session, code_id)
    if reason is None or reason.process_id != process.id:
        raise NotFound(_("This process has no such reason code."))
    if reason.active is active:
        return reason
    reason.active = active
    session.flush()
    action = "reason_code.activate" if active else "reason_code.deactivate"
    audit.record(
        session,
        actor,
        action,
        "reason_code",
        reason.id,
        {"code": reason.code, "active": not active},
        {"code": reason.code, "active": active},
    )
    return reason
