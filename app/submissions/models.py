from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting
from app.db import Base, str_enum, utcnow
from app.organisations.models import Organisation


class PaperStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    accepted = "accepted"
    rejected = "rejected"
    revision_requested = "revision_requested"
    withdrawn = "withdrawn"


class Consent(enum.StrEnum):
    public_named = "public_named"
    public_anonymous = "public_anonymous"
    restricted = "restricted"  # organisers and moderators only


class PaperLanguage(enum.StrEnum):
    ar = "ar"
    zh = "zh"
    en = "en"
    fr = "fr"
    ru = "ru"
    es = "es"
    other = "other"


class ConversionState(enum.StrEnum):
    not_needed = "not_needed"  # already a PDF
    pending = "pending"
    done = "done"
    failed = "failed"  # "not convertible": the paper stays valid


class ScanState(enum.StrEnum):
    not_scanned = "not_scanned"
    clean = "clean"


class Paper(Base):
    """A position paper submitted by an organisation to a meeting."""

    __tablename__ = "papers"
    __table_args__ = (
        UniqueConstraint("submitter_id", "idempotency_key"),
        Index("ix_papers_meeting_status", "meeting_id", "status", "submitted_at", "id"),
        Index("ix_papers_meeting_received", "meeting_id", "submitted_at", "id"),
        Index("ix_papers_meeting_title", "meeting_id", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tracking_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[PaperLanguage] = mapped_column(str_enum(PaperLanguage, "paper_language"))
    consent: Mapped[Consent] = mapped_column(str_enum(Consent, "consent"))
    status: Mapped[PaperStatus] = mapped_column(
        str_enum(PaperStatus, "paper_status"), default=PaperStatus.submitted
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    lock_version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None]
    # What the organisation has been told: differs from `status` while a decision is staged.
    announced_status: Mapped[PaperStatus] = mapped_column(
        str_enum(PaperStatus, "paper_status"), default=PaperStatus.submitted
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The dossier section (agenda item) an accepted paper is routed to.
    routed_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    # Near-duplicate cluster: the smallest paper id of the cluster, or None.
    duplicate_group: Mapped[int | None] = mapped_column(index=True)

    __mapper_args__ = {"version_id_col": lock_version}

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
    submitter: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[submitter_id])
    assignee: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[assignee_id])
    routed_item: Mapped[AgendaItem | None] = relationship(
        lazy="raise", foreign_keys=[routed_item_id]
    )
    agenda_links: Mapped[list[PaperAgendaItem]] = relationship(
        back_populates="paper", lazy="raise", cascade="all, delete-orphan"
    )
    versions: Mapped[list[PaperVersion]] = relationship(
        back_populates="paper", lazy="raise", order_by="PaperVersion.number"
    )
    cosigners: Mapped[list[PaperCosigner]] = relationship(
        back_populates="paper", lazy="raise", cascade="all, delete-orphan"
    )


class PaperAgendaItem(Base):
    __tablename__ = "paper_agenda_items"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    paper: Mapped[Paper] = relationship(back_populates="agenda_links", lazy="raise")
    agenda_item: Mapped[AgendaItem] = relationship(lazy="raise")


class PaperCosigner(Base):
    """A co-signing organisation; it counts only once one of its owners confirms."""

    __tablename__ = "paper_cosigners"
    __table_args__ = (UniqueConstraint("paper_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    paper: Mapped[Paper] = relationship(back_populates="cosigners", lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")


class PaperVersion(Base):
    """One uploaded file of a paper; revisions add versions, none is ever overwritten."""

    __tablename__ = "paper_versions"
    __table_args__ = (UniqueConstraint("paper_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    file_key: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # pdf | docx | odt
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    # MinHash signature of `text` for near-duplicate detection (app.moderation.duplicates).
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    conversion_state: Mapped[ConversionState] = mapped_column(
        str_enum(ConversionState, "conversion_state")
    )
    conversion_error: Mapped[str] = mapped_column(Text, default="")
    scan_state: Mapped[ScanState] = mapped_column(str_enum(ScanState, "scan_state"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    paper: Mapped[Paper] = relationship(back_populates="versions", lazy="raise")


class LateException(Base):
    """An organiser lets one organisation submit to a meeting after its window closed."""

    __tablename__ = "late_exceptions"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
