"""The moderation rules on their own: transitions, reasons, routing, who may do what, regions."""

from __future__ import annotations

import pycountry
import pytest

from app.consultations.service import ProcessPermissions
from app.moderation import policies, regions
from app.submissions.models import PaperStatus as S

DECIDABLE = [S.in_review, S.accepted, S.rejected, S.revision_requested]


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition(current: S, target: S) -> None:
    expected = (
        current not in (S.draft, S.withdrawn) and target in DECIDABLE and target is not current
    )
    assert policies.can_transition(current, target) is expected


def test_the_workflow_order_of_possible_decisions() -> None:
    assert policies.allowed_targets(S.submitted) == DECIDABLE
    assert policies.allowed_targets(S.in_review) == [S.accepted, S.rejected, S.revision_requested]
    assert policies.allowed_targets(S.accepted) == [S.in_review, S.rejected, S.revision_requested]
    assert policies.allowed_targets(S.withdrawn) == []
    assert policies.allowed_targets(S.draft) == []


def test_moderators_never_set_submitted_withdrawn_or_draft() -> None:
    for target in (S.submitted, S.withdrawn, S.draft):
        assert not any(policies.can_transition(current, target) for current in S)


def test_a_reason_is_needed_to_reject_or_ask_for_a_revision() -> None:
    assert {s for s in S if policies.needs_reason(s)} == {S.rejected, S.revision_requested}


def test_only_accepted_papers_are_routed() -> None:
    assert [s for s in S if policies.can_route(s)] == [S.accepted]


@pytest.mark.parametrize(
    ("previous", "announced", "mailed"),
    [
        (S.submitted, S.in_review, False),  # starting the review is no news
        (S.in_review, S.accepted, True),
        (S.submitted, S.rejected, True),
        (S.in_review, S.revision_requested, True),
        (S.accepted, S.in_review, True),  # a decision taken back
        (S.accepted, S.accepted, False),
    ],
)
def test_which_announcements_are_mailed(previous: S, announced: S, mailed: bool) -> None:
    assert policies.is_notified(previous, announced) is mailed


@pytest.mark.parametrize(
    ("can", "triage", "release"),
    [
        (ProcessPermissions(), False, False),
        (ProcessPermissions(moderate=True), True, False),
        (ProcessPermissions(organise=True, moderate=True, manage_roles=True), True, True),
    ],
)
def test_who_triages_and_who_releases(can: ProcessPermissions, triage: bool, release: bool) -> None:
    assert policies.can_triage(can) is triage
    assert policies.can_release(can) is release
    assert policies.can_manage_reason_codes(can) is release


def test_every_country_but_antarctica_has_a_un_region() -> None:
    missing = {c.alpha_2 for c in pycountry.countries if regions.subregion_of(c.alpha_2) is None}
    assert missing == {"AQ"}


def test_regions_contain_their_subregions_countries() -> None:
    assert regions.subregion_of("kg") == "143"
    assert "KG" in regions.countries_in("143")
    assert "KG" in regions.countries_in("142")  # Asia
    assert "FR" not in regions.countries_in("142")
    assert regions.countries_in("999") == frozenset()
    assert regions.region_name("143", "fr") == "Asie centrale"
    codes = [code for code, _label in regions.region_choices("en")]
    assert len(codes) == len(set(codes)) == len(regions.REGION_CODES)
