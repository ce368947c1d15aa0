"""Published papers: what anyone, signed in or not, may read of a meeting's accepted papers.

A paper is published once its acceptance was announced to the organisation and if the
organisation agreed to publication; one published anonymously appears without its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.consultations.models import AgendaItem, Meeting
from app.errors import NotFound
from app.i18n import gettext as _
from app.submissions import policies, repository
from app.submissions.models import Paper, PaperVersion


@dataclass(frozen=True)
class ItemPapers:
    item: AgendaItem
    papers: list[Paper]


def is_published(paper: Paper) -> bool:
    return policies.is_published(paper.status, paper.announced_status, paper.consent)


def published_by_item(session: Session, meeting: Meeting) -> list[ItemPapers]:
    """The meeting's published papers under each agenda item they address, in agenda order."""
    papers = repository.list_published_papers(session, meeting.id)
    return [
        ItemPapers(
            item, [p for p in papers if item.id in {a.agenda_item_id for a in p.agenda_links}]
        )
        for item in meeting.agenda_items
    ]


def get_published_paper(session: Session, paper_id: int) -> Paper:
    """A paper nobody may read yet is unknown to the public (404, not 403)."""
    paper = repository.get_paper(session, paper_id)
    if paper is None or not is_published(paper):
        raise NotFound(_("There is no such published paper."))
    return paper


def published_version(paper: Paper) -> PaperVersion:
    """The newest version: the one the moderators accepted or a later correction."""
    return max(paper.versions, key=lambda version: version.number)


def public_filename(paper: Paper, extension: str) -> str:
    """Named by tracking number: an original file name may carry the organisation's name."""
    return f"{paper.tracking_number or paper.id}.{extension}"
