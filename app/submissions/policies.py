"""Who may do what with a paper. Pure functions of the viewer's standing and the paper's state.

- Members of the submitting organisation see their papers; until the paper's deadline they may
  upload a revised version or withdraw it. After the deadline only organisers change anything.
- Members of an organisation asked to co-sign see the paper (they must read what they sign);
  its owners confirm or decline. A declined co-signer no longer sees it.
- Organisers (and platform administrators) of the process see every paper of its meetings and
  may withdraw or replace a file at any time; moderators see every paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.submissions.models import Consent, PaperStatus

REVISABLE = frozenset({PaperStatus.submitted, PaperStatus.revision_requested})
WITHDRAWABLE = frozenset(
    {PaperStatus.submitted, PaperStatus.in_review, PaperStatus.revision_requested}
)


@dataclass(frozen=True)
class PaperAccess:
    """What one user is to one paper."""

    member: bool = False
    """Of the submitting organisation."""
    cosigner_member: bool = False
    """Of an organisation asked to co-sign that has not declined."""
    organiser: bool = False
    """Of the paper's process, or a platform administrator."""
    moderator: bool = False
    """Of the paper's process (organisers moderate too)."""


NOBODY = PaperAccess()


def can_view(access: PaperAccess) -> bool:
    return access.member or access.cosigner_member or access.organiser or access.moderator


def can_view_receipt(access: PaperAccess) -> bool:
    """The receipt proves what the organisation sent: the organisation and the organisers."""
    return access.member or access.organiser


def can_revise(access: PaperAccess, status: PaperStatus, *, before_deadline: bool) -> bool:
    if access.organiser:
        return status is not PaperStatus.withdrawn
    return access.member and before_deadline and status in REVISABLE


def can_withdraw(access: PaperAccess, status: PaperStatus, *, before_deadline: bool) -> bool:
    if access.organiser:
        return status is not PaperStatus.withdrawn
    return access.member and before_deadline and status in WITHDRAWABLE


def can_see_all_papers(*, organises: bool, moderates: bool) -> bool:
    """The list of every paper of a meeting (with the names of the organisations)."""
    return organises or moderates


def can_submit_for(role: object | None) -> bool:
    """Any member of an organisation (owner or member) may submit on its behalf."""
    return role is not None


def can_answer_cosigning(is_owner: bool) -> bool:
    """Only an owner commits the organisation to someone else's paper."""
    return is_owner


def is_published(status: PaperStatus, announced: PaperStatus, consent: Consent) -> bool:
    """Anyone may read an accepted paper once the organisation was told (a staged decision is
    not public yet) and if it agreed to publication."""
    return (
        status is PaperStatus.accepted
        and announced is PaperStatus.accepted
        and consent is not Consent.restricted
    )


def names_organisation(consent: Consent) -> bool:
    """A paper published anonymously is shown without its organisation's name."""
    return consent is Consent.public_named
