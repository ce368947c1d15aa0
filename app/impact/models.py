"""Impact: what meetings recommended, which inputs informed it, and what countries did about it.

Read by app/impact/analysis/ (dashboard, statistics). The shapes it can rely on:

- `Recommendation` belongs to a meeting (and, denormalised, its process) and is addressed to
  `addressee_scope`: `all_states` (every country in the meeting's `MeetingParticipant` rows of
  kind country), `countries` (ISO 3166-1 alpha-2 codes in `countries`) or `regions` (UN M49 codes
  in `regions`, resolved with app/moderation/regions.countries_in). Both lists are JSON and empty
  when the scope does not use them. `app.impact.service.addressed_countries()` resolves the set.
- `RecommendationCitation` links a recommendation to a paper or a comment of the same meeting
  (exactly one of `paper_id` / `comment_id`), optionally with a page of the meeting's dossier.
- `MeetingParticipant` is one participating country (`country`) or organisation
  (`organisation_id`, or only `name` for one not registered in Plenary) of a meeting.
- `FocalPoint` is the "country focal point" role: a user, for one country, in one process.
- `FollowUpReport` rows are append-only versions. A *thread* is one recommendation, country
  and kind (official, or shadow by one organisation); `thread_key` names it
  ("<recommendation_id>:<country>:official" or "<recommendation_id>:<country>:shadow:<org id>"),
  `version` counts from 1 and `supersedes_id` points at the previous version. The state of a
  thread on a day is its highest version with `reported_on` <= that day (`reported_on` is the
  date the report speaks for; `created_at` when it was filed). Official and shadow threads are
  never merged; dashboards count official reports, shadow reports are shown beside them.
- `ReportEvidence` is a file (in app.storage) or a link attached to one report version.
- `ReportingRound` is a period in which a process asks for follow-up reports; the `*_sent_at`
  columns make reminders idempotent.
- `RecommendationImport` keeps a parsed CSV/XLSX upload between preview and confirmation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.comments.models import Comment
from app.consultations.models import AgendaItem, Meeting, Process
from app.db import Base, str_enum, utcnow
from app.organisations.models import Organisation
from app.submissions.models import Paper


class AddresseeScope(enum.StrEnum):
    all_states = "all_states"
    countries = "countries"
    regions = "regions"


class ReportKind(enum.StrEnum):
    official = "official"
    shadow = "shadow"


class ImplementationStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    partially_implemented = "partially_implemented"
    implemented = "implemented"
    not_applicable = "not_applicable"


class EvidenceKind(enum.StrEnum):
    file = "file"
    link = "link"


class ParticipantKind(enum.StrEnum):
    country = "country"
    organisation = "organisation"


class Recommendation(Base):
    """A recommendation a meeting endorsed; public once adopted."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    adopted_on: Mapped[date | None]
    addressee_scope: Mapped[AddresseeScope] = mapped_column(
        str_enum(AddresseeScope, "addressee_scope"), default=AddresseeScope.all_states
    )
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process] = relationship(lazy="raise")
    meeting: Mapped[Meeting] = relationship(lazy="raise")
    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="raise")
    citations: Mapped[list[RecommendationCitation]] = relationship(
        back_populates="recommendation",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="RecommendationCitation.id",
    )


class RecommendationCitation(Base):
    """An input (paper or comment of the same meeting) that informed a recommendation."""

    __tablename__ = "recommendation_citations"
    __table_args__ = (
        CheckConstraint("(paper_id IS NULL) <> (comment_id IS NULL)", name="paper_xor_comment"),
        UniqueConstraint("recommendation_id", "paper_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    paper_id: Mapped[int | None] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    dossier_page: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="citations", lazy="raise")
    paper: Mapped[Paper | None] = relationship(lazy="raise")
    comment: Mapped[Comment | None] = relationship(lazy="raise")


class MeetingParticipant(Base):
    """A country or organisation that took part in a meeting (recorded or imported)."""

    __tablename__ = "meeting_participants"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'country' AND country IS NOT NULL AND organisation_id IS NULL)"
            " OR (kind = 'organisation' AND country IS NULL)",
            name="kind_matches",
        ),
        UniqueConstraint("meeting_id", "country"),
        UniqueConstraint("meeting_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ParticipantKind] = mapped_column(str_enum(ParticipantKind, "participant_kind"))
    country: Mapped[str | None] = mapped_column(String(2))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class FocalPoint(Base):
    """The country focal point role: files official reports for one country in one process."""

    __tablename__ = "focal_points"
    __table_args__ = (UniqueConstraint("user_id", "process_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
    process: Mapped[Process] = relationship(lazy="raise")


class ReportingRound(Base):
    """A period in which a process asks focal points and organisations for follow-up reports."""

    __tablename__ = "reporting_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    reminder_days: Mapped[int] = mapped_column(default=7)
    opening_sent_at: Mapped[datetime | None]
    closing_reminder_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process] = relationship(lazy="raise")


class FollowUpReport(Base):
    """One version of a follow-up report; a change is a new row, never an update."""

    __tablename__ = "follow_up_reports"
    __table_args__ = (
        UniqueConstraint("thread_key", "version"),
        CheckConstraint(
            "(kind = 'official' AND organisation_id IS NULL)"
            " OR (kind = 'shadow' AND organisation_id IS NOT NULL)",
            name="kind_matches_organisation",
        ),
        Index("ix_follow_up_reports_recommendation_country", "recommendation_id", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE")
    )
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    thread_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_reports.id", ondelete="SET NULL")
    )
    status: Mapped[ImplementationStatus] = mapped_column(
        Enum(
            ImplementationStatus,
            name="implementation_status",
            native_enum=False,
            length=30,
            validate_strings=True,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    narrative: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[date]
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
    evidence: Mapped[list[ReportEvidence]] = relationship(
        back_populates="report",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ReportEvidence.id",
    )


class ReportEvidence(Base):
    """A file (kept in app.storage under `file_key`) or a link supporting one report version."""

    __tablename__ = "report_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_reports.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    title: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    file_key: Mapped[str | None] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[FollowUpReport] = relationship(back_populates="evidence", lazy="raise")


class RecommendationImport(Base):
    """A parsed CSV/XLSX upload waiting for the organiser's confirmation (keyed by a token)."""

    __tablename__ = "recommendation_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(lazy="raise")
