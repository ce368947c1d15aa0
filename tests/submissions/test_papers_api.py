"""The papers API: bearer-token uploads (no CSRF), reads, versions, withdrawal, co-signing."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.storage import LocalStorage
from tests.submissions.conftest import World, a_pdf, assert_nothing_stored, upload
from tests.support import sample_files as samples
from tests.support.web import api_headers, sign_in

API = "/api/v1"


@pytest.fixture
def token(db: Session, world: World) -> str:
    _token, raw = accounts.create_token(db, world.member, "script")
    db.flush()
    return raw


def _fields(world: World, **overrides: object) -> dict[str, object]:
    fields = world.fields(csrf_token=None, **overrides)
    fields["agenda_item_ids"] = f"{world.item.id},{world.item2.id}"  # comma-separated works too
    return fields


def test_submit_with_a_bearer_token(
    client: TestClient, world: World, token: str, storage: LocalStorage
) -> None:
    client.cookies.clear()
    data = samples.odt_document()
    response = upload(client, world.api_submit_url, _fields(world), data, "paper.odt",
                      headers=api_headers(token))  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["tracking_number"].startswith("PLN-")
    assert body["agenda_item_ids"] == [world.item.id, world.item2.id]
    assert body["status"] == "submitted"
    [version] = body["versions"]
    assert version["sha256"] == hashlib.sha256(data).hexdigest()
    assert version["kind"] == "odt"
    assert version["conversion_state"] == "pending"
    assert version["scan_state"] == "not_scanned"
    assert version["pdf_url"] is None

    paper_id = body["id"]
    headers = api_headers(token)
    assert client.get(f"{API}/papers/{paper_id}", headers=headers).json()["id"] == paper_id
    listed = client.get(f"{API}/organisations/{world.org.id}/papers", headers=headers).json()
    assert [p["id"] for p in listed] == [paper_id]
    file = client.get(version["file_url"], headers=headers)
    assert file.content == data
    assert "attachment" in file.headers["content-disposition"]
    receipt = client.get(body["receipt_url"], headers=headers)
    assert receipt.headers["content-type"] == "application/pdf"
    assert client.get(f"{API}/papers/{paper_id}/versions/1/pdf", headers=headers).status_code == 404


def test_a_new_version_and_withdrawal(client: TestClient, world: World, token: str) -> None:
    headers = api_headers(token)
    created = upload(client, world.api_submit_url, _fields(world), a_pdf(), headers=headers)
    paper = created.json()
    revised = upload(
        client,
        f"{API}/papers/{paper['id']}/versions",
        {"lock_version": str(paper["lock_version"])},
        a_pdf(3),
        headers=headers,
    )
    assert revised.status_code == 201, revised.text
    versions = revised.json()["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["pages"] == 3
    stale = client.post(
        f"{API}/papers/{paper['id']}/withdraw", json={"lock_version": paper["lock_version"]},
        headers=headers,
    )  # fmt: skip
    assert stale.status_code == 409
    withdrawn = client.post(f"{API}/papers/{paper['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"


def test_session_uploads_need_the_csrf_header(
    client: TestClient, db: Session, world: World, storage: LocalStorage
) -> None:
    sign_in(client, world.member)
    response = upload(client, world.api_submit_url, _fields(world), a_pdf())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"
    assert_nothing_stored(db, storage)


def test_anonymous_and_outsiders(client: TestClient, db: Session, world: World) -> None:
    client.cookies.clear()
    assert upload(client, world.api_submit_url, _fields(world), a_pdf()).status_code == 401
    _t, raw = accounts.create_token(db, world.stranger, "x")
    db.flush()
    response = upload(client, world.api_submit_url, _fields(world), a_pdf(),
                      headers=api_headers(raw))  # fmt: skip
    assert response.status_code == 403
    assert client.get(f"{API}/organisations/{world.org.id}/papers",
                      headers=api_headers(raw)).status_code == 403  # fmt: skip


def test_invalid_input_is_422_with_fields(
    client: TestClient, db: Session, world: World, token: str, storage: LocalStorage
) -> None:
    fields = _fields(world, language="klingon", consent=None, title="")
    response = upload(client, world.api_submit_url, fields, a_pdf(), headers=api_headers(token))
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error["fields"]) == {"language", "consent", "title"}
    assert error["fields"]["consent"] == "This field is required."
    not_found = upload(client, "/api/v1/meetings/424242/papers", _fields(world), a_pdf(),
                       headers=api_headers(token))  # fmt: skip
    assert not_found.status_code == 404
    not_multipart = client.post(
        world.api_submit_url, json={"title": "x"}, headers=api_headers(token)
    )
    assert not_multipart.status_code == 415
    assert_nothing_stored(db, storage)


def test_cosigning_through_the_api(
    client: TestClient, db: Session, world: World, token: str
) -> None:
    fields = _fields(world, cosigner_ids=str(world.other_org.id))
    paper = upload(client, world.api_submit_url, fields, a_pdf(), headers=api_headers(token)).json()
    assert paper["cosigners"][0]["state"] == "pending"
    _t, owner_token = accounts.create_token(db, world.other_owner, "x")
    db.flush()
    url = f"{API}/papers/{paper['id']}/cosigners/{world.other_org.id}"
    assert client.post(f"{url}/confirm", headers=api_headers(token)).status_code == 403
    confirmed = client.post(f"{url}/confirm", headers=api_headers(owner_token))
    assert confirmed.status_code == 200
    assert confirmed.json()["cosigners"][0]["state"] == "confirmed"
    assert client.post(f"{url}/decline", headers=api_headers(owner_token)).status_code == 409
