"""JSON API of questionnaires: listing, building, answering once (201, then 409), results."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.evaluations.models import QuestionnaireState, Response
from tests.evaluations.world import EvaluationWorld, make_questionnaire, make_response
from tests.support.web import api_headers


def _token(db: Session, user: User) -> dict[str, str]:
    _row, raw = accounts.create_token(db, user, "test")
    db.flush()
    return api_headers(raw)


def _answer(ew: EvaluationWorld, **extra: object) -> dict[str, object]:
    return {
        "answers": [
            {"question_id": ew.scale.id, "value": 3},
            {"question_id": ew.multiple.id, "choices": [0, 1]},
            {"question_id": ew.text.id, "text": "Shorter speeches."},
        ],
        **extra,
    }


def test_list_and_read(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    make_questionnaire(db, ew.meeting, QuestionnaireState.draft, title="Draft")
    headers = _token(db, ew.stranger)
    listed = client.get(f"/api/v1/meetings/{ew.meeting.id}/questionnaires", headers=headers)
    assert listed.status_code == 200
    assert [(q["title"], q["state"], q["accepting_responses"], q["question_count"])
            for q in listed.json()] == [("How was the meeting?", "open", True, 4)]  # fmt: skip
    detail = client.get(ew.api_url, headers=headers).json()
    assert detail["answered_by_you"] is False
    scale = detail["questions"][0]
    assert (scale["kind"], scale["scale_max"], scale["scale_low_label"]) == (
        "scale",
        5,
        "Not useful",
    )
    assert detail["questions"][2]["options"] == ["Agenda", "Speakers", "Interpretation"]
    questions = client.get(f"{ew.api_url}/questions", headers=headers).json()
    assert [q["id"] for q in questions] == [q["id"] for q in detail["questions"]]
    organiser = _token(db, ew.organiser)
    listed = client.get(f"/api/v1/meetings/{ew.meeting.id}/questionnaires", headers=organiser)
    assert [q["title"] for q in listed.json()] == ["How was the meeting?", "Draft"]


def test_answer_once(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    headers = _token(db, ew.member)
    url = f"{ew.api_url}/responses"
    first = client.post(url, json=_answer(ew, organisation_id=ew.org.id), headers=headers)
    assert first.status_code == 201
    assert (first.json()["country"], first.json()["organisation_id"]) == ("KG", ew.org.id)
    again = client.post(url, json=_answer(ew, country="KG"), headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == (
        "You have already answered this questionnaire. Each participant answers once."
    )
    owner = client.post(
        url, json=_answer(ew, organisation_id=ew.org.id), headers=_token(db, ew.owner)
    )
    assert owner.status_code == 409
    assert "Migrant Workers Support Centre has already answered" in owner.json()["error"]["message"]
    assert client.get(ew.api_url, headers=headers).json()["answered_by_you"] is True
    assert db.scalar(select(func.count(Response.id))) == 1


def test_invalid_answers_are_422_per_question(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    headers = _token(db, ew.stranger)
    body = {"country": "KG", "answers": [{"question_id": ew.single.id, "choices": [5]}]}
    response = client.post(f"{ew.api_url}/responses", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        f"q-{ew.scale.id}": "Answer this question; it is required.",
        f"q-{ew.single.id}": "Choose among the options given.",
    }
    wrong_type = client.post(f"{ew.api_url}/responses", json={"answers": "x"}, headers=headers)
    assert wrong_type.status_code == 422


def test_closed_questionnaire_refuses_answers(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    ew.questionnaire.state = QuestionnaireState.closed
    db.flush()
    response = client.post(
        f"{ew.api_url}/responses", json=_answer(ew, country="KG"), headers=_token(db, ew.stranger)
    )
    assert response.status_code == 409
    assert "closed" in response.json()["error"]["message"]


def test_build_open_and_read_results(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    headers = _token(db, ew.organiser)
    created = client.post(
        f"/api/v1/meetings/{ew.meeting.id}/questionnaires",
        json={"title": "API-built", "closes_at": "2027-01-01T12:00:00+00:00"},
        headers=headers,
    )
    assert created.status_code == 201
    base = f"/api/v1/questionnaires/{created.json()['id']}"
    assert created.json()["state"] == "draft"
    q1 = client.post(f"{base}/questions", json={"kind": "scale", "text": "Useful?", "scale_max": 4},
                     headers=headers)  # fmt: skip
    q2 = client.post(f"{base}/questions",
                     json={"kind": "single", "text": "Again?", "options": ["Yes", "No"]},
                     headers=headers)  # fmt: skip
    assert q1.status_code == q2.status_code == 201
    moved = client.patch(
        f"{base}/questions/{q2.json()['id']}", json={"position": 0}, headers=headers
    )
    assert moved.json()["position"] == 0
    assert client.delete(f"{base}/questions/{q1.json()['id']}", headers=headers).status_code == 204
    bad = client.post(f"{base}/questions", json={"kind": "single", "text": "x", "options": ["a"]},
                      headers=headers)  # fmt: skip
    assert bad.status_code == 422 and "options" in bad.json()["error"]["fields"]
    opened = client.post(f"{base}/open", json={}, headers=headers)
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    frozen = client.patch(
        f"{base}/questions/{q2.json()['id']}", json={"text": "Changed"}, headers=headers
    )
    assert frozen.status_code == 409
    renamed = client.patch(base, json={"title": "Renamed"}, headers=headers)
    assert renamed.json()["title"] == "Renamed"
    answered = client.post(
        f"{base}/responses",
        json={"country": "UZ", "answers": [{"question_id": q2.json()["id"], "choices": [1]}]},
        headers=_token(db, ew.stranger),
    )
    assert answered.status_code == 201
    results = client.get(f"{base}/results", headers=headers).json()
    assert results["responses"] == 1 and results["by_country"] == {"UZ": 1}
    assert [(c["label"], c["count"], c["share"]) for c in results["questions"][0]["counts"]] == [
        ("Yes", 0, 0.0), ("No", 1, 1.0)
    ]  # fmt: skip
    assert client.post(f"{base}/close", json={}, headers=headers).json()["state"] == "closed"


def test_results_by_country_and_question(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    from tests.factories import make_user

    for value, country in ((5, "KG"), (3, "KG"), (1, "TJ")):
        make_response(db, ew.questionnaire, make_user(db), {ew.scale: value}, country=country)
    body = client.get(f"{ew.api_url}/results", headers=_token(db, ew.admin)).json()
    assert body["by_country"] == {"KG": 2, "TJ": 1}
    scale = body["questions"][0]
    assert (scale["mean"], scale["median"], scale["answered"]) == (3.0, 3.0, 3)
    assert [c["count"] for c in scale["counts"]] == [1, 0, 1, 0, 1]


@pytest.mark.parametrize("who", ["stranger", "moderator", "other_organiser", "owner"])
def test_outsiders_cannot_manage_or_read_results(
    client: TestClient, db: Session, ew: EvaluationWorld, who: str
) -> None:
    headers = _token(db, getattr(ew, who))
    calls = [
        ("POST", f"/api/v1/meetings/{ew.meeting.id}/questionnaires", {"title": "x"}),
        ("PATCH", ew.api_url, {"title": "x"}),
        ("POST", f"{ew.api_url}/questions", {"kind": "text", "text": "x"}),
        ("PATCH", f"{ew.api_url}/questions/{ew.scale.id}", {"text": "x"}),
        ("DELETE", f"{ew.api_url}/questions/{ew.scale.id}", None),
        ("POST", f"{ew.api_url}/open", {}),
        ("POST", f"{ew.api_url}/close", {}),
        ("GET", f"{ew.api_url}/results", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (method, url)
    assert ew.reload().state is QuestionnaireState.open


def test_an_organiser_of_another_process_sees_no_drafts(
    client: TestClient, db: Session, ew: EvaluationWorld
) -> None:
    draft = make_questionnaire(db, ew.meeting, QuestionnaireState.draft)
    headers = _token(db, ew.other_organiser)
    assert client.get(f"/api/v1/questionnaires/{draft.id}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/questionnaires/{draft.id}/questions", headers=headers).status_code
        == 404
    )
    answer = client.post(f"/api/v1/questionnaires/{draft.id}/responses", json={"country": "KG"},
                         headers=headers)  # fmt: skip
    assert answer.status_code == 404


def test_unknown_and_forged_ids(client: TestClient, db: Session, ew: EvaluationWorld) -> None:
    headers = _token(db, ew.organiser)
    for url in ("/api/v1/questionnaires/999999", "/api/v1/questionnaires/99999999999999"):
        assert client.get(url, headers=headers).status_code == 404
    assert (
        client.get("/api/v1/meetings/99999999999999/questionnaires", headers=headers).status_code
        == 404
    )
    missing = client.patch(f"{ew.api_url}/questions/999999", json={"text": "x"}, headers=headers)
    assert missing.status_code == 404
