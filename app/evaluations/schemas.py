"""Input and output shapes of questionnaires, questions, responses and results.

Forms and the API share the input schemas (app.evaluations.forms turns a form into them).
Times without a zone are wall-clock times in the meeting's time zone, as elsewhere in Plenary.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.consultations.schemas import LocalDateTime
from app.evaluations.models import QuestionKind, QuestionnaireState

OPTIONS_MAX = 20
SCALE_MAX = 10
QUESTIONS_MAX = 50
ANSWER_MAX_CHARS = 5_000
_ALLOWED_CONTROLS = {"\n", "\t"}


def _no_controls(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in value):
        raise ValueError("Remove the control characters from this text.")
    return value


def _options(values: list[str]) -> list[str]:
    cleaned = [v for v in (_no_controls(v) for v in values) if v]
    if len({v.casefold() for v in cleaned}) != len(cleaned):
        raise ValueError("Each option must be different.")
    if any(len(v) > 200 for v in cleaned):
        raise ValueError("Keep each option under 200 characters.")
    return cleaned


Title = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_no_controls)
]
Intro = Annotated[str, Field(max_length=5_000), AfterValidator(_no_controls)]
QuestionText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(_no_controls)
]
HelpText = Annotated[str, Field(max_length=500), AfterValidator(_no_controls)]
Label = Annotated[str, Field(max_length=100), AfterValidator(_no_controls)]
Options = Annotated[list[str], Field(max_length=OPTIONS_MAX), AfterValidator(_options)]
ScaleMax = Annotated[int, Field(ge=2, le=SCALE_MAX)]
AnswerText = Annotated[str, Field(max_length=ANSWER_MAX_CHARS), AfterValidator(_no_controls)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=2)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionnaireCreate(_Input):
    title: Title
    intro: Intro = ""
    opens_at: LocalDateTime = None
    closes_at: LocalDateTime = None


class QuestionnaireUpdate(_Input):
    """All optional; `opens_at` / `closes_at` may be set to null (no limit)."""

    title: Title | None = None
    intro: Intro | None = None
    opens_at: LocalDateTime = None
    closes_at: LocalDateTime = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class QuestionCreate(_Input):
    kind: QuestionKind
    text: QuestionText
    help_text: HelpText = ""
    required: bool = False
    options: Options = Field(default_factory=list, description="single / multiple choice")
    scale_max: ScaleMax = Field(default=5, description="scale: answers run from 1 to this")
    scale_low_label: Label = Field(default="", description="scale: what 1 means")
    scale_high_label: Label = Field(default="", description="scale: what scale_max means")


class QuestionUpdate(_Input):
    """All optional. `position` (0-based) moves the question; the others edit it."""

    kind: QuestionKind | None = None
    text: QuestionText | None = None
    help_text: HelpText | None = None
    required: bool | None = None
    options: Options | None = None
    scale_max: ScaleMax | None = None
    scale_low_label: Label | None = None
    scale_high_label: Label | None = None
    position: int | None = Field(default=None, ge=0, le=QUESTIONS_MAX)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class AnswerInput(_Input):
    """One answer: `value` for a scale, `choices` (0-based option indexes) for single and
    multiple choice, `text` for free text. An unanswered question may be left out."""

    question_id: int = Field(gt=0, le=2**31 - 1)
    value: int | None = Field(default=None, ge=0, le=SCALE_MAX)
    choices: list[int] = Field(default_factory=list, max_length=OPTIONS_MAX)
    text: AnswerText = ""


class ResponseCreate(_Input):
    """`organisation_id`: answer on behalf of one of your organisations (its country counts);
    otherwise answer as an individual participant and give `country` (ISO 3166-1 alpha-2)."""

    organisation_id: int | None = Field(default=None, gt=0, le=2**31 - 1)
    country: Country = ""
    answers: list[AnswerInput] = Field(default_factory=list, max_length=QUESTIONS_MAX)


# --- output ------------------------------------------------------------------------------------


class QuestionRead(BaseModel):
    id: int
    position: int
    kind: QuestionKind
    text: str
    help_text: str
    required: bool
    options: list[str]
    scale_max: int | None
    scale_low_label: str
    scale_high_label: str


class QuestionnaireRead(BaseModel):
    id: int
    meeting_id: int
    title: str
    intro: str
    state: QuestionnaireState
    opens_at: datetime | None
    closes_at: datetime | None
    accepting_responses: bool
    question_count: int


class QuestionnaireDetail(QuestionnaireRead):
    questions: list[QuestionRead]
    answered_by_you: bool


class ResponseRead(BaseModel):
    id: int
    questionnaire_id: int
    organisation_id: int | None
    country: str
    submitted_at: datetime


class OptionCount(BaseModel):
    label: str
    count: int
    share: float = Field(description="of those who answered the question, 0..1")


class QuestionResult(BaseModel):
    question_id: int
    position: int
    kind: QuestionKind
    text: str
    answered: int
    skipped: int
    counts: list[OptionCount] = Field(
        default_factory=list, description="scale values 1..N, or the options"
    )
    mean: float | None = None
    median: float | None = None
    texts: list[str] = Field(default_factory=list)


class ResultsRead(BaseModel):
    questionnaire_id: int
    responses: int
    by_country: dict[str, int]
    questions: list[QuestionResult]
