"""Who may do what with a meeting's dossier. Pure functions of the user and their process roles.

- Organisers of the process (and platform administrators) compile the dossier: they order the
  papers, write the summaries, choose the comments for the digests and start builds.
- Moderators of the process see the dossier page read-only and download its builds: they
  triaged and routed the papers and check what became of them, but the document the process
  puts its name to is the organisers' to compose.
- Nobody else sees anything of it: a dossier holds papers whose consent may not allow
  publication, and is handed out by the organisers, not by the platform.
- Only a succeeded build is downloadable; queued, running and failed ones have no files.
"""

from __future__ import annotations

from app.accounts.models import User
from app.consultations import policies as process_policies
from app.consultations.policies import Roles
from app.dossiers.models import BuildState
from app.submissions.models import Consent


def can_compile(user: User | None, roles_in_process: Roles) -> bool:
    """Reorder, summarise, choose the digest and build."""
    return process_policies.can_organise(user, roles_in_process)


def can_view(user: User | None, roles_in_process: Roles) -> bool:
    """See the dossier page and its builds, and download succeeded builds."""
    return process_policies.can_moderate(user, roles_in_process)


def is_downloadable(state: BuildState) -> bool:
    return state is BuildState.succeeded


def is_finished(state: BuildState) -> bool:
    return state in (BuildState.succeeded, BuildState.failed)


def may_include(consent: Consent) -> bool:
    """A dossier is handed to delegates: papers meant for the organisers only stay out of it."""
    return consent is not Consent.restricted


def shows_organisation(consent: Consent) -> bool:
    """Papers published anonymously appear without their organisations' names."""
    return consent is Consent.public_named
