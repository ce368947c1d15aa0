from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.consultations.models import AgendaItem
from app.db import Base, str_enum, utcnow
from app.organisations.models import Organisation


class CommentStatus(enum.StrEnum):
    pending = "pending"
    published = "published"
    hidden = "hidden"


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_item_status", "agenda_item_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)  # sanitised HTML
    status: Mapped[CommentStatus] = mapped_column(str_enum(CommentStatus, "comment_status"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    agenda_item: Mapped[AgendaItem] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    parent: Mapped[Comment | None] = relationship(
        lazy="raise", remote_side="Comment.id", back_populates="replies"
    )
    replies: Mapped[list[Comment]] = relationship(
        lazy="raise", back_populates="parent", order_by="Comment.id"
    )


class CommentReport(Base):
    __tablename__ = "comment_reports"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
