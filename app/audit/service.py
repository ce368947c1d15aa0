from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.security import request_id


class _Actor(Protocol):
    id: int


def record(
    session: Session,
    actor: _Actor | None,
    action: str,
    object_type: str,
    object_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        request_id=request_id.get(),
    )
    session.add(event)
    session.flush()
    return event
