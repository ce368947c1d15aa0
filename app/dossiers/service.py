"""A meeting's dossier as organisers compose it: one section per agenda item, in agenda order,
holding the accepted papers routed to it in the organiser's order, an editorial summary and a
digest of chosen published comments. Services flush; the request commits.

Nothing is stored until an organiser changes something: the Dossier row and its sections are
created on the first edit or build. A paper routed after the organiser last ordered its section
comes after the ordered ones, oldest submission first. Builds live in builds.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.comments.models import Comment
from app.consultations import service as consultations
from app.consultations.models import AgendaItem, Meeting
from app.dossiers import policies, repository
from app.dossiers.models import Dossier, DossierEntry, DossierSection
from app.dossiers.schemas import DigestInput, Direction, SectionUpdate, SummaryInput
from app.errors import Forbidden, FormError, NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.submissions.models import ConversionState, Paper, PaperVersion

NO_ITEM = N_("There is no such agenda item in this meeting.")
NO_PAPER = N_("This paper is not in this section of the dossier.")


@dataclass
class SectionView:
    item: AgendaItem
    section: DossierSection | None
    papers: list[Paper] = field(default_factory=list)  # included, in the organiser's order
    withheld: list[Paper] = field(default_factory=list)  # routed, but consent keeps them out
    comments: list[Comment] = field(default_factory=list)  # published: digest candidates

    @property
    def summary(self) -> str:
        return self.section.summary if self.section else ""

    @property
    def digest_ids(self) -> list[int]:
        return list(self.section.digest_comment_ids) if self.section else []

    @property
    def digest(self) -> list[Comment]:
        chosen = set(self.digest_ids)
        return [c for c in self.comments if c.id in chosen]


@dataclass
class DossierView:
    meeting: Meeting
    dossier: Dossier | None
    sections: list[SectionView]

    def section_for(self, item_id: int) -> SectionView:
        for section in self.sections:
            if section.item.id == item_id:
                return section
        raise NotFound(NO_ITEM)

    @property
    def paper_count(self) -> int:
        return sum(len(s.papers) for s in self.sections)

    @property
    def waiting_for_conversion(self) -> list[Paper]:
        return [
            p
            for s in self.sections
            for p in s.papers
            if (v := current_version(p)) and v.conversion_state is ConversionState.pending
        ]


def current_version(paper: Paper) -> PaperVersion | None:
    return paper.versions[-1] if paper.versions else None


def pdf_key_of(version: PaperVersion) -> str | None:
    """The key of the version's PDF: the file itself, or its converted copy (None: neither)."""
    if version.kind == "pdf":
        return version.file_key
    return version.pdf_key if version.conversion_state is ConversionState.done else None


# --- reading -------------------------------------------------------------------------------------


def roles_allow(session: Session, user: User, meeting: Meeting) -> tuple[bool, bool]:
    """(may view, may compile) this meeting's dossier."""
    roles = consultations.roles_in(session, user, meeting.process_id)
    return policies.can_view(user, roles), policies.can_compile(user, roles)


def require_viewer(session: Session, user: User, meeting: Meeting) -> None:
    if not roles_allow(session, user, meeting)[0]:
        raise Forbidden(
            _("Only the organisers and moderators of this process can see its dossier.")
        )


def require_compiler(session: Session, user: User, meeting: Meeting) -> None:
    if not roles_allow(session, user, meeting)[1]:
        raise Forbidden(_("Only the organisers of this process can compile its dossier."))


def dossier_view(session: Session, meeting: Meeting, *, with_comments: bool = True) -> DossierView:
    dossier = repository.get_dossier(session, meeting.id)
    rows = repository.list_sections(session, dossier.id) if dossier else []
    sections = {s.agenda_item_id: s for s in rows}
    positions = {
        (e.section_id, e.paper_id): e.position
        for e in repository.list_entries(session, [s.id for s in sections.values()])
    }
    items = repository.agenda_items(session, meeting.id)
    views = {item.id: SectionView(item, sections.get(item.id)) for item in items}
    for paper in repository.routed_papers(session, meeting.id):
        view = views.get(paper.routed_item_id or 0)
        if view is None:
            continue
        (view.papers if policies.may_include(paper.consent) else view.withheld).append(paper)
    for view in views.values():  # routed papers are in submission order; stable sort keeps it
        _place(view, positions)
    if with_comments:
        for comment in repository.published_comments(session, list(views)):
            views[comment.agenda_item_id].comments.append(comment)
    return DossierView(meeting, dossier, [views[item.id] for item in items])


def _place(view: SectionView, positions: dict[tuple[int, int], int]) -> None:
    """The organiser's order first; papers never placed follow, in submission order."""
    if view.section is None:
        return
    section_id, unplaced = view.section.id, 1 << 30
    view.papers.sort(key=lambda p: positions.get((section_id, p.id), unplaced))


# --- writing -------------------------------------------------------------------------------------


def ensure_dossier(session: Session, meeting: Meeting) -> Dossier:
    dossier = repository.get_dossier(session, meeting.id)
    if dossier is not None:
        return dossier
    try:
        with session.begin_nested():
            dossier = Dossier(meeting_id=meeting.id)
            session.add(dossier)
    except IntegrityError:  # created by a concurrent request a moment ago
        dossier = repository.get_dossier(session, meeting.id)
        if dossier is None:
            raise
    return dossier


def ensure_section(session: Session, view: DossierView, section: SectionView) -> DossierSection:
    if section.section is not None:
        return section.section
    dossier = view.dossier or ensure_dossier(session, view.meeting)
    view.dossier = dossier
    row = DossierSection(
        dossier_id=dossier.id, agenda_item_id=section.item.id, summary="", digest_comment_ids=[]
    )
    session.add(row)
    session.flush()
    section.section = row
    return row


def _write_order(session: Session, row: DossierSection, papers: list[Paper]) -> None:
    existing = {e.paper_id: e for e in repository.list_entries(session, [row.id])}
    for position, paper in enumerate(papers, start=1):
        entry = existing.pop(paper.id, None)
        if entry is None:
            session.add(DossierEntry(section_id=row.id, paper_id=paper.id, position=position))
        else:
            entry.position = position
    for stale in existing.values():  # papers no longer routed here
        session.delete(stale)
    session.flush()


def _order_audit(papers: list[Paper]) -> list[int]:
    return [p.id for p in papers]


def set_order(
    session: Session, actor: User, view: DossierView, item_id: int, paper_ids: list[int]
) -> SectionView:
    section = view.section_for(item_id)
    by_id = {p.id: p for p in section.papers}
    if sorted(paper_ids) != sorted(by_id):
        raise FormError(
            {"paper_ids": _("List every paper of this section exactly once, in the new order.")}
        )
    before = _order_audit(section.papers)
    section.papers = [by_id[paper_id] for paper_id in paper_ids]
    if before != paper_ids:
        row = ensure_section(session, view, section)
        _write_order(session, row, section.papers)
        audit.record(
            session, actor, "dossier.reorder", "dossier_section", row.id,
            {"paper_ids": before}, {"paper_ids": paper_ids},
        )  # fmt: skip
    return section


def move_paper(
    session: Session,
    actor: User,
    view: DossierView,
    item_id: int,
    paper_id: int,
    direction: Direction,
) -> SectionView:
    section = view.section_for(item_id)
    ids = [p.id for p in section.papers]
    if paper_id not in ids:
        raise NotFound(NO_PAPER)
    index = ids.index(paper_id)
    target = index - 1 if direction is Direction.up else index + 1
    if 0 <= target < len(ids):
        ids.insert(target, ids.pop(index))
    return set_order(session, actor, view, item_id, ids)


def set_summary(
    session: Session, actor: User, view: DossierView, item_id: int, data: SummaryInput
) -> SectionView:
    section = view.section_for(item_id)
    if data.summary == section.summary:
        return section
    row = ensure_section(session, view, section)
    before = row.summary
    row.summary = data.summary
    session.flush()
    audit.record(
        session, actor, "dossier.summary", "dossier_section", row.id,
        {"summary": before}, {"summary": data.summary},
    )  # fmt: skip
    return section


def set_digest(
    session: Session, actor: User, view: DossierView, item_id: int, data: DigestInput
) -> SectionView:
    section = view.section_for(item_id)
    published = {c.id for c in section.comments}
    unknown = [i for i in data.comment_ids if i not in published]
    if unknown:
        raise FormError({"comment_ids": _("Choose published comments on this agenda item only.")})
    chosen = [c.id for c in section.comments if c.id in set(data.comment_ids)]
    if chosen == section.digest_ids:
        return section
    row = ensure_section(session, view, section)
    before = list(row.digest_comment_ids)
    row.digest_comment_ids = chosen
    session.flush()
    audit.record(
        session, actor, "dossier.digest", "dossier_section", row.id,
        {"comment_ids": before}, {"comment_ids": chosen},
    )  # fmt: skip
    return section


def update_section(
    session: Session, actor: User, view: DossierView, item_id: int, data: SectionUpdate
) -> SectionView:
    """The API's PATCH: order, summary and digest in one call (each only when given)."""
    section = view.section_for(item_id)
    if data.paper_ids is not None:
        section = set_order(session, actor, view, item_id, data.paper_ids)
    if data.summary is not None:
        section = set_summary(session, actor, view, item_id, SummaryInput(summary=data.summary))
    if data.digest_comment_ids is not None:
        digest = DigestInput(comment_ids=data.digest_comment_ids)
        section = set_digest(session, actor, view, item_id, digest)
    return section


def referenced_file_keys(session: Session) -> set[str]:
    """Every stored dossier file (PDF and ZIP of each build), for `plenary storage check`."""
    return repository.file_keys(session)
