"""Who may do what with evaluation questionnaires. Pure functions of the user, their roles in
the meeting's process, and the questionnaire's state.

- Organisers of the process (and platform administrators) build questionnaires, open and close
  them, and read the results. Moderators have no part in it: evaluation is the organisers' job.
- Drafts are the organisers' alone; nobody else learns that one exists (404, not 403).
- Any signed-in person answers an open questionnaire once: on behalf of one of their
  organisations (its country counts, and the organisation answers only once, whoever of its
  members does it), or as an individual participant who names their country. The evaluations
  domain cannot consult the impact domain's participant lists (imports go one way), so an
  open questionnaire is open to every signed-in participant; organisers share its link with
  the meeting's participants.
- Answers are read only in aggregate and by organisers; respondents' names are never shown.
"""

from __future__ import annotations

from datetime import datetime

from app.accounts.models import User
from app.consultations import policies as process_policies
from app.consultations.policies import Roles
from app.evaluations.models import Questionnaire, QuestionnaireState
from app.organisations.models import Organisation, Verification


def can_manage(user: User | None, roles_in_process: Roles) -> bool:
    """Build, open, close, and read the results."""
    return process_policies.can_organise(user, roles_in_process)


def can_see(user: User | None, roles_in_process: Roles, state: QuestionnaireState) -> bool:
    if state is QuestionnaireState.draft:
        return can_manage(user, roles_in_process)
    return user is not None


def questions_editable(state: QuestionnaireState) -> bool:
    """Questions change only while nobody can have answered them."""
    return state is QuestionnaireState.draft


def settings_editable(state: QuestionnaireState) -> bool:
    """Title, introduction and dates: until the questionnaire is closed."""
    return state is not QuestionnaireState.closed


def can_open(state: QuestionnaireState) -> bool:
    return state in (QuestionnaireState.draft, QuestionnaireState.closed)


def can_close(state: QuestionnaireState) -> bool:
    return state is QuestionnaireState.open


def is_accepting(questionnaire: Questionnaire, now: datetime) -> bool:
    """Open, and within its dates when it has them."""
    if questionnaire.state is not QuestionnaireState.open:
        return False
    if questionnaire.opens_at is not None and now < questionnaire.opens_at:
        return False
    return questionnaire.closes_at is None or now < questionnaire.closes_at


def may_answer_for(organisation: Organisation) -> bool:
    """Members answer for their organisation unless its verification was refused."""
    return organisation.verification is not Verification.rejected
