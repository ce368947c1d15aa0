"""Dependencies that need no domain: the database session, the settings, htmx detection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app import jobs
from app.config import Settings
from app.db import Database, intend_to_write


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    factory = request.app.state.session_factory
    with factory() as session:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            intend_to_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        if jobs.wants_wake(session):
            worker = getattr(request.app.state, "worker", None)
            if worker is not None:
                worker.wake()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def is_htmx_request(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


Htmx = Annotated[bool, Depends(is_htmx_request)]
