"""Profile and verification pages: who sees what, forms with errors, htmx fragments."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import ProcessRole
from app.organisations.models import MemberRole, Organisation, Verification
from tests.factories import add_member, grant, make_organisation, make_process, make_user
from tests.support.web import post_form, sign_in

FORM = {
    "name": "Migrant Voices",
    "acronym": "MV",
    "type": "diaspora",
    "country": "KE",
    "website": "https://voices.example",
    "description": "We speak up.",
    "ecosoc_status": "special",
}


def moderator(db: Session) -> User:
    user = make_user(db, name="Mo Derator")
    grant(db, user, make_process(db), ProcessRole.moderator)
    return user


def test_pages_for_signed_in_users_send_anonymous_visitors_to_sign_in(client: TestClient) -> None:
    for url in ("/organisations", "/organisations/new", "/organisations/verification"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/auth/signin?next={url}"


def test_my_organisations_lists_mine_only(client: TestClient, db: Session) -> None:
    user = make_user(db)
    make_organisation(db, owner=user, name="Mine Owned")
    add_member(db, make_organisation(db, name="Mine Joined"), user)
    make_organisation(db, name="Somebody Else's")
    sign_in(client, user)
    page = client.get("/organisations").text
    assert "Mine Owned" in page and "Mine Joined" in page
    assert "Somebody Else" not in page
    assert 'href="/organisations/new"' in page
    assert "/organisations/verification" not in page


def test_verifiers_see_the_queue_link(client: TestClient, db: Session) -> None:
    make_organisation(db)
    sign_in(client, moderator(db))
    assert "/organisations/verification" in client.get("/organisations").text


def test_create_an_organisation(client: TestClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user)
    form = client.get("/organisations/new")
    assert form.status_code == 200
    assert '<option value="KE">Kenya</option>' in form.text
    response = post_form(client, "/organisations", FORM)
    assert response.status_code == 303
    org_id = int(response.headers["location"].rsplit("/", 1)[1])
    org = db.get(Organisation, org_id)
    assert org is not None and org.name == "Migrant Voices"
    page = client.get(f"/organisations/{org_id}").text
    assert "Awaiting verification" in page and "Owner" in page


def test_create_with_htmx_redirects_by_header(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = post_form(client, "/organisations", FORM, htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/organisations/")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"country": "ZZ"}, "country", "Choose a country"),
        ({"website": "javascript:alert(1)"}, "website", "https://"),
        ({"website": "not a url"}, "website", "https://"),
        ({"name": "n" * 201}, "name", "at most 200"),
        ({"description": "d" * 5001}, "description", "at most 5000"),
        ({"type": "spaceship"}, "type", "Choose one of the options."),
    ],
)
def test_invalid_forms_come_back_with_field_errors(
    client: TestClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, make_user(db))
    response = post_form(client, "/organisations", FORM | changes)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<html" in response.text  # the whole page without JavaScript
    fragment = post_form(client, "/organisations", FORM | changes, htmx=True)
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<form id="org-form"')
    assert message in fragment.text


def test_form_keeps_what_was_typed_and_escapes_it(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = post_form(client, "/organisations", FORM | {"name": "<b>x</b>", "country": ""})
    assert response.status_code == 422
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in response.text


def test_forms_need_the_csrf_token(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    response = client.post("/organisations", data=FORM, follow_redirects=False)
    assert response.status_code == 403


def test_public_profile_for_anonymous_visitors(client: TestClient, db: Session) -> None:
    owner = make_user(db, name="Private Person")
    org = make_organisation(
        db,
        owner=owner,
        name="Voices <script>alert(1)</script>",
        acronym="VX",
        country="SN",
        website="https://voices.example",
        description="Line one\nLine two",
        verification=Verification.rejected,
        verification_reason="Secret reason",
    )
    page = client.get(f"/organisations/{org.id}")
    assert page.status_code == 200
    text = page.text
    assert "Voices &lt;script&gt;alert(1)&lt;/script&gt; (VX)" in text
    assert "Senegal" in text and "https://voices.example" in text
    assert "Non-governmental organisation" in text and "No consultative status" in text
    assert "Not verified" in text
    assert "Private Person" not in text  # members are not public
    assert "Secret reason" not in text
    assert "/edit" not in text


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/999999",
        "/organisations/abc",
        "/organisations/0",
        "/organisations/" + "9" * 30,
    ],
)
def test_forged_ids_are_not_found(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_members_see_the_members_and_the_rejection_reason(client: TestClient, db: Session) -> None:
    owner, member = make_user(db, name="Olga Owner"), make_user(db, name="Mia Member")
    org = make_organisation(
        db, owner=owner, verification=Verification.rejected, verification_reason="Add a website"
    )
    add_member(db, org, member)
    sign_in(client, member)
    text = client.get(f"/organisations/{org.id}").text
    assert "Olga Owner" in text and "Mia Member" in text
    assert "Add a website" in text
    assert f"/organisations/{org.id}/edit" not in text
    sign_in(client, owner)
    assert f"/organisations/{org.id}/edit" in client.get(f"/organisations/{org.id}").text


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "other_owner"])
def test_only_owners_edit(client: TestClient, db: Session, who: str) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner, name="Before")
    visitor = None if who == "anonymous" else make_user(db)
    if who == "member":
        add_member(db, org, visitor)  # type: ignore[arg-type]
    if who == "other_owner":
        make_organisation(db, owner=visitor)
    sign_in(client, visitor)
    get = client.get(f"/organisations/{org.id}/edit", follow_redirects=False)
    post = post_form(client, f"/organisations/{org.id}/edit", FORM | {"name": "After"})
    if who == "anonymous":
        assert get.status_code == 303
        assert post.status_code == 401
    else:
        assert get.status_code == 403
        assert post.status_code == 403
    db.refresh(org)
    assert org.name == "Before"


def test_owner_edits_the_profile(client: TestClient, db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner, name="Before", country="KG")
    sign_in(client, owner)
    form = client.get(f"/organisations/{org.id}/edit")
    assert 'value="Before"' in form.text
    assert '<option value="KG" selected>' in form.text
    bad = post_form(
        client, f"/organisations/{org.id}/edit", FORM | {"website": "ftp://x"}, htmx=True
    )
    assert bad.status_code == 422 and "https://" in bad.text
    response = post_form(client, f"/organisations/{org.id}/edit", FORM | {"name": "After"})
    assert response.status_code == 303
    db.refresh(org)
    assert (org.name, org.country, org.ecosoc_status) == ("After", "KE", "special")


def test_the_queue_is_for_verifiers(client: TestClient, db: Session) -> None:
    owner = make_user(db)
    pending = make_organisation(db, owner=owner, name="Waiting Org")
    make_organisation(db, name="Done Org", verification=Verification.verified)
    organiser = make_user(db)
    grant(db, organiser, make_process(db), ProcessRole.organiser)
    for user in (owner, organiser, make_user(db)):
        sign_in(client, user)
        assert client.get("/organisations/verification").status_code == 403
    for user in (moderator(db), make_user(db, is_admin=True)):
        sign_in(client, user)
        page = client.get("/organisations/verification")
        assert page.status_code == 200
        assert "Waiting Org" in page.text and "Done Org" not in page.text
        assert f'action="/organisations/{pending.id}/verification"' in page.text


def test_verify_from_the_queue_with_htmx(client: TestClient, db: Session) -> None:
    org = make_organisation(db, name="Waiting Org")
    sign_in(client, moderator(db))
    url = f"/organisations/{org.id}/verification"
    bad = post_form(client, url, {"status": "rejected", "reason": "", "next": "queue"}, htmx=True)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith(f'<li class="card verification-panel" id="queue-{org.id}"')
    assert "Give the reason" in bad.text
    ok = post_form(client, url, {"status": "verified", "next": "queue"}, htmx=True)
    assert ok.status_code == 200
    assert "Verified" in ok.text and "<form" not in ok.text
    db.refresh(org)
    assert org.verification == Verification.verified


def test_reject_without_javascript_from_the_queue_and_the_profile(
    client: TestClient, db: Session
) -> None:
    org = make_organisation(db, name="Waiting Org")
    sign_in(client, make_user(db, is_admin=True))
    url = f"/organisations/{org.id}/verification"
    bad = post_form(client, url, {"status": "rejected", "next": "queue"})
    assert bad.status_code == 422 and "<html" in bad.text and "Give the reason" in bad.text
    bad = post_form(client, url, {"status": "maybe"})
    assert bad.status_code == 422 and "Verification history" not in bad.text
    ok = post_form(client, url, {"status": "rejected", "reason": "No such NGO", "next": "queue"})
    assert ok.status_code == 303 and ok.headers["location"] == "/organisations/verification"
    ok = post_form(client, url, {"status": "verified"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/organisations/{org.id}"
    history = client.get(f"/organisations/{org.id}").text
    assert "Verification history" in history and "No such NGO" in history


@pytest.mark.parametrize("role", [MemberRole.owner, MemberRole.member, None])
def test_organisations_cannot_verify_themselves(
    client: TestClient, db: Session, role: MemberRole | None
) -> None:
    org = make_organisation(db)
    user = make_user(db)
    if role is not None:
        add_member(db, org, user, role)
    sign_in(client, user)
    response = post_form(client, f"/organisations/{org.id}/verification", {"status": "verified"})
    assert response.status_code == 403
    db.refresh(org)
    assert org.verification == Verification.pending
