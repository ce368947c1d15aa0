from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, str_enum, utcnow
from app.submissions.models import Paper, PaperStatus


class ReasonCode(Base):
    """A reason from the list an organiser keeps for a process (e.g. "off-topic")."""

    __tablename__ = "reason_codes"
    __table_args__ = (UniqueConstraint("process_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """A moderator's decision on a paper. A staged decision is recorded and visible to
    moderators, reversible, and reaches the organisation only when the batch is released."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_paper", "paper_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    from_status: Mapped[PaperStatus] = mapped_column(str_enum(PaperStatus, "paper_status"))
    to_status: Mapped[PaperStatus] = mapped_column(str_enum(PaperStatus, "paper_status"))
    reason_code: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    staged: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None]
    reverted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    paper: Mapped[Paper] = relationship(lazy="raise")
    moderator: Mapped[User | None] = relationship(lazy="raise")
