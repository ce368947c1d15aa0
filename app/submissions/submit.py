"""Submitting a paper: the checks that need no file, then the rows for a file already received.

The two halves are separate so that a request can run every check before it reads the file,
release its database transaction while the file streams in (an upload can take minutes; a
transaction open that long blocks SQLite writers and idles a PostgreSQL connection), and run the
checks again in the short transaction that writes the rows. A repeated request (the same
idempotency key from the same submitter) returns the paper the first one created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.config import Settings
from app.consultations.models import AgendaItem, Meeting
from app.db import utcnow
from app.errors import AppError, Conflict, Forbidden, FormError, NotFound
from app.i18n import N_, ngettext
from app.i18n import gettext as _
from app.organisations import service as organisations
from app.organisations.models import Organisation, Verification
from app.storage import Storage
from app.submissions import cosign, policies, receipt, repository, tasks, window
from app.submissions.models import (
    ConversionState,
    Paper,
    PaperAgendaItem,
    PaperCosigner,
    PaperStatus,
    PaperVersion,
)
from app.submissions.schemas import PaperCreate
from app.submissions.uploads import ReceivedFile

NO_ITEM = N_("There is no such agenda item in this meeting.")


@dataclass(frozen=True)
class Checked:
    organisation: Organisation
    items: list[AgendaItem]
    cosigners: list[Organisation]


def check_submission(
    session: Session, user: User, meeting: Meeting, data: PaperCreate, now: datetime
) -> Paper | Checked:
    """Everything that decides whether this paper may be submitted, or the earlier paper that
    the same request (same idempotency key) created."""
    if data.idempotency_key:
        earlier = repository.find_by_idempotency_key(session, user.id, data.idempotency_key)
        if earlier is not None:
            if earlier.meeting_id != meeting.id:
                raise Conflict(
                    _("This form was already used to submit a paper to another meeting.")
                )
            return earlier
    org = organisations.get_organisation(session, data.organisation_id)
    if not policies.can_submit_for(organisations.role_of(session, org, user)):
        raise Forbidden(
            _("You are not a member of %(organisation)s, so you cannot submit on its behalf.")
            % {"organisation": org.name}
        )
    if org.verification is Verification.rejected:
        raise Forbidden(
            _(
                "%(organisation)s could not be verified, so it cannot submit papers. Its owners "
                "can correct its profile, which sends it back for verification."
            )
            % {"organisation": org.name}
        )
    items = repository.get_agenda_items(session, data.agenda_item_ids)
    if len(items) != len(data.agenda_item_ids) or any(i.meeting_id != meeting.id for i in items):
        raise NotFound(NO_ITEM)
    window.check_open(meeting, items, window.late_exception_of(session, meeting, org.id), now)

    errors: dict[str, str] = {}
    words = len(data.summary.split())
    if words > meeting.summary_word_limit:
        errors["summary"] = _(
            "Shorten the summary to at most %(maximum)s words (it has %(words)s)."
        ) % {"maximum": meeting.summary_word_limit, "words": words}
    if org.id in data.cosigner_ids:
        errors["cosigner_ids"] = _("Your own organisation cannot co-sign its paper.")
    if errors:
        raise FormError(errors)
    cosigners = repository.get_organisations(session, data.cosigner_ids)
    if len(cosigners) != len(data.cosigner_ids):
        raise NotFound(_("There is no such organisation to ask as a co-signer."))

    submitted = repository.count_active_papers(session, meeting.id, org.id)
    if submitted >= meeting.papers_per_organisation:
        raise AppError(
            ngettext(
                "%(organisation)s has already submitted %(num)s paper to this meeting, the most "
                "it allows. Withdraw it to submit another.",
                "%(organisation)s has already submitted %(num)s papers to this meeting, the most "
                "it allows. Withdraw one to submit another.",
                submitted,
            )
            % {"organisation": org.name, "num": submitted},
            status=409,
            code="paper_limit_reached",
        )
    return Checked(org, items, cosigners)


def new_version(
    paper_id: int, number: int, received: ReceivedFile, user: User, now: datetime
) -> PaperVersion:
    info = received.info
    return PaperVersion(
        paper_id=paper_id,
        number=number,
        file_key=received.key,
        original_name=info.filename,
        kind=info.kind,
        media_type=info.media_type,
        size=received.size,
        sha256=received.sha256,
        pages=info.page_count,
        text=info.text or "",
        conversion_state=(
            ConversionState.not_needed if info.kind == "pdf" else ConversionState.pending
        ),
        scan_state=received.scan_state,
        created_at=now,
        created_by_id=user.id,
    )


def version_summary(version: PaperVersion) -> dict[str, object]:
    """For the audit log: which bytes this version is."""
    return {
        "version": version.number,
        "file": version.original_name,
        "size": version.size,
        "sha256": version.sha256,
    }


def submit_paper(
    session: Session,
    settings: Settings,
    storage: Storage,
    user: User,
    meeting: Meeting,
    data: PaperCreate,
    received: ReceivedFile,
    now: datetime | None = None,
) -> tuple[Paper, bool]:
    """Write the paper for a received file: (paper, True), or (the earlier paper, False) for a
    repeated request. The file is deleted if it does not end up in a row."""
    now = now or utcnow()
    try:
        checked = check_submission(session, user, meeting, data, now)
        if isinstance(checked, Paper):
            storage.delete(received.key)
            return checked, False
        try:
            with session.begin_nested():  # a failure undoes only these writes
                paper = _create(session, user, meeting, data, checked, received, now)
                _after_create(session, settings, user, paper, checked)
        except IntegrityError:
            twin = None
            if data.idempotency_key:  # a concurrent request with the same key won the race
                twin = repository.find_by_idempotency_key(session, user.id, data.idempotency_key)
            if twin is None:
                raise
            storage.delete(received.key)
            return twin, False
    except BaseException:
        storage.delete(received.key)
        raise
    return paper, True


def _create(
    session: Session,
    user: User,
    meeting: Meeting,
    data: PaperCreate,
    checked: Checked,
    received: ReceivedFile,
    now: datetime,
) -> Paper:
    paper = Paper(
        meeting=meeting,
        organisation=checked.organisation,
        submitter=user,
        title=data.title,
        summary=data.summary,
        language=data.language,
        consent=data.consent,
        status=PaperStatus.submitted,
        idempotency_key=data.idempotency_key,
        submitted_at=now,
        updated_at=now,
        agenda_links=[PaperAgendaItem(agenda_item=item) for item in checked.items],
        cosigners=[PaperCosigner(organisation=org, requested_at=now) for org in checked.cosigners],
        versions=[],
    )
    session.add(paper)
    session.flush()
    paper.tracking_number = receipt.tracking_number(paper.id, now)
    paper.versions.append(new_version(paper.id, 1, received, user, now))
    session.flush()
    return paper


def _after_create(
    session: Session, settings: Settings, user: User, paper: Paper, checked: Checked
) -> None:
    version = paper.versions[0]
    audit.record(
        session,
        user,
        "paper.submit",
        "paper",
        paper.id,
        None,
        {
            "tracking_number": paper.tracking_number,
            "meeting_id": paper.meeting_id,
            "organisation_id": paper.organisation_id,
            "title": paper.title,
            "status": paper.status.value,
            "consent": paper.consent.value,
            "agenda_item_ids": [i.id for i in checked.items],
            "cosigner_ids": [o.id for o in checked.cosigners],
            **version_summary(version),
        },
    )
    tasks.queue_processing(session, version)
    receipt.queue_receipt_mail(session, settings, user, paper)
    cosign.queue_requests(session, settings, paper)
