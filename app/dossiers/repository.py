"""Every query of the dossiers domain, with its eager loads."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.comments.models import Comment, CommentStatus
from app.consultations.models import AgendaItem, Meeting
from app.dossiers.models import BuildState, Dossier, DossierBuild, DossierEntry, DossierSection
from app.submissions.models import Paper, PaperCosigner, PaperStatus

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer are forged; don't send them to the database
DIGEST_CHOICES_MAX = 500


def valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


# --- the dossier and its sections ----------------------------------------------------------------


def get_dossier(session: Session, meeting_id: int, *, lock: bool = False) -> Dossier | None:
    """`lock`: FOR UPDATE (PostgreSQL; SQLite serialises writers anyway) to serialise builds."""
    stmt = select(Dossier).where(Dossier.meeting_id == meeting_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def get_dossier_by_id(session: Session, dossier_id: int, *, lock: bool = False) -> Dossier | None:
    stmt = select(Dossier).where(Dossier.id == dossier_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def list_sections(session: Session, dossier_id: int) -> list[DossierSection]:
    stmt = select(DossierSection).where(DossierSection.dossier_id == dossier_id)
    return list(session.scalars(stmt))


def list_entries(session: Session, section_ids: Collection[int]) -> list[DossierEntry]:
    if not section_ids:
        return []
    stmt = select(DossierEntry).where(DossierEntry.section_id.in_(section_ids))
    return list(session.scalars(stmt.order_by(DossierEntry.section_id, DossierEntry.position)))


def agenda_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    stmt = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list(session.scalars(stmt.order_by(AgendaItem.position, AgendaItem.id)))


def routed_papers(session: Session, meeting_id: int) -> list[Paper]:
    """Accepted papers of the meeting routed to one of its agenda items, with what a dossier
    shows of them (organisation, confirmed co-signers, versions)."""
    stmt = (
        select(Paper)
        .options(
            joinedload(Paper.organisation),
            selectinload(Paper.versions),
            selectinload(Paper.cosigners).joinedload(PaperCosigner.organisation),
        )
        .join(AgendaItem, AgendaItem.id == Paper.routed_item_id)
        .where(
            Paper.meeting_id == meeting_id,
            AgendaItem.meeting_id == meeting_id,
            Paper.status == PaperStatus.accepted,
        )
        .order_by(Paper.submitted_at, Paper.id)
    )
    return list(session.scalars(stmt))


def published_comments(session: Session, item_ids: Collection[int]) -> list[Comment]:
    """Published comments of the items, oldest first, with their authors and organisations."""
    if not item_ids:
        return []
    stmt = (
        select(Comment)
        .options(joinedload(Comment.author), joinedload(Comment.organisation))
        .where(Comment.agenda_item_id.in_(item_ids), Comment.status == CommentStatus.published)
        .order_by(Comment.created_at, Comment.id)
        .limit(DIGEST_CHOICES_MAX * max(1, len(item_ids)))
    )
    return list(session.scalars(stmt))


# --- builds --------------------------------------------------------------------------------------


def _build_query() -> Select[DossierBuild]:
    return select(DossierBuild).options(joinedload(DossierBuild.built_by))


def get_build(session: Session, build_id: int, *, fresh: bool = False) -> DossierBuild | None:
    if not valid_id(build_id):
        return None
    stmt = _build_query().where(DossierBuild.id == build_id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    build: DossierBuild | None = session.scalar(stmt)
    return build


def get_build_by_number(session: Session, dossier_id: int, number: int) -> DossierBuild | None:
    if not valid_id(number):
        return None
    stmt = _build_query().where(DossierBuild.dossier_id == dossier_id)
    build: DossierBuild | None = session.scalar(stmt.where(DossierBuild.number == number))
    return build


def list_builds(session: Session, dossier_id: int) -> list[DossierBuild]:
    stmt = _build_query().where(DossierBuild.dossier_id == dossier_id)
    return list(session.scalars(stmt.order_by(DossierBuild.number.desc())))


def latest_succeeded(session: Session, dossier_id: int) -> DossierBuild | None:
    stmt = _build_query().where(
        DossierBuild.dossier_id == dossier_id, DossierBuild.state == BuildState.succeeded
    )
    build: DossierBuild | None = session.scalar(stmt.order_by(DossierBuild.number.desc()).limit(1))
    return build


def last_number(session: Session, dossier_id: int) -> int:
    stmt = select(func.max(DossierBuild.number)).where(DossierBuild.dossier_id == dossier_id)
    return session.scalar(stmt) or 0


def running_builds(session: Session, dossier_id: int, except_id: int) -> list[DossierBuild]:
    stmt = select(DossierBuild).where(
        DossierBuild.dossier_id == dossier_id,
        DossierBuild.state == BuildState.running,
        DossierBuild.id != except_id,
    )
    return list(session.scalars(stmt))


def set_progress(session: Session, build_id: int, progress: int, note: str) -> bool:
    """Update a running build's progress; False when it is no longer running."""
    result = session.execute(
        update(DossierBuild)
        .where(DossierBuild.id == build_id, DossierBuild.state == BuildState.running)
        .values(progress=progress, progress_note=note[:200])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def file_keys(session: Session) -> set[str]:
    """Keys of every stored dossier file (for `plenary storage check`)."""
    stmt = select(DossierBuild.pdf_key, DossierBuild.zip_key)
    return {key for row in session.execute(stmt) for key in row if key}


def meeting_of_dossier(session: Session, dossier_id: int) -> Meeting | None:
    stmt = (
        select(Meeting)
        .options(joinedload(Meeting.process))
        .join(Dossier, Dossier.meeting_id == Meeting.id)
        .where(Dossier.id == dossier_id)
    )
    return session.scalar(stmt)


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    if not valid_id(meeting_id):
        return None
    stmt = select(Meeting).options(joinedload(Meeting.process)).where(Meeting.id == meeting_id)
    return session.scalar(stmt)
