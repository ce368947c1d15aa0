"""Joint submissions: co-signing organisations are asked by e-mail, and count once an owner
of each confirms. Members see pending requests on their organisation's submissions page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app import audit, mail
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import gettext as _
from app.i18n import using_locale
from app.organisations import service as organisations
from app.organisations.models import MemberRole, Organisation
from app.submissions import policies
from app.submissions.models import Paper, PaperCosigner, PaperStatus


def queue_requests(session: Session, settings: Settings, paper: Paper) -> None:
    """E-mail the owners of every organisation asked to co-sign."""
    link_base = settings.base_url
    for cosigner in paper.cosigners:
        org = cosigner.organisation
        for membership in organisations.list_members(session, org):
            if membership.role is not MemberRole.owner or not membership.user.email:
                continue
            with using_locale(membership.user.locale):
                body = "\n".join(
                    [
                        _("%(requester)s asks %(organisation)s to co-sign a position paper.")
                        % {"requester": paper.organisation.name, "organisation": org.name},
                        "",
                        _("Title: %(title)s") % {"title": paper.title},
                        _("Meeting: %(meeting)s") % {"meeting": paper.meeting.title},
                        _("Tracking number: %(number)s") % {"number": paper.tracking_number},
                        "",
                        _(
                            "The paper counts as a joint submission of your organisation only "
                            "once an owner confirms. Read it, then confirm or decline here:"
                        ),
                        f"{link_base}/organisations/{org.id}/submissions",
                        "",
                        "Plenary",
                    ]
                )
                subject = (_("Co-signing request: %(title)s") % {"title": paper.title})[:200]
            mail.queue_mail(session, membership.user.email, subject, body)


def _cosigner(session: Session, paper: Paper, org: Organisation) -> PaperCosigner:
    for cosigner in paper.cosigners:
        if cosigner.organisation_id == org.id:
            return cosigner
    raise NotFound(_("This organisation was not asked to co-sign this paper."))


def answer(
    session: Session,
    settings: Settings,
    actor: User,
    paper: Paper,
    org: Organisation,
    *,
    confirm: bool,
    now: datetime | None = None,
) -> PaperCosigner:
    """An owner of `org` confirms or declines; the answer is final and audited."""
    now = now or utcnow()
    cosigner = _cosigner(session, paper, org)
    role = organisations.role_of(session, org, actor)
    if not policies.can_answer_cosigning(role is MemberRole.owner):
        raise Forbidden(
            _("Only the owners of %(organisation)s can answer a co-signing request.")
            % {"organisation": org.name}
        )
    if cosigner.confirmed_at is not None or cosigner.declined_at is not None:
        raise Conflict(
            _("%(organisation)s has already answered this request.") % {"organisation": org.name}
        )
    if paper.status is PaperStatus.withdrawn:
        raise Conflict(_("This paper was withdrawn; there is nothing to co-sign."))
    if confirm:
        cosigner.confirmed_at = now
    else:
        cosigner.declined_at = now
    cosigner.decided_by_id = actor.id
    session.flush()
    action = "paper.cosign.confirm" if confirm else "paper.cosign.decline"
    audit.record(
        session,
        actor,
        action,
        "paper",
        paper.id,
        None,
        {"organisation_id": org.id, "organisation_name": org.name},
    )
    if paper.submitter is not None and paper.submitter.email:
        values = {"organisation": org.name, "number": paper.tracking_number, "title": paper.title}
        with using_locale(paper.submitter.locale):
            if confirm:
                subject = _("%(organisation)s confirmed co-signing %(number)s") % values
                text = _(
                    "%(organisation)s confirmed co-signing your organisation's paper “%(title)s”."
                )
            else:
                subject = _("%(organisation)s declined co-signing %(number)s") % values
                text = _(
                    "%(organisation)s declined co-signing your organisation's paper “%(title)s”."
                )
        body = f"{text % values}\n\n{settings.base_url}/papers/{paper.id}\n\nPlenary"
        mail.queue_mail(session, paper.submitter.email, subject[:200], body)
    return cosigner
