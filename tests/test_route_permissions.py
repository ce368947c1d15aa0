"""Every route states who may use it, and a table-driven test proves that nobody else can.

A new route without a row here fails `test_every_route_has_a_row`. Domain tests go further
(another organisation, another process); this table checks the two outsiders every route must
keep out: the anonymous visitor and a signed-in user with no role and no membership.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.consultations.models import ProcessRole
from app.db import utcnow
from app.moderation.models import Decision, ReasonCode
from app.organisations.models import MemberRole
from app.submissions.models import LateException, PaperStatus
from tests.factories import (
    add_member,
    grant,
    make_agenda_item,
    make_invitation,
    make_meeting,
    make_organisation,
    make_paper,
    make_process,
    make_user,
)
from tests.support.web import TEST_CSRF, sign_in

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any signed-in user
RESTRICTED = "restricted"  # a role, ownership or membership is needed
SPECIAL = "special"  # covered by its own tests (named in the comment)

RULES: dict[tuple[str, str], str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    # accounts
    ("GET", "/auth/signin"): PUBLIC,
    ("GET", "/auth/login/{provider}"): SPECIAL,  # tests/accounts/test_oidc_login.py
    ("GET", "/auth/callback/{provider}"): SPECIAL,  # tests/accounts/test_oidc_login.py
    ("POST", "/auth/demo/{user_id}"): SPECIAL,  # demo mode only: tests/accounts/test_routes.py
    ("POST", "/auth/logout"): PUBLIC,
    ("POST", "/auth/locale"): PUBLIC,
    ("GET", "/auth/me"): SIGNED_IN,
    ("POST", "/auth/tokens"): SIGNED_IN,
    ("POST", "/auth/tokens/{token_id}/revoke"): RESTRICTED,
    ("GET", "/api/v1/me"): SIGNED_IN,
    # organisations
    ("GET", "/organisations"): SIGNED_IN,
    ("POST", "/organisations"): SIGNED_IN,
    ("GET", "/organisations/new"): SIGNED_IN,
    ("GET", "/organisations/verification"): RESTRICTED,
    ("GET", "/organisations/{org_id}"): PUBLIC,
    ("GET", "/organisations/{org_id}/edit"): RESTRICTED,
    ("POST", "/organisations/{org_id}/edit"): RESTRICTED,
    ("POST", "/organisations/{org_id}/invitations"): RESTRICTED,
    ("POST", "/organisations/{org_id}/invitations/{invitation_id}/revoke"): RESTRICTED,
    ("POST", "/organisations/{org_id}/leave"): RESTRICTED,
    ("GET", "/organisations/{org_id}/members"): RESTRICTED,
    ("POST", "/organisations/{org_id}/members/{user_id}/remove"): RESTRICTED,
    ("POST", "/organisations/{org_id}/transfer"): RESTRICTED,
    ("POST", "/organisations/{org_id}/verification"): RESTRICTED,
    ("GET", "/invitations/{token}"): SIGNED_IN,
    ("POST", "/invitations/{token}"): SIGNED_IN,
    ("GET", "/api/v1/organisations"): PUBLIC,
    ("POST", "/api/v1/organisations"): SIGNED_IN,
    ("GET", "/api/v1/organisations/{org_id}"): PUBLIC,
    ("PATCH", "/api/v1/organisations/{org_id}"): RESTRICTED,
    ("GET", "/api/v1/organisations/{org_id}/invitations"): RESTRICTED,
    ("POST", "/api/v1/organisations/{org_id}/invitations"): RESTRICTED,
    ("DELETE", "/api/v1/organisations/{org_id}/invitations/{invitation_id}"): RESTRICTED,
    ("GET", "/api/v1/organisations/{org_id}/members"): RESTRICTED,
    ("DELETE", "/api/v1/organisations/{org_id}/members/{user_id}"): RESTRICTED,
    ("POST", "/api/v1/organisations/{org_id}/ownership"): RESTRICTED,
    ("GET", "/api/v1/organisations/{org_id}/verification"): RESTRICTED,
    ("POST", "/api/v1/organisations/{org_id}/verification"): RESTRICTED,
    ("POST", "/api/v1/invitations/{token}/accept"): SIGNED_IN,
    # consultations
    ("GET", "/processes"): PUBLIC,
    ("POST", "/processes"): RESTRICTED,
    ("GET", "/processes/new"): RESTRICTED,
    ("GET", "/processes/{slug}"): PUBLIC,
    ("GET", "/processes/{slug}/edit"): RESTRICTED,
    ("POST", "/processes/{slug}/edit"): RESTRICTED,
    ("GET", "/processes/{slug}/roles"): RESTRICTED,
    ("POST", "/processes/{slug}/roles"): RESTRICTED,
    ("POST", "/processes/{slug}/roles/{grant_id}/revoke"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/new"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}"): PUBLIC,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/edit"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/edit"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/agenda"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/agenda"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/edit"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/edit"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/move"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/agenda/{item_id}/delete"): RESTRICTED,
    ("GET", "/api/v1/processes"): PUBLIC,
    ("POST", "/api/v1/processes"): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}"): PUBLIC,
    ("PATCH", "/api/v1/processes/{slug}"): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}/grants"): RESTRICTED,
    ("POST", "/api/v1/processes/{slug}/grants"): RESTRICTED,
    ("DELETE", "/api/v1/processes/{slug}/grants/{grant_id}"): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}/meetings"): PUBLIC,
    ("POST", "/api/v1/processes/{slug}/meetings"): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}"): PUBLIC,
    ("PATCH", "/api/v1/meetings/{meeting_id}"): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}/agenda-items"): PUBLIC,
    ("POST", "/api/v1/meetings/{meeting_id}/agenda-items"): RESTRICTED,
    ("PATCH", "/api/v1/agenda-items/{item_id}"): RESTRICTED,
    ("DELETE", "/api/v1/agenda-items/{item_id}"): RESTRICTED,
    # submissions (papers); the world below has a paper and a late-submission exception
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/papers/new"): SIGNED_IN,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/papers"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/papers"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/late-exceptions"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/late-exceptions"): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/late-exceptions/{exception_id}/revoke",
    ): RESTRICTED,
    ("GET", "/organisations/{org_id}/submissions"): RESTRICTED,
    ("GET", "/papers/{paper_id}"): RESTRICTED,
    ("GET", "/papers/{paper_id}/receipt"): RESTRICTED,
    # published papers: public; unpublished ones are 404 (tests/submissions/test_published.py)
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/published"): PUBLIC,
    ("GET", "/published/{paper_id}"): PUBLIC,
    ("GET", "/published/{paper_id}/file"): PUBLIC,
    ("GET", "/papers/{paper_id}/receipt.pdf"): RESTRICTED,
    ("GET", "/papers/{paper_id}/versions/{number}/file"): RESTRICTED,
    ("GET", "/papers/{paper_id}/versions/{number}/pdf"): RESTRICTED,
    ("POST", "/papers/{paper_id}/versions"): RESTRICTED,
    ("POST", "/papers/{paper_id}/withdraw"): RESTRICTED,
    ("POST", "/papers/{paper_id}/cosigners/{org_id}/confirm"): RESTRICTED,
    ("POST", "/papers/{paper_id}/cosigners/{org_id}/decline"): RESTRICTED,
    ("POST", "/api/v1/meetings/{meeting_id}/papers"): RESTRICTED,
    ("GET", "/api/v1/papers/{paper_id}"): RESTRICTED,
    ("GET", "/api/v1/organisations/{org_id}/papers"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/versions"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/withdraw"): RESTRICTED,
    ("GET", "/api/v1/papers/{paper_id}/receipt.pdf"): RESTRICTED,
    ("GET", "/api/v1/papers/{paper_id}/versions/{number}/file"): RESTRICTED,
    ("GET", "/api/v1/papers/{paper_id}/versions/{number}/pdf"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/cosigners/{org_id}/confirm"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/cosigners/{org_id}/decline"): RESTRICTED,
    # comments (routes naming a comment id: tests/comments/test_permissions.py, with a comment)
    ("GET", "/agenda-items/{item_id}"): PUBLIC,
    ("GET", "/agenda-items/{item_id}/comment-link"): PUBLIC,
    ("POST", "/agenda-items/{item_id}/comments"): SIGNED_IN,
    ("POST", "/comments/{comment_id}/edit"): SPECIAL,
    ("POST", "/comments/{comment_id}/reports"): SPECIAL,
    ("POST", "/comments/{comment_id}/moderation"): SPECIAL,
    ("GET", "/api/v1/agenda-items/{item_id}/comments"): PUBLIC,
    ("POST", "/api/v1/agenda-items/{item_id}/comments"): SIGNED_IN,
    ("PATCH", "/api/v1/comments/{comment_id}"): SPECIAL,
    ("POST", "/api/v1/comments/{comment_id}/reports"): SPECIAL,
    ("POST", "/api/v1/comments/{comment_id}/moderation"): SPECIAL,
    # dossiers (builds by id in the API: tests/dossiers/test_api.py, with a build)
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier"): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/dossier/sections/{item_id}/papers/{paper_id}/move",
    ): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/dossier/sections/{item_id}/summary",
    ): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/dossier/sections/{item_id}/digest",
    ): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/dossier/builds"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier/builds/{number}"): RESTRICTED,
    (
        "GET",
        "/processes/{slug}/meetings/{meeting_slug}/dossier/builds/{number}/progress",
    ): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier/builds/{number}/pdf"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier/builds/{number}/zip"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier/latest/pdf"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/dossier/latest/zip"): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}/dossier"): RESTRICTED,
    ("PATCH", "/api/v1/meetings/{meeting_id}/dossier/sections/{item_id}"): RESTRICTED,
    ("POST", "/api/v1/meetings/{meeting_id}/dossier/builds"): RESTRICTED,
    ("GET", "/api/v1/dossier-builds/{build_id}"): SPECIAL,
    ("GET", "/api/v1/dossier-builds/{build_id}/pdf"): SPECIAL,
    ("GET", "/api/v1/dossier-builds/{build_id}/zip"): SPECIAL,
    # moderation: the comment queue (tests/moderation/test_comment_queue_routes.py)
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/comments/queue"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/comments/queue"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/comments/queue.csv"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/comments/queue.xlsx"): RESTRICTED,
    # the audit log (tests/moderation/test_audit_routes.py)
    ("GET", "/audit"): RESTRICTED,
    ("GET", "/audit.csv"): RESTRICTED,
    ("GET", "/audit/{object_type}/{object_id}"): RESTRICTED,
    ("GET", "/processes/{slug}/audit"): RESTRICTED,
    ("GET", "/processes/{slug}/audit.csv"): RESTRICTED,
    # impact dashboard: public (adopted recommendations only; staff also see drafts, tested in
    # tests/impact/analysis/test_routes.py)
    ("GET", "/processes/{slug}/dashboard"): PUBLIC,
    ("GET", "/processes/{slug}/dashboard/chart.svg"): PUBLIC,
    ("GET", "/processes/{slug}/dashboard/chart.png"): PUBLIC,
    ("GET", "/processes/{slug}/dashboard/table.csv"): PUBLIC,
    ("GET", "/processes/{slug}/dashboard/export.zip"): PUBLIC,
    ("GET", "/api/v1/processes/{slug}/dashboard"): PUBLIC,
    # evaluation questionnaires (tests/evaluations/ go further: drafts, other processes, once)
    ("GET", "/questionnaires"): SIGNED_IN,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/questionnaires"): SIGNED_IN,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/questionnaires"): RESTRICTED,
    ("GET", "/questionnaires/{questionnaire_id}"): SIGNED_IN,
    ("POST", "/questionnaires/{questionnaire_id}/responses"): SIGNED_IN,
    ("GET", "/questionnaires/{questionnaire_id}/edit"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/edit"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/questions"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/questions/{question_id}/edit"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/questions/{question_id}/move"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/questions/{question_id}/delete"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/open"): RESTRICTED,
    ("POST", "/questionnaires/{questionnaire_id}/close"): RESTRICTED,
    ("GET", "/questionnaires/{questionnaire_id}/results"): RESTRICTED,
    ("GET", "/questionnaires/{questionnaire_id}/results.csv"): RESTRICTED,
    ("GET", "/questionnaires/{questionnaire_id}/results.xlsx"): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}/questionnaires"): SIGNED_IN,
    ("POST", "/api/v1/meetings/{meeting_id}/questionnaires"): RESTRICTED,
    ("GET", "/api/v1/questionnaires/{questionnaire_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/questionnaires/{questionnaire_id}"): RESTRICTED,
    ("GET", "/api/v1/questionnaires/{questionnaire_id}/questions"): SIGNED_IN,
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/questions"): RESTRICTED,
    ("PATCH", "/api/v1/questionnaires/{questionnaire_id}/questions/{question_id}"): RESTRICTED,
    ("DELETE", "/api/v1/questionnaires/{questionnaire_id}/questions/{question_id}"): RESTRICTED,
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/open"): RESTRICTED,
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/close"): RESTRICTED,
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/responses"): SIGNED_IN,
    ("GET", "/api/v1/questionnaires/{questionnaire_id}/results"): RESTRICTED,
    # moderation: the paper triage queue (tests/moderation/test_permissions.py goes further)
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/queue"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/queue.csv"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/queue.xlsx"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/queue/bulk"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/queue/release"): RESTRICTED,
    ("GET", "/papers/{paper_id}/moderation"): RESTRICTED,
    ("GET", "/papers/{paper_id}/moderation/reject-form"): RESTRICTED,
    ("GET", "/papers/{paper_id}/versions/{number}/preview"): RESTRICTED,
    ("POST", "/papers/{paper_id}/decisions"): RESTRICTED,
    ("POST", "/papers/{paper_id}/decisions/{decision_id}/revert"): RESTRICTED,
    ("POST", "/papers/{paper_id}/assignment"): RESTRICTED,
    ("POST", "/papers/{paper_id}/route"): RESTRICTED,
    ("GET", "/processes/{slug}/reason-codes"): RESTRICTED,
    ("POST", "/processes/{slug}/reason-codes"): RESTRICTED,
    ("POST", "/processes/{slug}/reason-codes/{code_id}/activate"): RESTRICTED,
    ("POST", "/processes/{slug}/reason-codes/{code_id}/deactivate"): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}/papers"): RESTRICTED,
    ("GET", "/api/v1/papers/{paper_id}/decisions"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/decisions"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/decisions/{decision_id}/revert"): RESTRICTED,
    ("POST", "/api/v1/meetings/{meeting_id}/decisions/release"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/assignment"): RESTRICTED,
    ("POST", "/api/v1/papers/{paper_id}/route"): RESTRICTED,
    # impact: recommendations and follow-up (tests/impact/ go further: other country, process,
    # organisation; drafts are 404 to the public)
    ("GET", "/follow-up"): PUBLIC,
    ("GET", "/processes/{slug}/recommendations"): PUBLIC,
    ("GET", "/recommendations/{recommendation_id}"): PUBLIC,
    ("GET", "/recommendations/{recommendation_id}/countries/{country}"): PUBLIC,
    ("GET", "/recommendations/{recommendation_id}/countries/{country}/official"): RESTRICTED,
    ("POST", "/recommendations/{recommendation_id}/countries/{country}/official"): RESTRICTED,
    ("GET", "/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}"): RESTRICTED,
    (
        "POST",
        "/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}",
    ): RESTRICTED,
    ("GET", "/evidence/{evidence_id}"): PUBLIC,
    ("GET", "/organisations/{org_id}/recommendations"): RESTRICTED,
    ("GET", "/processes/{slug}/impact"): RESTRICTED,
    ("POST", "/processes/{slug}/impact/focal-points"): RESTRICTED,
    ("POST", "/processes/{slug}/impact/focal-points/{focal_point_id}/revoke"): RESTRICTED,
    ("POST", "/processes/{slug}/impact/rounds"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/recommendations/new"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/recommendations"): RESTRICTED,
    ("GET", "/recommendations/{recommendation_id}/edit"): RESTRICTED,
    ("POST", "/recommendations/{recommendation_id}/edit"): RESTRICTED,
    ("POST", "/recommendations/{recommendation_id}/citations"): RESTRICTED,
    ("POST", "/recommendations/{recommendation_id}/citations/{citation_id}/delete"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/participants"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/participants"): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/participants/{participant_id}/delete",
    ): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/participants/import"): RESTRICTED,
    ("GET", "/processes/{slug}/meetings/{meeting_slug}/recommendations/import"): RESTRICTED,
    ("POST", "/processes/{slug}/meetings/{meeting_slug}/recommendations/import"): RESTRICTED,
    (
        "GET",
        "/processes/{slug}/meetings/{meeting_slug}/recommendations/import/{import_token}",
    ): RESTRICTED,
    (
        "POST",
        "/processes/{slug}/meetings/{meeting_slug}/recommendations/import/{import_token}/confirm",
    ): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}/recommendations"): PUBLIC,
    ("POST", "/api/v1/meetings/{meeting_id}/recommendations"): RESTRICTED,
    ("GET", "/api/v1/recommendations/{recommendation_id}"): PUBLIC,
    ("PATCH", "/api/v1/recommendations/{recommendation_id}"): RESTRICTED,
    ("POST", "/api/v1/recommendations/{recommendation_id}/citations"): RESTRICTED,
    ("DELETE", "/api/v1/recommendations/{recommendation_id}/citations/{citation_id}"): RESTRICTED,
    ("GET", "/api/v1/organisations/{org_id}/recommendations"): RESTRICTED,
    ("POST", "/api/v1/meetings/{meeting_id}/recommendation-imports"): RESTRICTED,
    (
        "POST",
        "/api/v1/meetings/{meeting_id}/recommendation-imports/{import_token}/confirm",
    ): RESTRICTED,
    ("GET", "/api/v1/meetings/{meeting_id}/participants"): PUBLIC,
    ("POST", "/api/v1/meetings/{meeting_id}/participants"): RESTRICTED,
    ("DELETE", "/api/v1/meetings/{meeting_id}/participants/{participant_id}"): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}/focal-points"): RESTRICTED,
    ("POST", "/api/v1/processes/{slug}/focal-points"): RESTRICTED,
    ("DELETE", "/api/v1/processes/{slug}/focal-points/{focal_point_id}"): RESTRICTED,
    ("GET", "/api/v1/processes/{slug}/reporting-rounds"): PUBLIC,
    ("POST", "/api/v1/processes/{slug}/reporting-rounds"): RESTRICTED,
    ("GET", "/api/v1/recommendations/{recommendation_id}/reports"): PUBLIC,
    ("GET", "/api/v1/reports/{report_id}"): PUBLIC,
    (
        "POST",
        "/api/v1/recommendations/{recommendation_id}/countries/{country}/official",
    ): RESTRICTED,
    (
        "POST",
        "/api/v1/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}",
    ): RESTRICTED,
    ("GET", "/api/v1/evidence/{evidence_id}/file"): PUBLIC,
}


def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_route_has_a_row(app: FastAPI) -> None:
    routes = _app_routes(app)
    missing = sorted(routes - RULES.keys())
    stale = sorted(RULES.keys() - routes)
    assert not missing, f"routes without a permission row: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


@dataclass
class World:
    params: dict[str, str]


@pytest.fixture
def world(db: Session) -> World:
    owner = make_user(db)
    member = make_user(db)
    org = make_organisation(db, owner=owner)
    add_member(db, org, member, MemberRole.member)
    invitation, raw = make_invitation(db, org)
    process = make_process(db)
    meeting = make_meeting(db, process)
    item = make_agenda_item(db, meeting)
    organiser = make_user(db)
    role_grant = grant(db, organiser, process, ProcessRole.organiser)
    token, _ = accounts.create_token(db, owner, "owner's token")
    paper = make_paper(db, meeting, org, owner, [item])
    exception = LateException(meeting_id=meeting.id, organisation_id=org.id, until=utcnow())
    reason = ReasonCode(process_id=process.id, code="off-topic", label="Off topic")
    decision = Decision(
        paper_id=paper.id,
        from_status=PaperStatus.submitted,
        to_status=PaperStatus.submitted,
        staged=True,
    )
    db.add_all([exception, reason, decision])
    db.flush()
    from app.evaluations.models import QuestionKind
    from tests.evaluations.world import add_question, make_questionnaire

    questionnaire = make_questionnaire(db, meeting)  # open, so that outsiders may answer it
    question = add_question(db, questionnaire, QuestionKind.scale, required=True)
    from tests.impact.factories import route_permission_params

    impact_params = route_permission_params(db, process, meeting, paper)
    return World(
        {
            "org_id": str(org.id),
            "invitation_id": str(invitation.id),
            "user_id": str(member.id),
            "token": raw,
            "token_id": str(token.id),
            "slug": process.slug,
            "meeting_slug": meeting.slug,
            "meeting_id": str(meeting.id),
            "item_id": str(item.id),
            "grant_id": str(role_grant.id),
            "provider": "none",
            "paper_id": str(paper.id),
            "number": "1",
            "exception_id": str(exception.id),
            "decision_id": str(decision.id),
            "code_id": str(reason.id),
            "object_type": "paper",
            "object_id": str(paper.id),
            "questionnaire_id": str(questionnaire.id),
            "question_id": str(question.id),
            **impact_params,
        }
    )


def _request(client: TestClient, method: str, path: str, world: World) -> int:
    url = path.format(**world.params)
    if path.startswith("/api/"):
        headers = {"X-CSRF-Token": TEST_CSRF}
        body = {} if method in ("POST", "PATCH") else None
        response = client.request(method, url, json=body, headers=headers, follow_redirects=False)
    elif method == "GET":
        response = client.get(url, follow_redirects=False)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/auth/signin?next=")
            return 401
    else:
        data = {"csrf_token": TEST_CSRF}
        response = client.request(method, url, data=data, follow_redirects=False)
    assert response.status_code != 500, f"{method} {path} crashed"
    return response.status_code


ROWS = sorted(key for key, rule in RULES.items() if rule != SPECIAL)


@pytest.mark.parametrize(("method", "path"), ROWS, ids=[f"{m} {p}" for m, p in ROWS])
def test_anonymous(client: TestClient, world: World, method: str, path: str) -> None:
    sign_in(client, None)
    status = _request(client, method, path, world)
    if RULES[(method, path)] == PUBLIC:
        assert status not in (401, 403), f"{method} {path} should be public, got {status}"
    else:
        assert status == 401, f"{method} {path} should need sign-in, got {status}"


@pytest.mark.parametrize(("method", "path"), ROWS, ids=[f"{m} {p}" for m, p in ROWS])
def test_signed_in_outsider(
    client: TestClient, db: Session, world: World, method: str, path: str
) -> None:
    sign_in(client, make_user(db))
    status = _request(client, method, path, world)
    if RULES[(method, path)] == RESTRICTED:
        assert status in (403, 404), f"{method} {path} let an outsider through: {status}"
    else:
        assert status not in (401, 403), f"{method} {path} refused a signed-in user: {status}"
