"""The questionnaire pages: who sees what, answering with and without errors, building, results
and the CSV / XLSX exports."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.evaluations.models import Question, QuestionKind, QuestionnaireState, Response
from tests.evaluations.world import EvaluationWorld, make_questionnaire, make_response
from tests.support.web import post_form, sign_in


def _as(client: TestClient, ew: EvaluationWorld, who: str) -> TestClient:
    user: User | None = None if who == "anonymous" else getattr(ew, who)
    return sign_in(client, user)


def _responses(db: Session) -> int:
    return db.scalar(select(func.count(Response.id))) or 0


def _answers(ew: EvaluationWorld, **extra: object) -> dict[str, object]:
    return {
        f"q-{ew.scale.id}": "4",
        f"q-{ew.single.id}": "1",
        f"q-{ew.multiple.id}": ["0", "2"],
        f"q-{ew.text.id}": "Interpretation into Russian, please.",
        **extra,
    }


# --- answering ---------------------------------------------------------------------------------


def test_the_answer_form_is_accessible_without_javascript(
    client: TestClient, ew: EvaluationWorld
) -> None:
    html = _as(client, ew, "owner").get(ew.url).text
    assert "<legend>Who is answering?</legend>" in html
    assert "On behalf of Migrant Workers Support Centre" in html
    assert "Rejected Org" not in html  # a refused organisation does not answer
    # a scale is a group of radio buttons under a legend, with its end labels
    assert f'<fieldset class="field" id="question-{ew.scale.id}"' in html
    assert "1. How useful was the meeting?" in html
    for value in range(1, 6):
        assert (
            f'type="radio" name="q-{ew.scale.id}" id="q-{ew.scale.id}-{value}" value="{value}"'
            in html
        )
    assert "1 \u2013 Not useful" in html and "5 \u2013 Very useful" in html
    assert f'type="checkbox" name="q-{ew.multiple.id}"' in html
    assert f'<label for="q-{ew.text.id}-first">4. Anything else?' in html
    assert 'action="/questionnaires/' in html and "csrf_token" in html


def test_answering_on_behalf_of_an_organisation(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    _as(client, ew, "member")
    response = post_form(client, f"{ew.url}/responses", _answers(ew, respondent=str(ew.org.id)))
    assert response.status_code == 303
    assert response.headers["location"] == f"{ew.url}?thanks=1"
    saved = db.scalars(select(Response)).one()
    assert (saved.organisation_id, saved.country, saved.respondent_id) == (
        ew.org.id, "KG", ew.member.id
    )  # fmt: skip
    page = client.get(f"{ew.url}?thanks=1").text
    assert "Thank you. Your answers have been recorded." in page
    assert "Send my answers" not in page
    # the owner sees that the organisation has answered, and may answer only as an individual
    page = _as(client, ew, "owner").get(ew.url).text
    assert "Migrant Workers Support Centre has already answered." in page
    second = post_form(client, f"{ew.url}/responses", _answers(ew, respondent=str(ew.org.id)))
    assert second.status_code == 409
    assert "Migrant Workers Support Centre has already answered this questionnaire" in second.text
    assert _responses(db) == 1


def test_a_second_answer_gets_a_clear_409(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    _as(client, ew, "stranger")
    data = _answers(ew, respondent="individual", country="AM")
    assert post_form(client, f"{ew.url}/responses", data).status_code == 303
    again = post_form(client, f"{ew.url}/responses", data)
    assert again.status_code == 409
    assert (
        "You have already answered this questionnaire. Each participant answers once." in again.text
    )
    assert _responses(db) == 1
    assert "You have already answered this questionnaire" in client.get(ew.url).text


def test_errors_are_announced_and_answers_kept(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    _as(client, ew, "stranger")
    data = {
        "respondent": "individual",
        "country": "",
        f"q-{ew.multiple.id}": ["2"],
        f"q-{ew.text.id}": "Keep this text",
    }
    response = post_form(client, f"{ew.url}/responses", data)
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html
    assert (
        f'<a href="#q-{ew.scale.id}-1">Question 1: Answer this question; it is required.</a>'
        in html
    )
    assert '<a href="#f-country">Your country: Choose the country you took part from.</a>' in html
    assert f'id="error-q-{ew.scale.id}"' in html
    assert "Keep this text" in html
    assert f'id="q-{ew.multiple.id}-2" value="2" checked' in html
    assert _responses(db) == 0


@pytest.mark.parametrize("value", ["0", "6", "abc", "99999999999"])
def test_out_of_range_scale_values_are_refused(
    client: TestClient, db: Session, ew: EvaluationWorld, value: str
) -> None:
    _as(client, ew, "stranger")
    data = _answers(ew, respondent="individual", country="KG")
    data[f"q-{ew.scale.id}"] = value
    response = post_form(client, f"{ew.url}/responses", data)
    assert response.status_code == 422
    assert "Choose a value from 1 to 5." in response.text
    assert _responses(db) == 0


def test_a_closed_questionnaire_is_refused(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    ew.questionnaire.state = QuestionnaireState.closed
    db.flush()
    _as(client, ew, "stranger")
    page = client.get(ew.url)
    assert page.status_code == 200
    assert "This questionnaire is closed; it no longer takes answers." in page.text
    assert "Send my answers" not in page.text
    response = post_form(
        client, f"{ew.url}/responses", _answers(ew, respondent="individual", country="KG")
    )
    assert response.status_code == 409
    assert _responses(db) == 0


def test_drafts_are_404_except_for_organisers(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    draft = make_questionnaire(db, ew.meeting, QuestionnaireState.draft, title="Draft one")
    url = f"/questionnaires/{draft.id}"
    for who in ("stranger", "moderator", "other_organiser"):
        assert _as(client, ew, who).get(url).status_code == 404
        assert "Draft one" not in client.get(ew.meeting_url).text
    page = _as(client, ew, "organiser").get(url)
    assert page.status_code == 200
    assert "Preview: this questionnaire is a draft" in page.text
    assert "Send my answers" not in page.text
    assert "Draft one" in client.get(ew.meeting_url).text


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, ew: EvaluationWorld) -> None:
    response = _as(client, ew, "anonymous").get(ew.url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/signin?next=")


def test_the_open_questionnaires_page(client: TestClient, ew: EvaluationWorld) -> None:
    html = _as(client, ew, "stranger").get("/questionnaires").text
    assert '<li><a href="/questionnaires">Questionnaires</a></li>' in html  # in the main menu
    assert "How was the meeting?" in html and "Meetings you organise" not in html
    html = _as(client, ew, "organiser").get("/questionnaires").text
    assert f'href="{ew.meeting_url}"' in html


# --- building ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "moderator", "other_organiser", "owner"])
def test_only_organisers_build_and_read_results(
    client: TestClient, db: Session, ew: EvaluationWorld, who: str
) -> None:
    _as(client, ew, who)
    for url in (
        f"{ew.url}/edit",
        f"{ew.url}/results",
        f"{ew.url}/results.csv",
        f"{ew.url}/results.xlsx",
    ):
        assert client.get(url).status_code == 403, url
    posts = [
        (ew.meeting_url, {"title": "Mine"}),
        (f"{ew.url}/edit", {"title": "Hijacked"}),
        (f"{ew.url}/questions", {"kind": "text", "text": "Extra?"}),
        (f"{ew.url}/questions/{ew.scale.id}/edit", {"kind": "scale", "text": "Changed"}),
        (f"{ew.url}/questions/{ew.scale.id}/move", {"direction": "down"}),
        (f"{ew.url}/questions/{ew.scale.id}/delete", {}),
        (f"{ew.url}/close", {}),
        (f"{ew.url}/open", {}),
    ]
    for url, data in posts:
        assert post_form(client, url, data).status_code == 403, url
    questionnaire = ew.reload()
    assert (questionnaire.title, questionnaire.state) == (
        "How was the meeting?",
        QuestionnaireState.open,
    )
    assert len(questionnaire.questions) == 4


def test_an_organiser_builds_opens_and_closes(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    _as(client, ew, "organiser")
    created = post_form(client, ew.meeting_url, {"title": "Second evaluation", "intro": "Why"})
    assert created.status_code == 303
    builder = created.headers["location"]
    base = builder.removesuffix("/edit")
    page = client.get(builder).text
    assert "No questions yet." in page and "Open for answers" in page
    # a choice question needs two options: the error is shown beside the form, values kept
    bad = post_form(
        client, f"{base}/questions", {"kind": "single", "text": "Format?", "options": "Online"}
    )
    assert bad.status_code == 422
    assert "Give at least two options, one per line." in bad.text
    assert 'value="Format?"' in bad.text
    for data in (
        {"kind": "single", "text": "Format?", "options": "Online\nIn person\n", "required": "on"},
        {"kind": "scale", "text": "Useful?", "scale_max": "7", "scale_low_label": "No"},
    ):
        assert post_form(client, f"{base}/questions", data).status_code == 303
    questions = list(
        db.scalars(
            select(Question)
            .where(Question.questionnaire_id == int(base.rsplit("/", 1)[1]))
            .order_by(Question.position)
        )
    )
    assert [(q.text, q.kind, q.required) for q in questions] == [
        ("Format?", QuestionKind.single, True), ("Useful?", QuestionKind.scale, False)
    ]  # fmt: skip
    assert questions[0].options == ["Online", "In person"] and questions[1].scale_max == 7
    moved = post_form(client, f"{base}/questions/{questions[1].id}/move", {"direction": "up"})
    assert moved.status_code == 303 and "saved=order" in moved.headers["location"]
    edited = post_form(
        client, f"{base}/questions/{questions[0].id}/edit",
        {"kind": "multiple", "text": "Formats?", "options": "Online\nIn person\nHybrid"},
    )  # fmt: skip
    assert edited.status_code == 303
    assert post_form(client, f"{base}/questions/{questions[1].id}/delete").status_code == 303
    assert "Question removed." in client.get(f"{builder}?saved=deleted").text
    assert post_form(client, f"{base}/open").status_code == 303
    page = client.get(builder).text
    assert "The questions are fixed" in page and "Move up" not in page
    refused = post_form(client, f"{base}/questions", {"kind": "text", "text": "Late?"})
    assert refused.status_code == 409
    assert post_form(client, f"{base}/close").status_code == 303
    db.expire_all()
    left = list(
        db.scalars(select(Question).where(Question.questionnaire_id == int(base.rsplit("/", 1)[1])))
    )
    assert [(q.text, q.kind, q.options) for q in left] == [
        ("Formats?", QuestionKind.multiple, ["Online", "In person", "Hybrid"])
    ]


def test_settings_errors_are_shown(client: TestClient, ew: EvaluationWorld) -> None:
    _as(client, ew, "organiser")
    response = post_form(
        client, f"{ew.url}/edit",
        {"title": "", "opens_at": "2026-12-05T10:00", "closes_at": "2026-12-01T10:00"},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "This field is required." in response.text


# --- results -----------------------------------------------------------------------------------


def _fill(db: Session, ew: EvaluationWorld) -> None:
    from tests.factories import make_user

    questionnaire = ew.reload()
    answers = {ew.scale: 5, ew.single: [0], ew.text: "=SUM(A1)"}
    make_response(db, questionnaire, make_user(db), answers, organisation=ew.org, country="KG")
    make_response(
        db, questionnaire, make_user(db), {ew.scale: 2, ew.multiple: [1, 2]}, country="AM"
    )


def test_results_page(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    _fill(db, ew)
    html = _as(client, ew, "organiser").get(f"{ew.url}/results").text
    assert "2 responses so far." in html
    assert "Mean 3.5, median 3.5." in html
    assert "Kyrgyzstan (KG)" in html and "Armenia (AM)" in html
    assert "=SUM(A1)" in html
    assert "50%" in html


def test_csv_export_of_every_answer(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    _fill(db, ew)
    response = _as(client, ew, "organiser").get(f"{ew.url}/results.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "response", "submitted_at", "country", "organisation",
        "question_number", "question", "kind", "answer",
    ]  # fmt: skip
    body = [(r[2], r[3], r[4], r[6], r[7]) for r in rows[1:]]
    assert body == [
        ("KG", "Migrant Workers Support Centre", "1", "scale", "5"),
        ("KG", "Migrant Workers Support Centre", "2", "single", "Agenda"),
        ("KG", "Migrant Workers Support Centre", "4", "text", "'=SUM(A1)"),  # no formula
        ("AM", "", "1", "scale", "2"),
        ("AM", "", "3", "multiple", "Speakers; Interpretation"),
    ]
    text_only = client.get(f"{ew.url}/results.csv?text_only=true")
    rows = list(csv.reader(io.StringIO(text_only.content.decode("utf-8-sig"))))
    assert [r[7] for r in rows[1:]] == ["'=SUM(A1)"]


def test_xlsx_export(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    _fill(db, ew)
    response = _as(client, ew, "organiser").get(f"{ew.url}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "answer"
    assert [(r[2], r[7]) for r in rows[1:]] == [
        ("KG", 5), ("KG", "Agenda"), ("KG", "=SUM(A1)"),
        ("AM", 2), ("AM", "Speakers; Interpretation"),
    ]  # fmt: skip


def test_a_refused_edit_changes_nothing(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    draft = make_questionnaire(db, ew.meeting, QuestionnaireState.draft, title="Draft")
    from tests.evaluations.world import add_question

    question = add_question(db, draft, QuestionKind.scale, text="Useful?", scale_max=5)
    _as(client, ew, "organiser")
    url = f"/questionnaires/{draft.id}"
    refused = post_form(
        client, f"{url}/questions/{question.id}/edit",
        {"kind": "single", "text": "Now a choice", "options": "Only one"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Give at least two options, one per line." in refused.text
    assert 'value="Now a choice"' in refused.text  # what was typed is shown again
    window = {"title": "Draft", "opens_at": "2026-12-05T10:00", "closes_at": "2026-12-01T10:00"}
    assert post_form(client, f"{url}/edit", window).status_code == 422
    db.expire_all()
    saved = db.get(Question, question.id)
    assert saved is not None
    assert (saved.kind, saved.text, saved.scale_max) == (QuestionKind.scale, "Useful?", 5)
    reloaded = db.get(type(draft), draft.id)
    assert reloaded is not None and reloaded.opens_at is None and reloaded.closes_at is None
