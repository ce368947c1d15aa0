"""Who may do what with recommendations and follow-up reports. Pure functions.

- Recommendations are public once adopted (they have an adoption date); drafts are seen by the
  process's organisers only. Follow-up reports on a public recommendation are public too, with
  their evidence: they are accountability statements, published by their authors.
- Organisers of the process (and platform administrators) record recommendations, their
  citations, the meetings' participants, the reporting rounds and the country focal points.
- A country focal point files *official* reports for its own country, in its own process, and
  only on recommendations that address that country. Nobody else does — not an organiser, not
  an administrator, not an organisation: an official report speaks for a government.
- A member of a verified organisation files *shadow* reports for that organisation, on any
  country a recommendation addresses. They sit beside the official report and are never merged.
- Nobody edits a report: a correction is a new version, and every version stays readable.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date

from app.accounts.models import User
from app.consultations import policies as process_policies
from app.consultations.policies import Roles
from app.organisations.models import Membership, Verification


def can_manage(user: User | None, roles_in_process: Roles) -> bool:
    """Record recommendations, citations, participants, rounds and focal points."""
    return process_policies.can_organise(user, roles_in_process)


def is_public(adopted_on: date | None, today: date) -> bool:
    return adopted_on is not None and adopted_on <= today


def can_view_recommendation(
    user: User | None, roles_in_process: Roles, adopted_on: date | None, today: date
) -> bool:
    return is_public(adopted_on, today) or can_manage(user, roles_in_process)


def can_file_official(
    user: User | None, focal_countries: Set[str], country: str, addressed: Set[str]
) -> bool:
    """`focal_countries`: the countries the user is focal point for in this process."""
    return user is not None and country in focal_countries and country in addressed


def reports_for_organisation(membership: Membership) -> bool:
    """Whether this membership lets its user file shadow reports (a verified organisation)."""
    return membership.organisation.verification is Verification.verified


def can_file_shadow(
    user: User | None, membership: Membership | None, country: str, addressed: Set[str]
) -> bool:
    """`membership`: the user's membership (with its organisation loaded) of the organisation."""
    if user is None or membership is None or membership.user_id != user.id:
        return False
    return reports_for_organisation(membership) and country in addressed
