"""Who sees what on a process's dashboard.

The dashboard is public, like what it is made of: app/impact/policies.py makes a recommendation
public once adopted, and the follow-up reports on it public with it (accountability statements
published by their authors). So anyone, signed in or not, sees the dashboard of the adopted
recommendations, with the same downloads and API.

Two things depend on the viewer:
- Recommendations not yet adopted (drafts) are counted only for those who may manage the
  process's recommendations (its organisers and platform administrators), as on the
  recommendation pages; the page says so.
- Civil-society inputs are counted from every paper submitted for organisers and moderators,
  and otherwise only from papers whose authors agreed to publication: a paper meant for the
  organisers alone must not be revealed, even as one in a count of a country's papers.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.consultations import policies as process_policies
from app.consultations.policies import Roles
from app.impact import policies as impact_policies


@dataclass(frozen=True)
class Audience:
    include_drafts: bool = False  # count recommendations not adopted yet
    all_inputs: bool = False  # count papers meant for the organisers only


PUBLIC = Audience()


def can_view_dashboard(user: User | None, roles_in_process: Roles) -> bool:
    return True


def audience_of(user: User | None, roles_in_process: Roles) -> Audience:
    return Audience(
        include_drafts=impact_policies.can_manage(user, roles_in_process),
        all_inputs=process_policies.can_moderate(user, roles_in_process),
    )
