from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, str_enum, utcnow


class ProcessRole(enum.StrEnum):
    organiser = "organiser"
    moderator = "moderator"


class CommentMode(enum.StrEnum):
    open = "open"
    premoderated = "premoderated"


class Process(Base):
    """A consultative process, e.g. a regional dialogue on migration."""

    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="process", lazy="raise", order_by="Meeting.starts_on"
    )


class RoleGrant(Base):
    """An organiser or moderator role, scoped to one process."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "process_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ProcessRole] = mapped_column(str_enum(ProcessRole, "process_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    process: Mapped[Process] = relationship(lazy="raise")


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("process_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    submissions_open_at: Mapped[datetime | None]
    submissions_close_at: Mapped[datetime | None]
    max_file_mb: Mapped[int] = mapped_column(default=20)
    summary_word_limit: Mapped[int] = mapped_column(default=300)
    papers_per_organisation: Mapped[int] = mapped_column(default=3)
    comment_mode: Mapped[CommentMode] = mapped_column(
        str_enum(CommentMode, "comment_mode"), default=CommentMode.open
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process: Mapped[Process] = relationship(back_populates="meetings", lazy="raise")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", lazy="raise", order_by="AgendaItem.position"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    background: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    papers_open: Mapped[bool] = mapped_column(default=True)
    comments_open: Mapped[bool] = mapped_column(default=True)
    closes_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items", lazy="raise")
