"""Results of a questionnaire, aggregated per question, and its answers as export rows.

Per question: how many answered it and how many skipped it; for a scale the count of each value
1..N with its share, the mean and the median; for choices the count and share of each option
(shares of multiple choice add up to more than 100 %: each person may pick several); free-text
answers listed in the order they came. Shares are of those who answered the question.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.evaluations import repository
from app.evaluations.models import Answer, Question, QuestionKind, Questionnaire, Response
from app.evaluations.schemas import OptionCount, QuestionResult, ResultsRead

EXPORT_HEADER = (
    "response",
    "submitted_at",
    "country",
    "organisation",
    "question_number",
    "question",
    "kind",
    "answer",
)


def aggregate(
    questions: Sequence[Question], answers: Iterable[Answer], responses: int
) -> list[QuestionResult]:
    by_question: dict[int, list[Answer]] = {q.id: [] for q in questions}
    for answer in answers:
        if answer.question_id in by_question:
            by_question[answer.question_id].append(answer)
    return [_result(q, by_question[q.id], responses) for q in questions]


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _result(question: Question, answers: list[Answer], responses: int) -> QuestionResult:
    answered = len(answers)
    result = QuestionResult(
        question_id=question.id,
        position=question.position,
        kind=question.kind,
        text=question.text,
        answered=answered,
        skipped=max(0, responses - answered),
    )
    if question.kind is QuestionKind.scale:
        values = [a.scale_value for a in answers if a.scale_value is not None]
        tally = Counter(values)
        result.counts = [
            OptionCount(label=str(v), count=tally[v], share=_share(tally[v], answered))
            for v in range(1, question.scale_max + 1)
        ]
        if values:
            result.mean = statistics.fmean(values)
            result.median = float(statistics.median(values))
    elif question.kind is QuestionKind.text:
        result.texts = [a.text for a in answers if a.text]
    else:
        tally = Counter(c for a in answers for c in a.choices)
        result.counts = [
            OptionCount(label=label, count=tally[i], share=_share(tally[i], answered))
            for i, label in enumerate(question.options)
        ]
    return result


def results(session: Session, questionnaire: Questionnaire) -> ResultsRead:
    total = repository.count_responses(session, questionnaire.id)
    answers = repository.answers_of(session, questionnaire.id)
    return ResultsRead(
        questionnaire_id=questionnaire.id,
        responses=total,
        by_country=dict(sorted(repository.countries_of(session, questionnaire.id).items())),
        questions=aggregate(questionnaire.questions, answers, total),
    )


def answer_text(question: Question, answer: Answer) -> str:
    """An answer as one cell: the value, the chosen options joined by '; ', or the text."""
    if question.kind is QuestionKind.scale:
        return "" if answer.scale_value is None else str(answer.scale_value)
    if question.kind is QuestionKind.text:
        return answer.text
    options = question.options
    return "; ".join(options[c] if 0 <= c < len(options) else f"#{c}" for c in answer.choices)


def export_row(row: Any) -> tuple[object, ...]:
    response: Response
    question: Question
    answer: Answer
    response, question, answer, organisation_name = row
    value: object = answer_text(question, answer)
    if question.kind is QuestionKind.scale and answer.scale_value is not None:
        value = answer.scale_value  # a number cell
    return (
        response.id,
        response.submitted_at,
        response.country,
        organisation_name,
        question.position + 1,
        question.text,
        str(question.kind),
        value,
    )
