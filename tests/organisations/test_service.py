"""Profiles and verification: the rules, the validation and the audit trail."""

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.consultations.models import ProcessRole, RoleGrant
from app.errors import NotFound
from app.organisations import repository, service
from app.organisations.models import (
    EcosocStatus,
    MemberRole,
    Organisation,
    OrganisationType,
    Verification,
)
from app.organisations.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    VerificationDecision,
)
from tests.factories import add_member, grant, make_organisation, make_process, make_user

VALID = {"name": "Migrant Voices", "type": "diaspora", "country": "ke"}


def events(db: Session, org: Organisation, action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.object_type == "organisation",
        AuditEvent.object_id == org.id,
        AuditEvent.action == action,
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def field_error(schema: type, data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc_info:
        schema.model_validate(data)
    return {str(e["loc"][0]): e["msg"] for e in exc_info.value.errors()}


def test_creator_becomes_owner_and_the_organisation_waits_for_verification(db: Session) -> None:
    user = make_user(db)
    data = OrganisationCreate.model_validate(
        VALID | {"website": "https://voices.example", "ecosoc_status": "special"}
    )
    org = service.create_organisation(db, user, data)
    assert org.country == "KE"
    assert org.type == OrganisationType.diaspora
    assert org.ecosoc_status == EcosocStatus.special
    assert org.verification == Verification.pending
    assert service.role_of(db, org, user) == MemberRole.owner
    [event] = events(db, org, "org.create")
    assert event.actor_id == user.id
    assert event.after is not None and event.after["name"] == "Migrant Voices"


def test_a_user_may_belong_to_several_organisations(db: Session) -> None:
    user = make_user(db)
    first = make_organisation(db, owner=user, name="Beta")
    second = make_organisation(db, name="alpha")
    add_member(db, second, user)
    make_organisation(db, name="Gamma")  # not theirs
    assert [o.id for o in service.organisations_of(db, user)] == [second.id, first.id]


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 201}, "name", "at most 200"),
        ({"name": "Two\nlines"}, "name", "single line"),
        ({"name": "Bell\x07"}, "name", "control characters"),
        ({"acronym": "A" * 31}, "acronym", "at most 30"),
        ({"country": "XX"}, "country", "Choose a country"),
        ({"country": "KEN"}, "country", "Choose a country"),
        ({"country": ""}, "country", "Choose a country"),
        ({"type": ""}, "type", "Choose the type"),
        ({"type": "club"}, "type", "Input should be"),
        ({"website": "javascript:alert(1)"}, "website", "http://"),
        ({"website": "JavaScript://example.org/%0aalert(1)"}, "website", "http://"),
        ({"website": "ftp://example.org"}, "website", "http://"),
        ({"website": "example.org"}, "website", "http://"),
        ({"website": "https://"}, "website", "http://"),
        ({"website": "https://exa mple.org"}, "website", "http://"),
        ({"website": "http://[::1"}, "website", "http://"),
        ({"website": "https://example.org:99999"}, "website", "http://"),
        ({"website": "https://example.org/" + "a" * 300}, "website", "at most 300"),
        ({"description": "d" * 5001}, "description", "at most 5000"),
        ({"ecosoc_status": "observer"}, "ecosoc_status", "Input should be"),
        ({"verification": "verified"}, "verification", "Extra inputs"),
    ],
)
def test_invalid_profiles_are_refused_with_readable_messages(
    data: dict[str, object], field: str, fragment: str
) -> None:
    errors = field_error(OrganisationCreate, VALID | data)
    assert fragment in errors[field]


def test_valid_urls_and_text_are_kept_tidied() -> None:
    data = OrganisationCreate.model_validate(
        VALID
        | {"name": "  Voices  ", "website": "HTTP://Example.org/a?b=c", "description": "a\r\nb"}
    )
    assert data.name == "Voices"
    assert data.website == "HTTP://Example.org/a?b=c"
    assert data.description == "a\nb"


def test_update_refuses_null_but_allows_clearing_text() -> None:
    errors = field_error(OrganisationUpdate, {"name": None})
    assert "cannot be null" in errors["name"]
    assert OrganisationUpdate.model_validate({"website": ""}).website == ""


def test_update_audits_only_the_changed_fields(db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner, acronym="MV", description="old")
    service.update_organisation(db, owner, org, OrganisationUpdate(acronym="MV", description="new"))
    [event] = events(db, org, "org.update")
    assert event.before == {"description": "old"}
    assert event.after == {"description": "new"}
    service.update_organisation(db, owner, org, OrganisationUpdate(description="new"))
    assert len(events(db, org, "org.update")) == 1  # nothing changed, nothing recorded


def test_editing_a_rejected_profile_sends_it_back_to_the_queue(db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(
        db, owner=owner, verification=Verification.rejected, verification_reason="No website"
    )
    service.update_organisation(db, owner, org, OrganisationUpdate(website="https://a.example"))
    assert org.verification == Verification.pending
    assert org.verification_reason == ""
    assert org in service.pending_verification(db)
    [reset] = events(db, org, "org.verification_reset")
    assert reset.before == {"verification": "rejected", "reason": "No website"}


def test_a_verified_organisation_keeps_its_badge_unless_its_identity_changes(db: Session) -> None:
    owner = make_user(db)
    org = make_organisation(db, owner=owner, verification=Verification.verified)
    service.update_organisation(db, owner, org, OrganisationUpdate(description="More detail"))
    assert org.verification == Verification.verified
    service.update_organisation(db, owner, org, OrganisationUpdate(name="Another name"))
    assert org.verification == Verification.pending


def test_verification_decisions_are_audited_and_form_the_history(db: Session) -> None:
    moderator = make_user(db, name="Mod Erator")
    org = make_organisation(db)
    service.decide_verification(
        db, moderator, org, VerificationDecision(status="rejected", reason="Unknown entity")
    )
    assert org.verification == Verification.rejected
    assert org.verified_at is None
    service.decide_verification(db, moderator, org, VerificationDecision(status="verified"))
    assert org.verification == Verification.verified
    assert org.verified_at is not None
    assert org.verification_reason == ""
    first, second = events(db, org, "org.verify")
    assert first.before == {"verification": "pending", "reason": ""}
    assert first.after == {"verification": "rejected", "reason": "Unknown entity"}
    assert second.after == {"verification": "verified", "reason": ""}
    history = service.verification_history(db, org)
    assert [(h.before, h.after) for h in history] == [
        ("rejected", "verified"),
        ("pending", "rejected"),
    ]
    assert history[1].reason == "Unknown entity"
    assert history[0].actor == "Mod Erator"


def test_rejection_needs_a_reason_and_pending_is_no_decision() -> None:
    errors = field_error(VerificationDecision, {"status": "rejected", "reason": "  "})
    assert "reason" in errors["reason"]
    errors = field_error(VerificationDecision, {"status": "pending"})
    assert "status" in errors
    assert VerificationDecision.model_validate({"status": "verified"}).reason == ""


def test_verifiers_are_admins_and_moderators_of_any_process(db: Session) -> None:
    plain, admin = make_user(db), make_user(db, is_admin=True)
    moderator, organiser = make_user(db), make_user(db)
    process = make_process(db)
    grant(db, moderator, process, ProcessRole.moderator)
    grant(db, organiser, process, ProcessRole.organiser)
    assert not service.is_verifier(db, None)
    assert not service.is_verifier(db, plain)
    assert not service.is_verifier(db, organiser)
    assert service.is_verifier(db, admin)
    assert service.is_verifier(db, moderator)


def test_role_grants_contract_matches_the_consultations_model() -> None:
    """repository reads role_grants without importing consultations; keep the two in step."""
    table = RoleGrant.__table__
    assert repository.ROLE_GRANTS.name == table.name
    assert set(repository.ROLE_GRANTS.c.keys()) <= set(table.c.keys())
    assert ProcessRole.moderator.value == repository.MODERATOR_ROLE


@pytest.mark.parametrize("org_id", [0, -1, 2**31, 10**30])
def test_forged_ids_are_not_found(db: Session, org_id: int) -> None:
    with pytest.raises(NotFound):
        service.get_organisation(db, org_id)


def test_public_directory_is_paged_and_sorted_by_name(db: Session) -> None:
    names = ["zeta", "Alpha", "beta"]
    for name in names:
        make_organisation(db, name=f"Directory {name}")
    listed = [o.name for o in service.list_organisations(db, limit=200) if "Directory" in o.name]
    assert listed == ["Directory Alpha", "Directory beta", "Directory zeta"]
    assert len(service.list_organisations(db, limit=1)) == 1
    assert len(service.list_organisations(db, limit=10_000)) <= service.PAGE_MAX
