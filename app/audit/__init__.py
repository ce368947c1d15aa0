"""The append-only audit log; every domain records privileged actions through record()."""

from app.audit.service import record

__all__ = ["record"]
