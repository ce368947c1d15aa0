"""Evaluation questionnaires of a meeting, their questions, and the responses to them.

A response is given once per participant: one per (questionnaire, respondent) and, when given on
behalf of an organisation, one per (questionnaire, organisation). The database enforces both, so
two simultaneous attempts cannot both succeed. The respondent's country is copied onto the
response (the organisation's country, or the one an individual chose), so counting by country
never depends on later profile edits, and survives the respondent's account being erased.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.consultations.models import Meeting
from app.db import Base, str_enum, utcnow
from app.organisations.models import Organisation


class QuestionnaireState(enum.StrEnum):
    draft = "draft"  # organisers build it; nobody else sees it
    open = "open"  # answerable (within opens_at / closes_at when set); questions frozen
    closed = "closed"  # no more answers; results stay


class QuestionKind(enum.StrEnum):
    scale = "scale"  # 1..scale_max, labels for both ends
    single = "single"  # one option
    multiple = "multiple"  # any number of options
    text = "text"  # free text


class Questionnaire(Base):
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[QuestionnaireState] = mapped_column(
        str_enum(QuestionnaireState, "questionnaire_state"), default=QuestionnaireState.draft
    )
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire",
        lazy="raise",
        order_by="Question.position",
        cascade="all, delete-orphan",
    )


class Question(Base):
    __tablename__ = "questionnaire_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # single / multiple
    scale_max: Mapped[int] = mapped_column(default=5)  # scale: 1..scale_max
    scale_low_label: Mapped[str] = mapped_column(String(100), default="")
    scale_high_label: Mapped[str] = mapped_column(String(100), default="")

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions", lazy="raise")


class Response(Base):
    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "respondent_id"),
        UniqueConstraint("questionnaire_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    # NULL once the account is erased: the answers stay, still counted once.
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    country: Mapped[str] = mapped_column(String(2), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", lazy="raise", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "questionnaire_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_questions.id", ondelete="CASCADE"), index=True
    )
    scale_value: Mapped[int | None]  # scale
    choices: Mapped[list[int]] = mapped_column(JSON, default=list)  # option indexes, from 0
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[Response] = relationship(back_populates="answers", lazy="raise")
