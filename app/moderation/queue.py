"""The triage queue of a meeting: filters as SQL conditions, keyset cursors, pages, export rows.

Pages are keyset-paginated: the cursor holds the sort value and id of the last row shown, and
the next page starts strictly after it ((value, id) > (v, i) as a row-value comparison, which
the indexes (meeting_id, submitted_at, id) and (meeting_id, title, id) answer directly). No page
is ever found by OFFSET, so a page deep in 50,000 papers costs what the first one does, and
rows inserted meanwhile neither repeat nor vanish from later pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, exists, false, select, tuple_
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.consultations.models import Meeting
from app.errors import FormError
from app.i18n import N_
from app.moderation import regions, repository
from app.moderation.schemas import QueueFilters
from app.organisations.models import Organisation, Verification
from app.submissions.models import (
    ConversionState,
    Paper,
    PaperAgendaItem,
    PaperStatus,
    PaperVersion,
    ScanState,
)
from app.submissions.search import is_common, keep_matching, matching_papers_clause

PAGE_SIZE = 50
STALE_CURSOR = N_(
    "This page link no longer fits the list's order. Start again from the first page."
)


# --- cursors -----------------------------------------------------------------------------------


def _sort_column(sort: str) -> Any:
    return Paper.title if sort.lstrip("-") == "title" else Paper.submitted_at


def encode_cursor(sort: str, paper: Paper) -> str:
    value: Any = paper.title if sort.lstrip("-") == "title" else paper.submitted_at.isoformat()
    raw = json.dumps([sort, value, paper.id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> tuple[Any, int]:
    """(sort value, paper id) of the last row of the previous page; FormError when forged."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, paper_id = json.loads(raw)
        if cursor_sort != sort or not isinstance(paper_id, int) or not isinstance(value, str):
            raise ValueError
        if sort.lstrip("-") == "received":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise FormError({"cursor": STALE_CURSOR}, STALE_CURSOR) from None
    return value, paper_id


def _after(sort: str, cursor: str) -> ColumnElement[bool]:
    return _after_key(sort, *decode_cursor(sort, cursor))


def _after_key(sort: str, value: Any, paper_id: int) -> ColumnElement[bool]:
    column = _sort_column(sort)
    key = tuple_(column, Paper.id)
    bound = tuple_(bindparam(None, value, type_=column.type), bindparam(None, paper_id))
    return key < bound if sort.startswith("-") else key > bound


def _order(sort: str) -> list[Any]:
    column = _sort_column(sort)
    if sort.startswith("-"):
        return [column.desc(), Paper.id.desc()]
    return [column.asc(), Paper.id.asc()]


# --- filters -----------------------------------------------------------------------------------


def _current_version_is(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The paper's newest version meets `condition` (stated on PaperVersion)."""
    newer = aliased(PaperVersion)
    return exists(
        select(PaperVersion.id).where(
            PaperVersion.paper_id == Paper.id,
            condition,
            ~exists(
                select(newer.id).where(
                    newer.paper_id == PaperVersion.paper_id, newer.number > PaperVersion.number
                )
            ),
        )
    )


def _flag(name: str, meeting: Meeting) -> ColumnElement[bool]:
    if name == "duplicate":
        return Paper.duplicate_group.is_not(None)
    if name == "not_convertible":
        return _current_version_is(PaperVersion.conversion_state == ConversionState.failed)
    if name == "not_scanned":
        return _current_version_is(PaperVersion.scan_state == ScanState.not_scanned)
    if name == "staged":
        return Paper.status != Paper.announced_status
    if name == "unrouted":
        return (Paper.status == PaperStatus.accepted) & Paper.routed_item_id.is_(None)
    # late: received after the meeting's window closed (a late-submission exception)
    closes = meeting.submissions_close_at
    if closes is None:
        return false()  # nothing is late without a deadline
    return Paper.submitted_at > bindparam(None, closes, type_=Paper.submitted_at.type)


def conditions(
    session: Session, meeting: Meeting, filters: QueueFilters, user: User, *, search: bool = True
) -> list[ColumnElement[bool]]:
    """Every filter as a condition on Paper (and Organisation, which the queue joins); the
    full-text search too unless `search` is False."""
    where: list[ColumnElement[bool]] = [Paper.meeting_id == meeting.id]
    if filters.status:
        where.append(Paper.status.in_(filters.status))
    for item_id in filters.item:
        where.append(
            exists(
                select(PaperAgendaItem.paper_id).where(
                    PaperAgendaItem.paper_id == Paper.id,
                    PaperAgendaItem.agenda_item_id == item_id,
                )
            )
        )
    if filters.language:
        where.append(Paper.language.in_(filters.language))
    if filters.org_type:
        where.append(Organisation.type.in_(filters.org_type))
    if filters.country:
        where.append(Organisation.country.in_(filters.country))
    if filters.region:
        where.append(Organisation.country.in_(sorted(regions.countries_in(filters.region))))
    if filters.verified == "yes":
        where.append(Organisation.verification == Verification.verified)
    elif filters.verified == "no":
        where.append(Organisation.verification != Verification.verified)
    if filters.assignee == "me":
        where.append(Paper.assignee_id == user.id)
    elif filters.assignee == "none":
        where.append(Paper.assignee_id.is_(None))
    elif filters.assignee is not None:
        where.append(Paper.assignee_id == int(filters.assignee))
    where += [_flag(name, meeting) for name in dict.fromkeys(filters.flag)]
    if filters.cluster is not None:
        where.append(Paper.duplicate_group == filters.cluster)
    if search and filters.q.strip():
        matching = matching_papers_clause(session, filters.q)
        if matching is not None:
            where.append(matching)
    return where


# --- pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    paper: Paper
    current: PaperVersion | None
    item_numbers: list[str]
    duplicates: int
    """How many papers are in its near-duplicate cluster (itself included); 0: none."""

    @property
    def staged(self) -> bool:
        return self.paper.status is not self.paper.announced_status


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def rows_for(session: Session, papers: list[Paper]) -> list[QueueRow]:
    groups = {p.duplicate_group for p in papers if p.duplicate_group is not None}
    sizes = repository.cluster_sizes(session, groups) if groups else {}
    return [
        QueueRow(
            paper=paper,
            current=paper.versions[-1] if paper.versions else None,
            item_numbers=[
                link.agenda_item.number
                for link in sorted(paper.agenda_links, key=lambda li: li.agenda_item.position)
            ],
            duplicates=sizes.get(paper.duplicate_group or 0, 0),
        )
        for paper in papers
    ]


def page(
    session: Session,
    meeting: Meeting,
    filters: QueueFilters,
    user: User,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    common = bool(filters.q.strip()) and is_common(session, meeting.id, filters.q)
    where = conditions(session, meeting, filters, user, search=not common)
    if filters.cursor:
        where.append(_after(filters.sort, filters.cursor))
    if common:
        ids = _common_matches_in_order(session, where, filters, limit + 1)
        where = [Paper.id.in_(ids)]
    papers = repository.queue_papers(session, where, _order(filters.sort), limit + 1)
    more = len(papers) > limit
    papers = papers[:limit]
    next_cursor = encode_cursor(filters.sort, papers[-1]) if more and papers else None
    return QueuePage(rows_for(session, papers), next_cursor)


CANDIDATES = 256
MAX_ROUNDS = 8


def _common_matches_in_order(
    session: Session, where: list[ColumnElement[bool]], filters: QueueFilters, wanted: int
) -> list[int]:
    """The first `wanted` papers in the queue's order that meet `where` and match a common
    search: candidates are taken in order, CANDIDATES at a time, and checked against the
    search. Should the search prove rare among these filters, the rest is found by
    collecting the matches after all, so no page costs more than MAX_ROUNDS rounds."""
    order = _order(filters.sort)
    found: list[int] = []
    last: tuple[int, Any] | None = None
    for _ in range(MAX_ROUNDS):
        after = [_after_key(filters.sort, last[1], last[0])] if last else []
        keys = repository.queue_keys(
            session, [*where, *after], order, _sort_column(filters.sort), CANDIDATES
        )
        matching = keep_matching(session, filters.q, [paper_id for paper_id, _ in keys])
        found += [paper_id for paper_id, _ in keys if paper_id in matching]
        if len(found) >= wanted or len(keys) < CANDIDATES:
            return found[:wanted]
        last = keys[-1]
    assert last is not None
    rest = [*where, _after_key(filters.sort, last[1], last[0])]
    if (search := matching_papers_clause(session, filters.q)) is not None:
        rest.append(search)
    return found + repository.queue_ids(session, rest, order, wanted - len(found))


def row_of(session: Session, paper: Paper) -> QueueRow:
    """One row, for an htmx swap after an action on it."""
    return rows_for(session, repository.queue_papers(session, [Paper.id == paper.id], [], 1))[0]


# --- export ------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "tracking_number",
    "title",
    "organisation",
    "organisation_type",
    "country",
    "verification",
    "language",
    "agenda_items",
    "status",
    "announced_status",
    "assignee",
    "routed_to",
    "duplicate_group",
    "submitted_at",
    "paper_id",
)


def export_statement(
    session: Session, meeting: Meeting, filters: QueueFilters, user: User
) -> Select[Any]:
    """The filtered queue, every page of it, in its order, as flat rows (EXPORT_HEADER)."""
    where = conditions(session, meeting, filters, user)
    return repository.export_select(where, _order(filters.sort))


def export_row(row: Any) -> tuple[object, ...]:
    return (
        row.tracking_number,
        row.title,
        row.organisation,
        _value(row.organisation_type),
        row.country,
        _value(row.verification),
        _value(row.language),
        row.agenda_items or "",
        _value(row.status),
        _value(row.announced_status),
        row.assignee or "",
        row.routed_to or "",
        row.duplicate_group,
        row.submitted_at,
        row.paper_id,
    )


def _value(value: Any) -> Any:
    return getattr(value, "value", value)
