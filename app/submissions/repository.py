"""Every query of the submissions domain, with its eager loads."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit.models import AuditEvent
from app.consultations.models import AgendaItem, Meeting
from app.organisations.models import Organisation
from app.submissions.models import (
    Consent,
    LateException,
    Paper,
    PaperAgendaItem,
    PaperCosigner,
    PaperStatus,
    PaperVersion,
)

MAX_ID = 2**31 - 1
PUBLIC_CONSENTS = (Consent.public_named, Consent.public_anonymous)


def _valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


def _paper_query() -> Select[Paper]:
    return select(Paper).options(
        joinedload(Paper.meeting).joinedload(Meeting.process),
        joinedload(Paper.organisation),
        joinedload(Paper.submitter),
        selectinload(Paper.agenda_links).joinedload(PaperAgendaItem.agenda_item),
        selectinload(Paper.versions),
        selectinload(Paper.cosigners).joinedload(PaperCosigner.organisation),
    )


def get_paper(session: Session, paper_id: int, *, fresh: bool = False) -> Paper | None:
    """`fresh`: reload a paper already in the session (its state may have changed since)."""
    if not _valid_id(paper_id):
        return None
    stmt = _paper_query().where(Paper.id == paper_id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    paper: Paper | None = session.scalar(stmt)
    return paper


def find_by_idempotency_key(session: Session, submitter_id: int, key: str) -> Paper | None:
    stmt = _paper_query().where(Paper.submitter_id == submitter_id, Paper.idempotency_key == key)
    paper: Paper | None = session.scalar(stmt)
    return paper


def count_active_papers(session: Session, meeting_id: int, organisation_id: int) -> int:
    stmt = select(func.count(Paper.id)).where(
        Paper.meeting_id == meeting_id,
        Paper.organisation_id == organisation_id,
        Paper.status != PaperStatus.withdrawn,
    )
    return int(session.scalar(stmt) or 0)


def list_papers_of_organisation(session: Session, organisation_id: int) -> list[Paper]:
    """Papers submitted by the organisation, newest first."""
    stmt = (
        _paper_query()
        .where(Paper.organisation_id == organisation_id)
        .order_by(Paper.submitted_at.desc(), Paper.id.desc())
    )
    return list(session.scalars(stmt).unique())


def list_papers_of_meeting(session: Session, meeting_id: int) -> list[Paper]:
    stmt = (
        _paper_query().where(Paper.meeting_id == meeting_id).order_by(Paper.submitted_at, Paper.id)
    )
    return list(session.scalars(stmt).unique())


def list_published_papers(session: Session, meeting_id: int) -> list[Paper]:
    """Papers of the meeting whose acceptance was announced and whose organisations agreed to
    publication (policies.is_published says the same of one paper)."""
    stmt = (
        _paper_query()
        .where(
            Paper.meeting_id == meeting_id,
            Paper.status == PaperStatus.accepted,
            Paper.announced_status == PaperStatus.accepted,
            Paper.consent.in_(PUBLIC_CONSENTS),
        )
        .order_by(Paper.submitted_at, Paper.id)
    )
    return list(session.scalars(stmt).unique())


def list_cosigned_papers(session: Session, organisation_id: int) -> list[Paper]:
    """Papers on which the organisation was asked to co-sign (any answer), newest first."""
    stmt = (
        _paper_query()
        .join(PaperCosigner, PaperCosigner.paper_id == Paper.id)
        .where(PaperCosigner.organisation_id == organisation_id)
        .order_by(Paper.submitted_at.desc(), Paper.id.desc())
    )
    return list(session.scalars(stmt).unique())


def get_cosigner(session: Session, paper_id: int, organisation_id: int) -> PaperCosigner | None:
    if not (_valid_id(paper_id) and _valid_id(organisation_id)):
        return None
    stmt = select(PaperCosigner).where(
        PaperCosigner.paper_id == paper_id, PaperCosigner.organisation_id == organisation_id
    )
    cosigner: PaperCosigner | None = session.scalar(stmt)
    return cosigner


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    """A meeting for the API's upload route (the consultations service finds them by slug)."""
    if not _valid_id(meeting_id):
        return None
    stmt = (
        select(Meeting)
        .options(joinedload(Meeting.process), selectinload(Meeting.agenda_items))
        .where(Meeting.id == meeting_id)
    )
    meeting: Meeting | None = session.scalar(stmt)
    return meeting


def get_agenda_items(session: Session, item_ids: Collection[int]) -> list[AgendaItem]:
    ids = [i for i in item_ids if _valid_id(i)]
    if not ids:
        return []
    stmt = select(AgendaItem).where(AgendaItem.id.in_(ids)).order_by(AgendaItem.position)
    return list(session.scalars(stmt))


def get_organisations(session: Session, org_ids: Collection[int]) -> list[Organisation]:
    ids = [i for i in org_ids if _valid_id(i)]
    if not ids:
        return []
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(ids))))


def meeting_id_of_paper(session: Session, paper_id: int) -> int | None:
    meeting_id: int | None = session.scalar(select(Paper.meeting_id).where(Paper.id == paper_id))
    return meeting_id


def get_version(session: Session, version_id: int) -> PaperVersion | None:
    stmt = (
        select(PaperVersion)
        .options(joinedload(PaperVersion.paper))
        .where(PaperVersion.id == version_id)
    )
    version: PaperVersion | None = session.scalar(stmt)
    return version


def paper_history(session: Session, paper_ids: Collection[int]) -> list[AuditEvent]:
    """The audit events of these papers, oldest first (status changes, versions, co-signing)."""
    if not paper_ids:
        return []
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "paper", AuditEvent.object_id.in_(list(paper_ids)))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(session.scalars(stmt))


# --- late-submission exceptions ---------------------------------------------------------------


def get_late_exception(
    session: Session, meeting_id: int, organisation_id: int
) -> LateException | None:
    stmt = select(LateException).where(
        LateException.meeting_id == meeting_id, LateException.organisation_id == organisation_id
    )
    exception: LateException | None = session.scalar(stmt)
    return exception


def get_late_exception_by_id(session: Session, exception_id: int) -> LateException | None:
    if not _valid_id(exception_id):
        return None
    stmt = (
        select(LateException)
        .options(joinedload(LateException.organisation))
        .where(LateException.id == exception_id)
    )
    exception: LateException | None = session.scalar(stmt)
    return exception


def list_late_exceptions(session: Session, meeting_id: int) -> list[LateException]:
    stmt = (
        select(LateException)
        .options(joinedload(LateException.organisation))
        .where(LateException.meeting_id == meeting_id)
        .order_by(LateException.created_at, LateException.id)
    )
    return list(session.scalars(stmt))


def organisation_choices(session: Session, limit: int = 500) -> list[Organisation]:
    """Organisations to offer as co-signers or for an exception, by name."""
    stmt = select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)
    return list(session.scalars(stmt.limit(limit)))


# --- storage ----------------------------------------------------------------------------------


def referenced_file_keys(session: Session) -> set[str]:
    """Every storage key a row refers to (originals and PDF renditions)."""
    originals = session.scalars(select(PaperVersion.file_key))
    renditions = session.scalars(
        select(PaperVersion.pdf_key).where(PaperVersion.pdf_key.is_not(None))
    )
    return {key for key in (*originals, *renditions) if key}
