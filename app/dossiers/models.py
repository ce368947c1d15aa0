from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.consultations.models import Meeting
from app.db import Base, str_enum, utcnow


class Dossier(Base):
    """The compiled civil-society input to one meeting."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="raise")


class DossierSection(Base):
    """One agenda item's section: the organiser's summary and the comments chosen for its digest."""

    __tablename__ = "dossier_sections"
    __table_args__ = (UniqueConstraint("dossier_id", "agenda_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    summary: Mapped[str] = mapped_column(Text, default="")
    digest_comment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class DossierEntry(Base):
    """The organiser's order of a routed paper within its section."""

    __tablename__ = "dossier_entries"
    __table_args__ = (UniqueConstraint("section_id", "paper_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_sections.id", ondelete="CASCADE"), index=True
    )
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)


class BuildState(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class DossierBuild(Base):
    """An immutable, numbered rendering of a frozen snapshot of the dossier."""

    __tablename__ = "dossier_builds"
    __table_args__ = (UniqueConstraint("dossier_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    number: Mapped[int]
    state: Mapped[BuildState] = mapped_column(
        str_enum(BuildState, "build_state"), default=BuildState.queued
    )
    progress: Mapped[int] = mapped_column(default=0)  # percent
    progress_note: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    zip_key: Mapped[str | None] = mapped_column(String(200))
    zip_sha256: Mapped[str] = mapped_column(String(64), default="")
    page_count: Mapped[int | None]
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    built_by: Mapped[User | None] = relationship(lazy="raise")
